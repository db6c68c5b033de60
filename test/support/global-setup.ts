import path from 'node:path';
import pg from 'pg';
// Jest loads global setup outside its ESM module registry, so this file imports only what has no
// relative imports of its own (hence the .ts extensions); migrations run in the workers (database.ts).
import { EmbeddedDatabase } from '../../src/database/embedded.ts';
import { TEST_ENV_KEY, TestDatabaseEnv } from './env.ts';

/**
 * Once per run: the database server (DATABASE_URL, or an embedded PostgreSQL under var/test-pg) and
 * an empty template database. The first test file to need it migrates the template (under an
 * advisory lock); each test file then clones it (CREATE DATABASE ... TEMPLATE), fast and isolated.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    const embedded = new EmbeddedDatabase({
      dir: path.resolve('var/test-pg'),
      port: Number(process.env.EMBEDDED_TEST_PG_PORT ?? 54339),
      database: 'postgres',
    });
    adminUrl = await embedded.start();
    (globalThis as { __embedded?: EmbeddedDatabase }).__embedded = embedded;
  }
  const prefix = `ra_t${process.pid}_`;
  const template = `${prefix}template`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template} TEMPLATE template0`);
  } finally {
    await admin.end();
  }
  const env: TestDatabaseEnv = { adminUrl, template, prefix };
  process.env[TEST_ENV_KEY] = JSON.stringify(env);
  process.stdout.write(`\ntest databases: ${process.env.DATABASE_URL ? 'the DATABASE_URL server' : 'embedded PostgreSQL'}, template ${template}\n`);
}
