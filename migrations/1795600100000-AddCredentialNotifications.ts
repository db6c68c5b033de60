import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every instance caches API tokens and browser sessions for a few seconds (src/people/credential-cache.ts).
 * A change that can end or alter a credential (a token revoked or deleted, a session signed out or removed,
 * a person deactivated, their roles, name, e-mail or time zone changed) NOTIFYs `ridealong_credentials` with
 * the user's id; PostgreSQL delivers it on commit to every instance's LISTEN connection, which drops that
 * user's entries. New tokens and sessions need no notice: an unknown credential is never cached.
 */
/** Each table whose changes end or alter a credential, and its column holding the user's id. */
const TABLES = [
  ['users', 'id'],
  ['api_tokens', 'user_id'],
  ['web_sessions', 'user_id'],
] as const;

export class AddCredentialNotifications1795600100000 implements MigrationInterface {
  name = 'AddCredentialNotifications1795600100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- TG_ARGV[0] names the column holding the user's id; identical notices in one transaction are sent once.
        PERFORM pg_notify('ridealong_credentials', to_jsonb(OLD) ->> TG_ARGV[0]);
        RETURN NULL;
      END $$`);
    for (const [table, column] of TABLES) {
      // A DELETE trigger's WHEN cannot see NEW: one trigger per kind of change.
      await q.query(`
        CREATE TRIGGER ${table}_credentials_updated AFTER UPDATE ON ${table}
          FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION notify_credentials_changed('${column}')`);
      await q.query(`
        CREATE TRIGGER ${table}_credentials_deleted AFTER DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed('${column}')`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table] of TABLES) {
      await q.query(`DROP TRIGGER ${table}_credentials_deleted ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_credentials_updated ON ${table}`);
    }
    await q.query(`DROP FUNCTION notify_credentials_changed()`);
  }
}
