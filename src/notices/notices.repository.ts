import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { NoticeKind } from './notice-messages.js';

export interface NoticeRow {
  id: string;
  programId: string;
  periodId: string | null;
  actionId: string | null;
  kind: NoticeKind;
  subject: string;
  body: string;
  sentBy: string | null;
  sentAt: Date;
  recipientCount: number;
  acknowledgedCount: number;
}

/** A notice as one rep got it. */
export interface RepNoticeRow {
  id: string;
  programId: string;
  programName: string;
  periodId: string | null;
  kind: NoticeKind;
  subject: string;
  body: string;
  sentAt: Date;
  acknowledgedAt: Date | null;
}

export interface MailRecipient {
  repId: string;
  name: string;
  email: string;
  timeZone: string;
}

const NOTICE_COLUMNS = `n.id, n.program_id AS "programId", n.period_id AS "periodId", n.action_id AS "actionId", n.kind, n.subject, n.body,
  n.sent_by AS "sentBy", n.sent_at AS "sentAt", n.recipient_count AS "recipientCount",
  (SELECT count(*)::int FROM notice_recipients nr WHERE nr.notice_id = n.id AND nr.acknowledged_at IS NOT NULL) AS "acknowledgedCount"`;

const REP_NOTICE_COLUMNS = `n.id, n.program_id AS "programId", p.name AS "programName", n.period_id AS "periodId", n.kind, n.subject, n.body,
  n.sent_at AS "sentAt", nr.acknowledged_at AS "acknowledgedAt"`;

/** Notices and their recipients, in SQL. */
@Injectable()
export class NoticesRepository {
  constructor(private readonly db: DataSource) {}

  get manager(): EntityManager {
    return this.db.manager;
  }

  /** The program's open period (the earliest open one), else its latest by start date. */
  async defaultPeriod(m: EntityManager, programId: string): Promise<string | null> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM periods WHERE program_id = $1 ORDER BY (status = 'open') DESC, CASE WHEN status = 'open' THEN starts_on END ASC, starts_on DESC LIMIT 1`,
      [programId],
    );
    return rows[0]?.id ?? null;
  }

  async periodProgram(m: EntityManager, periodId: string): Promise<string | null> {
    const rows: { program_id: string }[] = await m.query(`SELECT program_id FROM periods WHERE id = $1`, [periodId]);
    return rows[0]?.program_id ?? null;
  }

  async programName(m: EntityManager, programId: string): Promise<string | null> {
    const rows: { name: string }[] = await m.query(`SELECT name FROM programs WHERE id = $1`, [programId]);
    return rows[0]?.name ?? null;
  }

  async actionProgram(m: EntityManager, actionId: string): Promise<string | null> {
    const rows: { program_id: string }[] = await m.query(`SELECT program_id FROM actions WHERE id = $1`, [actionId]);
    return rows[0]?.program_id ?? null;
  }

  /** Reps who accepted the period's roster (status active) and are active users. */
  async rosterReps(m: EntityManager, periodId: string): Promise<string[]> {
    const rows: { rep_id: string }[] = await m.query(
      `SELECT re.rep_id FROM roster_entries re JOIN users u ON u.id = re.rep_id
        WHERE re.period_id = $1 AND re.status = 'active' AND u.active AND 'rep' = ANY (u.roles)`,
      [periodId],
    );
    return rows.map((r) => r.rep_id);
  }

  /** The notice and one recipient row per rep, in one statement; returns the notice's id and sending instant. */
  async insertWithRecipients(
    m: EntityManager,
    n: { programId: string; periodId: string; actionId: string | null; kind: NoticeKind; subject: string; body: string; sentBy: string; sentAt: Date; repIds: string[] },
  ): Promise<{ id: string; sentAt: Date; recipientCount: number }> {
    const rows: { id: string; sent_at: Date; recipient_count: number }[] = await m.query(
      `WITH reps AS (SELECT DISTINCT unnest($9::uuid[]) AS rep_id),
            n AS (INSERT INTO notices (program_id, period_id, action_id, kind, subject, body, sent_by, sent_at, recipient_count)
                  SELECT $1, $2, $3, $4, $5, $6, $7, $8, (SELECT count(*) FROM reps)
                  RETURNING id, sent_at, recipient_count),
            r AS (INSERT INTO notice_recipients (notice_id, rep_id) SELECT n.id, reps.rep_id FROM n CROSS JOIN reps)
       SELECT id, sent_at, recipient_count FROM n`,
      [n.programId, n.periodId, n.actionId, n.kind, n.subject, n.body, n.sentBy, n.sentAt, n.repIds],
    );
    return { id: rows[0].id, sentAt: rows[0].sent_at, recipientCount: rows[0].recipient_count };
  }

  async find(m: EntityManager, id: string): Promise<NoticeRow | null> {
    const rows: NoticeRow[] = await m.query(`SELECT ${NOTICE_COLUMNS} FROM notices n WHERE n.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The newest `limit` notices (of a program, or all), with their counts. */
  list(m: EntityManager, programId: string | undefined, limit: number): Promise<NoticeRow[]> {
    return m.query(`SELECT ${NOTICE_COLUMNS} FROM notices n WHERE ($1::uuid IS NULL OR n.program_id = $1) ORDER BY n.sent_at DESC, n.id LIMIT $2`, [programId ?? null, limit]);
  }

