import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { ThemeStatIn } from './ranking.js';
import { Rollup } from './rollup.entity.js';
import type { RollupReport } from './rollup.types.js';

/** One theme's numbers in a window (the shape ranking.ts works on). */
export type ThemeStat = ThemeStatIn;

/**
 * The window's submitted forms of one program (sessions that ended in [from, to)); withdrawn forms (no-shows)
 * count nowhere. With the answers the texts section reads, taken out of the answer document once (the
 * materialised set holds those short values, not every form's whole answer document).
 */
const OBS_TEXTS = `SELECT o.id, o.marked_names, o.answers->>'mode' AS mode, o.answers->'lead'->>'marketingSourced' AS marketing_sourced,
                    o.answers->'lead'->>'followUp' AS follow_up, o.answers->'lead'->>'lacked' AS lacked,
                    o.answers->'peak'->>'text' AS peak_text, o.answers->'peak'->>'valence' AS peak_valence,
                    o.answers->'end'->>'text' AS end_text, o.answers->'end'->>'valence' AS end_valence,
                    o.answers->>'negativeFeedback' AS negative, o.answers->>'focusFinding' AS focus, o.answers->'intros' AS intros
               FROM observations o
              WHERE o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL AND o.session_ended_at >= $2 AND o.session_ended_at < $3`;

/** A valence as the answer document holds it, as text: -2 to 2 (a list compares faster than a pattern, run four times a form). */
const VALENCES = `('-2', '-1', '-0', '0', '1', '2')`;

/**
 * Keeps one tag per form and theme it counts as (`t` an observation_themes row, `c` its theme_canonical row):
 * the canonical theme's own tag, else the merged one with the lowest id. Only tags of merged themes are
 * checked (an index probe each), so a window's tags are not sorted just to drop the rare duplicate.
 */
export const onceForCanonical = (t: string, c: string) => `(${c}.theme_id = ${c}.canonical_id
  OR NOT EXISTS (SELECT 1 FROM observation_themes t2 JOIN theme_canonical c2 ON c2.theme_id = t2.theme_id
                  WHERE t2.observation_id = ${t}.observation_id AND c2.canonical_id = ${c}.canonical_id
                    AND (t2.theme_id = c2.canonical_id OR t2.theme_id < ${t}.theme_id)))`;

/** The same forms with only what counting needs (no answer documents to read). */
const OBS_KEYS = `SELECT o.id, o.author_id, o.rep_id, o.account_key AS account
               FROM observations o
              WHERE o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL AND o.session_ended_at >= $2 AND o.session_ended_at < $3`;

/**
 * The rollup's aggregation, in SQL: PostgreSQL reads the forms and returns numbers and short lists,
 * never every form. Lists of free text are capped; the caller redacts what it gets.
 */
@Injectable()
export class RollupsRepository {
  constructor(private readonly db: DataSource) {}

  find(m: EntityManager, id: string): Promise<Rollup | null> {
    return m.findOneBy(Rollup, { id });
  }

  /** The program's rollup of exactly this window (there is at most one). */
  findByWindow(m: EntityManager, programId: string, from: Date, to: Date): Promise<Rollup | null> {
    return m.findOneBy(Rollup, { programId, windowFrom: from, windowTo: to });
  }

  /** Locks the row for the rest of the transaction. */
  findForUpdate(m: EntityManager, id: string): Promise<Rollup | null> {
    return m.getRepository(Rollup).createQueryBuilder('r').setLock('pessimistic_write').where('r.id = :id', { id }).getOne();
  }

  async markReady(m: EntityManager, id: string, r: { report: RollupReport; generatedAt: Date; periodId: string | null }): Promise<void> {
    await m.update(Rollup, { id }, { status: 'ready', report: r.report as never, generatedAt: r.generatedAt, periodId: r.periodId });
  }

