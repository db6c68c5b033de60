import { promises as fs } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { EmbeddedDatabase } from '../../src/database/embedded.ts';
import { readTestEnv } from './env.ts';

/** Drops every database this run created, then stops the embedded server if one was started. */
export default async function globalTeardown(): Promise<void> {
  const { adminUrl, prefix } = readTestEnv();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${prefix}%`]);
    for (const { datname } of rows) {
      await admin.query(`ALTER DATABASE "${datname}" WITH IS_TEMPLATE false`);
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
  await (globalThis as { __embedded?: EmbeddedDatabase }).__embedded?.stop();
  // The build the drills ran (test/support/service-process.ts keys it by the run's prefix).
  await fs.rm(path.resolve('var', 'drill-build', prefix.replace(/[^A-Za-z0-9_]/g, '')), { recursive: true, force: true });
}
