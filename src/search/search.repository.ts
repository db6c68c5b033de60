import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

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

export interface SearchAfter {
  score: number;
  kind: 'form' | 'rep_note';
  id: string;
}

export interface SearchHitRow {
  kind: 'form' | 'rep_note';
  id: string;
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

/** Rank as an integer (ts_rank x 1e6, rounded), so a cursor can carry it exactly. */
const SCORE = (v: string) => `round(ts_rank(${v}, websearch_to_tsquery('english', $1)) * 1000000)::bigint`;

@Injectable()
export class SearchRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * One page of matches, best first (score, then forms before rep notes, then id): submitted forms (not
   * withdrawn: the rows of observation_search) and submitted rep notes whose tsvector matches websearch_to_tsquery('english', q). Rep notes
   * have no theme, segment or mode, so those filters leave them out. Texts come raw: the caller redacts.
   */
  async page(f: SearchFilters, after: SearchAfter | undefined, limit: number): Promise<SearchHitRow[]> {
    const notes = !f.themeId && !f.segment && !f.mode;
    const params: unknown[] = [f.q, f.programId ?? null, f.periodId ?? null, f.themeId ?? null, f.segment ?? null, f.mode ?? null, limit];
    let keyset = '';
    if (after) {
      params.push(after.score, after.kind, after.id);
      keyset = `WHERE h.score < $8 OR (h.score = $8 AND (h.kind, h.id) > ($9::text, $10::uuid))`;
    }
    return this.db.query(
      `WITH seg AS (SELECT COALESCE(s.merged_into, s.id) AS id FROM segments s WHERE s.id::text = $5
                    UNION SELECT COALESCE(s.merged_into, s.id) FROM segment_aliases a JOIN segments s ON s.id = a.segment_id WHERE a.key = segment_key($5)),
            h AS (
              SELECT 'form'::text AS kind, os.observation_id AS id, ${SCORE('os.tsv')} AS score
                FROM observation_search os ${notes ? '' : 'JOIN observations o ON o.id = os.observation_id'}
               WHERE os.tsv @@ websearch_to_tsquery('english', $1)
                 AND ($2::uuid IS NULL OR os.program_id = $2::uuid)
                 AND ($3::uuid IS NULL OR os.period_id = $3::uuid)
                 ${
                   notes
                     ? 'AND $4::uuid IS NULL AND $5::text IS NULL AND $6::text IS NULL'
                     : `AND ($4::uuid IS NULL OR EXISTS (
                       SELECT 1 FROM observation_themes ot JOIN theme_canonical c ON c.theme_id = ot.theme_id
                        WHERE ot.observation_id = o.id AND c.canonical_id = (SELECT COALESCE(merged_into, id) FROM themes WHERE id = $4::uuid)))
                 AND ($5::text IS NULL OR EXISTS (
                       SELECT 1 FROM segment_aliases a JOIN segments s ON s.id = a.segment_id
                        WHERE a.key = segment_key(o.answers->>'segment') AND COALESCE(s.merged_into, s.id) IN (SELECT id FROM seg))
                       OR (NOT EXISTS (SELECT 1 FROM seg) AND segment_key(o.answers->>'segment') = segment_key($5)))
                 AND ($6::text IS NULL OR o.answers->>'mode' = $6)`
                 }
              ${
                notes
                  ? `UNION ALL
              SELECT 'rep_note', n.id, ${SCORE('n.search_tsv')}
                FROM rep_notes n
               WHERE n.search_tsv @@ websearch_to_tsquery('english', $1) AND n.status = 'submitted'
                 AND ($2::uuid IS NULL OR n.program_id = $2::uuid)
                 AND ($3::uuid IS NULL OR n.period_id = $3::uuid)`
                  : ''
              }),
            page AS (SELECT * FROM h ${keyset} ORDER BY h.score DESC, h.kind, h.id LIMIT $7)
       SELECT p.kind, p.id, p.score, o.program_id, o.period_id, o.author_id, o.session_ended_at AS at, o.answers->>'mode' AS mode, o.answers->>'segment' AS segment,
              COALESCE(array_to_string(ARRAY(SELECT jsonb_array_elements_text(${FORM_TEXT})), E'\\n'), '') AS text, o.marked_names
         FROM page p JOIN observations o ON o.id = p.id WHERE p.kind = 'form'
       UNION ALL
       SELECT p.kind, p.id, p.score, n.program_id, n.period_id, n.rep_id, n.session_ended_at, NULL, NULL, concat_ws(E'\\n', n.wish, n.follow_up), n.marked_names
         FROM page p JOIN rep_notes n ON n.id = p.id WHERE p.kind = 'rep_note'
       ORDER BY 3 DESC, 1, 2`,
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
