import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { FREE_TEXT } from './phrases-sql.js';

/** The window's submitted forms of one program (sessions that ended in [from, to)); withdrawn forms count nowhere. */
const OBS = `SELECT o.id, o.author_id FROM observations o
              WHERE o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL AND o.session_ended_at >= $2 AND o.session_ended_at < $3`;

/** The english lexemes of each theme that counts (by the theme it counts as: merged themes take their target's words). */
const THEME_LEXEMES = `tl AS MATERIALIZED (
              SELECT c.theme_id, tsvector_to_array(to_tsvector('english', th.name || ' ' || COALESCE(th.description, ''))) AS lex
                FROM theme_canonical c JOIN themes th ON th.id = c.canonical_id)`;

/** The lexemes of the themes a form carries (needs THEME_LEXEMES): a phrase all of whose lexemes are among them is covered. */
const FORM_LEXEMES = (id: string) =>
  `COALESCE((SELECT array_agg(l) FROM observation_themes ot JOIN tl ON tl.theme_id = ot.theme_id CROSS JOIN unnest(tl.lex) l WHERE ot.observation_id = ${id}), '{}')`;

/** A tsquery matching every lexeme of the phrase (each quoted, so it is not stemmed again). */
const ALL_WORDS = (phrase: string) => `(SELECT string_agg(quote_literal(l), ' & ')::tsquery FROM unnest(string_to_array(${phrase}, ' ')) l)`;

