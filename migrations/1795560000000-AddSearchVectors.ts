import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search over submitted forms and rep notes (PostgreSQL text search, `english` configuration):
 * - `observations.search_tsv`: a generated tsvector over the form's free text (empathy map, pain points,
 *   quote texts, ideas, moments, negative feedback, focus finding, what the rep lacked and the follow-up,
 *   custom questions). Not the segment, account, intros or quote speakers (people's names). Each answer is
 *   its own element, so a phrase never spans two answers.
 * - `rep_notes.search_tsv`: over the wish and the follow-up.
 * Each with a GIN index. Generated columns stay in step with every write.
 * - `observation_search`: the searchable forms' vectors (narrow rows, GIN), kept by a trigger on observations.
 */
export class AddSearchVectors1795560000000 implements MigrationInterface {
  name = 'AddSearchVectors1795560000000';

  async up(q: QueryRunner): Promise<void> {
    const paths = [
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
    ];
    const text = paths.map((p) => `jsonb_path_query_array(answers, '${p}')`).join(' || ');
    await q.query(`ALTER TABLE observations ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, ${text})) STORED`);
    await q.query(`CREATE INDEX observations_search_idx ON observations USING gin (search_tsv)`);
    // The searchable forms (submitted, not withdrawn) as narrow rows kept by a trigger: ranking reads a
    // vector per match, and on this table twenty rows share a page rather than nine (about 2-3x less to read
    // for a query matching thousands of forms).
    await q.query(`
      CREATE TABLE observation_search (
        observation_id uuid PRIMARY KEY REFERENCES observations(id) ON DELETE CASCADE,
        program_id uuid NOT NULL,
        period_id uuid NOT NULL,
        tsv tsvector NOT NULL
      )`);
    await q.query(`CREATE INDEX observation_search_tsv_idx ON observation_search USING gin (tsv)`);
    await q.query(`
      CREATE FUNCTION observation_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'submitted' AND NEW.withdrawn_at IS NULL THEN
          INSERT INTO observation_search (observation_id, program_id, period_id, tsv) VALUES (NEW.id, NEW.program_id, NEW.period_id, NEW.search_tsv)
            ON CONFLICT (observation_id) DO UPDATE SET program_id = EXCLUDED.program_id, period_id = EXCLUDED.period_id, tsv = EXCLUDED.tsv;
        ELSIF TG_OP = 'UPDATE' THEN
          DELETE FROM observation_search WHERE observation_id = NEW.id;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER observation_search_sync AFTER INSERT OR UPDATE ON observations FOR EACH ROW EXECUTE FUNCTION observation_search_sync()`);
    await q.query(
      `INSERT INTO observation_search (observation_id, program_id, period_id, tsv)
       SELECT id, program_id, period_id, search_tsv FROM observations WHERE status = 'submitted' AND withdrawn_at IS NULL`,
    );
    await q.query(
      `ALTER TABLE rep_notes ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(wish, '') || ' ' || COALESCE(follow_up, ''))) STORED`,
    );
    await q.query(`CREATE INDEX rep_notes_search_idx ON rep_notes USING gin (search_tsv)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX rep_notes_search_idx`);
    await q.query(`ALTER TABLE rep_notes DROP COLUMN search_tsv`);
    await q.query(`DROP TRIGGER observation_search_sync ON observations`);
    await q.query(`DROP FUNCTION observation_search_sync()`);
    await q.query(`DROP TABLE observation_search`);
    await q.query(`DROP INDEX observations_search_idx`);
    await q.query(`ALTER TABLE observations DROP COLUMN search_tsv`);
  }
}
