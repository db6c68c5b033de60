import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ExactIdeas } from './idea-groups.js';

/**
 * The window's improvement ideas, grouped in SQL by category and english lexeme set (PostgreSQL's
 * to_tsvector('english'): the Snowball stemmer and stop words, so "More dark mode!" and "dark modes" meet),
 * with per-observer form counts. idea-groups.ts then joins near-duplicate sets.
 */
@Injectable()
export class IdeasRepository {
  /**
   * Up to `perCategory` exact groups per category (most observers first), each with its representative
   * text (the wording most observers used), one author of it and the marked names of every form that used
   * it (so redacting the text with them is safe whichever form it came from), and the number of submitted
   * forms of every observer in the window.
   */
  async exactGroups(m: EntityManager, programId: string, from: Date, to: Date, perCategory: number): Promise<{ exact: ExactIdeas[]; formsOf: Map<string, number> }> {
    const [row] = await m.query(
      `WITH obs AS MATERIALIZED (
              SELECT o.id, o.author_id, o.answers->'ideas' AS ideas, o.marked_names FROM observations o
               WHERE o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL AND o.session_ended_at >= $2 AND o.session_ended_at < $3),
            items AS (
              SELECT o.id, o.author_id, o.marked_names, COALESCE(i->>'category', 'other') AS category, btrim(i->>'text') AS text
                FROM obs o CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(o.ideas) = 'array' THEN o.ideas ELSE '[]' END) i
               WHERE jsonb_typeof(i) = 'object' AND jsonb_typeof(i->'text') = 'string' AND length(btrim(i->>'text')) > 0),
            -- One row per wording and observer: an observer repeating a wording is one row.
            by_author AS (
              SELECT category, text, author_id, count(DISTINCT id)::int AS forms, count(*)::int AS n,
                     jsonb_agg(marked_names) FILTER (WHERE cardinality(marked_names) > 0) AS marked
                FROM items GROUP BY category, text, author_id),
            -- One row per wording, with its lexemes (one to_tsvector call per distinct wording) and its observers.
            wordings AS (
              SELECT category, text, tsvector_to_array(to_tsvector('english', text)) AS lexemes, sum(n)::int AS n, count(*)::int AS observers,
                     min(author_id::text) AS author_id, jsonb_agg(marked) FILTER (WHERE marked IS NOT NULL) AS marked,
                     jsonb_agg(jsonb_build_array(author_id, forms)) AS authors
                FROM by_author GROUP BY category, text),
            keyed AS (
              SELECT wordings.*, CASE WHEN cardinality(lexemes) > 0 THEN array_to_string(lexemes, ' ') ELSE '=' || lower(text) END AS key FROM wordings),
            -- Wordings with the same lexemes are one exact group (no join: a join of aggregates misleads the planner's estimates at scale).
            exact AS (
              SELECT category, key, min(lexemes) AS lexemes, sum(n)::int AS count, sum(observers)::int AS observers_max,
                     (array_agg(json_build_object('text', text, 'authorId', author_id, 'marked', marked) ORDER BY observers DESC, n DESC, length(text), text))[1] AS rep,
                     jsonb_agg(authors) AS authors
                FROM keyed GROUP BY category, key),
            top AS (
              SELECT exact.*, row_number() OVER (PARTITION BY category ORDER BY observers_max DESC, count DESC, key) AS rn FROM exact)
       SELECT
         (SELECT COALESCE(json_agg(json_build_object('category', category, 'lexemes', lexemes, 'text', rep->>'text', 'authorId', rep->'authorId',
                   'marked', rep->'marked', 'count', count, 'authors', authors) ORDER BY category, rn), '[]')
            FROM top WHERE rn <= $4) AS exact,
         (SELECT COALESCE(json_agg(json_build_object('authorId', author_id, 'forms', n)), '[]')
            FROM (SELECT author_id, count(*)::int AS n FROM obs GROUP BY author_id) p) AS forms`,
      [programId, from.toISOString(), to.toISOString(), perCategory],
    );
    const r = row as { exact: (Omit<ExactIdeas, 'marked' | 'authors'> & { marked: unknown; authors: [string, number][][] })[]; forms: { authorId: string; forms: number }[] };
    // Marked names of every form that used the representative wording (nested per observer and form): all are redacted.
    const names = (x: unknown): string[] => (Array.isArray(x) ? x.flat(3).filter((n): n is string => typeof n === 'string') : []);
    const exact = r.exact.map((e): ExactIdeas => {
      // Each wording's [observer, forms] pairs, summed per observer across the group's wordings.
      const forms = new Map<string, number>();
      for (const [authorId, f] of e.authors.flat()) forms.set(authorId, (forms.get(authorId) ?? 0) + f);
      return { ...e, marked: [...new Set(names(e.marked))], authors: [...forms].map(([authorId, f]) => ({ authorId, forms: f })) };
    });
    return { exact, formsOf: new Map(r.forms.map((f) => [f.authorId, f.forms])) };
  }

  /** The first `cap` ideas as written (no grouping): what the rollup lists when grouping failed. */
  asWritten(m: EntityManager, programId: string, from: Date, to: Date, cap: number): Promise<{ category: string; text: string; authorId: string; marked: string[] }[]> {
    return m.query(
      `SELECT COALESCE(i->>'category', 'other') AS category, i->>'text' AS text, o.author_id AS "authorId", o.marked_names AS marked
         FROM observations o CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(o.answers->'ideas') = 'array' THEN o.answers->'ideas' ELSE '[]' END) i
        WHERE o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL AND o.session_ended_at >= $2 AND o.session_ended_at < $3
          AND jsonb_typeof(i) = 'object' AND jsonb_typeof(i->'text') = 'string' AND length(btrim(i->>'text')) > 0
        LIMIT $4`,
      [programId, from.toISOString(), to.toISOString(), cap],
    );
  }
}
