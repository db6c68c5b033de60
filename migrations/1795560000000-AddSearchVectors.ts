import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search over submitted forms and rep notes (PostgreSQL text search, `english` configuration):
 * - `observations.search_tsv`: a generated tsvector over the form's free text (empathy map, pain points,
 *   quote texts, ideas, moments, negative feedback, focus finding, what the rep lacked and the follow-up,
 *   custom questions). Not the segment, account, intros or quote speakers (people's names). Each answer is
 *   its own element, so a phrase never spans two answers.
 * - `rep_notes.search_tsv`: over the wish and the follow-up.
 * Each with a GIN index. Generated columns stay in step with every write; nothing else maintains them.
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
    await q.query(
      `ALTER TABLE rep_notes ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(wish, '') || ' ' || COALESCE(follow_up, ''))) STORED`,
    );
    await q.query(`CREATE INDEX rep_notes_search_idx ON rep_notes USING gin (search_tsv)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX rep_notes_search_idx`);
    await q.query(`ALTER TABLE rep_notes DROP COLUMN search_tsv`);
    await q.query(`DROP INDEX observations_search_idx`);
    await q.query(`ALTER TABLE observations DROP COLUMN search_tsv`);
  }
}
