import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One round trip for what a booking reads before the slot check (src/bookings/bookings.repository.ts
 * `lockAndRead`): the advisory locks, then the period with its program, the marketer's person row, the rep's
 * person row with the call's zone and the seats taken on the rep's calls from the requested start. A VOLATILE
 * plpgsql function: every statement in it takes a fresh snapshot (READ COMMITTED), so the reads after
 * PERFORM see what the holders of the locks committed before we got them, as separate statements did.
 */
export class AddBookingLockAndRead1795600000000 implements MigrationInterface {
  name = 'AddBookingLockAndRead1795600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION booking_lock_and_read(keys text[], period uuid, rep uuid, marketer uuid, seats_from timestamptz, seats_to timestamptz)
      RETURNS TABLE (period_row json, program_row json, marketer_row json, rep_row json, seats json)
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM (SELECT k FROM unnest(keys) k ORDER BY k) s;
        RETURN QUERY
          SELECT (SELECT row_to_json(pe) FROM periods pe WHERE pe.id = period),
                 (SELECT row_to_json(pr) FROM periods pe JOIN programs pr ON pr.id = pe.program_id WHERE pe.id = period),
                 (SELECT row_to_json(u) FROM (SELECT id, name, email, time_zone, roles, active FROM users WHERE id = marketer) u),
                 (SELECT row_to_json(u) FROM (SELECT u.id, u.name, u.email, u.time_zone, COALESCE(a.time_zone, u.time_zone) AS call_zone
                                                FROM users u LEFT JOIN availability a ON a.rep_id = u.id WHERE u.id = rep) u),
                 (SELECT COALESCE(json_agg(json_build_array(b.seat, b.starts_at, b.ends_at)), '[]') FROM bookings b
                   WHERE b.rep_id = rep AND b.status <> 'cancelled' AND tstzrange(b.starts_at, b.ends_at) && tstzrange(seats_from, seats_to));
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION booking_lock_and_read(text[], uuid, uuid, uuid, timestamptz, timestamptz)`);
  }
}
