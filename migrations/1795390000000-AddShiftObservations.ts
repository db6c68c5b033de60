import { MigrationInterface, QueryRunner } from 'typeorm';

/** A completed support shift opens an observation form like a completed booking does. */
export class AddShiftObservations1795390000000 implements MigrationInterface {
  name = 'AddShiftObservations1795390000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE observations ADD COLUMN shift_assignment_id uuid REFERENCES shift_assignments(id)`);
    await q.query(`ALTER TABLE observations ADD CONSTRAINT observations_shift_key UNIQUE (shift_assignment_id)`);
    await q.query(`ALTER TABLE observations ADD CONSTRAINT observations_one_session CHECK (num_nonnulls(booking_id, shift_assignment_id) <= 1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE observations DROP CONSTRAINT observations_one_session`);
    await q.query(`ALTER TABLE observations DROP CONSTRAINT observations_shift_key`);
    await q.query(`ALTER TABLE observations DROP COLUMN shift_assignment_id`);
  }
}
