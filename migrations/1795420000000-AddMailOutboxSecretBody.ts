import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages whose body carries a secret (a sign-in link) are marked `body_is_secret`: their text and HTML
 * are blanked once they are sent or given up, keeping the row for the record (recipient, subject, status,
 * times). Sign-in messages already sent lose their bodies now.
 */
export class AddMailOutboxSecretBody1795420000000 implements MigrationInterface {
  name = 'AddMailOutboxSecretBody1795420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mail_outbox ADD COLUMN body_is_secret boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE mail_outbox SET body_is_secret = true WHERE dedupe_key LIKE 'sign-in:%'`);
    await q.query(`UPDATE mail_outbox SET text = '', html = '' WHERE body_is_secret AND status <> 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mail_outbox DROP COLUMN body_is_secret`);
  }
}
