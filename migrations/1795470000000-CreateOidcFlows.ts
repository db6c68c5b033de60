import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single sign-on flows in progress (OpenID Connect code flow): one row per `GET /sign-in/oidc`, keyed by the
 * SHA-256 of a random id held only in the starting browser's HttpOnly cookie. The row keeps the `state`,
 * the `nonce` and the PKCE `code_verifier` on the server; the callback deletes it (single use), and rows
 * live 10 minutes.
 */
export class CreateOidcFlows1795470000000 implements MigrationInterface {
  name = 'CreateOidcFlows1795470000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oidc_flows (
        id_hash bytea PRIMARY KEY,
        state text NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        next text NOT NULL DEFAULT '/',
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX oidc_flows_expires_at ON oidc_flows (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE oidc_flows`);
  }
}
