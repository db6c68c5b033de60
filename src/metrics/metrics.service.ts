import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors.js';
import { answerClusterCollects } from './cluster-metrics.js';
import { DatabaseSnapshot, MetricsRepository } from './metrics.repository.js';

/** The route label of a request no route matched (a 404, a file of the docs page): never the raw path. */
export const UNMATCHED_ROUTE = '(unmatched)';
/** How long the scrape-time database reads may take before the scrape answers without them. */
const SNAPSHOT_TIMEOUT_MS = 3_000;

/** What a calendar sync came to (CalendarSyncService.sync's outcome, or `error` when it threw). */
export type CalendarSyncOutcome = 'synced' | 'unchanged' | 'failed' | 'gone' | 'error';

/**
 * The service's Prometheus metrics (prom-client), in a registry of the application's own. The services
 * count what happens where it happens (bookings, calendar syncs, webhook attempts); the queue, outbox and
 * calendar gauges are read from PostgreSQL when scraped; the pool's from TypeORM's pg pool; Node's own
 * (event-loop lag, memory, GC) come from prom-client's default metrics.
 */
@Injectable()
export class Metrics implements OnModuleDestroy {
  private readonly logger = new Logger('Metrics');
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly bookingsMade: Counter;
  private readonly bookingsRefused: Counter<'code'>;
  private readonly calendarSyncs: Counter<'outcome'>;
  private readonly webhookAttempts: Counter<'outcome'>;
  /** The database reads under way: the gauges of one scrape (collected together) share them. */
  private snapshotRead?: Promise<DatabaseSnapshot | null>;
  private readonly stopAnswering: () => void;

