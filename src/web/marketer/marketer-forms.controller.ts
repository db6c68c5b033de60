import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Clock } from '../../common/clock.js';
import { DomainError, notFound } from '../../common/errors.js';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { validationError } from '../../common/validation.js';
import { SaveObservationDto } from '../../observations/observations.dto.js';
import { ObservationsService } from '../../observations/observations.service.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import { User } from '../../people/user.entity.js';
import { ShiftAttendanceDto, SwapShiftDto } from '../../rotations/rotations.dto.js';
import { RotationsService } from '../../rotations/rotations.service.js';
import { ThemesService, type ThemeView } from '../../themes/themes.service.js';
import { answersFromForm, errorsByInput } from './forms-answers.js';
import { FormsPagesRepository } from './forms-pages.repository.js';
import { formPage, formsListPage, readOnlyPage, type ThemeOption } from './forms-views.js';
import { formProblem, messageOf, parseDto, seeOther, sendHtml, submitForm, text, type FormBody } from '../kit/forms.js';
import type { FieldErrors } from '../kit/html.js';
import { candidatesFor, openShifts, type CandidateShift } from './shifts-candidates.js';
import { ShiftsPagesRepository } from './shifts-pages.repository.js';
import { shiftsPage, type ShiftsPageData } from './shifts-views.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import type { WebRequest } from '../kit/web-request.js';
import { wantsHtml } from '../kit/web.filter.js';

/** Fixed texts for `?notice=` keys (the query text itself is never shown). */
const LIST_NOTICES: Record<string, string> = {
  submitted: 'Form submitted. Thank you.',
  'shift-done': 'Shift marked done. Its observation form is open below.',
};
const FORM_NOTICES: Record<string, string> = {
  saved: 'Draft saved.',
  edited: 'Changes saved. The earlier version is kept in the history.',
};
const SHIFT_NOTICES: Record<string, string> = { moved: 'Shift moved.' };
const noticeOf = (table: Record<string, string>, key: unknown) => (typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined);

const problemsOf = (errors: FieldErrors) => Object.entries(errors).map(([field, problems]) => ({ field, problems }));

type FullObservation = Awaited<ReturnType<ObservationsService['get']>>;

/** Marketer pages: forms due with a countdown, the observation form with drafts saved as they type, support shifts and swaps. */
@Controller()
@ApiExcludeController()
@WebPage()
export class MarketerFormsController {
  constructor(
    private readonly observations: ObservationsService,
    private readonly rotations: RotationsService,
    private readonly themes: ThemesService,
    private readonly formsRepo: FormsPagesRepository,
    private readonly shiftsRepo: ShiftsPagesRepository,
    private readonly clock: Clock,
  ) {}

  // ------------------------------------------------------------------ forms

  /** Forms due (open and drafts, soonest first, with countdowns) and the recently submitted ones. */
  @Get('marketer/forms')
  @Roles('marketer')
  async list(@CurrentUser() user: User, @Csrf() csrf: string, @Query('notice') notice?: unknown): Promise<string> {
    const forms = await this.observations.list(user, { mine: 'true' });
    const sessions = await this.formsRepo.sessionsOf(forms.map((o) => o.id));
    return formsListPage({ user, csrf, forms, sessions, now: this.clock.now(), notice: noticeOf(LIST_NOTICES, notice) }).value;
  }

  /** The form, for its author; the lifecycle team reads it (read only). Anyone else: 404 (the service decides). */
  @Get('marketer/forms/:id')
  @Roles('marketer', 'lifecycle')
  async show(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Query('notice') notice?: unknown): Promise<string> {
    const full = await this.observations.get(user, id);
    if (full.authorId !== user.id) {
      const session = (await this.formsRepo.sessionsOf([id])).get(id);
      const ids = Array.isArray(full.answers.themeIds) ? full.answers.themeIds.filter((x): x is string => typeof x === 'string') : [];
      const names = new Map([...(await this.formsRepo.themeNames(ids))].map(([k, v]) => [k, v.name]));
      return readOnlyPage({ user, csrf, observation: full, template: full.template, session, authorName: session?.author_name ?? '', themeNames: names }).value;
    }
    return (await this.formPageFor(user, csrf, full, { answers: full.answers, markedNames: full.markedNames, notice: noticeOf(FORM_NOTICES, notice) })).value;
  }

