import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SearchPosition } from './search-text.js';

/**
 * The free text of a form as one jsonb array of strings: the same expression the generated column
 * `observations.search_tsv` indexes (migrations/1795560000000-AddSearchVectors.ts), so a snippet is cut
 * from exactly the text that matched.
 */
const FORM_TEXT = [
  `lax $.empathy.*[*]`,
  `lax $.painPoints[*]`,
  `lax $.quotes[*].text`,
  `lax $.ideas[*].text`,
  `lax $.peak.text`,
  `lax $.end.text`,
  `lax $.negativeFeedback`,
  `lax $.focusFinding`,
  `lax $.lead.lacked`,
  `lax $.lead.followUp`,
  `lax $.keyvalue() ? (@.key starts with "custom.").value`,
]
  .map((p) => `jsonb_path_query_array(o.answers, '${p}')`)
  .join(' || ');

export interface SearchFilters {
  q: string;
  programId?: string;
  periodId?: string;
  themeId?: string;
  /** A segment id, or a segment as typed (normalised with segment_key and resolved through its aliases). */
  segment?: string;
  mode?: 'behavior' | 'feedback';
}

export interface SearchHitRow {
  kind: 'form' | 'rep_note';
  id: string;
  ranked: boolean;
  at_micros: string;
  program_id: string;
  period_id: string;
  author_id: string;
  at: Date;
  score: string;
  mode: string | null;
  segment: string | null;
  text: string;
  marked_names: string[];
}

/**
 * How many of the newest matching forms are ranked by relevance. Older matches follow, newest first, each
 * with its score. A query matching fewer forms than this is ranked whole.
 */
export const SEARCH_RANKED = 500;
/**
 * How many of a scope's newest forms are read to find the ranked ones before the GIN index is asked
 * instead: when at least one form in eight matches, walking newest first finds five hundred matches in at most
 * four thousand rows, far fewer than the matches a common query has; rarer queries go to the index.
 */
export const SEARCH_WALK = 8 * SEARCH_RANKED;

/** Rank as an integer (ts_rank x 1e6, rounded), so a cursor can carry it exactly. */
const SCORE = (v: string) => `round(ts_rank(${v}, websearch_to_tsquery('english', $1)) * 1000000)::bigint`;
const MICROS = (v: string) => `(extract(epoch FROM ${v}) * 1000000)::bigint`;

