import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The booking engine's invariants, owned by PostgreSQL:
 * - seats: two live bookings of one rep on the same seat never overlap, and a booking's seat is within
 *   the seats the program allowed when it was made, so a call never has more shadowers than allowed;
 * - one call at a time: live bookings of one rep that overlap have the same start and end (they are
 *   seats on one call), so a rep is never in two calls at once;
 * - a marketer is never in two places at once.
 * Caps that span rows (rep weekly cap, same-rep limit, quota) are serialised by advisory locks in the
 * booking transaction (see BookingsService).
 */
export class CreateBookingEngine1795340000000 implements MigrationInterface {
  name = 'CreateBookingEngine1795340000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE programs ADD COLUMN preparation_note text`);
    await q.query(`
      ALTER TABLE bookings
        ADD COLUMN uid text,
        ADD COLUMN sequence int NOT NULL DEFAULT 0,
        ADD COLUMN seat int NOT NULL DEFAULT 1,
        ADD COLUMN seats_allowed int NOT NULL DEFAULT 1,
        ADD COLUMN created_by uuid REFERENCES users(id),
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN cancelled_at timestamptz,
        ADD COLUMN cancelled_by uuid REFERENCES users(id),
        ADD COLUMN cancel_reason text,
        ADD COLUMN late_cancel boolean,
        ADD COLUMN no_show_party text CHECK (no_show_party IN ('rep', 'marketer', 'customer')),
        ADD COLUMN attendance_by uuid REFERENCES users(id),
        ADD COLUMN attendance_at timestamptz`);
    await q.query(`UPDATE bookings SET uid = 'booking-' || id || '@ridealong' WHERE uid IS NULL`);
    await q.query(`ALTER TABLE bookings ALTER COLUMN uid SET NOT NULL`);
    await q.query(`ALTER TABLE bookings ADD CONSTRAINT bookings_uid_key UNIQUE (uid)`);
    await q.query(`ALTER TABLE bookings ADD CONSTRAINT bookings_seat_in_range CHECK (seat BETWEEN 1 AND seats_allowed)`);
    await q.query(`ALTER TABLE bookings ADD CONSTRAINT bookings_no_show_party CHECK ((status = 'no_show') = (no_show_party IS NOT NULL))`);
    await q.query(`
      ALTER TABLE bookings ADD CONSTRAINT bookings_rep_seat_free
        EXCLUDE USING gist (rep_id WITH =, seat WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status <> 'cancelled')`);
    await q.query(`
      ALTER TABLE bookings ADD CONSTRAINT bookings_rep_one_call_start
        EXCLUDE USING gist (rep_id WITH =, tstzrange(starts_at, ends_at) WITH &&, starts_at WITH <>) WHERE (status <> 'cancelled')`);
    await q.query(`
      ALTER TABLE bookings ADD CONSTRAINT bookings_rep_one_call_end
        EXCLUDE USING gist (rep_id WITH =, tstzrange(starts_at, ends_at) WITH &&, ends_at WITH <>) WHERE (status <> 'cancelled')`);
    await q.query(`
      ALTER TABLE bookings ADD CONSTRAINT bookings_marketer_one_place
        EXCLUDE USING gist (marketer_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status <> 'cancelled')`);
    await q.query(`CREATE INDEX bookings_rep_starts_idx ON bookings (rep_id, starts_at)`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
        scope text NOT NULL,
        request_hash text NOT NULL,
        status_code int,
        response jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, scope, key)
      )`);
    await q.query(`
      CREATE TABLE waitlist_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        period_id uuid NOT NULL REFERENCES periods(id) ON DELETE CASCADE,
        rep_id uuid NOT NULL REFERENCES users(id),
        marketer_id uuid NOT NULL REFERENCES users(id),
        starts_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'booked', 'left', 'expired')),
        booking_id uuid REFERENCES bookings(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX waitlist_one_wait_per_slot ON waitlist_entries (marketer_id, rep_id, starts_at) WHERE status = 'waiting'`);
    await q.query(`CREATE INDEX waitlist_slot_queue_idx ON waitlist_entries (rep_id, starts_at, created_at) WHERE status = 'waiting'`);
    await q.query(`
      CREATE TABLE calendar_feeds (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calendar_feeds`);
    await q.query(`DROP TABLE waitlist_entries`);
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP INDEX bookings_rep_starts_idx`);
    for (const c of ['bookings_marketer_one_place', 'bookings_rep_one_call_end', 'bookings_rep_one_call_start', 'bookings_rep_seat_free', 'bookings_no_show_party', 'bookings_seat_in_range', 'bookings_uid_key']) {
      await q.query(`ALTER TABLE bookings DROP CONSTRAINT ${c}`);
    }
    await q.query(`
      ALTER TABLE bookings
        DROP COLUMN uid, DROP COLUMN sequence, DROP COLUMN seat, DROP COLUMN seats_allowed, DROP COLUMN created_by,
        DROP COLUMN updated_at, DROP COLUMN cancelled_at, DROP COLUMN cancelled_by, DROP COLUMN cancel_reason,
        DROP COLUMN late_cancel, DROP COLUMN no_show_party, DROP COLUMN attendance_by, DROP COLUMN attendance_at`);
    await q.query(`ALTER TABLE programs DROP COLUMN preparation_note`);
  }
}
