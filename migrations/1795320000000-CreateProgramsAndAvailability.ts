import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProgramsAndAvailability1795320000000 implements MigrationInterface {
  name = 'CreateProgramsAndAvailability1795320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`
      CREATE TABLE programs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
        kind text NOT NULL CHECK (kind IN ('call_shadowing', 'support_rotation')),
        time_zone text NOT NULL,
        settings jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // No two periods of one program overlap: PostgreSQL enforces it, not only a check before the insert.
    await q.query(`
      CREATE TABLE periods (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        program_id uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        focus text,
        status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'open', 'closed', 'rolled_up')),
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT periods_dates_ordered CHECK (ends_on >= starts_on),
        CONSTRAINT periods_no_overlap EXCLUDE USING gist (program_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&)
      )`);
    await q.query(`
      CREATE TABLE roster_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        period_id uuid NOT NULL REFERENCES periods(id) ON DELETE CASCADE,
        rep_id uuid NOT NULL REFERENCES users(id),
        status text NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'active', 'declined', 'removed')),
        invited_at timestamptz NOT NULL DEFAULT now(),
        responded_at timestamptz,
        CONSTRAINT roster_entries_period_rep_key UNIQUE (period_id, rep_id)
      )`);
    await q.query(`CREATE INDEX roster_entries_rep_idx ON roster_entries (rep_id)`);
    await q.query(`
      CREATE TABLE enrollments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        period_id uuid NOT NULL REFERENCES periods(id) ON DELETE CASCADE,
        marketer_id uuid NOT NULL REFERENCES users(id),
        quota int NOT NULL CHECK (quota BETWEEN 0 AND 1000),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT enrollments_period_marketer_key UNIQUE (period_id, marketer_id)
      )`);
    await q.query(`CREATE INDEX enrollments_marketer_idx ON enrollments (marketer_id)`);
    // Weekly windows are local wall-clock times in the rep's zone; expanded per date, never stored as instants.
    await q.query(`
      CREATE TABLE availability (
        rep_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        time_zone text NOT NULL,
        weekly jsonb NOT NULL DEFAULT '[]',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE availability_overrides (
        rep_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        on_date date NOT NULL,
        windows jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (rep_id, on_date)
      )`);
    // The seam the slot search reads busy time from; the booking engine adds its rules and columns.
    await q.query(`
      CREATE TABLE bookings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        period_id uuid NOT NULL REFERENCES periods(id),
        rep_id uuid NOT NULL REFERENCES users(id),
        marketer_id uuid NOT NULL REFERENCES users(id),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled', 'completed', 'no_show')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT bookings_times_ordered CHECK (ends_at > starts_at)
      )`);
    await q.query(`CREATE INDEX bookings_rep_time_idx ON bookings USING gist (rep_id, tstzrange(starts_at, ends_at)) WHERE status <> 'cancelled'`);
    await q.query(`CREATE INDEX bookings_marketer_time_idx ON bookings USING gist (marketer_id, tstzrange(starts_at, ends_at)) WHERE status <> 'cancelled'`);
    await q.query(`CREATE INDEX bookings_period_marketer_idx ON bookings (period_id, marketer_id) WHERE status <> 'cancelled'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE bookings`);
    await q.query(`DROP TABLE availability_overrides`);
    await q.query(`DROP TABLE availability`);
    await q.query(`DROP TABLE enrollments`);
    await q.query(`DROP TABLE roster_entries`);
    await q.query(`DROP TABLE periods`);
    await q.query(`DROP TABLE programs`);
    await q.query(`DROP EXTENSION IF EXISTS btree_gist`);
  }
}
