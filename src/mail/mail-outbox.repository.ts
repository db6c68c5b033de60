import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { OutgoingMail } from './mail.types.js';
import type { OutboxRow, OutboxStatus } from './message.js';

/** A `mail_outbox` row by its column names, as PostgreSQL returns it. */
export interface RawRow {
  id: string;
  dedupe_key: string;
  recipient: string;
  recipient_name: string | null;
  subject: string;
  text: string;
  html: string;
  calendar_method: string | null;
  calendar_content: string | null;
  calendar_filename: string | null;
  attachments: OutboxRow['attachments'];
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  message_id: string;
  created_at: Date;
  sent_at: Date | null;
}

const toRow = (r: RawRow): OutboxRow => ({
  id: r.id,
  dedupeKey: r.dedupe_key,
  recipient: r.recipient,
  recipientName: r.recipient_name,
  subject: r.subject,
  text: r.text,
  html: r.html,
  calendarMethod: r.calendar_method,
  calendarContent: r.calendar_content,
  calendarFilename: r.calendar_filename,
  attachments: r.attachments,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  messageId: r.message_id,
  createdAt: r.created_at,
  sentAt: r.sent_at,
});

/** Sets that blank the body of a message flagged `body_is_secret` (a sign-in link): the row stays for the record. */
const BLANK_IF_SECRET = `text = CASE WHEN body_is_secret THEN '' ELSE text END, html = CASE WHEN body_is_secret THEN '' ELSE html END`;

/** Queries on `mail_outbox`; no decisions. */
@Injectable()
export class MailOutboxRepository {
  constructor(private readonly db: DataSource) {}

  /** Inserts the row unless its dedupe key exists (waits for a concurrent insert of the same key); true when inserted. */
  async insertUnlessDuplicate(m: EntityManager, row: { id: string; dedupeKey: string; messageId: string; mail: OutgoingMail }): Promise<boolean> {
    const { mail } = row;
    const inserted: unknown[] = await m.query(
      `INSERT INTO mail_outbox (id, dedupe_key, recipient, recipient_name, subject, text, html,
                                calendar_method, calendar_content, calendar_filename, attachments, message_id, body_is_secret)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      [
        row.id,
        row.dedupeKey,
        mail.to.email,
        mail.to.name ?? null,
        mail.subject,
        mail.text,
        mail.html,
        mail.calendar?.method ?? null,
        mail.calendar?.content ?? null,
        mail.calendar?.filename ?? null,
        JSON.stringify(mail.attachments ?? []),
        row.messageId,
        mail.secretBody ?? false,
      ],
    );
    return inserted.length === 1;
  }

  /**
   * Locks the pending rows among `ids` for the sender's transaction (one statement for a batch). A row that
   * another sender holds is skipped, not waited for (that sender marks it or gives it back), and so is one
   * that is sent, given up or missing: `statusOf` tells those apart.
   */
  async lockPendingForSending(m: EntityManager, ids: string[]): Promise<OutboxRow[]> {
    const rows: RawRow[] = await m.query(`SELECT * FROM mail_outbox WHERE id = ANY($1::uuid[]) AND status = 'pending' FOR UPDATE SKIP LOCKED`, [ids]);
    return rows.map(toRow);
  }

  /** The committed status of each of `ids` that exists (no lock). */
  async statusOf(m: EntityManager, ids: string[]): Promise<Map<string, OutboxStatus>> {
    const rows: { id: string; status: OutboxStatus }[] = await m.query(`SELECT id, status FROM mail_outbox WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /**
   * Records a batch's attempts in one statement: a row with no error is marked sent; one with an error has
   * the failed attempt counted, and is given up (status failed) when `final`. A secret body is blanked when
   * the row is sent or given up.
   */
  async markAttempts(m: EntityManager, outcomes: { id: string; error: string | null; final: boolean }[]): Promise<void> {
    if (outcomes.length === 0) return;
    await m.query(
      `UPDATE mail_outbox o
          SET status = CASE WHEN f.error IS NULL THEN 'sent' WHEN f.final THEN 'failed' ELSE o.status END,
              sent_at = CASE WHEN f.error IS NULL THEN now() ELSE o.sent_at END,
              attempts = o.attempts + 1,
              last_error = f.error,
              text = CASE WHEN o.body_is_secret AND (f.error IS NULL OR f.final) THEN '' ELSE o.text END,
              html = CASE WHEN o.body_is_secret AND (f.error IS NULL OR f.final) THEN '' ELSE o.html END
         FROM unnest($1::uuid[], $2::text[], $3::boolean[]) AS f(id, error, final)
        WHERE o.id = f.id AND o.status = 'pending'`,
      [outcomes.map((o) => o.id), outcomes.map((o) => o.error), outcomes.map((o) => o.final)],
    );
  }

  /** Gives a still-pending row up (its job failed for good without the sender recording it, e.g. a timeout). */
  async markFailedIfPending(id: string, error: string): Promise<OutboxRow | null> {
    const rows: [RawRow[], number] = await this.db.query(
      `UPDATE mail_outbox SET status = 'failed', last_error = coalesce(last_error, $2), ${BLANK_IF_SECRET} WHERE id = $1 AND status = 'pending' RETURNING *`,
      [id, error],
    );
    return rows[0][0] ? toRow(rows[0][0]) : null;
  }

  async countByStatus(status: OutboxStatus): Promise<number> {
    const [{ n }]: { n: number }[] = await this.db.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE status = $1`, [status]);
    return n;
  }

  async findByDedupeKey(key: string): Promise<OutboxRow | null> {
    const rows: RawRow[] = await this.db.query(`SELECT * FROM mail_outbox WHERE dedupe_key = $1`, [key]);
    return rows[0] ? toRow(rows[0]) : null;
  }
}
