import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import type { Response } from 'express';
import { Clock } from '../../common/clock.js';
import { IsIsoDate, todayIn } from '../../common/time/dates.js';
import { DomainError } from '../../common/errors.js';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { CreateUserDto } from '../../people/users.dto.js';
import { UsersService } from '../../people/users.service.js';
import type { Period, Program } from '../../programs/program.entity.js';
import { CreatePeriodDto, CreateProgramDto, EnrollDto, InviteRepDto, UpdateEnrollmentDto, UpdatePeriodDto, UpdateProgramDto } from '../../programs/programs.dto.js';
import { ProgramsService } from '../../programs/programs.service.js';
import { RollupsService } from '../../rollups/rollups.service.js';
import { CreateThemeDto, MergeThemeDto } from '../../themes/themes.dto.js';
import { ThemesService, type ThemeView } from '../../themes/themes.service.js';
import type { TreeNode } from '../../themes/tree.js';
import { formProblem, numberOr, parseDto, seeOther, sendHtml, text, texts, type FormBody } from '../kit/forms.js';
import type { FieldErrors, Html } from '../kit/html.js';
import { page } from '../kit/layout.js';
import { defaultPeriod, elapsedShare } from './lifecycle-health.js';
import { LifecycleHealthRepository } from './lifecycle-health.repository.js';
import {
  healthBody,
  peopleBody,
  periodBody,
  periodLabel,
  programBody,
  programsBody,
  rollupsBody,
  themeBody,
  themesBody,
  type FormState,
  type PeriodPageForms,
  type ProgramPageForms,
  type ThemesPageForms,
} from './lifecycle-views.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';

/** The window of an on-demand rollup as the page offers it: two dates in the program's zone. */
class RollupWindowForm {
  @IsIsoDate({ message: 'From must be a date like 2026-10-01' })
  from: string;

  @IsIsoDate({ message: 'To must be a date like 2026-12-31' })
  to: string;
}

/** The theme to merge (the API takes it from the path; the page's form names it). */
class MergeWhichForm {
  @IsUUID('all', { message: 'Choose the theme to merge' })
  id: string;
}

class ThemeDecisionForm {
  @IsIn(['accept', 'reject'])
  decision: 'accept' | 'reject';
}

/** Fixed texts for `?notice=` keys (the query text itself is never shown). */
const NOTICES: Record<string, string> = {
  'program-created': 'Program created.',
  'program-saved': 'Settings saved.',
  'period-created': 'Period created.',
  'period-saved': 'Focus saved.',
  invited: 'Invitation sent to the rep.',
  enrolled: 'Marketer enrolled.',
  'quota-saved': 'Quota saved.',
  'person-added': 'Person added. They can sign in with their email address.',
  'theme-created': 'Theme created.',
  'theme-accepted': 'Theme accepted into the taxonomy.',
  'theme-rejected': 'Theme rejected.',
  merged: 'Themes merged.',
  building: 'The rollup is being built; it appears here when it is ready.',
};
const noticeText = (key: unknown): string | undefined => (typeof key === 'string' ? NOTICES[key] : undefined);

/** The settings fields of the program forms, as the API's settings object (numbers as numbers, recipients as a list). */
const NUMBER_SETTINGS = [
  'quota',
  'slotMinutes',
  'slotGridMinutes',
  'seatsPerCall',
  'minNoticeHours',
  'horizonDays',
  'repWeeklyCap',
  'sameRepLimit',
  'cancelNoticeHours',
  'formDueHours',
  'onboardingShifts',
  'onboardingDays',
] as const;

function settingsFrom(body: FormBody): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of NUMBER_SETTINGS) {
    const n = numberOr(body, `settings.${k}`);
    if (n !== undefined) out[k] = n;
  }
  for (const k of ['periodCadence', 'rollupCadence'] as const) {
    const s = text(body, `settings.${k}`);
    if (s) out[k] = s;
  }
  if (body['settings.rollupRecipients'] !== undefined) {
    out.rollupRecipients = text(body, 'settings.rollupRecipients')
      .split(/[,;\s]+/)
      .filter(Boolean);
  }
  return out;
}

