import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { EntryRow, SegmentRow } from './empathy.js';

export interface SegmentRecord {
  id: string;
  name: string;
  status: 'active' | 'merged';
  merged_into: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface SegmentListRow extends SegmentRecord {
  keys: string[];
  forms: number;
  observers: number;
}

export interface SegmentHistoryRow {
  id: string;
  segmentId: string;
  action: 'create' | 'rename' | 'merge' | 'unmerge';
  details: Record<string, unknown>;
  actorId: string | null;
  at: Date;
}

/**
 * The window's submitted forms of one program with a segment, resolved to the active segment they count as
 * (observations.segment_key is segment_key() of the answer, stored when the form is written).
 */
const SEGMENTED = `SELECT o.id, o.author_id, o.empathy_entries, o.marked_names, o.answers->>'mode' AS mode, COALESCE(s.merged_into, s.id) AS segment_id
                     FROM observations o
                     JOIN segment_aliases a ON a.key = o.segment_key
                     JOIN segments s ON s.id = a.segment_id
                    WHERE o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL
                      AND o.session_ended_at >= $2 AND o.session_ended_at < $3
                      AND o.answers->>'mode' IN ('behavior', 'feedback')`;

/** The same forms with only who wrote them, in which mode and segment (what counting them needs). */
const SEGMENTED_KEYS = `SELECT o.author_id, o.answers->>'mode' AS mode, COALESCE(s.merged_into, s.id) AS segment_id
                     FROM observations o
                     JOIN segment_aliases a ON a.key = o.segment_key
                     JOIN segments s ON s.id = a.segment_id
                    WHERE o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL
                      AND o.session_ended_at >= $2 AND o.session_ended_at < $3
                      AND o.answers->>'mode' IN ('behavior', 'feedback')`;

/** Segments, their aliases and history, and the empathy map's aggregation (in SQL: numbers and a few texts, never every form). */
@Injectable()
export class SegmentsRepository {
  /** Bounds this transaction's statements like a rollup build's reads (see RollupsRepository.limitStatements). */
  async limitStatements(m: EntityManager, ms: number): Promise<void> {
    await m.query(`SELECT set_config('statement_timeout', $1, true), set_config('client_connection_check_interval', '1000', true)`, [String(ms)]);
  }

  /**
   * Files every segment key of submitted forms (of one program, or all) that has no alias yet under a new
   * segment named after the spelling most observers used (then most forms), or under the active segment of that name. Serialised by
   * an advisory lock, so two readers never file one key twice. Returns the segments created.
   */
  async fileNewKeys(m: EntityManager, programId: string | null): Promise<{ id: string; name: string; key: string }[]> {
    const programs: string[] = programId ? [programId] : (await m.query(`SELECT id FROM programs ORDER BY id`)).map((r: { id: string }) => r.id);
    const created: { id: string; name: string; key: string }[] = [];
    for (const pid of programs) {
      // Without a lock first: nearly always every key is filed, and finding that reads a few index entries.
      if (!(await this.unfiledKeys(m, pid)).length) continue;
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('segment_aliases'))`);
      const keys = await this.unfiledKeys(m, pid);
      if (keys.length) created.push(...(await this.file(m, pid, keys)));
    }
    return created;
  }

  /**
   * The program's segment keys of submitted forms with no alias yet: a loose index scan of
   * observations_segment_key_idx (one probe per distinct key, however many forms there are).
   */
  private async unfiledKeys(m: EntityManager, programId: string): Promise<string[]> {
    const rows: { key: string }[] = await m.query(
      `WITH RECURSIVE k AS (
         (SELECT segment_key(answers->>'segment') AS key FROM observations
           WHERE program_id = $1 AND status = 'submitted' ORDER BY segment_key(answers->>'segment') LIMIT 1)
         UNION ALL
         SELECT (SELECT segment_key(o.answers->>'segment') FROM observations o
                  WHERE o.program_id = $1 AND o.status = 'submitted' AND segment_key(o.answers->>'segment') > k.key
                  ORDER BY segment_key(o.answers->>'segment') LIMIT 1)
           FROM k WHERE k.key IS NOT NULL)
       SELECT key FROM k
        WHERE length(key) BETWEEN 1 AND 200 AND NOT EXISTS (SELECT 1 FROM segment_aliases a WHERE a.key = k.key)`,
      [programId],
    );
    return rows.map((r) => r.key);
  }

  /** Files keys under a new segment named after the spelling most observers used (then most forms), or under the active segment of that name. */
  private async file(m: EntityManager, programId: string, keys: string[]): Promise<{ id: string; name: string; key: string }[]> {
    const fresh: { key: string; name: string }[] = await m.query(
      `SELECT DISTINCT ON (key) key, name FROM (
         SELECT segment_key(answers->>'segment') AS key, left(btrim(regexp_replace(answers->>'segment', '\\s+', ' ', 'g')), 120) AS name,
                count(DISTINCT author_id) AS observers, count(*) AS forms
           FROM observations
          WHERE program_id = $1 AND status = 'submitted' AND segment_key(answers->>'segment') = ANY($2::text[]) AND jsonb_typeof(answers->'segment') = 'string'
          GROUP BY 1, 2) spelling
        WHERE length(name) > 0
        ORDER BY key, observers DESC, forms DESC, name`,
      [programId, keys],
    );
    const created: { id: string; name: string; key: string }[] = [];
    for (const f of fresh) {
      const [same] = await m.query(`SELECT id FROM segments WHERE status = 'active' AND lower(name) = lower($1)`, [f.name]);
      let id: string = same?.id;
      if (!id) {
        [{ id }] = await m.query(`INSERT INTO segments (name) VALUES ($1) RETURNING id`, [f.name]);
        await m.query(`INSERT INTO segment_history (segment_id, action, details) VALUES ($1, 'create', $2)`, [id, JSON.stringify({ name: f.name, key: f.key, reason: 'first seen' })]);
        created.push({ id, name: f.name, key: f.key });
      }
      await m.query(`INSERT INTO segment_aliases (key, segment_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [f.key, id]);
    }
    return created;
  }

