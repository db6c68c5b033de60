import { MigrationInterface, QueryRunner } from 'typeorm';

/** One rollup per program and window, stored once (the unique key) and emailed once (outbox dedupe keys). */
export class CreateRollups1795370000000 implements MigrationInterface {
  name = 'CreateRollups1795370000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rollups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        program_id uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
        period_id uuid REFERENCES periods(id),
        window_from timestamptz NOT NULL,
        window_to timestamptz NOT NULL,
        kind text NOT NULL CHECK (kind IN ('period', 'weekly', 'custom')),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready')),
        report jsonb,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        generated_at timestamptz,
        CONSTRAINT rollups_window_key UNIQUE (program_id, window_from, window_to),
        CONSTRAINT rollups_window_ordered CHECK (window_to > window_from),
        CONSTRAINT rollups_ready_has_report CHECK ((status = 'ready') = (report IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX observations_program_session_idx ON observations (program_id, session_ended_at) WHERE status = 'submitted'`);
    // The customer's company, normalised once at write time, so counting distinct accounts reads no answer documents.
    await q.query(`ALTER TABLE observations ADD COLUMN account_key text GENERATED ALWAYS AS (NULLIF(lower(btrim(answers->>'account')), '')) STORED`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE observations DROP COLUMN account_key`);
    await q.query(`DROP INDEX observations_program_session_idx`);
    await q.query(`DROP TABLE rollups`);
  }
}
