import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobInfo, JobsService } from '../jobs/jobs.service.js';
import { MailOutboxRepository, type RawRow } from './mail-outbox.repository.js';
import { MailTransport } from './mail.transport.js';
import type { OutgoingMail } from './mail.types.js';
import { composeMessage, describeSendError, emlFileName, messageIdFor, type OutboxRow } from './message.js';

/** The queue whose jobs send outbox rows; its data is `{ outboxId }` or `{ outboxIds }` (SendJob). */
export const MAIL_SEND_QUEUE = 'mail-send';
/** Receives the jobs of MAIL_SEND_QUEUE that failed for good, to mark their rows failed. */
export const MAIL_FAILED_QUEUE = 'mail-failed';
/**
 * Jobs fetched (and messages sent) at once per instance: one sending transaction and one fetch and completion
 * of jobs per batch. 50 (was 10) took the PostgreSQL CPU of a booking's two emails from about 1.7 to 0.9 ms in
 * the bookings bench; the rows stay locked while the batch is sent over the pooled connections.
 */
export const SEND_BATCH = 50;
/**
 * A send attempt running longer than this is failed and retried, and a job held by a process that died is
 * retried this long after it started (plus the maintenance sweep and the retry delay): well within a minute.
 * The SMTP timeouts (SMTP_TIMEOUTS) end a stalled attempt before it. An attempt that outlives its job does no
 * harm: the retry skips the locked row and fails, and a later retry finds the row sent.
 */