  /**
   * Autosave from the page script (urlencoded, X-CSRF-Token): `{savedAt}`, or the API's JSON error body
   * (400 naming the fields). A browser posting it without the script is sent back to the form.
   */
  @Post('marketer/forms/:id/draft')
  @Roles('marketer')
  async draft(@CurrentUser() user: User, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Req() req: WebRequest, @Res() res: Response): Promise<void> {
    const full = await this.observations.get(user, id);
    if (full.authorId !== user.id) throw new DomainError('forbidden', 'Only the author writes a form; the lifecycle team reads it');
    if (full.status === 'submitted') {
      throw new DomainError('invalid_state', 'This form is submitted: drafts are not saved any more; use "Save changes" (kept in the history)', { status: full.status });
    }
    const { answers, markedNames } = answersFromForm(full.template, body);
    const parsed = await parseDto(SaveObservationDto, { answers, markedNames });
    if (!parsed.ok) throw validationError(problemsOf(parsed.errors));
    const saved = await this.observations.save(user, id, answers, markedNames);
    if (wantsHtml(req)) return seeOther(res, `/marketer/forms/${id}?notice=saved`);
    res.status(200).json({ savedAt: new Date(saved.updatedAt).toISOString(), revision: saved.revision, status: saved.status });
  }

  /** "Save draft" (`action=save`) or "Submit form" (`action=submit`); after submit, "Save changes" edits (kept in the history). */
  @Post('marketer/forms/:id')
  @Roles('marketer')
  async save(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const full = await this.observations.get(user, id);
    if (full.authorId !== user.id) throw new DomainError('forbidden', 'Only the author writes a form; the lifecycle team reads it');
    const wasSubmitted = full.status === 'submitted';
    const { answers, markedNames } = answersFromForm(full.template, body);
    const again = async (status: number, problems: FieldErrors, message?: string) => {
      const current = await this.observations.get(user, id);
      const { errors, unplaced } = errorsByInput(problems, current.template);
      const top = [message, ...unplaced].filter(Boolean).join(' ');
      const fallback = !top && !Object.keys(errors).length ? 'The form could not be saved.' : undefined;
      sendHtml(res, status, await this.formPageFor(user, csrf, current, { answers, markedNames, errors, message: top || fallback }));
    };
    const parsed = await parseDto(SaveObservationDto, { answers, markedNames });
    if (!parsed.ok) return again(400, parsed.errors);
    try {
      await this.observations.save(user, id, answers, markedNames);
    } catch (e) {
      const p = formProblem(e);
      return again(p.status, p.errors, p.message);
    }
    if (wasSubmitted) return seeOther(res, `/marketer/forms/${id}?notice=edited`);
    if (text(body, 'action') !== 'submit') return seeOther(res, `/marketer/forms/${id}?notice=saved`);
    try {
      await this.observations.submit(user, id);
    } catch (e) {
      const p = formProblem(e);
      return again(p.status, p.errors, p.message ?? 'The form is saved as a draft, but some answers are missing before it can be submitted.');
    }
    seeOther(res, '/marketer/forms?notice=submitted');
  }

  private async formPageFor(user: User, csrf: string, full: FullObservation, d: { answers: Record<string, unknown>; markedNames: string[]; errors?: FieldErrors; message?: string; notice?: string }) {
    const session = (await this.formsRepo.sessionsOf([full.id])).get(full.id);
    return formPage({
      user,
      csrf,
      observation: full,
      template: full.template,
      focus: full.focus,
      session,
      themes: await this.themeOptions(user),
      now: this.clock.now(),
      ...d,
    });
  }

  /** Active themes of the taxonomy, named with their parent ("Onboarding › Setup"), sorted. */
  private async themeOptions(user: User): Promise<ThemeOption[]> {
    const list = (await this.themes.list(user, { status: 'active' })) as ThemeView[];
    const byId = new Map(list.map((t) => [t.id, t]));
    const nameOf = (t: ThemeView, depth = 0): string => {
      const parent = t.parentId ? byId.get(t.parentId) : undefined;
      return parent && depth < 10 ? `${nameOf(parent, depth + 1)} › ${t.name}` : t.name;
    };
    return list.map((t) => ({ id: t.id, name: nameOf(t) })).sort((a, b) => a.name.localeCompare(b.name));
  }