@Injectable()
export class SearchRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * One page of matches: first the ranked part (the newest SEARCH_RANKED matching forms and every matching
   * rep note, best first: score, then forms before rep notes, then id), then the older matching forms,
   * newest first. Submitted forms (not withdrawn: the rows of observation_search) and submitted rep notes
   * whose tsvector matches websearch_to_tsquery('english', q). Rep notes have no theme, segment or mode, so
   * those filters leave them out. Texts come raw: the caller redacts.
   */
  async page(f: SearchFilters, after: SearchPosition | undefined, limit: number): Promise<SearchHitRow[]> {
    const narrowed = !!(f.themeId || f.segment || f.mode);
    const params: unknown[] = [f.q, f.programId ?? null, f.periodId ?? null, f.themeId ?? null, f.segment ?? null, f.mode ?? null, limit];
    const scope = `($2::uuid IS NULL OR os.program_id = $2::uuid) AND ($3::uuid IS NULL OR os.period_id = $3::uuid)`;
    const narrow = narrowed
      ? `AND ($4::uuid IS NULL OR EXISTS (
               SELECT 1 FROM observation_themes ot JOIN theme_canonical c ON c.theme_id = ot.theme_id
                WHERE ot.observation_id = o.id AND c.canonical_id = (SELECT COALESCE(merged_into, id) FROM themes WHERE id = $4::uuid)))
         AND ($5::text IS NULL OR EXISTS (
               SELECT 1 FROM segment_aliases a JOIN segments s ON s.id = a.segment_id
                WHERE a.key = segment_key(o.answers->>'segment') AND COALESCE(s.merged_into, s.id) IN (SELECT id FROM seg))
               OR (NOT EXISTS (SELECT 1 FROM seg) AND segment_key(o.answers->>'segment') = segment_key($5)))
         AND ($6::text IS NULL OR o.answers->>'mode' = $6)`
      : `AND $4::uuid IS NULL AND $5::text IS NULL AND $6::text IS NULL`;
    const join = narrowed ? 'JOIN observations o ON o.id = os.observation_id' : '';
    const matching = `os.tsv @@ websearch_to_tsquery('english', $1) AND ${scope} ${narrow}`;
    // The older matches past the ranked ones, newest first: after the cursor, or after the oldest ranked form.
    const older = (from: string) => `
      SELECT false AS ranked, 'form'::text AS kind, os.observation_id AS id, ${SCORE('os.tsv')} AS score, os.at
        FROM observation_search os ${join}
       WHERE ${matching} AND (os.at, os.observation_id) < ${from}
       ORDER BY os.at DESC, os.observation_id DESC LIMIT $7`;
    let hits: string;
    if (after && !after.ranked) {
      params.push(after.atMicros, after.id);
      hits = `h AS (${older(`(to_timestamp($8::bigint / 1000000.0), $9::uuid)`)})`;
    } else {
      let keyset = '';
      params.push(SEARCH_RANKED, SEARCH_WALK);
      if (after) {
        params.push(after.score, after.kind, after.id);
        keyset = `WHERE r.score < $10 OR (r.score = $10 AND (r.kind, r.id) > ($11::text, $12::uuid))`;
      }
      hits = `
        -- The newest matching forms: walk the scope newest first while one row in eight matches...
        walked AS MATERIALIZED (
          SELECT w.observation_id, w.at, w.tsv
            FROM (SELECT os.observation_id, os.at, os.tsv FROM observation_search os
                   WHERE ${scope} AND NOT ${narrowed} ORDER BY os.at DESC, os.observation_id DESC LIMIT $9) w
           WHERE w.tsv @@ websearch_to_tsquery('english', $1)
           ORDER BY w.at DESC, w.observation_id DESC LIMIT $8),
        -- ...else ask the GIN index for every match and keep the newest (OFFSET 0 keeps the index walk out of it).
        indexed AS (
          SELECT m.observation_id, m.at, m.tsv
            FROM (SELECT os.observation_id, os.at, os.tsv FROM observation_search os ${join} WHERE ${matching} OFFSET 0) m
           WHERE (SELECT count(*) FROM walked) < $8
           ORDER BY m.at DESC, m.observation_id DESC LIMIT $8),
        cand AS MATERIALIZED (SELECT * FROM walked WHERE (SELECT count(*) FROM walked) >= $8 UNION ALL SELECT * FROM indexed),
        ranked AS (
          SELECT 'form'::text AS kind, c.observation_id AS id, ${SCORE('c.tsv')} AS score, c.at FROM cand c
          ${
            narrowed
              ? ''
              : `UNION ALL
          SELECT 'rep_note', n.id, ${SCORE('n.search_tsv')}, n.session_ended_at
            FROM rep_notes n
           WHERE n.search_tsv @@ websearch_to_tsquery('english', $1) AND n.status = 'submitted'
             AND ($2::uuid IS NULL OR n.program_id = $2::uuid)
             AND ($3::uuid IS NULL OR n.period_id = $3::uuid)`
          }),
        r1 AS MATERIALIZED (SELECT true AS ranked, r.* FROM ranked r ${keyset} ORDER BY r.score DESC, r.kind, r.id LIMIT $7),
        -- Past the ranked part (only when this page reaches its end and the ranked forms were capped).
        cut AS (SELECT c.at, c.observation_id FROM cand c WHERE (SELECT count(*) FROM cand) >= $8 ORDER BY c.at, c.observation_id LIMIT 1),
        r2 AS (${older(`((SELECT at FROM cut), (SELECT observation_id FROM cut))`)}),
        h AS (SELECT * FROM r1 UNION ALL SELECT * FROM r2 WHERE (SELECT count(*) FROM r1) < $7 AND EXISTS (SELECT 1 FROM cut))`;
    }
    return this.db.query(
      `WITH seg AS (SELECT COALESCE(s.merged_into, s.id) AS id FROM segments s WHERE s.id::text = $5
                    UNION SELECT COALESCE(s.merged_into, s.id) FROM segment_aliases a JOIN segments s ON s.id = a.segment_id WHERE a.key = segment_key($5)),
            ${hits},
            page AS (SELECT * FROM (SELECT h.*, row_number() OVER (ORDER BY NOT h.ranked, CASE WHEN h.ranked THEN h.score END DESC, h.kind,
                                                                    CASE WHEN h.ranked THEN h.id END, h.at DESC, h.id DESC) AS i
                                      FROM h) x WHERE x.i <= $7)
       SELECT p.i, p.ranked, p.kind, p.id, p.score, ${MICROS('p.at')} AS at_micros, o.program_id, o.period_id, o.author_id, o.session_ended_at AS at,
              o.answers->>'mode' AS mode, o.answers->>'segment' AS segment,
              COALESCE(array_to_string(ARRAY(SELECT jsonb_array_elements_text(${FORM_TEXT})), E'\\n'), '') AS text, o.marked_names
         FROM page p JOIN observations o ON o.id = p.id WHERE p.kind = 'form'
       UNION ALL
       SELECT p.i, p.ranked, p.kind, p.id, p.score, ${MICROS('p.at')}, n.program_id, n.period_id, n.rep_id, n.session_ended_at, NULL, NULL, concat_ws(E'\\n', n.wish, n.follow_up), n.marked_names
         FROM page p JOIN rep_notes n ON n.id = p.id WHERE p.kind = 'rep_note'
       ORDER BY 1`,
      params,
    );
  }

  /** Whether the query has a word left to search for after the english stop words ("the" alone has none). */
  async searchable(q: string): Promise<boolean> {
    const [row] = await this.db.query(`SELECT numnode(websearch_to_tsquery('english', $1)) > 0 AS ok`, [q]);
    return row.ok;
  }

  /**
   * ts_headline snippets of texts that are already redacted, matched words between « and », one per text
   * in order: up to two fragments of about a dozen words joined by " … ".
   */
  async headlines(texts: string[], q: string): Promise<string[]> {
    if (texts.length === 0) return [];
    const rows: { h: string }[] = await this.db.query(
      `SELECT ts_headline('english', t.txt, websearch_to_tsquery('english', $2),
                          'StartSel=«, StopSel=», MaxFragments=2, MaxWords=18, MinWords=6, ShortWord=2, FragmentDelimiter=" … "') AS h
         FROM unnest($1::text[]) WITH ORDINALITY t(txt, i) ORDER BY t.i`,
      [texts, q],
    );
    return rows.map((r) => r.h);
  }
}
