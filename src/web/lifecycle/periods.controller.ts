import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError } from '../../common/errors.js';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { UsersService } from '../../people/users.service.js';
import { EnrollDto, InviteRepDto, UpdateEnrollmentDto, UpdatePeriodDto } from '../../programs/programs.dto.js';
import { ProgramsService } from '../../programs/programs.service.js';
import { numberOr, parseDto, submitForm, text, type FormBody } from '../kit/forms.js';
import type { Html } from '../kit/html.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { LifecycleHealthRepository } from './lifecycle-health.repository.js';
import { lifecycleDoc, problem, valuesOf } from './lifecycle-forms.js';
import { periodBody, periodLabel, type PeriodPageForms } from './lifecycle-views.js';

/** Lifecycle pages: one period, with its focus, the reps on its roster and the marketers enrolled (and their quotas). */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('lifecycle')
export class LifecyclePeriodsController {
  constructor(
    private readonly programs: ProgramsService,
    private readonly users: UsersService,
    private readonly health: LifecycleHealthRepository,
  ) {}

  @Get('lifecycle/periods/:id')
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
    return lifecycleDoc(
      user,
      csrf,
      `${program.name}: ${periodLabel(period)}`,
      periodBody({ program, period, roster, enrollments, names, reps: reps.sort(byName), marketers: marketers.sort(byName), user, csrf, forms }),
      '/lifecycle',
      notice,
    );
  }

  @Post('lifecycle/periods/:id')
  async updatePeriod(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['focus']);
    await submitForm(res, {
      input: parseDto(UpdatePeriodDto, values),
      act: async (dto) => {
        await this.programs.updatePeriod(user, id, dto);
        return `/lifecycle/periods/${id}?notice=period-saved`;
      },
      again: (p) => this.periodDoc(user, csrf, id, { focus: { values, errors: p.errors, message: p.message } }),
      problem,
    });
  }

  @Post('lifecycle/periods/:id/roster')
  async inviteRep(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['repId']);
    await submitForm(res, {
      input: parseDto(InviteRepDto, values),
      act: async (dto) => {
        await this.programs.inviteRep(user, id, dto.repId);
        return `/lifecycle/periods/${id}?notice=invited`;
      },
      again: (p) => this.periodDoc(user, csrf, id, { invite: { values, errors: p.errors, message: p.message } }),
      problem,
    });
  }

  @Post('lifecycle/periods/:id/enrollments')
  async enrol(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['marketerId', 'quota']);
    const quota = numberOr(body, 'quota');
    await submitForm(res, {
      input: parseDto(EnrollDto, { marketerId: text(body, 'marketerId'), ...(quota !== undefined ? { quota } : {}) }),
      act: async (dto) => {
        await this.programs.enroll(user, id, dto);
        return `/lifecycle/periods/${id}?notice=enrolled`;
      },
      again: (p) => this.periodDoc(user, csrf, id, { enrol: { values, errors: p.errors, message: p.message } }),
      problem,
    });
  }

  @Post('lifecycle/periods/:id/enrollments/:enrollmentId')
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
    await submitForm(res, {
      input: parseDto(UpdateEnrollmentDto, { quota: numberOr(body, 'quota') }),
      act: async (dto) => {
        await this.programs.updateEnrollment(user, enrollmentId, dto);
        return `/lifecycle/periods/${id}?notice=quota-saved`;
      },
      again: (p) => this.periodDoc(user, csrf, id, { quota: { enrollmentId, values, errors: p.errors, message: p.message } }),
      problem,
    });
  }
}