  // ------------------------------------------------------------------ shifts

  @Get('marketer/shifts')
  @Roles('marketer')
  async shifts(@CurrentUser() user: User, @Csrf() csrf: string, @Query('notice') notice?: unknown): Promise<string> {
    return (await this.shiftsData(user, csrf, { notice: noticeOf(SHIFT_NOTICES, notice) })).value;
  }

  /** Moves an upcoming shift to another of the period's shifts; a refusal is shown next to "Move to". */
  @Post('marketer/shifts/:id/swap')
  @Roles('marketer')
  async swap(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const toShiftKey = text(body, 'toShiftKey');
    await submitForm(res, {
      input: toShiftKey ? parseDto(SwapShiftDto, { toShiftKey }) : { ok: false, errors: { toShiftKey: ['Choose the shift to move to'] } },
      act: async (dto) => {
        await this.rotations.swap(user, id, dto.toShiftKey);
        return '/marketer/shifts?notice=moved';
      },
      again: (p) => this.shiftsData(user, csrf, { problem: { assignmentId: id, errors: p.errors, message: p.message, value: toShiftKey } }, id),
      problem: (e) =>
        // An unknown target shift names the field: shown next to the select (the assignment itself being unknown stays a 404 page).
        e instanceof DomainError && e.code === 'not_found' && (e.details as { field?: unknown }).field === 'toShiftKey'
          ? { errors: { toShiftKey: [e.message] }, status: e.status }
          : formProblem(e, () => 'toShiftKey'),
    });
  }

  /** Marks a started shift done, which opens its observation form. */
  @Post('marketer/shifts/:id/attendance')
  @Roles('marketer')
  async attendance(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    await submitForm(res, {
      input: parseDto(ShiftAttendanceDto, { outcome: text(body, 'outcome') }),
      act: async ({ outcome }) => {
        await this.rotations.attendance(user, id, outcome);
        return outcome === 'completed' ? '/marketer/forms?notice=shift-done' : '/marketer/shifts';
      },
      again: (p) => this.shiftsData(user, csrf, { problem: { assignmentId: id, errors: {}, message: messageOf(p) } }, id),
    });
  }

  /** The shift's current invite (REQUEST, or CANCEL once cancelled). */
  @Get('marketer/shifts/:id/invite.ics')
  @Roles('marketer')
  async invite(@CurrentUser() user: User, @Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    const ics = await this.rotations.inviteFile(user, id);
    res.status(200).type('text/calendar; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="shift-${id}.ics"`);
    res.send(ics);
  }

  /** The shifts page; `mustHave` (a posted assignment) must be the user's own, or it is a 404. */
  private async shiftsData(user: User, csrf: string, extra: Pick<ShiftsPageData, 'notice' | 'problem'>, mustHave?: string) {
    const shifts = await this.rotations.list(user, { mine: 'true' });
    if (mustHave && !shifts.some((a) => a.id === mustHave)) throw notFound('Shift assignment', mustHave);
    const now = this.clock.now();
    const upcoming = shifts.filter((a) => a.status === 'confirmed' && Date.parse(a.startsAt) > now.getTime());
    const live = shifts.filter((a) => a.status !== 'cancelled').map((a) => ({ id: a.id, startsAt: new Date(a.startsAt) }));
    const openByPeriod = new Map<string, CandidateShift[]>();
    for (const periodId of new Set(upcoming.map((a) => a.periodId))) {
      const space = await this.shiftsRepo.periodSpace(periodId);
      if (!space) continue;
      const all = openShifts(space, now, new Map());
      openByPeriod.set(periodId, openShifts(space, now, await this.shiftsRepo.takenOn(all.map((s) => s.key))));
    }
    const candidates = new Map(upcoming.map((a) => [a.id, candidatesFor(openByPeriod.get(a.periodId) ?? [], { id: a.id, shiftKey: a.shiftKey }, live, user.timeZone)]));
    return shiftsPage({ user, csrf, shifts, candidates, now, ...extra });
  }
}
