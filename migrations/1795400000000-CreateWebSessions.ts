import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The web app's sign-in: single-use magic links, the requests that rate-limit them (known address or not),
 * and browser sessions. Secrets are stored only as SHA-256 hashes.
 */
export class CreateWebSessions1795400000000 implements MigrationInterface {
  name = 'CreateWebSessions1795400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sign_in_links (
        token_hash bytea PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sign_in_links_user_idx ON sign_in_links (user_id, created_at)`);
    await q.query(`
      CREATE TABLE sign_in_requests (
        id bigserial PRIMARY KEY,
        email text NOT NULL,
        ip text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sign_in_requests_email_idx ON sign_in_requests (lower(email), requested_at)`);
    await q.query(`CREATE INDEX sign_in_requests_ip_idx ON sign_in_requests (ip, requested_at)`);
    await q.query(`
      CREATE TABLE web_sessions (
        token_hash bytea PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX web_sessions_user_idx ON web_sessions (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE web_sessions`);
    await q.query(`DROP TABLE sign_in_requests`);
    await q.query(`DROP TABLE sign_in_links`);
  }
}
