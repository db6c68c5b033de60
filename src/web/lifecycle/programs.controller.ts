import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Clock } from '../../common/clock.js';
import { DomainError } from '../../common/errors.js';
import { todayIn } from '../../common/time/dates.js';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { CreatePeriodDto, CreateProgramDto, UpdateProgramDto } from '../../programs/programs.dto.js';
import { ProgramsService } from '../../programs/programs.service.js';
import { RollupsService } from '../../rollups/rollups.service.js';
import { NoticesService } from '../../notices/notices.service.js';
import { ActionsService } from '../../actions/actions.service.js';
import { openActionsSection } from './actions-views.js';
import { parseDto, submitForm, text, type FormBody } from '../kit/forms.js';
import { html, type Html } from '../kit/html.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { lifecycleDoc, problem, RollupWindowForm, SETTINGS_FIELDS, settingsFrom, valuesOf } from './lifecycle-forms.js';
import { programBody, programsBody, type FormState, type ProgramPageForms } from './lifecycle-views.js';

/** Lifecycle pages: the programs, one program with its settings and periods, and an on-demand rollup of it. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('lifecycle')
export class LifecycleProgramsController {
  constructor(
    private readonly programs: ProgramsService,
    private readonly rollups: RollupsService,
    private readonly clock: Clock,
    private readonly notices: NoticesService,
    private readonly actions: ActionsService,
  ) {}

  @Get('lifecycle')
  async programsPage(@CurrentUser() user: User, @Csrf() csrf: string, @Query('notice') notice?: string): Promise<string> {
    return (await this.programsDoc(user, csrf, undefined, notice)).value;
  }

  private async programsDoc(user: User, csrf: string, create?: FormState, notice?: string): Promise<Html> {
    const programs = await this.programs.listPrograms();
    const { actions } = await this.actions.list({ status: 'pending' });
    return lifecycleDoc(user, csrf, 'Programs', html`${openActionsSection(actions, csrf)}${programsBody({ programs, user, csrf, create })}`, '/lifecycle', notice);
  }

  @Post('lifecycle/programs')
  async createProgram(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['name', 'kind', 'timeZone', ...SETTINGS_FIELDS]);
    await submitForm(res, {
      input: parseDto(CreateProgramDto, { name: text(body, 'name'), kind: text(body, 'kind'), timeZone: text(body, 'timeZone'), settings: settingsFrom(body) }),
      act: async (dto) => `/lifecycle/programs/${(await this.programs.createProgram(user, dto)).id}?notice=program-created`,
      again: (p) => this.programsDoc(user, csrf, { values, errors: p.errors, message: p.message }),
      problem,
    });
  }

  @Get('lifecycle/programs/:id')
  async programPage(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Query('notice') notice?: string): Promise<string> {
    return (await this.programDoc(user, csrf, id, {}, notice)).value;
  }

  private async programDoc(user: User, csrf: string, id: string, forms: ProgramPageForms, notice?: string): Promise<Html> {
    const program = await this.programs.getProgram(id);
    const periods = await this.programs.listPeriods(id);
    const today = todayIn(program.timeZone, this.clock.now());
    const noticeCounts = await this.notices.programCounts(id);
    return lifecycleDoc(user, csrf, program.name, programBody({ program, periods, user, csrf, forms, today, noticeCounts }), '/lifecycle', notice);
  }

  @Post('lifecycle/programs/:id')
  async updateProgram(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['name', 'timeZone', 'preparationNote', ...SETTINGS_FIELDS]);
    const note = text(body, 'preparationNote');
    await submitForm(res, {
      input: parseDto(UpdateProgramDto, {
        name: text(body, 'name'),
        timeZone: text(body, 'timeZone'),
        settings: settingsFrom(body),
        // Emptied: null, which puts the default guide back.
        preparationNote: note === '' ? null : note,
      }),
      act: async (dto) => {
        await this.programs.updateProgram(user, id, dto);
        return `/lifecycle/programs/${id}?notice=program-saved`;
      },
      again: (p) => this.programDoc(user, csrf, id, { settings: { values, errors: p.errors, message: p.message } }),
      problem,
    });
  }

  @Post('lifecycle/programs/:id/periods')
  async createPeriod(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['startsOn', 'endsOn', 'focus']);
    const focus = text(body, 'focus');
    await submitForm(res, {
      input: parseDto(CreatePeriodDto, { startsOn: text(body, 'startsOn'), endsOn: text(body, 'endsOn'), ...(focus ? { focus } : {}) }),
      act: async (dto) => `/lifecycle/periods/${(await this.programs.createPeriod(user, id, dto)).id}?notice=period-created`,
      again: (p) => this.programDoc(user, csrf, id, { period: { values, errors: p.errors, message: p.message } }),
      problem: (e) => {
        const p = problem(e);
        // An overlap is about both dates: say so next to each.
        if (e instanceof DomainError && e.code === 'period_overlap') p.errors = { startsOn: [e.message], endsOn: ['Choose dates that do not overlap another period'] };
        return p;
      },
    });
  }

  @Post('lifecycle/programs/:id/rollups')
  async runRollup(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['from', 'to']);
    await submitForm(res, {
      input: parseDto(RollupWindowForm, values),
      act: async (window) => {
        await this.programs.getProgram(id);
        const { rollup } = await this.rollups.runNow(user, { programId: id, ...window });
        return rollup.status === 'ready' && rollup.report ? `/rollups/${rollup.id}` : '/lifecycle/rollups?notice=building';
      },
      again: (p) => this.programDoc(user, csrf, id, { rollup: { values, errors: p.errors, message: p.message } }),
      problem,
    });
  }
}
