import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { ConnectionsRepository } from './connections.repository.js';
import { CalendarSyncService } from './sync.service.js';

/** The queue of calendar syncs; its data is `{ connectionId }`. */
export const SYNC_QUEUE = 'calendar.sync';
/**
 * A sync running longer than this is failed and retried, and one held by a process that died is retried
 * this long after it started (plus the maintenance sweep and the retry delay): within about a minute. A
 * read is bounded by the outbound guard (15 s per request; CalDAV makes a few), parse and apply take seconds.
 */
export const SYNC_EXPIRE_SECONDS = 45;
/** Retries of a sync that threw (a database error; an unreadable calendar is an outcome, not a throw). */
const SYNC_RETRIES = 2;
/** Syncs fetched (and run) at once per instance: they wait on other servers, not on this one. */
const SYNC_BATCH = 3;
/** Connections queued per tick at most (the oldest attempts first; the next tick takes the rest). */
const TICK_LIMIT = 500;
/** Width of the time bucket in a job's singleton key (see enqueueDue). */
const KEY_BUCKET_MS = 3_600_000;
/** A tick counts a connection as due this much early, so a sync that ran a few seconds after its tick is due again at the tick one interval later. */
const TICK_SLACK_MS = 30_000;

interface SyncJob {
  connectionId: string;
}

/**
 * The schedule: every minute each instance's tick queues the connections whose last attempt is
 * CALENDAR_SYNC_MINUTES old (or that were never read). The job id comes from a key of the connection and its
 * last attempt, so however many instances tick, and however long the queue takes to run it, one job per
 * connection and attempt is queued; the workers (every instance) run each job once, and a job whose process
 * died expires and runs again elsewhere.
 */
@Injectable()
export class CalendarSyncJob implements OnModuleInit {
  private readonly logger = new Logger('CalendarSync');

  constructor(
    private readonly db: DataSource,
    private readonly repo: ConnectionsRepository,
    private readonly sync: CalendarSyncService,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.work<SyncJob>(
      SYNC_QUEUE,
      async (data) => {
        await this.sync.sync(data.connectionId);
      },
      { batchSize: SYNC_BATCH },
    );
  }

  @Cron(CronExpression.EVERY_MINUTE, { name: 'calendar-sync' })
  async tick(): Promise<void> {
    try {
      await this.enqueueDue(this.clock.now());
    } catch (err) {
      this.logger.error({ err }, 'calendar sync tick failed');
    }
  }

  /** Queues a sync for every connection due at `now`; returns how many jobs this call queued (0 for those another instance queued). */
  async enqueueDue(now: Date): Promise<number> {
    const intervalMs = this.config.calendarSyncMinutes * 60_000;
    // The key names the connection's last attempt: once it is queued, every instance's tick finds the key taken
    // until the job has run (and moved the attempt on). The hour in it lets a job that failed for good without
    // moving the attempt (the database was down through its retries) be queued again an hour later.
    const slot = Math.floor(now.getTime() / Math.max(intervalMs, KEY_BUCKET_MS));
    return this.db.transaction(async (m) => {
      let queued = 0;
      for (const c of await this.repo.dueForSync(m, new Date(now.getTime() - intervalMs + TICK_SLACK_MS), TICK_LIMIT)) {
        const key = `${c.id}:${c.lastAttemptAt ? new Date(c.lastAttemptAt).toISOString() : 'never'}:${slot}`;
        const id = await this.jobs.send(m, SYNC_QUEUE, { connectionId: c.id } satisfies SyncJob, {
          singletonKey: key,
          expireInSeconds: SYNC_EXPIRE_SECONDS,
          retryLimit: SYNC_RETRIES,
        });
        if (id) queued++;
      }
      return queued;
    });
  }
}
