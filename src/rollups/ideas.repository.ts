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
   * text (the wording most observers used; its first form's author and marked names), and the number of
   * submitted forms of every observer in the window.
   */
  async exactGroups(m: EntityManager, programId: string, from: Date, to: Date, perCategory: number): Promise<{ exact: ExactIdeas[]; formsOf: Map<string, number> }> {
    const [row] = await m.query(
      `WITH obs AS MATERIALIZED (
              SELECT o.id, o.author_id, o.answers, o.marked_names FROM observations o
               WHERE o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL AND o.session_ended_at >= $2 AND o.session_ended_at < $3),
            items AS MATERIALIZED (
              SELECT o.id, o.author_id, o.marked_names, COALESCE(i->>'category', 'other') AS category, btrim(i->>'text') AS text,
                     tsvector_to_array(to_tsvector('english', i->>'text')) AS lexemes
                FROM obs o CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(o.answers->'ideas') = 'array' THEN o.answers->'ideas' ELSE '[]' END) i
               WHERE jsonb_typeof(i) = 'object' AND jsonb_typeof(i->'text') = 'string' AND length(btrim(i->>'text')) > 0),
            keyed AS (
              SELECT items.*, CASE WHEN cardinality(lexemes) > 0 THEN array_to_string(lexemes, ' ') ELSE '=' || lower(text) END AS key FROM items),
            exact AS (
              SELECT category, key, min(lexemes) AS lexemes, count(*)::int AS count, count(DISTINCT author_id)::int AS observers
                FROM keyed GROUP BY category, key),
            authors AS (
              SELECT category, key, json_agg(json_build_object('authorId', author_id, 'forms', forms)) AS authors
                FROM (SELECT category, key, author_id, count(DISTINCT id)::int AS forms FROM keyed GROUP BY category, key, author_id) a
               GROUP BY category, key),
            wordings AS (
              SELECT category, key, text, count(DISTINCT author_id) AS observers, count(*) AS n FROM keyed GROUP BY category, key, text),
            rep AS (
              SELECT DISTINCT ON (category, key) category, key, text FROM wordings ORDER BY category, key, observers DESC, n DESC, length(text), text),
            first_form AS (
              SELECT DISTINCT ON (k.category, k.key) k.category, k.key, k.author_id, k.marked_names
                FROM keyed k JOIN rep r ON r.category = k.category AND r.key = k.key AND r.text = k.text
               ORDER BY k.category, k.key, k.id),
            top AS (
              SELECT e.*, row_number() OVER (PARTITION BY e.category ORDER BY e.observers DESC, e.count DESC, e.key) AS rn FROM exact e)
       SELECT
         (SELECT COALESCE(json_agg(json_build_object('category', t.category, 'lexemes', t.lexemes, 'text', r.text, 'authorId', f.author_id,
                   'marked', COALESCE(f.marked_names, '{}'), 'count', t.count, 'authors', a.authors) ORDER BY t.category, t.rn), '[]')
            FROM top t JOIN rep r USING (category, key) JOIN first_form f USING (category, key) JOIN authors a USING (category, key)
           WHERE t.rn <= $4) AS exact,
         (SELECT COALESCE(json_agg(json_build_object('authorId', author_id, 'forms', n)), '[]')
            FROM (SELECT author_id, count(*)::int AS n FROM obs GROUP BY author_id) p) AS forms`,
      [programId, from.toISOString(), to.toISOString(), perCategory],
    );
    const r = row as { exact: ExactIdeas[]; forms: { authorId: string; forms: number }[] };
    return { exact: r.exact, formsOf: new Map(r.forms.map((f) => [f.authorId, f.forms])) };
  }
}