  /** The newest 200 rollups (of one program, or all), without their reports. */
  list(m: EntityManager, programId?: string): Promise<Rollup[]> {
    return m.find(Rollup, {
      where: programId ? { programId } : {},
      order: { windowFrom: 'DESC' },
      take: 200,
      select: { id: true, programId: true, periodId: true, windowFrom: true, windowTo: true, kind: true, status: true, generatedAt: true, createdAt: true },
    });
  }

  /**
   * A manager for a report's reads: each query runs on a pooled connection of its own (so they still run
   * in parallel), in a short transaction under the statement timeout `ms`.
   */
  timedReads(ms: number): EntityManager {
    const reads = this.db.createEntityManager();
    reads.query = <T>(sql: string, parameters?: unknown[]): Promise<T> =>
      this.db.transaction(async (t) => {
        await this.limitStatements(t, ms);
        return t.query<T>(sql, parameters);
      });
    return reads;
  }

  /**
   * Themes by weight normalised per observer: each observer's forms in the window share one unit, so a
   * theme's weight is the sum over observers of (their forms naming it / their forms). Merged themes
   * count toward the theme they were merged into (theme_canonical), once per form (onceForCanonical). Accounts are the distinct named ones;
   * forms that name no account are counted apart (without_account), never as accounts of their own.
   */
  themeStats(m: EntityManager, programId: string, from: Date, to: Date): Promise<ThemeStat[]> {
    return m.query(
      `WITH obs AS MATERIALIZED (${OBS_KEYS}),
            per_author AS (SELECT author_id, count(*)::float8 AS n FROM obs GROUP BY author_id),
            tagged AS (
              SELECT o.id, o.author_id, o.rep_id, o.account, c.canonical_id AS theme_id
                FROM obs o JOIN observation_themes t ON t.observation_id = o.id JOIN theme_canonical c ON c.theme_id = t.theme_id
               WHERE ${onceForCanonical('t', 'c')})
       SELECT g.theme_id, th.name, g.weight, g.mentions, g.observers, g.reps, g.accounts, g.without_account
         FROM (SELECT tagged.theme_id, sum(1 / pa.n) AS weight, count(*)::int AS mentions, count(DISTINCT tagged.author_id)::int AS observers,
                      count(DISTINCT tagged.rep_id)::int AS reps, count(DISTINCT tagged.account)::int AS accounts,
                      count(*) FILTER (WHERE tagged.account IS NULL)::int AS without_account
                 FROM tagged JOIN per_author pa USING (author_id) GROUP BY tagged.theme_id) g
         JOIN themes th ON th.id = g.theme_id
        ORDER BY g.weight DESC, g.mentions DESC, th.name`,
      [programId, from.toISOString(), to.toISOString()],
    );
  }

  /**
   * Up to `per` quotes for each theme, from different observers first, then different accounts: one
   * form per observer and theme is considered, and only the chosen forms' quotes are read.
   */
  quotes(m: EntityManager, programId: string, from: Date, to: Date, themeIds: string[], per: number) {
    return m.query(
      `WITH obs AS MATERIALIZED (${OBS_KEYS}),
            cand AS (
              SELECT DISTINCT ON (c.canonical_id, o.author_id) c.canonical_id AS theme_id, o.id, o.author_id, o.account
                FROM obs o JOIN observation_themes t ON t.observation_id = o.id JOIN theme_canonical c ON c.theme_id = t.theme_id
               WHERE c.canonical_id = ANY($4::uuid[])
               ORDER BY c.canonical_id, o.author_id, o.id),
            ranked AS (
              SELECT cand.*, row_number() OVER (PARTITION BY theme_id, COALESCE(account, id::text) ORDER BY id) AS by_account FROM cand),
            picked AS (
              SELECT ranked.*, row_number() OVER (PARTITION BY theme_id ORDER BY by_account, id) AS n FROM ranked)
       SELECT p.theme_id, p.author_id, o.marked_names, NULLIF(btrim(o.answers->>'account'), '') AS account, q.text, q.speaker
         FROM picked p JOIN observations o ON o.id = p.id
         CROSS JOIN LATERAL (
           SELECT qt->>'text' AS text, COALESCE(qt->>'speaker', '') AS speaker
             FROM jsonb_array_elements(CASE WHEN jsonb_typeof(o.answers->'quotes') = 'array' THEN o.answers->'quotes' ELSE '[]' END) qt
            WHERE length(btrim(qt->>'text')) > 0 LIMIT 1) q
        WHERE p.n <= $5 * 2
        ORDER BY p.theme_id, p.n`,
      [programId, from.toISOString(), to.toISOString(), themeIds, per],
    ).then((rows: { theme_id: string; author_id: string; marked_names: string[]; account: string | null; text: string; speaker: string }[]) => {
      // Forms without a quote drop out above; keep the first `per` per theme.
      const seen = new Map<string, number>();
      return rows.filter((r) => {
        const n = (seen.get(r.theme_id) ?? 0) + 1;
        seen.set(r.theme_id, n);
        return n <= per;
      });
    });
  }

