import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Closing the loop from rollups to what Marketing does next, and back.
 * - `actions`: what the lifecycle team decides to do about themes and ideas of a rollup; `action_themes`
 *   the themes it answers; `action_history` who changed what (one row per change, `changes` as
 *   `{field: {from, to}}`); `reminded_on` the due date whose reminder was sent (a moved due date reminds again).
 * - `notices`: rep alerts and campaign notifications; `notice_recipients` one row per rep it went to, with
 *   the moment they pressed "Got it".
 * - `rep_notes`: the rep's own optional note after a completed shadowed call (one per booking), confidential
 *   like forms; `withdrawn` when the completion is corrected to a no-show.
 * - `webhook_endpoints`: URLs the lifecycle team registers; the URL (it may carry a token) and the signing
 *   secret are sealed (src/common/secrets.ts), the host is kept to show. `webhook_deliveries` one row per
 *   event and endpoint, written in the transaction of the change; `webhook_attempts` every try.
 */
export class CreateActionsNoticesRepNotesWebhooks1795490000000 implements MigrationInterface {
  name = 'CreateActionsNoticesRepNotesWebhooks1795490000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE actions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        program_id uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
        rollup_id uuid REFERENCES rollups(id) ON DELETE SET NULL,
        kind text NOT NULL CHECK (kind IN ('info_for_sales', 'rep_alert', 'campaign_notification', 'other')),
        title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
        detail text CHECK (detail IS NULL OR length(detail) BETWEEN 1 AND 5000),
        ideas jsonb NOT NULL DEFAULT '[]',
        owner_id uuid NOT NULL REFERENCES users(id),
        due_on date,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'dropped')),
        done_at timestamptz,
        reminded_on date,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT actions_done_at CHECK ((status = 'done') = (done_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX actions_program_status_idx ON actions (program_id, status, due_on)`);
    await q.query(`CREATE INDEX actions_owner_idx ON actions (owner_id) WHERE status IN ('open', 'in_progress')`);
    await q.query(`
      CREATE TABLE action_themes (
        action_id uuid NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
        theme_id uuid NOT NULL REFERENCES themes(id),
        PRIMARY KEY (action_id, theme_id)
      )`);
    await q.query(`CREATE INDEX action_themes_theme_idx ON action_themes (theme_id)`);
    await q.query(`
      CREATE TABLE action_history (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        action_id uuid NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
        actor_id uuid REFERENCES users(id),
        at timestamptz NOT NULL DEFAULT now(),
        changes jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX action_history_action_idx ON action_history (action_id, at)`);

    await q.query(`
      CREATE TABLE notices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        program_id uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
        period_id uuid REFERENCES periods(id),
        action_id uuid REFERENCES actions(id) ON DELETE SET NULL,
        kind text NOT NULL CHECK (kind IN ('rep_alert', 'campaign_notification')),
        subject text NOT NULL CHECK (length(btrim(subject)) BETWEEN 1 AND 200),
        body text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 10000),
        sent_by uuid REFERENCES users(id),
        sent_at timestamptz NOT NULL DEFAULT now(),
        recipient_count int NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX notices_program_idx ON notices (program_id, sent_at)`);
    await q.query(`
      CREATE TABLE notice_recipients (
        notice_id uuid NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
        rep_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        acknowledged_at timestamptz,
        PRIMARY KEY (notice_id, rep_id)
      )`);
    await q.query(`CREATE INDEX notice_recipients_unacked_idx ON notice_recipients (rep_id) WHERE acknowledged_at IS NULL`);

    await q.query(`
      CREATE TABLE rep_notes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        booking_id uuid NOT NULL REFERENCES bookings(id),
        program_id uuid NOT NULL REFERENCES programs(id),
        period_id uuid NOT NULL REFERENCES periods(id),
        rep_id uuid NOT NULL REFERENCES users(id),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'draft', 'submitted', 'withdrawn')),
        wish text CHECK (wish IS NULL OR length(wish) <= 5000),
        usefulness smallint CHECK (usefulness BETWEEN 1 AND 5),
        follow_up text CHECK (follow_up IS NULL OR length(follow_up) <= 5000),
        marked_names text[] NOT NULL DEFAULT '{}',
        session_ended_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        submitted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT rep_notes_booking_key UNIQUE (booking_id),
        CONSTRAINT rep_notes_submitted CHECK ((status = 'submitted') = (submitted_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX rep_notes_rep_idx ON rep_notes (rep_id, status)`);
    await q.query(`CREATE INDEX rep_notes_program_submitted_idx ON rep_notes (program_id, submitted_at) WHERE status = 'submitted'`);

    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        host text NOT NULL,
        url_sealed text NOT NULL,
        secret_sealed text NOT NULL,
        events text[] NOT NULL CHECK (cardinality(events) > 0),
        description text CHECK (description IS NULL OR length(description) BETWEEN 1 AND 500),
        enabled boolean NOT NULL DEFAULT true,
        consecutive_failures int NOT NULL DEFAULT 0,
        disabled_at timestamptz,
        disabled_reason text,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_events_idx ON webhook_endpoints USING gin (events) WHERE enabled`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        message_id text NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        last_attempt_at timestamptz,
        last_status_code int,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_deliveries_message_key UNIQUE (endpoint_id, message_id)
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE webhook_attempts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        status_code int,
        error text,
        duration_ms int NOT NULL
      )`);
    await q.query(`CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, attempted_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_endpoints`);
    await q.query(`DROP TABLE rep_notes`);
    await q.query(`DROP TABLE notice_recipients`);
    await q.query(`DROP TABLE notices`);
    await q.query(`DROP TABLE action_history`);
    await q.query(`DROP TABLE action_themes`);
    await q.query(`DROP TABLE actions`);
  }
}
