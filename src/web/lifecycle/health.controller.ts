import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Clock } from '../../common/clock.js';
import { todayIn } from '../../common/time/dates.js';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import type { Period, Program } from '../../programs/program.entity.js';
import { ProgramsService } from '../../programs/programs.service.js';
import { sendHtml } from '../kit/forms.js';
import type { FieldErrors } from '../kit/html.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { defaultPeriod, elapsedShare } from './lifecycle-health.js';
import { LifecycleHealthRepository } from './lifecycle-health.repository.js';
import { lifecycleDoc } from './lifecycle-forms.js';
import { healthBody } from './lifecycle-views.js';

/** Lifecycle pages: a program's health in one period (coverage, late forms, each marketer's pace). */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('lifecycle')
export class LifecycleHealthController {
  constructor(
    private readonly programs: ProgramsService,
    private readonly health: LifecycleHealthRepository,
    private readonly clock: Clock,
  ) {}

  @Get('lifecycle/programs/:id/health')
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
    sendHtml(res, errors ? 400 : 200, lifecycleDoc(user, csrf, `Health: ${program.name}`, body, '/lifecycle'));
  }
}
