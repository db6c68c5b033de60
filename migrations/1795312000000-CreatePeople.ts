import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePeople1795312000000 implements MigrationInterface {
  name = 'CreatePeople1795312000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (email ~ '^[^@\\s]+@[^@\\s]+$' AND length(email) <= 254),
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
        time_zone text NOT NULL,
        roles text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['rep','marketer','lifecycle']::text[]),
        active boolean NOT NULL DEFAULT true,
        started_on date,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`);
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name text NOT NULL,
        token_hash bytea NOT NULL,
        prefix text NOT NULL,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash)`);
    await q.query(`CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)`);
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        actor_id uuid REFERENCES users(id),
        action text NOT NULL,
        entity text NOT NULL,
        entity_id text,
        at timestamptz NOT NULL DEFAULT now(),
        request_id text,
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id)`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP TABLE api_tokens`);
    await q.query(`DROP TABLE users`);
  }
}
