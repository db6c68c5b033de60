import { MigrationInterface, QueryRunner } from 'typeorm';

// A snapshot (migrations do not import the app): src/themes/phrases-sql.ts keeps FREE_TEXT for snippets.
/**
 * The free text of a form as one jsonb array of strings: the empathy map, pain points, quotes (not who
 * said them), ideas, moments, negative feedback, the focus finding, what the rep lacked and how they
 * followed up, and the lifecycle team's custom questions. Not the segment, the account, intros (people's
 * names) or theme names. Each element is parsed on its own, so no phrase spans two answers.
 */
const FREE_TEXT = (answers: string) =>
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
    .map((p) => `jsonb_path_query_array(${answers}, '${p}')`)
    .join(' || ');

/** At most this many stop words (or other skipped tokens) between two words of a phrase ("export to the csv"). */
const MAX_GAP = 3;

/**
 * The body of `ridealong_form_phrases(answers jsonb) RETURNS text[]`: the distinct phrases of one form,
 * english lexemes of two and three consecutive words within one answer, joined by one space ("export csv",
 * "price page"), stop words between them allowed up to MAX_GAP positions; only words of letters (no
 * numbers, emails or URLs) and no word twice in a row.
 */
const FORM_PHRASES_SQL = `
  WITH toks AS (
    SELECT v.part, t.lexeme, p.pos
      FROM jsonb_array_elements_text(${FREE_TEXT('answers')}) WITH ORDINALITY v(txt, part)
     CROSS JOIN LATERAL unnest(to_tsvector('english', v.txt)) t
     CROSS JOIN LATERAL unnest(t.positions) p(pos)),
  seq AS (
    SELECT lexeme AS l0, pos AS p0, lead(lexeme) OVER w AS l1, lead(pos) OVER w AS p1, lead(lexeme, 2) OVER w AS l2, lead(pos, 2) OVER w AS p2
      FROM toks WINDOW w AS (PARTITION BY part ORDER BY pos)),
  grams AS (
    SELECT l0 || ' ' || l1 AS phrase FROM seq
     WHERE p1 - p0 <= ${MAX_GAP} AND l0 <> l1 AND l0 ~ '^[[:alpha:]]{2,}$' AND l1 ~ '^[[:alpha:]]{2,}$'
    UNION
    SELECT l0 || ' ' || l1 || ' ' || l2 FROM seq
     WHERE p1 - p0 <= ${MAX_GAP} AND p2 - p1 <= ${MAX_GAP} AND l0 <> l1 AND l1 <> l2
       AND l0 ~ '^[[:alpha:]]{2,}$' AND l1 ~ '^[[:alpha:]]{2,}$' AND l2 ~ '^[[:alpha:]]{2,}$')
  SELECT COALESCE(array_agg(phrase ORDER BY phrase), '{}') FROM grams`;


export class CreateThemeSuggestions1795570000000 implements MigrationInterface {
  name = 'CreateThemeSuggestions1795570000000';

  async up(q: QueryRunner): Promise<void> {
    // The phrases of each submitted form's free text (english lexemes of 2 and 3 consecutive words; see
    // src/themes/phrases-sql.ts), kept by a trigger so finding recurring phrases reads arrays, not text.
    await q.query(`CREATE FUNCTION ridealong_form_phrases(answers jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$ ${FORM_PHRASES_SQL} $fn$`);
    await q.query(`
      CREATE TABLE observation_phrases (
        observation_id uuid PRIMARY KEY REFERENCES observations(id) ON DELETE CASCADE,
        phrases text[] NOT NULL
      )`);
    // Finds the forms with one phrase (snippets, accepting a suggestion) without reading every form.
    await q.query(`CREATE INDEX observation_phrases_phrases_idx ON observation_phrases USING gin (phrases)`);
    await q.query(`
      CREATE FUNCTION ridealong_observation_phrases_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF NEW.status = 'submitted' THEN
          INSERT INTO observation_phrases (observation_id, phrases) VALUES (NEW.id, ridealong_form_phrases(NEW.answers))
          ON CONFLICT (observation_id) DO UPDATE SET phrases = EXCLUDED.phrases;
        ELSE
          DELETE FROM observation_phrases WHERE observation_id = NEW.id;
        END IF;
        RETURN NULL;
      END $fn$`);
    await q.query(`
      CREATE TRIGGER observation_phrases_sync AFTER INSERT OR UPDATE OF answers, status ON observations
      FOR EACH ROW EXECUTE FUNCTION ridealong_observation_phrases_sync()`);
    await q.query(`INSERT INTO observation_phrases (observation_id, phrases) SELECT id, ridealong_form_phrases(answers) FROM observations WHERE status = 'submitted'`);
    // A suggested phrase (english lexemes joined by spaces, e.g. 'dark mode') the lifecycle team hid for a program.
    await q.query(`
      CREATE TABLE theme_suggestion_dismissals (
        program_id uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
        phrase text NOT NULL CHECK (length(phrase) BETWEEN 1 AND 200),
        dismissed_by uuid REFERENCES users(id),
        dismissed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (program_id, phrase)
      )`);
    // A suggestion accepted as a theme: which theme (created by it or an existing active one) and exactly which
    // forms it tagged, so undoing it removes those tags and nothing else.
    await q.query(`
      CREATE TABLE theme_suggestion_acceptances (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        program_id uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
        phrase text NOT NULL CHECK (length(phrase) BETWEEN 1 AND 200),
        theme_id uuid NOT NULL REFERENCES themes(id),
        created_theme boolean NOT NULL,
        tagged uuid[] NOT NULL DEFAULT '{}',
        accepted_by uuid REFERENCES users(id),
        accepted_at timestamptz NOT NULL DEFAULT now(),
        undone_by uuid REFERENCES users(id),
        undone_at timestamptz
      )`);
    await q.query(`CREATE INDEX theme_suggestion_acceptances_program_idx ON theme_suggestion_acceptances (program_id, accepted_at DESC)`);
    await q.query(`CREATE UNIQUE INDEX theme_suggestion_acceptances_live_key ON theme_suggestion_acceptances (program_id, phrase) WHERE undone_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE theme_suggestion_acceptances`);
    await q.query(`DROP TABLE theme_suggestion_dismissals`);
    await q.query(`DROP TRIGGER observation_phrases_sync ON observations`);
    await q.query(`DROP FUNCTION ridealong_observation_phrases_sync()`);
    await q.query(`DROP TABLE observation_phrases`);
    await q.query(`DROP FUNCTION ridealong_form_phrases(jsonb)`);
  }
}