export interface PhraseRow {
  phrase: string;
  observers: number;
  forms: number;
  weight: number;
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
      `WITH obs AS MATERIALIZED (${OBS}),
            per_author AS (SELECT author_id, count(*)::float8 AS n FROM obs GROUP BY author_id),
            ${THEME_LEXEMES},
            -- Each phrase's forms per observer, covered or not.
            written AS (
              SELECT ph.phrase, o.author_id, count(*)::int AS forms
                FROM obs o JOIN observation_phrases p ON p.observation_id = o.id CROSS JOIN LATERAL unnest(p.phrases) ph(phrase)
               GROUP BY ph.phrase, o.author_id),
            -- Only a phrase every word of which some theme has can be covered on a form (checked once per phrase, not per form).
            any_lex AS (SELECT COALESCE(array_agg(DISTINCT l), '{}') AS lex FROM tl CROSS JOIN LATERAL unnest(tl.lex) l),
            coverable AS (SELECT DISTINCT w.phrase FROM written w CROSS JOIN any_lex WHERE string_to_array(w.phrase, ' ') <@ any_lex.lex),
            -- The forms of the window where the themes they carry cover such a phrase (found by the phrase index).
            covered AS (
              SELECT cv.phrase, o.author_id, count(*)::int AS forms
                FROM coverable cv JOIN observation_phrases p ON p.phrases @> ARRAY[cv.phrase] JOIN observations o ON o.id = p.observation_id
               WHERE o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL AND o.session_ended_at >= $2 AND o.session_ended_at < $3
                 AND string_to_array(cv.phrase, ' ') <@ ${FORM_LEXEMES('o.id')}
               GROUP BY cv.phrase, o.author_id),
            pairs AS (
              SELECT w.phrase, w.author_id, w.forms - COALESCE(c.forms, 0) AS forms
                FROM written w LEFT JOIN covered c USING (phrase, author_id)
               WHERE w.forms > COALESCE(c.forms, 0))
       SELECT g.phrase, g.observers, g.forms, g.weight
         FROM (SELECT pairs.phrase, count(*)::int AS observers, sum(pairs.forms)::int AS forms, sum(pairs.forms / pa.n)::float8 AS weight
                 FROM pairs JOIN per_author pa USING (author_id)
                GROUP BY pairs.phrase HAVING count(*) >= $4) g
        WHERE NOT EXISTS (SELECT 1 FROM theme_suggestion_dismissals d WHERE d.program_id = $1 AND d.phrase = g.phrase)
          AND NOT EXISTS (SELECT 1 FROM theme_suggestion_acceptances a WHERE a.program_id = $1 AND a.phrase = g.phrase AND a.undone_at IS NULL)
        ORDER BY g.observers DESC, g.weight DESC, g.phrase
        LIMIT $5`,
      [programId, from.toISOString(), to.toISOString(), minObservers, limit],
    );
  }

  /**
   * For each phrase, up to `per` forms of the window that have it uncovered, each from a different observer:
   * chosen among the first 200 such forms (the GIN index on the phrase arrays finds them), so a phrase that
   * recurs everywhere costs no more than a rare one.
   */
  samples(m: EntityManager, programId: string, from: Date, to: Date, phrases: string[], per: number): Promise<{ phrase: string; id: string; author_id: string }[]> {
    if (!phrases.length) return Promise.resolve([]);
    return m.query(
      `WITH ${THEME_LEXEMES},
            hits AS (
              SELECT ph.phrase, s.id, s.author_id
                FROM unnest($4::text[]) ph(phrase)
               CROSS JOIN LATERAL (
                 SELECT o.id, o.author_id FROM observation_phrases p JOIN observations o ON o.id = p.observation_id
                  WHERE p.phrases @> ARRAY[ph.phrase] AND o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL
                    AND o.session_ended_at >= $2 AND o.session_ended_at < $3
                    AND NOT (string_to_array(ph.phrase, ' ') <@ ${FORM_LEXEMES('o.id')})
                  LIMIT 200) s),
            one AS (SELECT DISTINCT ON (phrase, author_id) phrase, id, author_id FROM hits ORDER BY phrase, author_id, id),
            ranked AS (SELECT one.*, row_number() OVER (PARTITION BY phrase ORDER BY id) AS n FROM one)
       SELECT phrase, id, author_id FROM ranked WHERE n <= $5 ORDER BY phrase, n`,
      [programId, from.toISOString(), to.toISOString(), phrases, per],
    );
  }

  /**
   * For each (form, phrase): the first answer that has every word of the phrase, with those words marked by
   * \u0001 … \u0002 (ts_headline over the english configuration, a fragment around them). Not redacted: the caller redacts.
   */
  snippets(m: EntityManager, picks: { id: string; phrase: string }[]): Promise<(SnippetRow & { phrase: string })[]> {
    if (!picks.length) return Promise.resolve([]);
    return m.query(
      `SELECT p.phrase, x.id, x.author_id, x.marked_names,
              ts_headline('english', v.txt, ${ALL_WORDS('p.phrase')},
                          'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=30, MinWords=12, ShortWord=2, HighlightAll=false') AS headline
         FROM jsonb_to_recordset($1::jsonb) AS p(id uuid, phrase text)
         JOIN observations x ON x.id = p.id
        CROSS JOIN LATERAL (
          SELECT v.txt FROM jsonb_array_elements_text(${FREE_TEXT('x.answers')}) WITH ORDINALITY v(txt, part)
           WHERE to_tsvector('english', v.txt) @@ ${ALL_WORDS('p.phrase')} ORDER BY v.part LIMIT 1) v`,
      [JSON.stringify(picks)],
    );
  }

  /** The program's submitted forms (of the window, when given) whose free text has the phrase, not yet tagged with the theme (or one merged into it). */
  async formsWithPhrase(m: EntityManager, programId: string, phrase: string, themeId: string | null, window: { from: Date; to: Date } | null): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT o.id FROM observations o JOIN observation_phrases p ON p.observation_id = o.id
        WHERE p.phrases @> ARRAY[$2::text] AND o.program_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL
          AND ($3::timestamptz IS NULL OR o.session_ended_at >= $3) AND ($4::timestamptz IS NULL OR o.session_ended_at < $4)
          AND NOT EXISTS (SELECT 1 FROM observation_themes ot JOIN theme_canonical c ON c.theme_id = ot.theme_id
                           WHERE ot.observation_id = o.id AND c.canonical_id = $5)
        ORDER BY o.id`,
      [programId, phrase, window?.from.toISOString() ?? null, window?.to.toISOString() ?? null, themeId],
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