  /**
   * Every segment (active first, then by name), or only `onlyId`, with its keys and its forms and observers
   * (in one program when given; merged segments count toward their target, and list forms of their own).
   */
  list(m: EntityManager, programId: string | null, status?: 'active' | 'merged', onlyId?: string): Promise<SegmentListRow[]> {
    return m.query(
      `WITH filed AS MATERIALIZED (
         SELECT o.author_id, a.segment_id AS own_id, COALESCE(s.merged_into, s.id) AS segment_id
           FROM segment_aliases a JOIN segments s ON s.id = a.segment_id
           JOIN observations o ON segment_key(o.answers->>'segment') = a.key
          WHERE o.status = 'submitted' AND o.withdrawn_at IS NULL AND ($1::uuid IS NULL OR o.program_id = $1)
            AND ($3::uuid IS NULL OR s.id = $3 OR s.merged_into = $3)),
            counts AS (SELECT segment_id, count(*)::int AS forms, count(DISTINCT author_id)::int AS observers FROM filed GROUP BY 1),
            own AS (SELECT own_id AS segment_id, count(*)::int AS forms FROM filed GROUP BY 1)
       SELECT s.id, s.name, s.status, s.merged_into, s.created_at, s.updated_at,
              COALESCE((SELECT array_agg(a.key ORDER BY a.key) FROM segment_aliases a
                         WHERE a.segment_id = s.id OR a.segment_id IN (SELECT id FROM segments x WHERE x.merged_into = s.id)), '{}') AS keys,
              COALESCE(c.forms, 0) AS forms, COALESCE(c.observers, 0) AS observers
         FROM segments s LEFT JOIN counts c ON c.segment_id = s.id LEFT JOIN own ON own.segment_id = s.id
        WHERE ($2::text IS NULL OR s.status = $2) AND ($3::uuid IS NULL OR s.id = $3)
          AND ($1::uuid IS NULL OR c.forms > 0 OR own.forms > 0)
        ORDER BY s.status, lower(s.name)`,
      [programId, status ?? null, onlyId ?? null],
    );
  }

  async find(m: EntityManager, id: string, lock = false): Promise<SegmentRecord | null> {
    const [row] = await m.query(`SELECT id, name, status, merged_into, created_at, updated_at FROM segments WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row ?? null;
  }

  async activeByName(m: EntityManager, name: string, exceptId: string): Promise<SegmentRecord | null> {
    const [row] = await m.query(`SELECT id, name, status, merged_into FROM segments WHERE status = 'active' AND lower(name) = lower($1) AND id <> $2`, [name, exceptId]);
    return row ?? null;
  }

  async rename(m: EntityManager, id: string, name: string): Promise<void> {
    await m.query(`UPDATE segments SET name = $2, updated_at = now() WHERE id = $1`, [id, name]);
  }

  /** `id` counts as `intoId` from now on, and so do the segments merged into `id` (one hop). Returns those re-pointed. */
  async merge(m: EntityManager, id: string, intoId: string): Promise<string[]> {
    await m.query(`UPDATE segments SET status = 'merged', merged_into = $2, updated_at = now() WHERE id = $1`, [id, intoId]);
    const rows: { id: string }[] = await m.query(`WITH u AS (UPDATE segments SET merged_into = $2, updated_at = now() WHERE merged_into = $1 RETURNING id) SELECT id FROM u`, [id, intoId]);
    return rows.map((r) => r.id);
  }

  async unmerge(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE segments SET status = 'active', merged_into = NULL, updated_at = now() WHERE id = $1`, [id]);
  }

  async addHistory(m: EntityManager, rows: { segmentId: string; action: SegmentHistoryRow['action']; details: Record<string, unknown>; actorId: string | null }[]): Promise<void> {
    for (const r of rows) {
      await m.query(`INSERT INTO segment_history (segment_id, action, details, actor_id) VALUES ($1, $2, $3, $4)`, [r.segmentId, r.action, JSON.stringify(r.details), r.actorId]);
    }
  }

