import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { migrations } from '../migrations/index.js';
import { dataSourceOptions, migrate } from '../src/database/data-source.js';
import { createTestDatabase, TestDatabase } from './support/database.js';

async function tables(ds: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await ds.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

describe('migrations', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase({ fromTemplate: false });
    ds = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('lists every migration file in migrations/index.ts, in order', () => {
    const files = readdirSync(path.resolve('migrations'))
      .filter((f) => /^\d+-\w+\.ts$/.test(f))
      .sort();
    expect(migrations.map((m) => m.name)).toEqual(files.map((f) => f.replace(/^(\d+)-(\w+)\.ts$/, '$2$1')));
  });

  it('apply from empty, revert cleanly to empty, and apply again', async () => {
    expect(await tables(ds)).toEqual([]);
    await migrate(ds);
    expect(await tables(ds)).toEqual(expect.arrayContaining(['users', 'api_tokens', 'audit_log', 'migrations']));
    const applied = await ds.query(`SELECT name FROM migrations`);
    expect(applied).toHaveLength(migrations.length);

    for (let i = 0; i < migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables(ds)).toEqual(['migrations']);
    expect(await ds.query(`SELECT name FROM migrations`)).toEqual([]);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM pg_type t JOIN pg_namespace s ON s.oid = t.typnamespace WHERE s.nspname = 'public' AND t.typtype IN ('e','d','c') AND t.typrelid = 0`);
    expect(n).toBe(0);

    await migrate(ds);
    expect(await ds.query(`SELECT name FROM migrations`)).toHaveLength(migrations.length);
  });

  it('is a no-op when run again, also from two connections at once', async () => {
    const other = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
    try {
      await Promise.all([migrate(ds), migrate(other)]);
    } finally {
      await other.destroy();
    }
    expect(await ds.query(`SELECT name FROM migrations`)).toHaveLength(migrations.length);
  });
});
