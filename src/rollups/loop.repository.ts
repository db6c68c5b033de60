import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ActionRow } from './loop.js';
import { onceForCanonical } from './rollups.repository.js';

/** The reads of the rollup's "closing the loop" sections: earlier actions, notices, rep notes. */
@Injectable()
export class LoopRepository {
  /** When the program's previous rollup (ending no later than `to`) was generated, or null. */
  async previousRollupAt(m: EntityManager, programId: string, to: Date): Promise<Date | null> {
    const [row]: { at: Date | null }[] = await m.query(`SELECT max(generated_at) AS at FROM rollups WHERE program_id = $1 AND status = 'ready' AND window_to <= $2`, [programId, to]);
    return row?.at ?? null;
  }

  /** The program's actions created before `before`, dropped ones left out, with their owner's name and theme names. */
  actions(m: EntityManager, programId: string, before: Date): Promise<ActionRow[]> {
    return m.query(
      `SELECT a.id, a.title, a.kind, a.status, u.name AS "ownerName", to_char(a.due_on, 'YYYY-MM-DD') AS "dueOn", a.done_at AS "doneAt", a.created_at AS "createdAt",
              COALESCE((SELECT array_agg(t.name ORDER BY t.name) FROM action_themes x JOIN themes t ON t.id = x.theme_id WHERE x.action_id = a.id), '{}') AS themes
         FROM actions a JOIN users u ON u.id = a.owner_id
        WHERE a.program_id = $1 AND a.status <> 'dropped' AND a.created_at < $2`,
      [programId, before],
    );
  }

  /** Themes (merged ones as their successor) of actions done in [from, to), newest first, at most `limit` pairs. */
  doneActionThemes(m: EntityManager, programId: string, from: Date, to: Date, limit: number): Promise<{ actionId: string; actionTitle: string; doneAt: Date; themeId: string; name: string }[]> {
    return m.query(
      `SELECT a.id AS "actionId", a.title AS "actionTitle", a.done_at AS "doneAt", c.canonical_id AS "themeId", t.name
         FROM actions a JOIN action_themes x ON x.action_id = a.id JOIN theme_canonical c ON c.theme_id = x.theme_id JOIN themes t ON t.id = c.canonical_id
        WHERE a.program_id = $1 AND a.status = 'done' AND a.done_at >= $2 AND a.done_at < $3
        ORDER BY a.done_at DESC, a.id, t.name LIMIT $4`,
      [programId, from, to, limit],
    );
  }

  /**
   * The session end times (epoch seconds, sorted) of the program's submitted forms in [from, to), per
   * observer: all of them, and per observer and theme (merged themes as their successor, once per form) for `themeIds`.
   * One row per observer and per observer and theme (at most observers × themes, whatever the number of forms),
   * each holding its times as a comma-separated list; loop.ts counts the stretches from them.
   */
  async formTimes(m: EntityManager, programId: string, from: Date, to: Date, themeIds: string[]): Promise<{ all: { authorId: string; times: number[] }[]; tagged: { authorId: string; themeId: string; times: number[] }[] }> {
    const rows: { authorId: string; themeId: string | null; times: string }[] = await m.query(
      `WITH obs AS MATERIALIZED (
              SELECT o.id, o.author_id, extract(epoch FROM o.session_ended_at)::float8 AS at FROM observations o
               WHERE o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL AND o.session_ended_at >= $2 AND o.session_ended_at < $3),
            tag AS (
              SELECT o.author_id, o.at, c.canonical_id AS theme_id
                FROM obs o JOIN observation_themes ot ON ot.observation_id = o.id JOIN theme_canonical c ON c.theme_id = ot.theme_id
               WHERE c.canonical_id = ANY($4::uuid[]) AND ${onceForCanonical('ot', 'c')})
       SELECT author_id AS "authorId", NULL::uuid AS "themeId", string_agg(at::text, ',') AS times FROM obs GROUP BY author_id
       UNION ALL
       SELECT author_id, theme_id, string_agg(at::text, ',') FROM tag GROUP BY author_id, theme_id`,
      [programId, from, to, themeIds],
    );
    const all = rows.filter((r) => r.themeId === null).map((r) => ({ authorId: r.authorId, times: r.times }));
    const tagged = rows.filter((r) => r.themeId !== null).map((r) => ({ authorId: r.authorId, themeId: r.themeId!, times: r.times }));
    // Comma-separated rather than arrays (node-postgres' array parser and its garbage cost about 200 ms of the service's CPU
    // over 100,000 forms), and sorted here: 30,000 short lists sort faster in Node than as ordered aggregates in the
    // statement (about 130 ms of PostgreSQL CPU).
    const num = (list: string) => list.split(',').map(Number).sort((x, y) => x - y);
    return { all: all.map((r) => ({ ...r, times: num(r.times) })), tagged: tagged.map((r) => ({ ...r, times: num(r.times) })) };
  }

  /** Notices sent in [from, to) with how many reps they went to and how many pressed "Got it" so far. */
  notices(m: EntityManager, programId: string, from: Date, to: Date): Promise<{ id: string; kind: 'rep_alert' | 'campaign_notification'; subject: string; sentAt: Date; recipients: number; acknowledged: number }[]> {
    return m.query(
      `SELECT n.id, n.kind, n.subject, n.sent_at AS "sentAt", count(r.rep_id)::int AS recipients, count(r.acknowledged_at)::int AS acknowledged
         FROM notices n LEFT JOIN notice_recipients r ON r.notice_id = n.id
        WHERE n.program_id = $1 AND n.sent_at >= $2 AND n.sent_at < $3
        GROUP BY n.id ORDER BY n.sent_at, n.id`,
      [programId, from, to],
    );
  }

  /** Distinct reps the window's notices went to, and how many of them acknowledged every notice they got. */
  async noticeReps(m: EntityManager, programId: string, from: Date, to: Date): Promise<{ reps: number; acknowledged: number }> {
    const [row]: { reps: number; acknowledged: number }[] = await m.query(
      `SELECT count(*)::int AS reps, count(*) FILTER (WHERE all_acked)::int AS acknowledged
         FROM (SELECT r.rep_id, bool_and(r.acknowledged_at IS NOT NULL) AS all_acked
                 FROM notices n JOIN notice_recipients r ON r.notice_id = n.id
                WHERE n.program_id = $1 AND n.sent_at >= $2 AND n.sent_at < $3 GROUP BY r.rep_id) x`,
      [programId, from, to],
    );
    return row ?? { reps: 0, acknowledged: 0 };
  }

  /** Submitted rep notes of sessions that ended in [from, to) (text not yet redacted). */
  repNotes(m: EntityManager, programId: string, from: Date, to: Date): Promise<{ repId: string; wish: string | null; usefulness: number | null; submittedAt: Date; markedNames: string[] }[]> {
    return m.query(
      `SELECT rep_id AS "repId", wish, usefulness, submitted_at AS "submittedAt", marked_names AS "markedNames"
         FROM rep_notes WHERE program_id = $1 AND status = 'submitted' AND session_ended_at >= $2 AND session_ended_at < $3`,
      [programId, from, to],
    );
  }
}