  history(m: EntityManager, id: string): Promise<SegmentHistoryRow[]> {
    return m.query(
      `SELECT id::text, segment_id AS "segmentId", action, details, actor_id AS "actorId", at FROM segment_history WHERE segment_id = $1 ORDER BY id`,
      [id],
    );
  }

  /**
   * Each segment's forms and observers per mode in the window (segments with a key of their forms filed). Reads
   * only who wrote each form, and counts per observer first (a hashed pass), not by sorting every form.
   */
  segmentCounts(m: EntityManager, programId: string, from: Date, to: Date): Promise<SegmentRow[]> {
    return m.query(
      `WITH obs AS MATERIALIZED (${SEGMENTED_KEYS}),
            per AS MATERIALIZED (SELECT segment_id, mode, author_id, count(*)::int AS forms FROM obs GROUP BY 1, 2, 3),
            seg AS (SELECT segment_id, count(DISTINCT author_id)::int AS segment_observers, sum(forms)::int AS segment_forms FROM per GROUP BY segment_id)
       SELECT p.segment_id, s.name, p.mode, sum(p.forms)::int AS forms, count(p.author_id)::int AS observers, seg.segment_observers, seg.segment_forms
         FROM per p JOIN seg USING (segment_id) JOIN segments s ON s.id = p.segment_id
        GROUP BY p.segment_id, s.name, p.mode, seg.segment_observers, seg.segment_forms`,
      [programId, from.toISOString(), to.toISOString()],
    );
  }

  /**
   * The recurring entries of each segment with `minObservers` observers, per mode and quadrant: answers
   * grouped by their english lexemes (observations.empathy_entries, worked out when the form is written), a form
   * naming an entry twice counted once; observers, forms, and weight per observer (each observer's forms
   * of the segment and mode share one unit). The top `per` a quadrant, each with up to `examples` texts
   * from different observers (not redacted: the caller redacts).
   */
  entries(m: EntityManager, programId: string, from: Date, to: Date, o: { minObservers: number; per: number; examples: number }): Promise<EntryRow[]> {
    return m.query(
      `WITH obs AS MATERIALIZED (${SEGMENTED}),
            seg AS (SELECT segment_id FROM obs GROUP BY segment_id HAVING count(DISTINCT author_id) >= $4),
            per_author AS (SELECT segment_id, mode, author_id, count(*)::float8 AS n FROM obs GROUP BY 1, 2, 3),
            answers AS (
              SELECT o.id, o.segment_id, o.mode, o.author_id, o.marked_names, x->>0 AS quadrant, x->>1 AS text, x->>2 AS key
                FROM obs o JOIN seg USING (segment_id) CROSS JOIN LATERAL jsonb_array_elements(o.empathy_entries) AS x),
            per_form AS (SELECT DISTINCT ON (id, quadrant, key) * FROM answers WHERE key <> '' ORDER BY id, quadrant, key, text),
            groups AS (
              SELECT f.segment_id, f.mode, f.quadrant, f.key, count(DISTINCT f.author_id)::int AS observers, count(*)::int AS forms, sum(1 / pa.n) AS weight
                FROM per_form f JOIN per_author pa USING (segment_id, mode, author_id)
               GROUP BY 1, 2, 3, 4 HAVING count(DISTINCT f.author_id) >= $4),
            top AS (
              SELECT * FROM (SELECT g.*, row_number() OVER (PARTITION BY segment_id, mode, quadrant ORDER BY observers DESC, weight DESC, forms DESC, key) AS rank FROM groups g) r
               WHERE rank <= $5),
            examples AS MATERIALIZED (
              SELECT segment_id, mode, quadrant, key, json_agg(json_build_object('text', text, 'authorId', author_id, 'marked', marked_names) ORDER BY n) AS examples
                FROM (SELECT x.*, row_number() OVER (PARTITION BY x.segment_id, x.mode, x.quadrant, x.key ORDER BY x.id) AS n
                        FROM (SELECT DISTINCT ON (f.segment_id, f.mode, f.quadrant, f.key, f.author_id) f.*
                                FROM per_form f
                               WHERE (f.segment_id, f.mode, f.quadrant, f.key) IN (SELECT segment_id, mode, quadrant, key FROM top)
                               ORDER BY f.segment_id, f.mode, f.quadrant, f.key, f.author_id, f.id) x) y
               WHERE n <= $6
               GROUP BY 1, 2, 3, 4)
       SELECT t.segment_id, t.mode, t.quadrant, t.key, t.observers, t.forms, t.weight, e.examples
         FROM top t LEFT JOIN examples e USING (segment_id, mode, quadrant, key)
        ORDER BY t.segment_id, t.mode, t.quadrant, t.rank`,
      [programId, from.toISOString(), to.toISOString(), o.minObservers, o.per, o.examples],
    );
  }
}