  /** Counts by mode and lead, moment averages, and capped lists of the free-text answers (ideas: ideas.repository.ts). */
  async texts(m: EntityManager, programId: string, from: Date, to: Date, cap: number) {
    const [row] = await m.query(
      `WITH obs AS MATERIALIZED (${OBS_TEXTS})
       , totals AS (
           SELECT count(*) FILTER (WHERE mode = 'behavior')::int AS behavior,
                  count(*) FILTER (WHERE mode = 'feedback')::int AS feedback,
                  count(*) FILTER (WHERE marketing_sourced = 'true')::int AS marketing_sourced,
                  avg(peak_valence::int) FILTER (WHERE peak_valence IN ${VALENCES})::float8 AS peak_avg,
                  avg(end_valence::int) FILTER (WHERE end_valence IN ${VALENCES})::float8 AS end_avg
             FROM obs)
       SELECT totals.behavior, totals.feedback, totals.marketing_sourced, totals.peak_avg, totals.end_avg,
         (SELECT COALESCE(json_agg(x), '[]') FROM (SELECT follow_up AS text, marked_names AS marked FROM obs
           WHERE marketing_sourced = 'true' AND length(btrim(follow_up)) > 0 LIMIT $4) x) AS follow_ups,
         (SELECT COALESCE(json_agg(x), '[]') FROM (SELECT lacked AS text, marked_names AS marked FROM obs
           WHERE length(btrim(lacked)) > 0 LIMIT $4) x) AS lacked,
         (SELECT COALESCE(json_agg(x), '[]') FROM (SELECT peak_text AS text, peak_valence::int AS valence, marked_names AS marked FROM obs
           WHERE peak_valence IN ${VALENCES} ORDER BY abs(peak_valence::int) DESC, id LIMIT $4) x) AS peaks,
         (SELECT COALESCE(json_agg(x), '[]') FROM (SELECT end_text AS text, end_valence::int AS valence, marked_names AS marked FROM obs
           WHERE end_valence IN ${VALENCES} ORDER BY abs(end_valence::int) DESC, id LIMIT $4) x) AS ends,
         (SELECT COALESCE(json_agg(x), '[]') FROM (SELECT negative AS text, marked_names AS marked FROM obs
           WHERE length(btrim(negative)) > 0 LIMIT $4) x) AS negative,
         (SELECT COALESCE(json_agg(x), '[]') FROM (SELECT focus AS text, marked_names AS marked FROM obs
           WHERE length(btrim(focus)) > 0 LIMIT $4) x) AS focus,
         (SELECT COALESCE(json_agg(x), '[]') FROM (SELECT i AS text, o.marked_names AS marked
            FROM obs o CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(o.intros) = 'array' THEN o.intros ELSE '[]' END) i
           WHERE length(btrim(i)) > 0 LIMIT $4) x) AS intros
         FROM totals`,
      [programId, from.toISOString(), to.toISOString(), cap],
    );
    return row as {
      behavior: number;
      feedback: number;
      marketing_sourced: number;
      peak_avg: number | null;
      end_avg: number | null;
      follow_ups: { text: string; marked: string[] }[];
      lacked: { text: string; marked: string[] }[];
      peaks: { text: string; valence: number; marked: string[] }[];
      ends: { text: string; valence: number; marked: string[] }[];
      negative: { text: string; marked: string[] }[];
      focus: { text: string; marked: string[] }[];
      intros: { text: string; marked: string[] }[];
    };
  }