  constructor(
    private readonly repo: MetricsRepository,
    private readonly db: DataSource,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'ridealong_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern (never the raw path) and status, and how long they took',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.bookingsMade = new Counter({ name: 'ridealong_bookings_made_total', help: 'Bookings made (API and pages; an idempotent replay is not counted again)', registers });
    this.bookingsRefused = new Counter({
      name: 'ridealong_bookings_refused_total',
      help: "Booking requests refused, by the error's code (slot_unavailable, quota_reached, ...)",
      labelNames: ['code'],
      registers,
    });
    this.calendarSyncs = new Counter({
      name: 'ridealong_calendar_syncs_total',
      help: 'Calendar syncs by outcome: synced, unchanged, failed (the calendar could not be read), gone (disconnected), error (the database failed; retried)',
      labelNames: ['outcome'],
      registers,
    });
    this.webhookAttempts = new Counter({
      name: 'ridealong_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome: delivered (2xx) or failed (retried with backoff, or given up)',
      labelNames: ['outcome'],
      registers,
    });
    // Read from the database at scrape time: every worker of an instance sees the same rows, so a cluster
    // scrape takes the first worker's value instead of summing them.
    const fromDatabase = <L extends string>(name: string, help: string, labelNames: L[], set: (g: Gauge<L>, s: DatabaseSnapshot) => void) => {
      const read = () => this.snapshot();
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        aggregator: 'first',
        async collect() {
          this.reset();
          const s = await read();
          if (s) set(this, s);
        },
      });
    };
    fromDatabase('ridealong_queue_jobs', 'pg-boss jobs not finished, by queue and state: waiting (due now), scheduled (due later), active', ['queue', 'state'], (g, s) => {
      for (const q of s.queues) {
        g.set({ queue: q.queue, state: 'waiting' }, q.waiting);
        g.set({ queue: q.queue, state: 'scheduled' }, q.scheduled);
        g.set({ queue: q.queue, state: 'active' }, q.active);
      }
    });
    fromDatabase('ridealong_queue_oldest_waiting_seconds', 'Seconds the oldest job due and not started has been waiting, by queue (0: none waits)', ['queue'], (g, s) => {
      for (const q of s.queues) g.set({ queue: q.queue }, q.oldestWaitingSeconds);
    });
    fromDatabase('ridealong_mail_outbox_messages', 'Rows of the mail outbox by status: pending, sent, failed (given up after its retries)', ['status'], (g, s) => {
      for (const [status, n] of Object.entries(s.outbox)) g.set({ status }, n);
    });
    fromDatabase('ridealong_mail_outbox_oldest_pending_seconds', 'Seconds since the oldest unsent (pending) message was written (0: none pending)', [], (g, s) => {
      g.set(s.outboxOldestPendingSeconds);
    });
    fromDatabase('ridealong_calendar_connections', 'Connected calendars, and those whose last read failed (state failing)', ['state'], (g, s) => {
      g.set({ state: 'connected' }, s.calendars.connected);
      g.set({ state: 'failing' }, s.calendars.failing);
    });
    const read = () => this.snapshot();
    new Gauge({
      name: 'ridealong_database_up',
      help: "1 when this scrape's database reads answered, 0 when they failed or timed out",
      registers,
      aggregator: 'min',
      async collect() {
        this.set((await read()) ? 1 : 0);
      },
    });
    const pool = () => (this.db.driver as unknown as { master?: Pool }).master;
    new Gauge({
      name: 'ridealong_db_pool_connections',
      help: "TypeORM's PostgreSQL pool (per process, summed over workers): total open, idle, and requests waiting for a connection",
      labelNames: ['state'],
      registers,
      collect() {
        const p = pool();
        this.reset();
        if (!p) return;
        this.set({ state: 'total' }, p.totalCount);
        this.set({ state: 'idle' }, p.idleCount);
        this.set({ state: 'waiting' }, p.waitingCount);
      },
    });
    new Gauge({
      name: 'ridealong_db_pool_max',
      help: 'Most connections the pool may open (per process, summed over workers)',
      registers,
      collect() {
        const max = (pool() as unknown as { options?: { max?: number } } | undefined)?.options?.max;
        if (max !== undefined) this.set(max);
      },
    });
    this.stopAnswering = answerClusterCollects(this.registry);
  }

  onModuleDestroy(): void {
    this.stopAnswering();
  }

  /** Express middleware (createApp installs it): times every request and labels it with its route's pattern. */
  readonly httpMiddleware = (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const path = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : UNMATCHED_ROUTE;
      this.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
    });
    next();
  };

  /** A booking was made (not an idempotent replay of one). */
  bookingMade(): void {
    this.bookingsMade.inc();
  }

  /** A booking request was refused: counted by the DomainError's code (other errors are the HTTP metrics'). */
  bookingRefused(err: unknown): void {
    if (err instanceof DomainError) this.bookingsRefused.inc({ code: err.code });
  }

  /** Counts a calendar sync by its outcome (`error` when it throws) and passes the result on. */
  async calendarSync<T extends { outcome: Exclude<CalendarSyncOutcome, 'error'> }>(sync: Promise<T>): Promise<T> {
    try {
      const result = await sync;
      this.calendarSyncs.inc({ outcome: result.outcome });
      return result;
    } catch (e) {
      this.calendarSyncs.inc({ outcome: 'error' });
      throw e;
    }
  }

  /** One webhook delivery attempt's outcome. */
  webhookAttempt(delivered: boolean): void {
    this.webhookAttempts.inc({ outcome: delivered ? 'delivered' : 'failed' });
  }

  /** The metrics of this process in the Prometheus text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The database reads of one scrape (shared by its gauges); null when the database did not answer in time. */
  private snapshot(): Promise<DatabaseSnapshot | null> {
    if (this.snapshotRead) return this.snapshotRead;
    let timer: NodeJS.Timeout | undefined;
    this.snapshotRead = Promise.race([
      this.repo.snapshot(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the scrape queries timed out')), SNAPSHOT_TIMEOUT_MS);
      }),
    ])
      .catch((err: unknown) => {
        this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'metrics: the database reads failed; the scrape answers without them');
        return null;
      })
      .finally(() => {
        clearTimeout(timer);
        this.snapshotRead = undefined;
      });
    return this.snapshotRead;
  }
}