/** What the user typed, to show the form again. */
function valuesOf(body: FormBody, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, text(body, n)]));
}

const SETTINGS_FIELDS = [...NUMBER_SETTINGS, 'periodCadence', 'rollupCadence', 'rollupRecipients'].map((k) => `settings.${k}`);

/** Like formProblem, but a missing thing chosen in a form (a rep, a theme) is a problem of that field, not a 404 page. */
function problem(e: unknown): { errors: FieldErrors; message?: string; status: number } {
  if (e instanceof DomainError && e.code === 'not_found' && typeof e.details.field === 'string') {
    return { errors: { [e.details.field]: [e.message] }, status: e.status };
  }
  return formProblem(e);
}

/** Lifecycle pages: programs, periods, rosters, enrolments, people, the theme taxonomy with merge, rollups, program health. */
@Controller()
@ApiExcludeController()
@WebPage()
export class LifecyclePagesController {
  constructor(
    private readonly programs: ProgramsService,
    private readonly users: UsersService,
    private readonly themes: ThemesService,
    private readonly rollups: RollupsService,
    private readonly health: LifecycleHealthRepository,
    private readonly clock: Clock,
  ) {}

  private doc(user: User, csrf: string, title: string, body: Html, current: string, notice?: unknown): Html {
    return page({ title, body, user, csrf, current, notice: noticeText(notice) });
  }

  // ------------------------------------------------------------------ programs

  @Get('lifecycle')
  @Roles('lifecycle')
  async programsPage(@CurrentUser() user: User, @Csrf() csrf: string, @Query('notice') notice?: string): Promise<string> {
    return (await this.programsDoc(user, csrf, undefined, notice)).value;
  }

  private async programsDoc(user: User, csrf: string, create?: FormState, notice?: string): Promise<Html> {
    const programs = await this.programs.listPrograms();
    return this.doc(user, csrf, 'Programs', programsBody({ programs, user, csrf, create }), '/lifecycle', notice);
  }