  /** Sessions of the program's periods that started in the window, and the forms of sessions that ended in it. */
  async coverage(m: EntityManager, programId: string, from: Date, to: Date, now: Date) {
    const [row] = await m.query(
      `WITH b AS (SELECT b.status, b.late_cancel, b.no_show_party, b.rep_id FROM bookings b JOIN periods pe ON pe.id = b.period_id
                   WHERE pe.program_id = $1 AND b.starts_at >= $2 AND b.starts_at < $3),
            o AS (SELECT status, late, due_at FROM observations WHERE program_id = $1 AND withdrawn_at IS NULL AND session_ended_at >= $2 AND session_ended_at < $3)
       SELECT (SELECT count(*)::int FROM b) AS booked,
              (SELECT count(*)::int FROM b WHERE status = 'completed') AS held,
              (SELECT count(*)::int FROM b WHERE status = 'cancelled') AS cancelled,
              (SELECT count(*)::int FROM b WHERE status = 'cancelled' AND late_cancel) AS late_cancelled,
              (SELECT count(*)::int FROM b WHERE no_show_party = 'rep') AS ns_rep,
              (SELECT count(*)::int FROM b WHERE no_show_party = 'marketer') AS ns_marketer,
              (SELECT count(*)::int FROM b WHERE no_show_party = 'customer') AS ns_customer,
              (SELECT count(*)::int FROM o WHERE status = 'submitted' AND NOT late) AS on_time,
              (SELECT count(*)::int FROM o WHERE status = 'submitted' AND late) AS late,
              (SELECT count(*)::int FROM o WHERE status <> 'submitted' AND due_at < $4) AS missing,
              (SELECT count(*)::int FROM o WHERE status <> 'submitted' AND due_at >= $4) AS open,
              (SELECT COALESCE(json_agg(x ORDER BY x.sessions DESC, x.name), '[]') FROM (
                  SELECT u.id, u.name, count(*)::int AS sessions FROM b JOIN users u ON u.id = b.rep_id
                   WHERE b.status IN ('completed', 'confirmed') GROUP BY u.id, u.name) x) AS reps`,
      [programId, from.toISOString(), to.toISOString(), now.toISOString()],
    );
    return row as {
      booked: number; held: number; cancelled: number; late_cancelled: number; ns_rep: number; ns_marketer: number; ns_customer: number;
      on_time: number; late: number; missing: number; open: number; reps: { id: string; name: string; sessions: number }[];
    };
  }

  /**
   * Each enrolled marketer of the period: quota, sessions (calls and support shifts) held and still booked in
   * the period, forms submitted. The same sessions the lifecycle health page counts. Each count is one
   * grouped pass over the period's rows (a subquery per marketer read the period's bookings once per marketer).
   */
  marketers(m: EntityManager, periodId: string): Promise<{ id: string; name: string; quota: number; sessions: number; booked: number; submitted: number }[]> {
    return m.query(
      `WITH s AS (SELECT marketer_id, count(*) FILTER (WHERE status = 'completed')::int AS sessions, count(*) FILTER (WHERE status = 'confirmed')::int AS booked
                   FROM (SELECT marketer_id, status FROM bookings WHERE period_id = $1
                         UNION ALL SELECT marketer_id, status FROM shift_assignments WHERE period_id = $1) x
                  GROUP BY marketer_id),
            f AS (SELECT author_id, count(*)::int AS submitted FROM observations
                   WHERE period_id = $1 AND status = 'submitted' AND withdrawn_at IS NULL GROUP BY author_id)
       SELECT u.id, u.name, e.quota, COALESCE(s.sessions, 0) AS sessions, COALESCE(s.booked, 0) AS booked, COALESCE(f.submitted, 0) AS submitted
         FROM enrollments e JOIN users u ON u.id = e.marketer_id
         LEFT JOIN s ON s.marketer_id = e.marketer_id LEFT JOIN f ON f.author_id = e.marketer_id
        WHERE e.period_id = $1 ORDER BY u.name`,
      [periodId],
    );
  }

