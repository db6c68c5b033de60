import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JOBS_SCHEMA } from '../jobs/jobs.service.js';

/** One queue of pg-boss at scrape time. */
export interface QueueStats {
  queue: string;
  /** Due now and not started (created or waiting for a retry whose time has come). */
  waiting: number;
  /** Created or retrying, with a start in the future (reminders, retry backoff). */
  scheduled: number;
  active: number;
  /** Seconds the oldest waiting job has been due; 0 when none waits. */
  oldestWaitingSeconds: number;
}

/** What /metrics reads from the database at scrape time. */
export interface DatabaseSnapshot {
  queues: QueueStats[];
  /** mail_outbox rows by status. */
  outbox: Record<'pending' | 'sent' | 'failed', number>;
  /** Seconds since the oldest pending message was written; 0 when none is pending. */
  outboxOldestPendingSeconds: number;
  /** Connected calendars, and those whose last read failed (a failure streak under way). */
  calendars: { connected: number; failing: number };
}

/** Longest one scrape query may run: a scrape must not hold a connection of the pool for long. */
const SCRAPE_STATEMENT_TIMEOUT_MS = 2_000;

/** The scrape-time queries of /metrics (pg-boss's schema, the outbox, calendar connections); no decisions. */
@Injectable()
export class MetricsRepository {
  constructor(private readonly db: DataSource) {}

  async snapshot(): Promise<DatabaseSnapshot> {
    return this.db.transaction('READ COMMITTED', async (m) => {
      await m.query(`SET LOCAL statement_timeout = ${SCRAPE_STATEMENT_TIMEOUT_MS}`);
      const queues: { queue: string; waiting: number; scheduled: number; active: number; oldest: number | null }[] = await m.query(
        `SELECT q.name AS queue,
                count(j.id) FILTER (WHERE j.state < 'active' AND j.start_after <= now())::int AS waiting,
                count(j.id) FILTER (WHERE j.state < 'active' AND j.start_after > now())::int AS scheduled,
                count(j.id) FILTER (WHERE j.state = 'active')::int AS active,
                extract(epoch FROM now() - min(j.start_after) FILTER (WHERE j.state < 'active' AND j.start_after <= now()))::float8 AS oldest
           FROM ${JOBS_SCHEMA}.queue q
           LEFT JOIN ${JOBS_SCHEMA}.job j ON j.name = q.name AND j.state < 'completed'
          GROUP BY q.name
          ORDER BY q.name`,
      );
      const outbox: { status: 'pending' | 'sent' | 'failed'; n: number }[] = await m.query(`SELECT status, count(*)::int AS n FROM mail_outbox GROUP BY status`);
      const [oldest]: { s: number | null }[] = await m.query(
        `SELECT extract(epoch FROM now() - min(created_at))::float8 AS s FROM mail_outbox WHERE status = 'pending'`,
      );
      const [calendars]: { connected: number; failing: number }[] = await m.query(
        `SELECT count(*)::int AS connected, count(*) FILTER (WHERE failing_since IS NOT NULL)::int AS failing FROM calendar_connections`,
      );
      const byStatus = { pending: 0, sent: 0, failed: 0 };
      for (const r of outbox) if (r.status in byStatus) byStatus[r.status] = r.n;
      return {
        queues: queues.map((q) => ({ queue: q.queue, waiting: q.waiting, scheduled: q.scheduled, active: q.active, oldestWaitingSeconds: Math.max(0, q.oldest ?? 0) })),
        outbox: byStatus,
        outboxOldestPendingSeconds: Math.max(0, oldest?.s ?? 0),
        calendars,
      };
    });
  }
}
