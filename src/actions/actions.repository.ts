import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { ActionKind, ActionStatus, Changes } from './action-status.js';

/** One idea of a rollup, as the action keeps it (a snapshot: the report's text, already redacted). */
export interface ActionIdea {
  index: number;
  category: string;
  text: string;
}

export interface ActionRow {
  id: string;
  programId: string;
  programName: string;
  rollupId: string | null;
  kind: ActionKind;
  title: string;
  detail: string | null;
  ideas: ActionIdea[];
  themeIds: string[];
  ownerId: string;
  ownerName: string;
  dueOn: string | null;
  status: ActionStatus;
  doneAt: Date | null;
  remindedOn: string | null;
  /** Still to do and its due date before today in the owner's zone. */
  overdue: boolean;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface HistoryRow {
  id: string;
  at: Date;
  actorId: string | null;
  actorName: string | null;
  changes: Changes;
}

export interface OwnerRow {
  id: string;
  name: string;
  email: string;
  timeZone: string;
  active: boolean;
  lifecycle: boolean;
}

/** A pending action whose due-date reminder is owed. */
export interface DueRow {
  id: string;
  dueOn: string;
}

/** `$1` is "now": overdue is judged in the owner's zone. */
const COLUMNS = `a.id, a.program_id AS "programId", p.name AS "programName", a.rollup_id AS "rollupId", a.kind, a.title, a.detail, a.ideas,
  COALESCE((SELECT array_agg(at.theme_id ORDER BY at.theme_id) FROM action_themes at WHERE at.action_id = a.id), '{}') AS "themeIds",
  a.owner_id AS "ownerId", u.name AS "ownerName", a.due_on::text AS "dueOn", a.status, a.done_at AS "doneAt", a.reminded_on::text AS "remindedOn",
  (a.status IN ('open', 'in_progress') AND a.due_on IS NOT NULL AND a.due_on < ($1::timestamptz AT TIME ZONE u.time_zone)::date) AS overdue,
  a.created_by AS "createdBy", a.created_at AS "createdAt", a.updated_at AS "updatedAt"`;
const FROM = `actions a JOIN programs p ON p.id = a.program_id JOIN users u ON u.id = a.owner_id`;
/** Overdue first, then by due date (none last), then oldest first. */
const ORDER = `ORDER BY overdue DESC, a.due_on ASC NULLS LAST, a.created_at ASC, a.id ASC`;

/** Actions, their themes and their history, in SQL. */
@Injectable()
export class ActionsRepository {
  constructor(private readonly db: DataSource) {}

  get manager(): EntityManager {
    return this.db.manager;
  }

  async programName(m: EntityManager, programId: string): Promise<string | null> {
    const rows: { name: string }[] = await m.query(`SELECT name FROM programs WHERE id = $1`, [programId]);
    return rows[0]?.name ?? null;
  }

  async rollup(m: EntityManager, rollupId: string): Promise<{ programId: string; status: string; ideas: { category: string; text: string }[] } | null> {
    const rows: { program_id: string; status: string; ideas: { category: string; text: string }[] | null }[] = await m.query(
      `SELECT program_id, status, report -> 'ideas' AS ideas FROM rollups WHERE id = $1`,
      [rollupId],
    );
    return rows[0] ? { programId: rows[0].program_id, status: rows[0].status, ideas: rows[0].ideas ?? [] } : null;
  }

  /**
   * Each asked theme id resolved: a merged theme to the live theme it ended in (following merges), a
   * rejected one to null, an unknown one left out of the map.
   */
  async resolveThemes(m: EntityManager, ids: string[]): Promise<Map<string, string | null>> {
    const rows: { asked: string; resolved: string | null }[] = await m.query(
      `WITH RECURSIVE chain AS (
         SELECT t.id AS asked, t.id, t.status, t.merged_into, 0 AS depth FROM themes t WHERE t.id = ANY ($1::uuid[])
         UNION ALL
         SELECT c.asked, t.id, t.status, t.merged_into, c.depth + 1 FROM chain c JOIN themes t ON t.id = c.merged_into
          WHERE c.status = 'merged' AND c.depth < 20)
       SELECT asked, CASE WHEN status IN ('active', 'proposed') THEN id END AS resolved
         FROM chain c WHERE c.status <> 'merged' OR c.merged_into IS NULL`,
      [ids],
    );
    return new Map(rows.map((r) => [r.asked, r.resolved]));
  }