  /** Rollup rows the schedule owes: closed periods (period cadence) or finished weeks (weekly cadence) without one. */
  programsForSchedule(m: EntityManager): Promise<{ id: string; time_zone: string; cadence: string }[]> {
    return m.query(`SELECT id, time_zone, settings->>'rollupCadence' AS cadence FROM programs`);
  }

  closedPeriodsWithoutRollup(m: EntityManager, programId: string, today: string): Promise<{ id: string; starts_on: string; ends_on: string }[]> {
    return m.query(
      `SELECT pe.id, to_char(pe.starts_on, 'YYYY-MM-DD') AS starts_on, to_char(pe.ends_on, 'YYYY-MM-DD') AS ends_on
         FROM periods pe WHERE pe.program_id = $1 AND pe.ends_on < $2::date
          AND NOT EXISTS (SELECT 1 FROM rollups r WHERE r.program_id = pe.program_id AND r.period_id = pe.id AND r.kind = 'period')
        ORDER BY pe.starts_on DESC LIMIT 4`,
      [programId, today],
    );
  }

  /** Inserts the rollup row unless the window has one; returns the id only when this call created it. */
  async claim(m: EntityManager, r: { programId: string; periodId: string | null; from: Date; to: Date; kind: string; createdBy: string | null }): Promise<string | null> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO rollups (program_id, period_id, window_from, window_to, kind, created_by) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (program_id, window_from, window_to) DO NOTHING RETURNING id`,
      [r.programId, r.periodId, r.from.toISOString(), r.to.toISOString(), r.kind, r.createdBy],
    );
    return rows[0]?.id ?? null;
  }

  /** Rollups claimed before `before` and still not built (their build died, or its job gave up). */
  async pendingSince(m: EntityManager, before: Date): Promise<string[]> {
    const rows: { id: string }[] = await m.query(`SELECT id FROM rollups WHERE status = 'pending' AND created_at < $1 ORDER BY created_at LIMIT 100`, [before.toISOString()]);
    return rows.map((r) => r.id);
  }

  /**
   * Bounds every later statement of the caller's transaction to `ms` (statement_timeout, 57014 when passed),
   * and has PostgreSQL check every second that the client is still there while a statement runs
   * (client_connection_check_interval), so the reads of a build whose process was killed stop too.
   * JIT compilation is off for these statements: they are one-off aggregates over a whole window, and compiling
   * them cost more than it saved (about a second of CPU over 100,000 forms; a larger work_mem did not pay either).
   * So are parallel workers: the build already runs its reads side by side, and workers on top of them only
   * added start-up and hand-over (about 20% of the 100,000-form build on two cores).
   */
  async limitStatements(m: EntityManager, ms: number): Promise<void> {
    await m.query(
      `SELECT set_config('statement_timeout', $1, true), set_config('client_connection_check_interval', '1000', true),
              set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`,
      [String(ms)],
    );
  }

  async recipients(m: EntityManager, emails: string[]): Promise<{ email: string; name: string; time_zone: string | null }[]> {
    if (emails.length) {
      return m.query(
        `SELECT e AS email, COALESCE(u.name, e) AS name, u.time_zone FROM unnest($1::text[]) e LEFT JOIN users u ON lower(u.email) = lower(e) AND u.active`,
        [emails],
      );
    }
    return m.query(`SELECT email, name, time_zone FROM users WHERE active AND 'lifecycle' = ANY(roles) ORDER BY email`);
  }
}
