import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { todayIn } from '../common/time/dates.js';
import { currentPeriod, nextPeriod, nextPeriodDue, periodStatusOn } from './period-cadence.js';
import type { PeriodCadence } from './program-settings.js';
import { ProgramsRepository } from './programs.repository.js';
import { ProgramsService } from './programs.service.js';

/** Periods run on: the next one is created before the current one ends, statuses follow the dates. */
@Injectable()
export class PeriodCadenceService implements OnApplicationBootstrap {
  private readonly logger = new Logger('PeriodCadence');
  /** The next period exists at least this many days (or the booking horizon, if longer) before the last one ends. */
  static readonly LEAD_DAYS = 14;

  constructor(
    private readonly db: DataSource,
    private readonly repo: ProgramsRepository,
    private readonly programs: ProgramsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    void this.tick();
  }

  @Cron(CronExpression.EVERY_HOUR, { name: 'period-cadence' })
  async tick(): Promise<void> {
    try {
      await this.runOnce(this.clock.now());
    } catch (e) {
      this.logger.error({ err: e }, 'period cadence tick failed');
    }
  }

  /**
   * One pass over every program with a cadence. Safe with several instances: they take turns on an
   * advisory lock, so the later ones find nothing due, and the exclusion constraint refuses an
   * overlapping period anyway.
   */
  async runOnce(now: Date): Promise<{ created: number; statusChanges: number }> {
    return this.db.transaction(async (m) => {
      // Instances take turns; whoever comes second finds the work done.
      await this.repo.lockCadence(m);
      let created = 0;
      for (const p of await this.repo.programsWithCadence(m)) {
        const today = todayIn(p.time_zone, now);
        const cadence = p.cadence as PeriodCadence;
        const lead = Math.max(PeriodCadenceService.LEAD_DAYS, p.horizon ?? 0);
        let last = p.last_ends_on;
        for (let guard = 0; guard < 24; guard++) {
          const range = last === null ? currentPeriod(cadence, today) : nextPeriodDue(last, today, lead) ? nextPeriod(cadence, last) : null;
          if (!range) break;
          const period = await this.repo.insertPeriodIfFree(m, { programId: p.id, ...range, status: periodStatusOn(range, today, 'planned') });
          if (!period) break;
          await this.audit.record(m, { actorId: null, action: 'period.create', entity: 'period', entityId: period.id, details: { programId: p.id, ...range, by: 'cadence' } });
          created++;
          last = range.endsOn;
        }
      }
      const statusChanges = await this.programs.advanceStatuses(m, now);
      if (created || statusChanges) this.logger.log({ created, statusChanges }, 'period cadence');
      return { created, statusChanges };
    });
  }
}
