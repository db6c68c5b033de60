import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search ranks the newest matches (src/search/search.repository.ts): `observation_search.at` is when the
 * form's session ended, with indexes that walk a scope (everything, a program, a period) newest first, so a
 * common query finds its newest matches by reading a few thousand rows instead of every match.
 */
export class AddSearchRecency1795590000000 implements MigrationInterface {
  name = 'AddSearchRecency1795590000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE observation_search ADD COLUMN at timestamptz`);
    await q.query(`UPDATE observation_search os SET at = o.session_ended_at FROM observations o WHERE o.id = os.observation_id`);
    await q.query(`ALTER TABLE observation_search ALTER COLUMN at SET NOT NULL`);
    await q.query(`CREATE INDEX observation_search_at_idx ON observation_search (at DESC, observation_id DESC)`);
    await q.query(`CREATE INDEX observation_search_program_at_idx ON observation_search (program_id, at DESC, observation_id DESC)`);
    await q.query(`CREATE INDEX observation_search_period_at_idx ON observation_search (period_id, at DESC, observation_id DESC)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION observation_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'submitted' AND NEW.withdrawn_at IS NULL THEN
          INSERT INTO observation_search (observation_id, program_id, period_id, at, tsv) VALUES (NEW.id, NEW.program_id, NEW.period_id, NEW.session_ended_at, NEW.search_tsv)
            ON CONFLICT (observation_id) DO UPDATE SET program_id = EXCLUDED.program_id, period_id = EXCLUDED.period_id, at = EXCLUDED.at, tsv = EXCLUDED.tsv;
        ELSIF TG_OP = 'UPDATE' THEN
          DELETE FROM observation_search WHERE observation_id = NEW.id;
        END IF;
        RETURN NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION observation_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'submitted' AND NEW.withdrawn_at IS NULL THEN
          INSERT INTO observation_search (observation_id, program_id, period_id, tsv) VALUES (NEW.id, NEW.program_id, NEW.period_id, NEW.search_tsv)
            ON CONFLICT (observation_id) DO UPDATE SET program_id = EXCLUDED.program_id, period_id = EXCLUDED.period_id, tsv = EXCLUDED.tsv;
        ELSIF TG_OP = 'UPDATE' THEN
          DELETE FROM observation_search WHERE observation_id = NEW.id;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`DROP INDEX observation_search_period_at_idx`);
    await q.query(`DROP INDEX observation_search_program_at_idx`);
    await q.query(`DROP INDEX observation_search_at_idx`);
    await q.query(`ALTER TABLE observation_search DROP COLUMN at`);
  }
}
