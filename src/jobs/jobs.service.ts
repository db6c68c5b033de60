import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import PgBoss from 'pg-boss';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { nameOf, preparedQuery } from '../common/prepared-query.js';
import { deferToCommit } from '../common/opened-transaction.js';
import { jobIdForKey } from './job-key.js';

export interface SendJobOptions {
  /** Not before this instant. */
  startAfter?: Date;
  /**
   * At most one job per queue and key: the job id is derived from the key, so a second send with the same
   * key (from any instance, any transaction) returns null while pg-boss keeps the first job (until it is
   * archived, 12 hours after it finished). Put the occasion in the key, e.g. `rollup:<program>:<period>`.
   */
  singletonKey?: string;
  /** Retries after the first attempt; default JOBS_RETRY_LIMIT. */
  retryLimit?: number;
  /** Seconds before the first retry; default JOBS_RETRY_DELAY_SECONDS. */
  retryDelay?: number;
  /** Double the delay on every retry (with jitter); default true. */
  retryBackoff?: boolean;
  /**
   * A handler running longer than this is failed and retried; so is a job whose process died holding it,
   * found by the maintenance sweep (every MAINTENANCE_SECONDS). Default DEFAULT_EXPIRE_SECONDS.
   */
  expireInSeconds?: number;
  /** Queue that receives a copy of the job when it has failed for good. */
  deadLetter?: string;
}

export interface JobInfo {
  id: string;
  /** 0 on the first attempt. */
  retryCount: number;
  retryLimit: number;
}

export type JobHandler<T> = (data: T, job: JobInfo) => Promise<void>;

/** Handles a fetched batch; returns each job's outcome in order: undefined when done, `{ err }` when it failed. */
export type BatchJobHandler<T> = (jobs: { data: T; job: JobInfo }[]) => Promise<({ err: unknown } | undefined)[]>;

/** pg-boss's schema in the app's database. */
export const JOBS_SCHEMA = 'pgboss';
/**
 * Expiry of a job whose sender does not size it (reminders, nudges, the mail-failed queue): their handlers
 * only read and write a few rows. A job held by a process that died is retried after its expiry, the next
 * maintenance sweep and its retry delay, so short expiries are what make recovery take seconds, not minutes.
 */
export const DEFAULT_EXPIRE_SECONDS = 30;
/**
 * How often pg-boss's maintenance runs (one instance at a time): it fails (and so retries) active jobs past
 * their expiry, and archives old ones. pg-boss 10 allows 1 s and up; its default is 120 s.
 */
export const MAINTENANCE_SECONDS = 5;
/** How long shutdown waits for running handlers before pg-boss fails them (they are retried elsewhere). */
const STOP_TIMEOUT_MS = 10_000;
/** Then how long it waits for a last fetch or completion to return (main.ts gives shutdown 20 s in all). */
const SETTLE_TIMEOUT_MS = 5_000;

/**
 * pg-boss's statements that every worker sends on every poll, fetching (`WITH next as (…) UPDATE … RETURNING`
 * with its columns named) and completing (`WITH results AS (…) SELECT COUNT(*)`): sent as named prepared
 * statements, parsed once per connection instead of on every poll. Their results are listed columns or a
 * count, never a table's row, so a column added to pg-boss's table does not change them. Its other statements
 * (some are scripts of several) go as pg-boss sends them.
 */
