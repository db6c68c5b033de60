import { inlined, literal, transactionOpenedBy } from '../src/common/opened-transaction.js';
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
});
