import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reps connect their own calendars (issue 14).
 * - `calendar_connections`: one ICS feed or CalDAV calendar of a rep. `secret` holds the feed URL (and the
 *   CalDAV username and password) sealed with AES-256-GCM (src/common/secrets.ts); `host` is the only part
 *   ever shown. `etag`/`last_modified` (ICS) and `ctag`/`sync_token` (CalDAV) make an unchanged calendar
 *   cheap to sync. A failing sync keeps the last good events; `failing_since` and `failure_mailed_at` make
 *   the rep's email go out once per failure streak.
 * - `calendar_events`: the expanded instances within the kept window, one row per (uid, instance), so an
 *   instance keeps its id across syncs: a customer call is a row with an attendee outside the company's
 *   domains, and its open state (`opened_at`, label, call type, lead flag) lives on the row.
 * - `customer_call_rules`: a rep's standing rule that opens every customer call (optionally only titles
 *   holding a keyword).
 * - `organisation_settings`: the single row of settings the lifecycle team edits (`company_domains`; null
 *   means the configured default).
 * - `bookings.customer_call_id`: the opened customer call a booking sits on (it follows the event's moves).
 */
export class CreateCalendarConnections1795440000000 implements MigrationInterface {
  name = 'CreateCalendarConnections1795440000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_connections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rep_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('ics', 'caldav')),
        host text NOT NULL,
        secret text NOT NULL,
        etag text,
        last_modified text,
        ctag text,
        sync_token text,
        last_synced_at timestamptz,
        last_attempt_at timestamptz,
        last_error text,
        failing_since timestamptz,
        failure_mailed_at timestamptz,
        event_count int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX calendar_connections_rep_idx ON calendar_connections (rep_id)`);
    await q.query(`
      CREATE TABLE calendar_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        connection_id uuid NOT NULL REFERENCES calendar_connections(id) ON DELETE CASCADE,
        rep_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        uid text NOT NULL,
        instance text NOT NULL DEFAULT '',
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        all_day boolean NOT NULL DEFAULT false,
        busy boolean NOT NULL,
        title text NOT NULL DEFAULT '',
        attendees text[] NOT NULL DEFAULT '{}',
        opened_at timestamptz,
        opened_by uuid REFERENCES users(id) ON DELETE SET NULL,
        label text,
        call_type text,
        marketing_sourced boolean,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT calendar_events_instance_key UNIQUE (connection_id, uid, instance),
        CONSTRAINT calendar_events_positive CHECK (ends_at > starts_at)
      )`);
    await q.query(`CREATE INDEX calendar_events_rep_time_idx ON calendar_events USING gist (rep_id, tstzrange(starts_at, ends_at))`);
    await q.query(`
      CREATE TABLE customer_call_rules (
        rep_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        enabled boolean NOT NULL,
        keyword text,
        call_type text,
        marketing_sourced boolean,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE organisation_settings (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        company_domains text[],
        updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE bookings ADD COLUMN customer_call_id uuid REFERENCES calendar_events(id) ON DELETE SET NULL`);
    await q.query(`CREATE INDEX bookings_customer_call_idx ON bookings (customer_call_id) WHERE customer_call_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bookings DROP COLUMN customer_call_id`);
    await q.query(`DROP TABLE organisation_settings`);
    await q.query(`DROP TABLE customer_call_rules`);
    await q.query(`DROP TABLE calendar_events`);
    await q.query(`DROP TABLE calendar_connections`);
  }
}