  async user(m: EntityManager, id: string): Promise<OwnerRow | null> {
    const rows: OwnerRow[] = await m.query(
      `SELECT id, name, email, time_zone AS "timeZone", active, 'lifecycle' = ANY (roles) AS lifecycle FROM users WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** What the create form offers from a rollup: its program, window, ranked and emerging themes, and ideas (by index). */
  async rollupChoices(
    m: EntityManager,
    rollupId: string,
  ): Promise<{ programId: string; status: string; windowFrom: Date; windowTo: Date; themes: { themeId: string; name: string }[]; ideas: { category: string; text: string }[] } | null> {
    const rows: { program_id: string; status: string; window_from: Date; window_to: Date; themes: { themeId: string; name: string }[] | null; emerging: { themeId: string; name: string }[] | null; ideas: { category: string; text: string }[] | null }[] =
      await m.query(`SELECT program_id, status, window_from, window_to, report -> 'themes' AS themes, report -> 'emerging' AS emerging, report -> 'ideas' AS ideas FROM rollups WHERE id = $1`, [rollupId]);
    const r = rows[0];
    if (!r) return null;
    const seen = new Set<string>();
    const themes = [...(r.themes ?? []), ...(r.emerging ?? [])].filter((t) => t && typeof t.themeId === 'string' && !seen.has(t.themeId) && seen.add(t.themeId)).map((t) => ({ themeId: t.themeId, name: t.name }));
    return { programId: r.program_id, status: r.status, windowFrom: r.window_from, windowTo: r.window_to, themes, ideas: r.ideas ?? [] };
  }

  /** Live themes (active, then proposed), by name: what an action without a rollup may answer. */
  liveThemes(m: EntityManager): Promise<{ themeId: string; name: string }[]> {
    return m.query(`SELECT id AS "themeId", name FROM themes WHERE status IN ('active', 'proposed') ORDER BY status = 'proposed', lower(name), id LIMIT 500`);
  }

  async themeNames(m: EntityManager, ids: string[]): Promise<Map<string, string>> {
    const rows: { id: string; name: string }[] = await m.query(`SELECT id, name FROM themes WHERE id = ANY ($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Programs by name (the filter of the actions page). */
  programs(m: EntityManager): Promise<{ id: string; name: string }[]> {
    return m.query(`SELECT id, name FROM programs ORDER BY lower(name), id`);
  }

  /** Active members of the lifecycle team, by name: who may own an action. */
  lifecycleUsers(m: EntityManager): Promise<{ id: string; name: string }[]> {
    return m.query(`SELECT id, name FROM users WHERE active AND 'lifecycle' = ANY (roles) ORDER BY name, id`);
  }

  async insert(
    m: EntityManager,
    a: { programId: string; rollupId: string | null; kind: ActionKind; title: string; detail: string | null; ideas: ActionIdea[]; ownerId: string; dueOn: string | null; createdBy: string; at: Date },
  ): Promise<string> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO actions (program_id, rollup_id, kind, title, detail, ideas, owner_id, due_on, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $10) RETURNING id`,
      [a.programId, a.rollupId, a.kind, a.title, a.detail, JSON.stringify(a.ideas), a.ownerId, a.dueOn, a.createdBy, a.at],
    );
    return rows[0].id;
  }

  async setThemes(m: EntityManager, actionId: string, themeIds: string[]): Promise<void> {
    await m.query(`DELETE FROM action_themes WHERE action_id = $1 AND NOT (theme_id = ANY ($2::uuid[]))`, [actionId, themeIds]);
    await m.query(`INSERT INTO action_themes (action_id, theme_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [actionId, themeIds]);
  }

  async update(
    m: EntityManager,
    id: string,
    f: { status: ActionStatus; title: string; detail: string | null; ownerId: string; dueOn: string | null; doneAt: Date | null; at: Date },
  ): Promise<void> {
    await m.query(`UPDATE actions SET status = $2, title = $3, detail = $4, owner_id = $5, due_on = $6, done_at = $7, updated_at = $8 WHERE id = $1`, [
      id,
      f.status,
      f.title,
      f.detail,
      f.ownerId,
      f.dueOn,
      f.doneAt,
      f.at,
    ]);
  }

  async addHistory(m: EntityManager, h: { actionId: string; actorId: string | null; at: Date; changes: Changes }): Promise<string> {
    const rows: { id: string }[] = await m.query(`INSERT INTO action_history (action_id, actor_id, at, changes) VALUES ($1, $2, $3, $4::jsonb) RETURNING id`, [
      h.actionId,
      h.actorId,
      h.at,
      JSON.stringify(h.changes),
    ]);
    return rows[0].id;
  }

  history(m: EntityManager, actionId: string): Promise<HistoryRow[]> {
    return m.query(
      `SELECT h.id, h.at, h.actor_id AS "actorId", u.name AS "actorName", h.changes
         FROM action_history h LEFT JOIN users u ON u.id = h.actor_id WHERE h.action_id = $1 ORDER BY h.at, h.id`,
      [actionId],
    );
  }

  /** The action as of `now` (for `overdue`); `lock` holds its row until the transaction ends. */
  async find(m: EntityManager, id: string, now: Date, lock = false): Promise<ActionRow | null> {
    if (lock) await m.query(`SELECT 1 FROM actions WHERE id = $1 FOR UPDATE`, [id]);
    const rows: ActionRow[] = await m.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE a.id = $2`, [now, id]);
    return rows[0] ?? null;
  }

  /** Actions matching the filters, overdue first, then by due date, then oldest first. */
  list(m: EntityManager, now: Date, f: { programId?: string; status?: ActionStatus | 'pending'; ownerId?: string; limit: number }): Promise<ActionRow[]> {
    const statuses = f.status === undefined ? null : f.status === 'pending' ? ['open', 'in_progress'] : [f.status];
    return m.query(
      `SELECT ${COLUMNS} FROM ${FROM}
        WHERE ($2::uuid IS NULL OR a.program_id = $2) AND ($3::text[] IS NULL OR a.status = ANY ($3)) AND ($4::uuid IS NULL OR a.owner_id = $4)
        ${ORDER} LIMIT $5`,
      [now, f.programId ?? null, statuses, f.ownerId ?? null, f.limit],
    );
  }

  /**
   * Pending actions whose reminder is owed at `now`: the due date has come in the owner's zone (from
   * `fromHour` o'clock there) and its reminder has not been sent (a moved due date is owed again).
   */
  dueForReminder(m: EntityManager, now: Date, fromHour: number, limit: number): Promise<DueRow[]> {
    return m.query(
      `SELECT a.id, a.due_on::text AS "dueOn" FROM actions a JOIN users u ON u.id = a.owner_id
        WHERE a.status IN ('open', 'in_progress') AND a.due_on IS NOT NULL AND a.reminded_on IS DISTINCT FROM a.due_on
          AND ($1::timestamptz AT TIME ZONE u.time_zone) >= a.due_on + make_interval(hours => $2)
        ORDER BY a.due_on, a.id LIMIT $3`,
      [now, fromHour, limit],
    );
  }

  async markReminded(m: EntityManager, id: string, dueOn: string): Promise<void> {
    await m.query(`UPDATE actions SET reminded_on = $2 WHERE id = $1`, [id, dueOn]);
  }
}
