/** Where the test databases live; written by global-setup, read by every test file. */
export interface TestDatabaseEnv {
  /** A URL to a maintenance database on the server, for CREATE/DROP DATABASE. */
  adminUrl: string;
  /** The migrated template every test file's database is cloned from. */
  template: string;
  /** Prefix of every database this run creates (dropped in teardown). */
  prefix: string;
}

export const TEST_ENV_KEY = 'RIDEALONG_TEST_DB';

export function readTestEnv(): TestDatabaseEnv {
  const raw = process.env[TEST_ENV_KEY];
  if (!raw) throw new Error(`${TEST_ENV_KEY} is not set: run the database tests through jest (global-setup)`);
  return JSON.parse(raw) as TestDatabaseEnv;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