export const SEND_EXPIRE_SECONDS = 30;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A send job's rows: one (`outboxId`, as `enqueue` queues it) or all the rows one transaction wrote
 * (`outboxIds`, as `sendJob` gives it: a booking's two emails are one job, fetched and completed once).
 */
interface SendJob {
  outboxId?: string;
  outboxIds?: string[];
}

/** The rows a job names, lowercased, in order; anything that is not a string is dropped. */
function rowsOf(data: SendJob | null | undefined): string[] {
  const named = Array.isArray(data?.outboxIds) ? data.outboxIds : [data?.outboxId];
  return named.filter((id): id is string => typeof id === 'string').map((id) => id.toLowerCase());
}

/** A `mail_outbox` row as `MailService.outboxRow` gives it (column names), for `json_to_recordset` in a caller's statement. */
export type OutboxInsert = Pick<
  RawRow,
  'id' | 'dedupe_key' | 'recipient' | 'recipient_name' | 'subject' | 'text' | 'html' | 'calendar_method' | 'calendar_content' | 'calendar_filename' | 'message_id'
> & { attachments: unknown[]; body_is_secret: boolean };

/**
 * The durable outbox. `enqueue` writes the message and its send job in the caller's transaction; the
 * workers (every instance) send each row once: the row is locked while it is sent and marked sent in the
 * same transaction, so a duplicated or retried job finds it sent and does nothing. SMTP failures are
 * retried with backoff (JOBS_RETRY_LIMIT, JOBS_RETRY_DELAY_SECONDS); a row whose retries ran out is
 * marked `failed` with its last error and logged, never dropped.
 */
@Injectable()
export class MailService implements OnModuleInit {
  private readonly logger = new Logger('Mail');

  constructor(
    private readonly db: DataSource,
    private readonly jobs: JobsService,
    private readonly repo: MailOutboxRepository,
    private readonly transport: MailTransport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.work<SendJob>(MAIL_FAILED_QUEUE, async (data) => {
      for (const id of rowsOf(data).filter((id) => UUID.test(id))) await this.giveUp(id);
    });
    await this.jobs.workBatch<SendJob>(MAIL_SEND_QUEUE, (jobs) => this.deliverBatch(jobs), { batchSize: SEND_BATCH });
  }

  /**
   * Writes the message to the outbox in the caller's transaction, with a dedupe key (unique): the same key
   * twice queues once (returns false the second time). A pg-boss job in the same transaction sends it.
   */
  async enqueue(m: EntityManager, dedupeKey: string, mail: OutgoingMail): Promise<boolean> {
    const id = randomUUID();
    const inserted = await this.repo.insertUnlessDuplicate(m, { id, dedupeKey, messageId: messageIdFor(id, this.config.mailFrom), mail });
    if (!inserted) return false;
    await this.jobs.send(m, MAIL_SEND_QUEUE, { outboxId: id } satisfies SendJob, {
      deadLetter: MAIL_FAILED_QUEUE,
      expireInSeconds: SEND_EXPIRE_SECONDS,
    });
    return true;
  }

  /**
   * The outbox row of a message for a statement the caller writes itself (e.g. with the change that causes
   * it): the same columns `enqueue` writes. Insert with ON CONFLICT (dedupe_key) DO NOTHING, then queue
   * one `sendJob` with the ids the insert returned.
   */
  outboxRow(dedupeKey: string, mail: OutgoingMail): OutboxInsert {
    const id = randomUUID();
    return {
      id,
      dedupe_key: dedupeKey,
      recipient: mail.to.email,
      recipient_name: mail.to.name ?? null,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      calendar_method: mail.calendar?.method ?? null,
      calendar_content: mail.calendar?.content ?? null,
      calendar_filename: mail.calendar?.filename ?? null,
      attachments: mail.attachments ?? [],
      message_id: messageIdFor(id, this.config.mailFrom),
      body_is_secret: mail.secretBody ?? false,
    };
  }

  /**
   * One send job for outbox rows inserted together (with the options `enqueue` gives its job). The job fails
   * while any of its rows is not sent; its retry sends only those, since a sent row is skipped.
   */
  sendJob(outboxIds: string[]) {
    return { name: MAIL_SEND_QUEUE, data: { outboxIds } satisfies SendJob, options: { deadLetter: MAIL_FAILED_QUEUE, expireInSeconds: SEND_EXPIRE_SECONDS } };
  }

  /** Messages not sent yet and not given up (committed rows only). */
  pending(): Promise<number> {
    return this.repo.countByStatus('pending');
  }

  /** Messages given up after their retries ran out. */
  failed(): Promise<number> {
    return this.repo.countByStatus('failed');
  }

  /** Resolves once no message is pending; rejects after `timeoutMs`. For tests and scripts. */
  async drain(timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const left = await this.pending();
      if (left === 0) return;
      if (Date.now() > until) throw new Error(`mail outbox not drained after ${timeoutMs} ms: ${left} pending`);
      await sleep(100);
    }
  }

  /** The outbox row of a dedupe key (status, attempts, last error, Message-ID), or null. */
  find(dedupeKey: string): Promise<OutboxRow | null> {
    return this.repo.findByDedupeKey(dedupeKey);
  }

  /**
   * Sends the rows of a fetched batch of jobs in one transaction of a constant number of statements (BEGIN,
   * one SELECT … FOR UPDATE SKIP LOCKED, one UPDATE, COMMIT): the rows are locked while they are sent
   * (concurrently, over the pooled transport) and marked sent, or their failed attempt counted, in the same
   * transaction. Several jobs of one row send it once. A row already sent or given up completes its jobs and
   * does nothing; a row another sender holds fails its jobs, so they retry and then find it sent (or send it
   * if that sender gave it back). Returns each job's outcome: a failed send fails its jobs (retried with backoff).
   */
  private async deliverBatch(jobs: { data: SendJob; job: JobInfo }[]): Promise<({ err: unknown } | undefined)[]> {
    // Each job's well-formed row ids, read once.
    const idsOf = new Map(jobs.map((j) => [j, rowsOf(j.data).filter((id) => UUID.test(id))]));
    const ids = [...new Set([...idsOf.values()].flat())];
    // A row is given up when this is the last attempt of one of its jobs (as each job did on its own).
    const lastAttempt = new Set(jobs.filter((j) => j.job.retryCount >= j.job.retryLimit).flatMap((j) => idsOf.get(j)!));
    /** A row's outcome for its jobs: undefined when they are done. */
    const outcome = new Map<string, { err: unknown } | undefined>();
    const givenUp: { err: unknown; row: OutboxRow }[] = [];
    if (ids.length > 0) {
      await this.db.transaction(async (m) => {
        const rows = await this.repo.lockPendingForSending(m, ids);
        if (rows.length < ids.length) {
          // Rare: rows sent (a duplicated or retried job), given up, missing, or held by another sender.
          const locked = new Set(rows.map((r) => r.id));
          const status = await this.repo.statusOf(m, ids.filter((id) => !locked.has(id)));
          for (const id of ids) {
            if (locked.has(id)) continue;
            const s = status.get(id);
            if (s === 'pending') outcome.set(id, { err: new Error(`outbox row ${id} is being sent by another sender; retrying`) });
            else if (s === undefined) this.logger.warn({ outboxId: id }, 'mail job for a missing outbox row; nothing to send');
          }
        }
        const attempts = await Promise.all(
          rows.map(async (row) => {
            try {
              await this.transport.send(composeMessage(row, this.config.mailFrom), emlFileName(row));
              return { id: row.id, error: null, final: false };
            } catch (err) {
              outcome.set(row.id, { err });
              const final = lastAttempt.has(row.id);
              if (final) givenUp.push({ err, row });
              return { id: row.id, error: describeSendError(err), final };
            }
          }),
        );
        await this.repo.markAttempts(m, attempts);
      });
    }
    for (const { err, row } of givenUp) {
      this.logger.error(
        { err, outboxId: row.id, dedupeKey: row.dedupeKey, to: row.recipient, attempts: row.attempts + 1 },
        'mail could not be sent and is given up (status failed in mail_outbox)',
      );
    }
    return jobs.map((j) => {
      const named = rowsOf(j.data);
      const malformed = named.filter((id) => !UUID.test(id));
      if (malformed.length > 0 || named.length === 0) {
        this.logger.warn({ outboxIds: malformed, jobId: j.job.id }, 'mail job for a missing outbox row; nothing to send');
      }
      // The job's first failed row fails it; a job whose rows are all sent (or given up, or missing) is done.
      for (const id of idsOf.get(j)!) {
        const failed = outcome.get(id);
        if (failed) return failed;
      }
      return undefined;
    });
  }

  /** A send job failed for good without its last attempt marking the row (e.g. it timed out): mark it now. */
  private async giveUp(outboxId: string): Promise<void> {
    const row = await this.repo.markFailedIfPending(outboxId, 'the send job failed for good');
    if (row) {
      this.logger.error(
        { outboxId, dedupeKey: row.dedupeKey, to: row.recipient, attempts: row.attempts, lastError: row.lastError },
        'mail could not be sent and is given up (status failed in mail_outbox)',
      );
    }
  }
}
