import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate } from '../../src/database/data-source.js';
import { readTestEnv, withDatabase } from './env.js';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: readTestEnv().adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Migrates the run's template once (the first file to get here does it; the others wait on the lock). */
async function ensureTemplate(c: pg.Client): Promise<void> {
  const { template } = readTestEnv();
  await c.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
  try {
    const { rows } = await c.query<{ datistemplate: boolean }>('SELECT datistemplate FROM pg_database WHERE datname = $1', [template]);
    if (rows[0]?.datistemplate) return;
    const ds = await new DataSource(dataSourceOptions(withDatabase(readTestEnv().adminUrl, template), 2)).initialize();
    try {
      await migrate(ds);
    } finally {
      await ds.destroy();
    }
    await c.query(`ALTER DATABASE ${template} WITH IS_TEMPLATE true`);
  } finally {
    await c.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
  }
}

/** A database of this test file's own: a copy of the migrated template, or empty (`fromTemplate: false`). */
export async function createTestDatabase(options: { fromTemplate?: boolean } = {}): Promise<TestDatabase> {
  const env = readTestEnv();
  const name = `${env.prefix}${randomBytes(5).toString('hex')}`;
  await admin(async (c) => {
    if (options.fromTemplate === false) {
      await c.query(`CREATE DATABASE ${name} TEMPLATE template0`);
    } else {
      await ensureTemplate(c);
      await c.query(`CREATE DATABASE ${name} TEMPLATE ${env.template}`);
    }
  });
  return {
    name,
    url: withDatabase(env.adminUrl, name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