  /** The notices sent to a rep (of a program, or all), newest first; `unacknowledged` only those still waiting. */
  listForRep(m: EntityManager, repId: string, o: { programId?: string; unacknowledged?: boolean; limit: number }): Promise<RepNoticeRow[]> {
    return m.query(
      `SELECT ${REP_NOTICE_COLUMNS}
         FROM notice_recipients nr JOIN notices n ON n.id = nr.notice_id JOIN programs p ON p.id = n.program_id
        WHERE nr.rep_id = $1 AND ($2::uuid IS NULL OR n.program_id = $2) AND (NOT $3 OR nr.acknowledged_at IS NULL)
        ORDER BY n.sent_at DESC, n.id LIMIT $4`,
      [repId, o.programId ?? null, o.unacknowledged ?? false, o.limit],
    );
  }

  async findForRep(m: EntityManager, id: string, repId: string): Promise<RepNoticeRow | null> {
    const rows: RepNoticeRow[] = await m.query(
      `SELECT ${REP_NOTICE_COLUMNS}
         FROM notice_recipients nr JOIN notices n ON n.id = nr.notice_id JOIN programs p ON p.id = n.program_id
        WHERE nr.notice_id = $1 AND nr.rep_id = $2`,
      [id, repId],
    );
    return rows[0] ?? null;
  }

  /** Marks the rep's acknowledgement unless it is there already; returns whether this call set it. */
  async acknowledge(m: EntityManager, id: string, repId: string, at: Date): Promise<boolean> {
    const rows: { n: number }[] = await m.query(
      `WITH u AS (UPDATE notice_recipients SET acknowledged_at = $3 WHERE notice_id = $1 AND rep_id = $2 AND acknowledged_at IS NULL RETURNING rep_id)
       SELECT count(*)::int AS n FROM u`,
      [id, repId, at],
    );
    return rows[0].n > 0;
  }

  /** Who got the notice and when each acknowledged it, by name. */
  recipients(m: EntityManager, id: string): Promise<{ repId: string; name: string; acknowledgedAt: Date | null }[]> {
    return m.query(
      `SELECT nr.rep_id AS "repId", u.name, nr.acknowledged_at AS "acknowledgedAt"
         FROM notice_recipients nr JOIN users u ON u.id = nr.rep_id WHERE nr.notice_id = $1 ORDER BY u.name, nr.rep_id`,
      [id],
    );
  }

  /** The next `limit` recipients after `afterRepId` (by id), with what their email needs. */
  mailBatch(m: EntityManager, id: string, afterRepId: string | null, limit: number): Promise<MailRecipient[]> {
    return m.query(
      `SELECT nr.rep_id AS "repId", u.name, u.email, u.time_zone AS "timeZone"
         FROM notice_recipients nr JOIN users u ON u.id = nr.rep_id
        WHERE nr.notice_id = $1 AND ($2::uuid IS NULL OR nr.rep_id > $2) AND u.active
        ORDER BY nr.rep_id LIMIT $3`,
      [id, afterRepId, limit],
    );
  }

  /** The program's actions still to do (open or in progress), newest first: what a notice may carry out. */
  openActions(m: EntityManager, programId: string): Promise<{ id: string; title: string }[]> {
    return m.query(`SELECT id, title FROM actions WHERE program_id = $1 AND status IN ('open', 'in_progress') ORDER BY created_at DESC LIMIT 100`, [programId]);
  }

  /** Per program: notices sent, recipients and acknowledgements (for the program pages). */
  async programCounts(m: EntityManager, programId: string): Promise<{ notices: number; recipients: number; acknowledged: number }> {
    const rows: { notices: number; recipients: number; acknowledged: number }[] = await m.query(
      `SELECT count(DISTINCT n.id)::int AS notices, count(nr.rep_id)::int AS recipients, count(nr.acknowledged_at)::int AS acknowledged
         FROM notices n LEFT JOIN notice_recipients nr ON nr.notice_id = n.id WHERE n.program_id = $1`,
      [programId],
    );
    return rows[0];
  }
}