const HOT_STATEMENT = /^\s*WITH (next as \(|results AS \()/;

/** Thrown by `send` when pg-boss inserted no job and no singleton key explains it: the caller's transaction rolls back. */
export class JobNotQueuedError extends Error {
  constructor(readonly queue: string) {
    super(`the job for queue ${queue} was not queued (its queue is missing)`);
    this.name = 'JobNotQueuedError';
  }
}

/** Thrown for a batch in which several jobs failed; pg-boss stores it in each failed job's `output`. */
class JobBatchError extends AggregateError {
  constructor(errors: unknown[]) {
    super(errors, `${errors.length} jobs of the batch failed: ${errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`);
  }
}

/**
 * A durable job queue in the app's PostgreSQL (pg-boss), sharing TypeORM's connection pool.
 * `send` enqueues inside the caller's transaction, so a job exists exactly when that transaction commits.
 * Every instance runs the workers; pg-boss hands each job to one of them (FOR UPDATE SKIP LOCKED), retries
 * failures with backoff, and fails a job whose handler runs past its expiry (then retried). Handlers must be
 * idempotent: a job may run again after a crash or a timeout.
 */
@Injectable()
export class JobsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly boss: PgBoss;
  private started?: Promise<void>;
  private readonly queues = new Map<string, Promise<void>>();
  /** pg-boss queries and handlers under way, so shutdown can let them finish before the pool closes. */
  private busy = 0;
  private closed = false;

  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.boss = new PgBoss({
      db: { executeSql: (text, values) => this.execute(text, values) },
      schema: JOBS_SCHEMA,
      migrate: true, // installs or upgrades its schema on start (instances take turns: startInTurn)
      schedule: false, // periodic work is @nestjs/schedule's; ticks enqueue with a key
      supervise: true, // maintenance: fails jobs whose handler died or hung, archives old ones
      maintenanceIntervalSeconds: MAINTENANCE_SECONDS,
      expireInSeconds: DEFAULT_EXPIRE_SECONDS,
      pollingIntervalSeconds: config.jobsPollSeconds,
      retryLimit: config.jobsRetryLimit,
      retryDelay: config.jobsRetryDelaySeconds,
      retryBackoff: true,
    });
    this.boss.on('error', (err) => this.logger.error({ err }, 'job queue error'));
  }

  async onModuleInit(): Promise<void> {
    await this.start();
  }

  /**
   * Enqueues inside the caller's transaction (`m` from `dataSource.transaction`): the job exists iff it
   * commits. Returns the job id, or null when a singleton key suppressed it.
   */
  async send(m: EntityManager, name: string, data: object, options: SendJobOptions = {}): Promise<string | null> {
    await this.ensureQueue(name);
    if (options.deadLetter) await this.ensureQueue(options.deadLetter);
    const { startAfter, ...rest } = options;
    const insert = () =>
      this.boss.send(name, data, {
        ...rest,
        ...(startAfter ? { startAfter } : {}),
        ...(options.singletonKey !== undefined ? { id: jobIdForKey(name, options.singletonKey) } : {}),
        db: { executeSql: async (text: string, values: unknown[]) => ({ rows: await m.query(text, values) }) },
      });
    let id = await insert();
    // pg-boss inserts the job joined to its queue's row and returns no id when it inserted nothing. Only a
    // singleton key may suppress a job. Otherwise the queue is gone from under this instance's cache (deleted
    // elsewhere): create it again and insert once more, and if that too inserts nothing, fail the caller's
    // transaction rather than lose the job silently.
    if (id === null && options.singletonKey === undefined) {
      this.queues.delete(name);
      await this.ensureQueue(name);
      id = await insert();
      if (id === null) throw new JobNotQueuedError(name);
    }
    return id;
  }

  /**
   * Enqueues many jobs in one statement inside the caller's transaction (pg-boss `insert`): the same rows as
   * `send` gives each (no singleton keys here). Returns nothing: the callers do not need the job ids.
   */
  async sendMany(m: EntityManager, jobs: { name: string; data: object; options?: Omit<SendJobOptions, 'singletonKey'> }[]): Promise<void> {
    if (jobs.length === 0) return;
    await Promise.all(jobs.flatMap((j) => [this.ensureQueue(j.name), ...(j.options?.deadLetter ? [this.ensureQueue(j.options.deadLetter)] : [])]));
    await this.boss.insert(
      jobs.map((j) => ({ name: j.name, data: j.data, ...j.options })),
      // pg-boss's insert is one text: a named prepared statement, parsed and planned once per connection. Its
      // rows (the jobs' ids) are not read here, so in a transaction opened by its first statement it goes out
      // with the COMMIT, in the same message.
      { db: { executeSql: async (text: string, values: unknown[]) => ({ rows: deferToCommit(m, { text, values }) ? [] : await preparedQuery(m, text, values) }) } },
    );
  }

  /**
   * Runs `handler` for each job of the queue (creating the queue if needed), on every instance. A handler
   * that throws has its job retried with backoff until the retry limit, then failed for good.
   * `batchSize` jobs are fetched at once and handled concurrently.
   */
  async work<T extends object>(name: string, handler: JobHandler<T>, options: { batchSize?: number } = {}): Promise<void> {
    await this.workBatch<T>(
      name,
      (jobs) =>
        Promise.all(
          jobs.map(({ data, job }) =>
            handler(data, job).then(
              () => undefined,
              (err: unknown) => ({ err }),
            ),
          ),
        ),
      options,
    );
  }

  /**
   * Like `work`, but `handler` gets the whole fetched batch at once (to handle it in a constant number of
   * statements) and returns, in the same order, each job's outcome: undefined when it is done, `{ err }`
   * when it failed (retried with backoff like a handler of `work` that throws). A handler that throws fails
   * every job of the batch.
   */
  async workBatch<T extends object>(name: string, handler: BatchJobHandler<T>, options: { batchSize?: number } = {}): Promise<void> {
    await this.ensureQueue(name);
    const batchSize = options.batchSize ?? 1;
    const worker: { id?: string } = {};
    worker.id = await this.boss.work<T>(name, { batchSize, includeMetadata: true }, async (jobs) => {
      this.busy++;
      try {
        const outcomes = await handler(jobs.map((job) => ({ data: job.data, job: { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit } })));
        const done: string[] = [];
        const failed: unknown[] = [];
        jobs.forEach((job, i) => {
          const outcome = outcomes[i];
          if (!outcome) {
            done.push(job.id);
            return;
          }
          const { err } = outcome;
          failed.push(err);
          const final = job.retryCount >= job.retryLimit;
          this.logger[final ? 'error' : 'warn'](
            { err, queue: name, jobId: job.id, attempt: job.retryCount + 1, attempts: job.retryLimit + 1 },
            final ? 'job failed for good' : 'job failed; it will be retried',
          );
        });
        // A full batch means more may be due: fetch again now instead of after the polling interval.
        if (jobs.length === batchSize && worker.id && !this.closed) this.boss.notifyWorker(worker.id);
        if (failed.length > 0) {
          // pg-boss fails every job of a rejected batch that is still active: complete the good ones first.
          if (done.length > 0) await this.boss.complete(name, done);
          throw failed.length === 1 ? failed[0] : new JobBatchError(failed);
        }
      } finally {
        this.busy--;
      }
    });
  }

  /** Jobs of a queue not finished yet (created, retry or active); for tests and health checks. */
  async unfinished(name: string): Promise<number> {
    const rows: { n: number }[] = await this.db.query(`SELECT count(*)::int AS n FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND state < 'completed'`, [name]);
    return rows[0].n;
  }

  /** Stops fetching, lets running handlers finish (bounded), then lets the pool close. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.started) return;
    await this.started.catch(() => undefined);
    try {
      await this.boss.stop({ graceful: true, wait: true, timeout: STOP_TIMEOUT_MS });
    } catch (err) {
      this.logger.error({ err }, 'stopping the job queue failed');
    }
    // stop() resolves while a worker may still finish a fetch (and then run what it fetched) or record a
    // job's completion: wait for those, so nothing touches the pool after TypeORM closes it.
    const until = Date.now() + SETTLE_TIMEOUT_MS;
    let quiet = 0;
    while (quiet < 2 && Date.now() < until) {
      quiet = this.busy === 0 ? quiet + 1 : 0;
      await sleep(10);
    }
    this.closed = true;
  }

  private start(): Promise<void> {
    this.started ??= this.startInTurn();
    return this.started;
  }

  /**
   * Instances start pg-boss one at a time: on a fresh database pg-boss installs its schema, and two
   * installs at once can fail with a duplicate-key error pg-boss does not expect (it only tolerates
   * "already exists"), which would stop the boot. The lock is held on a connection of its own.
   */
  private async startInTurn(): Promise<void> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(hashtext('ridealong:pgboss:start'))`);
      await this.boss.start();
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtext('ridealong:pgboss:start'))`).catch(() => undefined);
      await runner.release();
    }
  }

  private ensureQueue(name: string): Promise<void> {
    let created = this.queues.get(name);
    if (!created) {
      created = this.start().then(() => this.createQueue(name));
      created.catch(() => this.queues.delete(name));
      this.queues.set(name, created);
    }
    return created;
  }

  /**
   * Creates a pg-boss queue (a partition of its job table) unless it exists. pg-boss 10 does not serialise
   * this: instances creating different queues at once deadlock on the job and queue tables, so take turns.
   */
  private async createQueue(name: string): Promise<void> {
    const exists: unknown[] = await this.db.query(`SELECT 1 FROM ${JOBS_SCHEMA}.queue WHERE name = $1`, [name]);
    if (exists.length > 0) return;
    await this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('ridealong:pgboss:create_queue'))`);
      await m.query(`SELECT ${JOBS_SCHEMA}.create_queue($1, $2::json)`, [name, JSON.stringify({ policy: 'standard' })]);
    });
  }

  /**
   * pg-boss's own queries run on TypeORM's pool (same database, no second pool to size or close).
   * Some are scripts with their own BEGIN … COMMIT (schema install, maintenance) that pg-boss expects to
   * fail when another instance got there first: a failed script leaves its connection inside an aborted
   * transaction, so roll it back before the connection goes back to the pool the app shares.
   */
  private async execute(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
    if (this.closed) return { rows: [] };
    const pool = (this.db.driver as unknown as { master?: Pool }).master;
    if (!pool) throw new Error('the database pool is not open');
    this.busy++;
    try {
      const client = await pool.connect();
      // A connection cut while checked out emits 'error' on the client (the pool listens only on idle
      // ones); the query's own failure is what the caller sees, so the event is only kept from crashing.
      const onError = () => undefined;
      client.on('error', onError);
      try {
        const result = await client.query(HOT_STATEMENT.test(text) && values?.length ? { name: nameOf(text), text, values } : text, values);
        client.off('error', onError);
        client.release();
        return result;
      } catch (err) {
        const clean = await client.query('ROLLBACK').then(
          () => true,
          () => false,
        );
        client.off('error', onError);
        client.release(clean ? undefined : true); // a connection that cannot roll back is closed, not reused
        throw err;
      }
    } finally {
      this.busy--;
    }
  }
}
