import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Support-shift rotations: weekly shift templates (local wall-clock times in a zone), the dated
 * assignments made from them, and marketers' time off. PostgreSQL owns the invariants that span rows:
 * - a marketer is never on two overlapping live (non-cancelled) shifts (gist exclusion);
 * - a marketer holds a given shift at most once among live rows (partial unique index).
 * Shift capacity spans rows: it is serialised by advisory locks per shift key (see RotationsService).
 */
export class CreateRotations1795380000000 implements MigrationInterface {
  name = 'CreateRotations1795380000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE shift_templates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        program_id uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
        weekday int NOT NULL CHECK (weekday BETWEEN 1 AND 7),
        start_time text NOT NULL CHECK (start_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
        end_time text NOT NULL CHECK (end_time ~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$'),
        time_zone text NOT NULL,
        queue text NOT NULL CHECK (length(queue) BETWEEN 1 AND 100),
        capacity int NOT NULL CHECK (capacity BETWEEN 1 AND 100),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT shift_templates_end_after_start CHECK (end_time > start_time)
      )`);
    await q.query(`CREATE INDEX shift_templates_program_idx ON shift_templates (program_id)`);
    await q.query(`
      CREATE TABLE shift_assignments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        period_id uuid NOT NULL REFERENCES periods(id) ON DELETE CASCADE,
        template_id uuid NOT NULL REFERENCES shift_templates(id) ON DELETE CASCADE,
        shift_key text NOT NULL,
        shift_date date NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        marketer_id uuid NOT NULL REFERENCES users(id),
        status text NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled', 'completed')),
        uid text NOT NULL,
        sequence int NOT NULL DEFAULT 0 CHECK (sequence >= 0),
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT shift_assignments_uid_key UNIQUE (uid),
        CONSTRAINT shift_assignments_ends_after_starts CHECK (ends_at > starts_at),
        CONSTRAINT shift_assignments_marketer_one_place
          EXCLUDE USING gist (marketer_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status <> 'cancelled')
      )`);
    await q.query(`CREATE UNIQUE INDEX shift_assignments_one_per_shift ON shift_assignments (shift_key, marketer_id) WHERE status <> 'cancelled'`);
    await q.query(`CREATE INDEX shift_assignments_period_idx ON shift_assignments (period_id, starts_at)`);
    await q.query(`CREATE INDEX shift_assignments_marketer_idx ON shift_assignments (marketer_id, starts_at)`);
    await q.query(`
      CREATE TABLE time_off (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        reason text CHECK (reason IS NULL OR length(reason) <= 1000),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT time_off_ends_after_starts CHECK (ends_at > starts_at)
      )`);
    await q.query(`CREATE INDEX time_off_user_idx ON time_off (user_id, starts_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE time_off`);
    await q.query(`DROP TABLE shift_assignments`);
    await q.query(`DROP TABLE shift_templates`);
  }
}
