import pg from 'pg';
import { deferToCommit, executeText, inlined, literal, transactionOpenedBy } from '../src/common/opened-transaction.js';
import { nameOf, pool, preparedQuery } from '../src/common/prepared-query.js';
import { startTestApp, TestApp } from './support/app.js';

/**
 * `transactionOpenedBy`: START TRANSACTION sent with the first statement, its values written as literals, and
 * then TypeORM's transaction as usual (commit, rollback, savepoints, the connection back in the pool clean).
 */
describe('a transaction opened by its first statement', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ JOBS_POLL_SECONDS: '60' });
    await t.db.query(`CREATE TABLE IF NOT EXISTS opened_tx_probe (k text PRIMARY KEY, v text)`);
  });
  afterAll(async () => {
    await t.db.query(`DROP TABLE IF EXISTS opened_tx_probe`);
    await t.close();
  });

  const tricky = ["O'Brien", 'back\\slash', "\\' both", 'dollar $1 $$ quoted $$', 'ünïcødé 🗓', '', ' spaced ', 'E\'x\'', 'line\nbreak'];

  it('writes every value as a literal PostgreSQL reads back as it was', async () => {
    for (const s of tricky) {
      const [row] = await t.db.query(`SELECT ${literal(s)}::text AS s, ${literal([s, 'x'])} AS a`);
      expect({ s: row.s, a: row.a }).toEqual({ s, a: [s, 'x'] });
    }
    const at = new Date('2027-03-01T09:30:00.123Z');
    const [row] = await t.db.query(`SELECT ${literal(at)}::timestamptz AS at, ${literal(42)}::int AS n, ${literal(true)} AS b, ${literal(null)}::text AS z, ${literal([])} AS e`);
    expect(row).toEqual({ at, n: 42, b: true, z: null, e: [] });
    expect(() => literal(Number.NaN)).toThrow(RangeError);
  });

  it('replaces each parameter once, never inside a value already written', () => {
    expect(inlined('SELECT $1::text, $2::text, $1::text', ['$2', 'b'])).toBe("SELECT '$2'::text, 'b'::text, '$2'::text");
    expect(() => inlined('SELECT $3', ['a'])).toThrow(RangeError);
  });

  it('commits what the work wrote, and hands it the first statement rows, in one transaction', async () => {
    const seen = await transactionOpenedBy<{ k: string; tx: string }, string[]>(
      t.db,
      { text: `SELECT $1::text AS k, txid_current()::text AS tx UNION ALL SELECT $2::text, txid_current()::text`, values: ["it's", 'two'] },
      async (m, rows) => {
        const [{ tx }] = await m.query(`SELECT txid_current()::text AS tx`);
        for (const r of rows) await m.query(`INSERT INTO opened_tx_probe (k, v) VALUES ($1, $2)`, [r.k, r.tx === tx ? 'same transaction' : 'another']);
        return rows.map((r) => r.k);
      },
    );
    expect(seen).toEqual(["it's", 'two']);
    expect(await t.db.query(`SELECT k, v FROM opened_tx_probe WHERE k = ANY($1) ORDER BY k`, [seen])).toEqual([
      { k: "it's", v: 'same transaction' },
      { k: 'two', v: 'same transaction' },
    ]);
  });

  it('rolls back everything when the work fails, the first statement included', async () => {
    await expect(
      transactionOpenedBy(t.db, { text: `INSERT INTO opened_tx_probe (k, v) VALUES ($1, 'first') RETURNING k`, values: ['rolled-first'] }, async (m) => {
        await m.query(`INSERT INTO opened_tx_probe (k, v) VALUES ('rolled-second', 'second')`);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await t.db.query(`SELECT k FROM opened_tx_probe WHERE k LIKE 'rolled-%'`)).toEqual([]);
  });

  it('takes a savepoint for a transaction inside the work, and undoes only that when it fails', async () => {
    await transactionOpenedBy(t.db, { text: `INSERT INTO opened_tx_probe (k, v) VALUES ($1, 'outer') RETURNING k`, values: ['outer'] }, async (m) => {
      await m
        .transaction(async (inner) => {
          await inner.query(`INSERT INTO opened_tx_probe (k, v) VALUES ('inner', 'inner')`);
          throw new Error('inner refused');
        })
        .catch(() => undefined);
    });
    expect(await t.db.query(`SELECT k FROM opened_tx_probe WHERE k IN ('outer', 'inner') ORDER BY k`)).toEqual([{ k: 'outer' }]);
  });

  it('fails as TypeORM does when the first statement fails, and leaves no connection in a broken transaction', async () => {
    // More failures than the pool has connections: a connection given back in its aborted transaction would
    // fail every later query on it (25P02).
    for (let i = 0; i < 25; i++) {
      await expect(transactionOpenedBy(t.db, { text: `SELECT $1::uuid AS id`, values: ['not-a-uuid'] }, async () => 'never')).rejects.toMatchObject({
        name: 'QueryFailedError',
        driverError: expect.objectContaining({ code: '22P02' }),
      });
    }
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => t.db.query(`SELECT $1::int AS n, pg_sleep(0.01)::text AS slept`, [i])));
    expect(answers.map(([r]) => r.n)).toEqual(Array.from({ length: 25 }, (_, n) => n));
  });

  /** Runs `fn` on every connection of the service's pool (all of them checked out at once). */
  async function onEveryConnection(fn: (c: pg.PoolClient) => Promise<void>): Promise<void> {
    const p = pool(t.db);
    const clients = await Promise.all(Array.from({ length: (p as unknown as { options: { max: number } }).options.max }, () => p.connect()));
    try {
      for (const c of clients) await fn(c);
    } finally {
      for (const c of clients) c.release();
    }
  }
  /** Has every connection parse `text` (run once, in a transaction rolled back: a statement prepared stays prepared). */
  const prepareEverywhere = (text: string, values: unknown[]) =>
    onEveryConnection(async (c) => {
      await c.query('BEGIN');
      await c.query({ name: nameOf(text), text, values });
      await c.query('ROLLBACK');
    });
  const forgetEverywhere = () =>
    onEveryConnection(async (c) => {
      await c.query('DEALLOCATE ALL');
      (c as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements = {};
    });

  /** Every statement text the pool's connections send while `fn` runs. */
  async function sentDuring<T>(fn: () => Promise<T>): Promise<{ out: T; texts: string[] }> {
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    const texts: string[] = [];
    proto.query = function (this: unknown, ...args: unknown[]) {
      const q = args[0] as string | { text: string };
      texts.push(typeof q === 'string' ? q : q.text);
      return original.apply(this, args);
    };
    try {
      return { out: await fn(), texts };
    } finally {
      proto.query = original;
    }
  }

  const typed = `SELECT $1::uuid AS id, $2::timestamptz AS at, $3::date AS day, $4::int AS n, $5::boolean AS b, $6::text AS s, $7::text[] AS a, $8::jsonb AS j, $9::bytea AS raw, $10::text AS z, $11 AS untyped`;

  it('runs a prepared statement by EXECUTE with its values read exactly as bound ones', async () => {
    const c = await pool(t.db).connect();
    try {
      for (const s of tricky) {
        const values = [
          '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
          new Date('2027-03-28T01:30:00.123Z'),
          '2027-02-28',
          -7,
          false,
          s,
          [s, 'b,c', '{}', '"q"', 'NULL'],
          JSON.stringify({ s, n: [1, 2] }),
          Buffer.from([0, 1, 254, 255]),
          null,
          s,
        ];
        const bound = (await c.query({ name: nameOf(typed), text: typed, values })).rows;
        const text = executeText({ text: typed, values });
        expect(text.startsWith(`EXECUTE ${nameOf(typed)}(`)).toBe(true);
        expect((await c.query(text)).rows).toEqual(bound);
        expect(bound[0]).toMatchObject({ s, a: values[6], j: { s, n: [1, 2] }, raw: Buffer.from([0, 1, 254, 255]), z: null, untyped: s });
      }
      const none = 'SELECT 42 AS answer';
      await c.query({ name: nameOf(none), text: none, values: [] });
      expect(executeText({ text: none, values: [] })).toBe(`EXECUTE ${nameOf(none)}`);
      expect((await c.query(executeText({ text: none, values: [] }))).rows).toEqual([{ answer: 42 }]);
    } finally {
      c.release();
    }
  });

  const probe = { text: `SELECT $1::text AS k, txid_current()::text AS tx`, values: ['carried'] };

  it('carries a statement the connection has prepared in the opening message, in the same transaction, and hands the work its rows', async () => {
    await prepareEverywhere(probe.text, probe.values);
    const { out, texts } = await sentDuring(() =>
      transactionOpenedBy<{ tx: string }, { first: string; then?: unknown[] }>(t.db, { text: `SELECT txid_current()::text AS tx`, values: [] }, async (m, [row], thenRows) => ({ first: row.tx, then: thenRows }), probe),
    );
    expect(out.then).toEqual([{ k: 'carried', tx: out.first }]);
    expect(texts).toEqual([`START TRANSACTION; SELECT txid_current()::text AS tx; ${executeText(probe)}`, 'COMMIT']);
  });

  it('leaves a statement the connection has not prepared to the work, which reads it itself', async () => {
    await forgetEverywhere();
    const { out, texts } = await sentDuring(() =>
      transactionOpenedBy(t.db, { text: `SELECT 1 AS one`, values: [] }, async (m, _rows, thenRows) => thenRows ?? (await preparedQuery(m, probe.text, probe.values)), probe),
    );
    expect(out).toEqual([{ k: 'carried', tx: expect.any(String) }]);
    expect(texts).toEqual(['START TRANSACTION; SELECT 1 AS one', probe.text, 'COMMIT']);
  });

  const deferredInsert = `INSERT INTO opened_tx_probe (k, v) VALUES ($1, $2) RETURNING k`;

  it('sends deferred writes with the COMMIT, after everything else the work sent, and commits them with it', async () => {
    await prepareEverywhere(deferredInsert, ['deferred-warm', 'x']);
    await t.db.query(`DELETE FROM opened_tx_probe WHERE k LIKE 'deferred-%'`);
    const { out, texts } = await sentDuring(() =>
      transactionOpenedBy(t.db, { text: `SELECT 1 AS one`, values: [] }, async (m) => {
        const deferred = [deferToCommit(m, { text: deferredInsert, values: ['deferred-1', "it's"] }), deferToCommit(m, { text: deferredInsert, values: ['deferred-2', null] })];
        // Not sent yet: the work does not see them.
        const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM opened_tx_probe WHERE k LIKE 'deferred-%'`);
        await m.query(`INSERT INTO opened_tx_probe (k, v) VALUES ('deferred-0', 'the work')`);
        return { deferred, seenInWork: n };
      }),
    );
    expect(out).toEqual({ deferred: [true, true], seenInWork: 0 });
    expect(texts.at(-1)).toBe(`${executeText({ text: deferredInsert, values: ['deferred-1', "it's"] })}; ${executeText({ text: deferredInsert, values: ['deferred-2', null] })}; COMMIT`);
    expect(await t.db.query(`SELECT k, v FROM opened_tx_probe WHERE k LIKE 'deferred-%' ORDER BY k`)).toEqual([
      { k: 'deferred-0', v: 'the work' },
      { k: 'deferred-1', v: "it's" },
      { k: 'deferred-2', v: null },
    ]);
  });

  it('rolls the whole transaction back when a deferred write fails at the commit, and leaves every connection clean', async () => {
    await prepareEverywhere(deferredInsert, ['deferred-warm', 'x']);
    await t.db.query(`INSERT INTO opened_tx_probe (k, v) VALUES ('deferred-taken', 'first') ON CONFLICT DO NOTHING`);
    for (let i = 0; i < 25; i++) {
      await expect(
        transactionOpenedBy(t.db, { text: `SELECT 1 AS one`, values: [] }, async (m) => {
          await m.query(`INSERT INTO opened_tx_probe (k, v) VALUES ($1, 'undone')`, [`deferred-undone-${i}`]);
          expect(deferToCommit(m, { text: deferredInsert, values: ['deferred-taken', 'again'] })).toBe(true);
        }),
      ).rejects.toMatchObject({ name: 'QueryFailedError', driverError: expect.objectContaining({ code: '23505' }) });
    }
    expect(await t.db.query(`SELECT k, v FROM opened_tx_probe WHERE k LIKE 'deferred-undone-%' OR k = 'deferred-taken'`)).toEqual([{ k: 'deferred-taken', v: 'first' }]);
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => t.db.query(`SELECT $1::int AS n, pg_sleep(0.01)::text AS slept`, [i])));
    expect(answers.map(([r]) => r.n)).toEqual(Array.from({ length: 25 }, (_, n) => n));
  });

  it('runs a deferred write the connection has not prepared on its own before the COMMIT', async () => {
    await forgetEverywhere();
    const { out, texts } = await sentDuring(() =>
      transactionOpenedBy(t.db, { text: `SELECT 1 AS one`, values: [] }, async (m) => deferToCommit(m, { text: deferredInsert, values: ['deferred-unparsed', 'y'] })),
    );
    expect(out).toBe(true);
    expect(texts).toEqual(['START TRANSACTION; SELECT 1 AS one', deferredInsert, 'COMMIT']);
    expect(await t.db.query(`SELECT v FROM opened_tx_probe WHERE k = 'deferred-unparsed'`)).toEqual([{ v: 'y' }]);
  });

  it('defers nothing outside a transaction it opened, or inside a savepoint, where the caller runs the write itself', async () => {
    const s = { text: deferredInsert, values: ['deferred-never', 'z'] };
    expect(await t.db.transaction(async (m) => deferToCommit(m, s))).toBe(false);
    expect(deferToCommit(t.db.manager, s)).toBe(false);
    const inner = await transactionOpenedBy(t.db, { text: `SELECT 1 AS one`, values: [] }, (m) => m.transaction(async (nested) => deferToCommit(nested, s)));
    expect(inner).toBe(false);
    expect(await t.db.query(`SELECT k FROM opened_tx_probe WHERE k = 'deferred-never'`)).toEqual([]);
  });
});