  @Post('lifecycle/programs')
  @Roles('lifecycle')
  async createProgram(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['name', 'kind', 'timeZone', ...SETTINGS_FIELDS]);
    const parsed = await parseDto(CreateProgramDto, { name: text(body, 'name'), kind: text(body, 'kind'), timeZone: text(body, 'timeZone'), settings: settingsFrom(body) });
    if (!parsed.ok) return sendHtml(res, 400, await this.programsDoc(user, csrf, { values, errors: parsed.errors }));
    try {
      const program = await this.programs.createProgram(user, parsed.value);
      seeOther(res, `/lifecycle/programs/${program.id}?notice=program-created`);
    } catch (e) {
      const p = problem(e);
      sendHtml(res, p.status, await this.programsDoc(user, csrf, { values, errors: p.errors, message: p.message }));
    }
  }

  @Get('lifecycle/programs/:id')
  @Roles('lifecycle')
  async programPage(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Query('notice') notice?: string): Promise<string> {
    return (await this.programDoc(user, csrf, id, {}, notice)).value;
  }

  private async programDoc(user: User, csrf: string, id: string, forms: ProgramPageForms, notice?: string): Promise<Html> {
    const program = await this.programs.getProgram(id);
    const periods = await this.programs.listPeriods(id);
    const today = todayIn(program.timeZone, this.clock.now());
    return this.doc(user, csrf, program.name, programBody({ program, periods, user, csrf, forms, today }), '/lifecycle', notice);
  }

  @Post('lifecycle/programs/:id')
  @Roles('lifecycle')
  async updateProgram(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['name', 'timeZone', 'preparationNote', ...SETTINGS_FIELDS]);
    const note = text(body, 'preparationNote');
    const parsed = await parseDto(UpdateProgramDto, {
      name: text(body, 'name'),
      timeZone: text(body, 'timeZone'),
      settings: settingsFrom(body),
      // Emptied: null, which puts the default guide back.
      preparationNote: note === '' ? null : note,
    });
    if (!parsed.ok) return sendHtml(res, 400, await this.programDoc(user, csrf, id, { settings: { values, errors: parsed.errors } }));
    try {
      await this.programs.updateProgram(user, id, parsed.value);
      seeOther(res, `/lifecycle/programs/${id}?notice=program-saved`);
    } catch (e) {
      const p = problem(e);
      sendHtml(res, p.status, await this.programDoc(user, csrf, id, { settings: { values, errors: p.errors, message: p.message } }));
    }
  }

  @Post('lifecycle/programs/:id/periods')
  @Roles('lifecycle')
  async createPeriod(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['startsOn', 'endsOn', 'focus']);
    const focus = text(body, 'focus');
    const parsed = await parseDto(CreatePeriodDto, { startsOn: text(body, 'startsOn'), endsOn: text(body, 'endsOn'), ...(focus ? { focus } : {}) });
    if (!parsed.ok) return sendHtml(res, 400, await this.programDoc(user, csrf, id, { period: { values, errors: parsed.errors } }));
    try {
      const period = await this.programs.createPeriod(user, id, parsed.value);
      seeOther(res, `/lifecycle/periods/${period.id}?notice=period-created`);
    } catch (e) {
      const p = problem(e);
      // An overlap is about both dates: say so next to each.
      if (e instanceof DomainError && e.code === 'period_overlap') p.errors = { startsOn: [e.message], endsOn: ['Choose dates that do not overlap another period'] };
      sendHtml(res, p.status, await this.programDoc(user, csrf, id, { period: { values, errors: p.errors, message: p.message } }));
    }
  }

  @Post('lifecycle/programs/:id/rollups')
  @Roles('lifecycle')
  async runRollup(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['from', 'to']);
    const parsed = await parseDto(RollupWindowForm, values);
    if (!parsed.ok) return sendHtml(res, 400, await this.programDoc(user, csrf, id, { rollup: { values, errors: parsed.errors } }));
    try {
      await this.programs.getProgram(id);
      const { rollup } = await this.rollups.runNow(user, { programId: id, ...parsed.value });
      seeOther(res, rollup.status === 'ready' && rollup.report ? `/rollups/${rollup.id}` : '/lifecycle/rollups?notice=building');
    } catch (e) {
      const p = problem(e);
      sendHtml(res, p.status, await this.programDoc(user, csrf, id, { rollup: { values, errors: p.errors, message: p.message } }));
    }
  }

  // ------------------------------------------------------------------ periods

  @Get('lifecycle/periods/:id')
  @Roles('lifecycle')
  async periodPage(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Query('notice') notice?: string): Promise<string> {
    return (await this.periodDoc(user, csrf, id, {}, notice)).value;
  }

  private async periodDoc(user: User, csrf: string, id: string, forms: PeriodPageForms, notice?: string): Promise<Html> {
    const period = await this.programs.getPeriod(id);
    const [program, roster, enrollments, reps, marketers] = await Promise.all([
      this.programs.getProgram(period.programId),
      this.programs.listRoster(user, { mine: false, periodId: id }),
      this.programs.listEnrollments(user, id),
      this.users.list({ role: 'rep', active: true, limit: 500, offset: 0 }),
      this.users.list({ role: 'marketer', active: true, limit: 500, offset: 0 }),
    ]);
    const names = await this.health.userNames([...roster.map((r) => r.repId), ...enrollments.map((e) => e.marketerId)]);
    const byName = (a: User, b: User) => a.name.localeCompare(b.name);
    return this.doc(
      user,
      csrf,
      `${program.name}: ${periodLabel(period)}`,
      periodBody({ program, period, roster, enrollments, names, reps: reps.sort(byName), marketers: marketers.sort(byName), user, csrf, forms }),
      '/lifecycle',
      notice,
    );
  }

  @Post('lifecycle/periods/:id')
  @Roles('lifecycle')
  async updatePeriod(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['focus']);
    const parsed = await parseDto(UpdatePeriodDto, values);
    if (!parsed.ok) return sendHtml(res, 400, await this.periodDoc(user, csrf, id, { focus: { values, errors: parsed.errors } }));
    try {
      await this.programs.updatePeriod(user, id, parsed.value);
      seeOther(res, `/lifecycle/periods/${id}?notice=period-saved`);
    } catch (e) {
      const p = problem(e);
      sendHtml(res, p.status, await this.periodDoc(user, csrf, id, { focus: { values, errors: p.errors, message: p.message } }));
    }
  }

  @Post('lifecycle/periods/:id/roster')
  @Roles('lifecycle')
  async inviteRep(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['repId']);
    const parsed = await parseDto(InviteRepDto, values);
    if (!parsed.ok) return sendHtml(res, 400, await this.periodDoc(user, csrf, id, { invite: { values, errors: parsed.errors } }));
    try {
      await this.programs.inviteRep(user, id, parsed.value.repId);
      seeOther(res, `/lifecycle/periods/${id}?notice=invited`);
    } catch (e) {
      const p = problem(e);
      sendHtml(res, p.status, await this.periodDoc(user, csrf, id, { invite: { values, errors: p.errors, message: p.message } }));
    }
  }

  @Post('lifecycle/periods/:id/enrollments')
  @Roles('lifecycle')
  async enrol(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['marketerId', 'quota']);
    const quota = numberOr(body, 'quota');
    const parsed = await parseDto(EnrollDto, { marketerId: text(body, 'marketerId'), ...(quota !== undefined ? { quota } : {}) });
    if (!parsed.ok) return sendHtml(res, 400, await this.periodDoc(user, csrf, id, { enrol: { values, errors: parsed.errors } }));
    try {
      await this.programs.enroll(user, id, parsed.value);
      seeOther(res, `/lifecycle/periods/${id}?notice=enrolled`);
    } catch (e) {
      const p = problem(e);
      sendHtml(res, p.status, await this.periodDoc(user, csrf, id, { enrol: { values, errors: p.errors, message: p.message } }));
    }
  }

  @Post('lifecycle/periods/:id/enrollments/:enrollmentId')
  @Roles('lifecycle')
  async updateQuota(
    @CurrentUser() user: User,
    @Csrf() csrf: string,
    @Param('id', uuid('id')) id: string,
    @Param('enrollmentId', uuid('enrollmentId')) enrollmentId: string,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    const enrollments = await this.programs.listEnrollments(user, id);
    if (!enrollments.some((e) => e.id === enrollmentId)) throw new DomainError('not_found', `Enrollment ${enrollmentId} was not found in this period`, { id: enrollmentId });
    const values = valuesOf(body, ['quota']);
    const parsed = await parseDto(UpdateEnrollmentDto, { quota: numberOr(body, 'quota') });
    if (!parsed.ok) return sendHtml(res, 400, await this.periodDoc(user, csrf, id, { quota: { enrollmentId, values, errors: parsed.errors } }));
    try {
      await this.programs.updateEnrollment(user, enrollmentId, parsed.value);
      seeOther(res, `/lifecycle/periods/${id}?notice=quota-saved`);
    } catch (e) {
      const p = problem(e);
      sendHtml(res, p.status, await this.periodDoc(user, csrf, id, { quota: { enrollmentId, values, errors: p.errors, message: p.message } }));
    }
  }

  // ------------------------------------------------------------------ people

  @Get('lifecycle/people')
  @Roles('lifecycle')
  async peoplePage(@CurrentUser() user: User, @Csrf() csrf: string, @Query('notice') notice?: string): Promise<string> {
    return (await this.peopleDoc(user, csrf, undefined, notice)).value;
  }

  private async peopleDoc(user: User, csrf: string, create?: FormState & { roles?: string[] }, notice?: string): Promise<Html> {
    const people = await this.users.list({ limit: 500, offset: 0 });
    people.sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name));
    return this.doc(user, csrf, 'People', peopleBody({ people, user, csrf, create }), '/lifecycle/people', notice);
  }

  @Post('lifecycle/people')
  @Roles('lifecycle')
  async addPerson(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['name', 'email', 'timeZone', 'startedOn']);
    const roles = texts(body, 'roles');
    const startedOn = text(body, 'startedOn');
    const parsed = await parseDto(CreateUserDto, { name: text(body, 'name'), email: text(body, 'email'), timeZone: text(body, 'timeZone'), roles, ...(startedOn ? { startedOn } : {}) });
    if (!parsed.ok) {
      if (parsed.errors.roles) parsed.errors.roles = ['Choose at least one role'];
      return sendHtml(res, 400, await this.peopleDoc(user, csrf, { values, roles, errors: parsed.errors }));
    }
    try {
      await this.users.create(user, parsed.value);
      seeOther(res, '/lifecycle/people?notice=person-added');
    } catch (e) {
      const p = problem(e);
      sendHtml(res, p.status, await this.peopleDoc(user, csrf, { values, roles, errors: p.errors, message: p.message }));
    }
  }

  // ------------------------------------------------------------------ themes

  @Get('lifecycle/themes')
  @Roles('lifecycle')
  async themesPage(@CurrentUser() user: User, @Csrf() csrf: string, @Query('notice') notice?: string): Promise<string> {
    return (await this.themesDoc(user, csrf, {}, notice)).value;
  }

  private async themesDoc(user: User, csrf: string, forms: ThemesPageForms, notice?: string): Promise<Html> {
    const [tree, all] = await Promise.all([
      this.themes.list(user, { tree: true }) as Promise<TreeNode<ThemeView>[]>,
      this.themes.list(user, {}) as Promise<ThemeView[]>,
    ]);
    const proposed = all.filter((t) => t.status === 'proposed');
    const retired = all.filter((t) => t.status === 'merged' || t.status === 'rejected').sort((a, b) => a.name.localeCompare(b.name));
    const names = new Map<string, string>([...all.map((t) => [t.id, t.name] as [string, string])]);
    for (const [k, name] of await this.health.userNames(proposed.map((t) => t.proposedBy).filter((x): x is string => !!x))) names.set(k, name);
    return this.doc(user, csrf, 'Themes', themesBody({ tree, proposed, retired, names, user, csrf, forms }), '/lifecycle/themes', notice);
  }

  @Post('lifecycle/themes')
  @Roles('lifecycle')
  async createTheme(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['name', 'parentId', 'description']);
    const parsed = await parseDto(CreateThemeDto, {
      name: values.name,
      ...(values.parentId ? { parentId: values.parentId } : {}),
      ...(values.description ? { description: values.description } : {}),
    });
    if (!parsed.ok) return sendHtml(res, 400, await this.themesDoc(user, csrf, { create: { values, errors: parsed.errors } }));
    try {
      await this.themes.create(user, parsed.value);
      seeOther(res, '/lifecycle/themes?notice=theme-created');
    } catch (e) {
      const p = problem(e);
      sendHtml(res, p.status, await this.themesDoc(user, csrf, { create: { values, errors: p.errors, message: p.message } }));
    }
  }

  @Post('lifecycle/themes/merge')
  @Roles('lifecycle')
  async mergeThemes(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['id', 'intoId']);
    const [which, into] = await Promise.all([parseDto(MergeWhichForm, { id: values.id }), parseDto(MergeThemeDto, { intoId: values.intoId })]);
    if (!which.ok || !into.ok) {
      const errors = { ...(which.ok ? {} : which.errors), ...(into.ok ? {} : into.errors) };
      if (errors.intoId && !values.intoId) errors.intoId = ['Choose the theme to merge it into'];
      return sendHtml(res, 400, await this.themesDoc(user, csrf, { merge: { values, errors } }));
    }
    try {
      await this.themes.merge(user, which.value.id, into.value.intoId);
      seeOther(res, `/lifecycle/themes/${into.value.intoId}?notice=merged`);
    } catch (e) {
      // The theme to merge comes from the form here, so its "not found" belongs next to that field too.
      const p = e instanceof DomainError && e.code === 'not_found' && typeof e.details.field !== 'string' ? { errors: { id: [e.message] }, status: e.status } : problem(e);
      sendHtml(res, p.status, await this.themesDoc(user, csrf, { merge: { values, errors: p.errors, message: 'message' in p ? p.message : undefined } }));
    }
  }

  @Post('lifecycle/themes/:id/:decision')
  @Roles('lifecycle')
  async decideTheme(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Param('decision') decision: string, @Res() res: Response): Promise<void> {
    const parsed = await parseDto(ThemeDecisionForm, { decision });
    if (!parsed.ok) throw new DomainError('not_found', `There is no theme action "${decision}"`);
    try {
      if (parsed.value.decision === 'accept') await this.themes.accept(user, id);
      else await this.themes.reject(user, id);
      seeOther(res, `/lifecycle/themes?notice=theme-${parsed.value.decision}ed`);
    } catch (e) {
      const p = formProblem(e);
      sendHtml(res, p.status, await this.themesDoc(user, csrf, { decide: { errors: {}, message: p.message ?? Object.values(p.errors).flat().join('; ') } }));
    }
  }

  @Get('lifecycle/themes/:id')
  @Roles('lifecycle')
  async themePage(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Query('notice') notice?: string): Promise<string> {
    const theme = await this.themes.get(user, id);
    const [history, all] = await Promise.all([this.themes.history(id), this.themes.list(user, {}) as Promise<ThemeView[]>]);
    const names = new Map<string, string>(all.map((t) => [t.id, t.name]));
    for (const [k, name] of await this.health.userNames(history.map((h) => h.actorId).filter((x): x is string => !!x))) names.set(k, name);
    return this.doc(user, csrf, `Theme: ${theme.name}`, themeBody({ theme, history, names, user }), '/lifecycle/themes', notice).value;
  }

  // ------------------------------------------------------------------ rollups

  @Get('lifecycle/rollups')
  @Roles('lifecycle')
  async rollupsPage(@CurrentUser() user: User, @Csrf() csrf: string, @Res() res: Response, @Query('program') program?: string, @Query('notice') notice?: string): Promise<void> {
    const programs = await this.health.programNames();
    const chosen = typeof program === 'string' && program !== '' ? program : undefined;
    const bad = chosen !== undefined && !programs.has(chosen);
    const rollups = await this.rollups.list(bad ? undefined : chosen);
    const errors: FieldErrors | undefined = bad ? { program: ['Choose one of the programs'] } : undefined;
    sendHtml(res, bad ? 400 : 200, this.doc(user, csrf, 'Rollups', rollupsBody({ rollups, programs, programId: bad ? undefined : chosen, user, errors }), '/lifecycle/rollups', notice));
  }

  // ------------------------------------------------------------------ health

  @Get('lifecycle/programs/:id/health')
  @Roles('lifecycle')
  async healthPage(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Res() res: Response, @Query('period') periodId?: string): Promise<void> {
    const program: Program = await this.programs.getProgram(id);
    const periods = await this.programs.listPeriods(id);
    const now = this.clock.now();
    let period: Period | null;
    let errors: FieldErrors | undefined;
    if (typeof periodId === 'string' && periodId !== '') {
      period = periods.find((p) => p.id === periodId) ?? null;
      if (!period) {
        errors = { period: ["Choose one of this program's periods"] };
        period = defaultPeriod(periods, todayIn(program.timeZone, now));
      }
    } else {
      period = defaultPeriod(periods, todayIn(program.timeZone, now));
    }
    const [coverage, lateForms, marketers] = period
      ? await Promise.all([this.health.coverage(period.id), this.health.lateForms(period.id, now), this.health.marketers(period.id, now)])
      : [null, [], []];
    const elapsed = period ? elapsedShare(period.startsOn, period.endsOn, program.timeZone, now) : 0;
    const body = healthBody({ program, periods, period, coverage, lateForms, marketers, elapsed, now, user, errors });
    sendHtml(res, errors ? 400 : 200, this.doc(user, csrf, `Health: ${program.name}`, body, '/lifecycle'));
  }
}
