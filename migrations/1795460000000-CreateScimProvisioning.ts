import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM 2.0 provisioning.
 * - `scim_tokens`: provisioning tokens, stored as SHA-256 hashes like API tokens; they open `/scim/v2`
 *   and nothing else (and API tokens do not open `/scim/v2`).
 * - `users.external_id` (the identity provider's id, unique when set), `users.employee_number`.
 * - `users.roles` may be empty: a person the directory provisioned before putting them in any of the
 *   groups `ridealong-reps`, `-marketers`, `-lifecycle` exists with no role (and so may do nothing that
 *   needs one) until a group gives them one. The API's own create and update still ask for a role.
 * - `enrollments.ended_at`: a deactivation ends the person's enrolments in planned and open periods
 *   (roster entries have a status for it, `removed`; enrolments had none).
 */
export class CreateScimProvisioning1795460000000 implements MigrationInterface {
  name = 'CreateScimProvisioning1795460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scim_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
        token_hash bytea NOT NULL,
        prefix text NOT NULL,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX scim_tokens_hash_key ON scim_tokens (token_hash)`);
    await q.query(`ALTER TABLE users ADD COLUMN external_id text CHECK (length(external_id) BETWEEN 1 AND 500)`);
    await q.query(`ALTER TABLE users ADD COLUMN employee_number text CHECK (length(employee_number) BETWEEN 1 AND 200)`);
    await q.query(`CREATE UNIQUE INDEX users_external_id_key ON users (external_id) WHERE external_id IS NOT NULL`);
    await q.query(`ALTER TABLE enrollments ADD COLUMN ended_at timestamptz`);
    const [{ conname }] = (await q.query(
      `SELECT conname FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%cardinality(roles)%'`,
    )) as { conname: string }[];
    await q.query(`ALTER TABLE users DROP CONSTRAINT "${conname}"`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (roles <@ ARRAY['rep','marketer','lifecycle']::text[])`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM users WHERE cardinality(roles) = 0`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_roles_check`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['rep','marketer','lifecycle']::text[])`);
    await q.query(`ALTER TABLE enrollments DROP COLUMN ended_at`);
    await q.query(`DROP INDEX users_external_id_key`);
    await q.query(`ALTER TABLE users DROP COLUMN employee_number, DROP COLUMN external_id`);
    await q.query(`DROP TABLE scim_tokens`);
  }
}
