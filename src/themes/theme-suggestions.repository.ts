import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * The free text of a form as one jsonb array of strings: the empathy map, pain points, quotes (not who
 * said them), ideas, moments, negative feedback, the focus finding, what the rep lacked and how they
 * followed up, and the lifecycle team's custom questions. Not the segment, the account, intros (people's
 * names) or theme names. Each element is parsed on its own, so no phrase spans two answers.
 */
export const FREE_TEXT = (o: string) =>
  [
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
    .map((p) => `jsonb_path_query_array(${o}.answers, '${p}')`)
    .join(' || ');

/** At most this many stop words (or other skipped tokens) between two words of a phrase ("export to the csv"). */
export const MAX_GAP = 3;

/**
 * Phrases of each form of `obs` (a CTE with id, author_id): english lexemes (PostgreSQL's `english` text
 * search configuration: Snowball stemmer, stop words removed) of two and three consecutive words within one
 * answer, stop words between them allowed up to MAX_GAP positions; only words of letters (no numbers,
 * emails, URLs). One row per (phrase, form) with the first answer it occurs in.
 */
const occurrences = (obs: string) => `
  toks AS (
    SELECT o.id, o.author_id, v.part, t.lexeme, p.pos
      FROM ${obs} o JOIN observations x ON x.id = o.id
     CROSS JOIN LATERAL jsonb_array_elements_text(${FREE_TEXT('x')}) WITH ORDINALITY v(txt, part)
     CROSS JOIN LATERAL unnest(to_tsvector('english', v.txt)) t
     CROSS JOIN LATERAL unnest(t.positions) p(pos)),
  seq AS (
    SELECT id, author_id, part, lexeme AS l0, pos AS p0,
           lead(lexeme) OVER w AS l1, lead(pos) OVER w AS p1, lead(lexeme, 2) OVER w AS l2, lead(pos, 2) OVER w AS p2
      FROM toks WINDOW w AS (PARTITION BY id, part ORDER BY pos)),
  grams AS (
    SELECT id, author_id, part, l0 || ' ' || l1 AS phrase FROM seq
     WHERE p1 - p0 <= ${MAX_GAP} AND l0 <> l1 AND l0 ~ '^[[:alpha:]]{2,}$' AND l1 ~ '^[[:alpha:]]{2,}$'
    UNION ALL
    SELECT id, author_id, part, l0 || ' ' || l1 || ' ' || l2 FROM seq
     WHERE p1 - p0 <= ${MAX_GAP} AND p2 - p1 <= ${MAX_GAP} AND l0 <> l1 AND l1 <> l2
       AND l0 ~ '^[[:alpha:]]{2,}$' AND l1 ~ '^[[:alpha:]]{2,}$' AND l2 ~ '^[[:alpha:]]{2,}$'),
  occ AS (SELECT phrase, id, min(author_id::text)::uuid AS author_id, min(part) AS part FROM grams GROUP BY phrase, id)`;

/** The english lexemes of the (canonical) themes each form carries: a phrase all of whose lexemes are among them is covered. */
const themeLexemes = (obs: string) => `
  form_lex AS (
    SELECT ot.observation_id AS id, array_agg(DISTINCT l) AS lex
      FROM ${obs} o JOIN observation_themes ot ON ot.observation_id = o.id
      JOIN theme_canonical c ON c.theme_id = ot.theme_id JOIN themes th ON th.id = c.canonical_id
     CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('english', th.name || ' ' || COALESCE(th.description, '')))) l
     GROUP BY ot.observation_id)`;

export interface PhraseRow {
  phrase: string;
  observers: number;
  forms: number;
  weight: number;
  /** One form per observer (up to 6): where the snippets come from. */
  samples: { id: string; author: string; part: number }[];
}

export interface SnippetRow {
  id: string;
  author_id: string;
  marked_names: string[];
  headline: string;
}

export interface AcceptanceRow {
  id: string;
  program_id: string;
  phrase: string;
  theme_id: string;
  theme_name: string;
  created_theme: boolean;
  tagged: number;
  accepted_by: string | null;
  accepted_at: Date;
  undone_at: Date | null;
}

/** Queries for suggested themes: phrase discovery, snippets, dismissals, acceptances and their tags. */
@Injectable()
export class ThemeSuggestionsRepository {
  /**
   * Phrases in the free text of the program's submitted forms of sessions that ended in [from, to) that
   * `minObservers` or more distinct observers wrote in forms not covered by a theme they carry, and that
   * the program has not dismissed or accepted. Per observer: `observers` counts distinct authors; `weight`
   * sums, over the forms, 1 / that author's forms in the window (each observer's forms share one unit).
   */
  phrases(m: EntityManager, programId: string, from: Date, to: Date, minObservers: number, limit: number): Promise<PhraseRow[]> {
    return m.query(
      `WITH obs AS MATERIALIZED (
              SELECT o.id, o.author_id FROM observations o
               WHERE o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL AND o.session_ended_at >= $2 AND o.session_ended_at < $3),
            per_author AS (SELECT author_id, count(*)::float8 AS n FROM obs GROUP BY author_id),
            ${occurrences('obs')},
            cand AS MATERIALIZED (
              SELECT phrase FROM occ GROUP BY phrase HAVING count(DISTINCT author_id) >= $4
              EXCEPT SELECT phrase FROM theme_suggestion_dismissals WHERE program_id = $1
              EXCEPT SELECT phrase FROM theme_suggestion_acceptances WHERE program_id = $1 AND undone_at IS NULL),
            ${themeLexemes('obs')},
            open AS (
              SELECT occ.* FROM occ JOIN cand USING (phrase) LEFT JOIN form_lex f ON f.id = occ.id
               WHERE f.lex IS NULL OR NOT (string_to_array(occ.phrase, ' ') <@ f.lex)),
            picked AS (
              SELECT DISTINCT ON (phrase, author_id) phrase, id, author_id, part FROM open ORDER BY phrase, author_id, id)
       SELECT g.phrase, g.observers, g.forms, g.weight,
              (SELECT json_agg(json_build_object('id', p.id, 'author', p.author_id, 'part', p.part) ORDER BY p.id)
                 FROM (SELECT * FROM picked WHERE picked.phrase = g.phrase ORDER BY id LIMIT 6) p) AS samples
         FROM (SELECT open.phrase, count(DISTINCT open.author_id)::int AS observers, count(*)::int AS forms, sum(1 / pa.n)::float8 AS weight
                 FROM open JOIN per_author pa USING (author_id) GROUP BY open.phrase HAVING count(DISTINCT open.author_id) >= $4) g
        ORDER BY g.observers DESC, g.weight DESC, g.phrase
        LIMIT $5`,
      [programId, from.toISOString(), to.toISOString(), minObservers, limit],
    );
  }

  /**
   * The answer `part` of each form with the phrase's words marked by \u0001 … \u0002 (ts_headline over the
   * english configuration, a fragment around them). Not redacted: the caller redacts.
   */
  snippets(m: EntityManager, picks: { id: string; part: number; phrase: string }[]): Promise<(SnippetRow & { phrase: string; part: number })[]> {
    if (!picks.length) return Promise.resolve([]);
    return m.query(
      `SELECT p.phrase, p.part, x.id, x.author_id, x.marked_names,
              ts_headline('english', v.txt, (SELECT string_agg(quote_literal(l), ' & ')::tsquery FROM unnest(string_to_array(p.phrase, ' ')) l),
                          'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=30, MinWords=12, ShortWord=2, HighlightAll=false') AS headline
         FROM jsonb_to_recordset($1::jsonb) AS p(id uuid, part int, phrase text)
         JOIN observations x ON x.id = p.id
        CROSS JOIN LATERAL jsonb_array_elements_text(${FREE_TEXT('x')}) WITH ORDINALITY v(txt, part)
        WHERE v.part = p.part`,
      [JSON.stringify(picks)],
    );
  }

  /** The program's submitted forms (of the window, when given) whose free text has the phrase, not yet tagged with the theme (or one merged into it). */
  async formsWithPhrase(m: EntityManager, programId: string, phrase: string, themeId: string | null, window: { from: Date; to: Date } | null): Promise<string[]> {
    const lexemes = phrase.split(' ');
    const rows: { id: string }[] = await m.query(
      `WITH obs AS MATERIALIZED (
              SELECT o.id, o.author_id FROM observations o
               WHERE o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL
                 AND ($3::timestamptz IS NULL OR o.session_ended_at >= $3) AND ($4::timestamptz IS NULL OR o.session_ended_at < $4)
                 AND to_tsvector('english', ${FREE_TEXT('o')}) @@ (SELECT string_agg(quote_literal(l), ' & ')::tsquery FROM unnest($5::text[]) l)
                 AND NOT EXISTS (SELECT 1 FROM observation_themes ot JOIN theme_canonical c ON c.theme_id = ot.theme_id
                                  WHERE ot.observation_id = o.id AND c.canonical_id = $6)),
            ${occurrences('obs')}
       SELECT DISTINCT id FROM occ WHERE phrase = $2 ORDER BY id`,
      [programId, phrase, window?.from.toISOString() ?? null, window?.to.toISOString() ?? null, lexemes, themeId],
    );
    return rows.map((r) => r.id);
  }

  async tag(m: EntityManager, themeId: string, ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const rows: { observation_id: string }[] = await m.query(
      `INSERT INTO observation_themes (observation_id, theme_id) SELECT unnest($1::uuid[]), $2 ON CONFLICT DO NOTHING RETURNING observation_id`,
      [ids, themeId],
    );
    return rows.map((r) => r.observation_id).sort();
  }

  async untag(m: EntityManager, themeId: string, ids: string[]): Promise<number> {
    if (!ids.length) return 0;
    const [, n]: [unknown, number] = await m.query(`DELETE FROM observation_themes WHERE theme_id = $1 AND observation_id = ANY($2::uuid[])`, [themeId, ids]);
    return n;
  }

  /** Whether anything other than `exceptIds` is tagged with the theme (or names it elsewhere: actions). */
  async themeUsedElsewhere(m: EntityManager, themeId: string, exceptIds: string[]): Promise<boolean> {
    const [row]: { used: boolean }[] = await m.query(
      `SELECT EXISTS (SELECT 1 FROM observation_themes WHERE theme_id = $1 AND NOT (observation_id = ANY($2::uuid[])))
           OR EXISTS (SELECT 1 FROM themes WHERE parent_id = $1 OR merged_into = $1)
           OR EXISTS (SELECT 1 FROM action_themes WHERE theme_id = $1) AS used`,
      [themeId, exceptIds],
    );
    return row.used;
  }

  async dismiss(m: EntityManager, programId: string, phrase: string, actorId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO theme_suggestion_dismissals (program_id, phrase, dismissed_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING phrase`,
      [programId, phrase, actorId],
    );
    return rows.length > 0;
  }

  async restore(m: EntityManager, programId: string, phrase: string): Promise<boolean> {
    const [, n]: [unknown, number] = await m.query(`DELETE FROM theme_suggestion_dismissals WHERE program_id = $1 AND phrase = $2`, [programId, phrase]);
    return n > 0;
  }

  dismissals(m: EntityManager, programId: string): Promise<{ phrase: string; dismissed_by: string | null; dismissed_at: Date }[]> {
    return m.query(`SELECT phrase, dismissed_by, dismissed_at FROM theme_suggestion_dismissals WHERE program_id = $1 ORDER BY dismissed_at DESC, phrase LIMIT 200`, [programId]);
  }

  async insertAcceptance(m: EntityManager, a: { programId: string; phrase: string; themeId: string; createdTheme: boolean; tagged: string[]; actorId: string }): Promise<string> {
    const [row]: { id: string }[] = await m.query(
      `INSERT INTO theme_suggestion_acceptances (program_id, phrase, theme_id, created_theme, tagged, accepted_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [a.programId, a.phrase, a.themeId, a.createdTheme, a.tagged, a.actorId],
    );
    return row.id;
  }

  /** Locks the acceptance row for the rest of the transaction. */
  async acceptanceForUpdate(m: EntityManager, programId: string, id: string): Promise<{ id: string; phrase: string; theme_id: string; created_theme: boolean; tagged: string[]; undone_at: Date | null } | null> {
    const rows = await m.query(
      `SELECT id, phrase, theme_id, created_theme, tagged, undone_at FROM theme_suggestion_acceptances WHERE id = $1 AND program_id = $2 FOR UPDATE`,
      [id, programId],
    );
    return rows[0] ?? null;
  }

  async markUndone(m: EntityManager, id: string, actorId: string): Promise<void> {
    await m.query(`UPDATE theme_suggestion_acceptances SET undone_at = now(), undone_by = $2 WHERE id = $1`, [id, actorId]);
  }

  acceptances(m: EntityManager, programId: string): Promise<AcceptanceRow[]> {
    return m.query(
      `SELECT a.id, a.program_id, a.phrase, a.theme_id, th.name AS theme_name, a.created_theme, cardinality(a.tagged)::int AS tagged, a.accepted_by, a.accepted_at, a.undone_at
         FROM theme_suggestion_acceptances a JOIN themes th ON th.id = a.theme_id
        WHERE a.program_id = $1 ORDER BY a.accepted_at DESC LIMIT 50`,
      [programId],
    );
  }

  async lockPhrase(m: EntityManager, programId: string, phrase: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('ridealong:suggestion:' || $1 || ':' || $2))`, [programId, phrase]);
  }

  programs(m: EntityManager): Promise<{ id: string; name: string; time_zone: string }[]> {
    return m.query(`SELECT id, name, time_zone FROM programs ORDER BY lower(name), id`);
  }

  async programExists(m: EntityManager, programId: string): Promise<{ id: string; time_zone: string } | null> {
    const rows = await m.query(`SELECT id, time_zone FROM programs WHERE id = $1`, [programId]);
    return rows[0] ?? null;
  }
}
