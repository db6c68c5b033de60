import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The mail outbox: every email is a row written in the transaction of the change that causes it, with a
 * pg-boss job (same transaction) that sends it. The pg-boss tables themselves live in the `pgboss` schema,
 * which pg-boss installs and upgrades on start (versioned, under its own advisory lock).
 */
export class CreateMailOutbox1795330000000 implements MigrationInterface {
  name = 'CreateMailOutbox1795330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mail_outbox (
        id uuid PRIMARY KEY,
        dedupe_key text NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 500),
        recipient text NOT NULL CHECK (recipient ~ '^[^@\\s]+@[^@\\s]+$' AND length(recipient) <= 254),
        recipient_name text,
        subject text NOT NULL,
        text text NOT NULL,
        html text NOT NULL,
        calendar_method text CHECK (calendar_method IN ('REQUEST', 'CANCEL', 'PUBLISH')),
        calendar_content text,
        calendar_filename text,
        attachments jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(attachments) = 'array'),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error text,
        message_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        CONSTRAINT mail_outbox_calendar_chk CHECK ((calendar_method IS NULL) = (calendar_content IS NULL)),
        CONSTRAINT mail_outbox_sent_chk CHECK ((status = 'sent') = (sent_at IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX mail_outbox_dedupe_key ON mail_outbox (dedupe_key)`);
    await q.query(`CREATE UNIQUE INDEX mail_outbox_message_id_key ON mail_outbox (message_id)`);
    // What is still to be sent (small), and what failed for good (to look into).
    await q.query(`CREATE INDEX mail_outbox_unsent_idx ON mail_outbox (created_at) WHERE status <> 'sent'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mail_outbox`);
  }
}
