import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/config.js';
import { dataSourceOptions } from '../src/database/data-source.js';
import { JobInfo, JOBS_SCHEMA, JobsService } from '../src/jobs/jobs.service.js';
import { startTestApp, TestApp } from './support/app.js';
import { createTestDatabase } from './support/database.js';

const SLOW = 30_000;

async function waitFor(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

const queueName = () => `test-${randomBytes(4).toString('hex')}`;

describe('JobsService (pg-boss on the app database)', () => {
  let t: TestApp;
  let jobs: JobsService;

  beforeAll(async () => {
    t = await startTestApp({ JOBS_POLL_SECONDS: '0.5', JOBS_RETRY_DELAY_SECONDS: '1' });
    jobs = t.app.get(JobsService);
  });
  afterAll(() => t.close());

  it('runs a job sent in a committed transaction, and none from a rolled-back one', async () => {
    const name = queueName();
    const seen: string[] = [];
    await jobs.work<{ n: string }>(name, async (data) => {
      seen.push(data.n);
    });
    await t.db.transaction((m) => jobs.send(m, name, { n: 'committed' }));
    await expect(
      t.db.transaction(async (m) => {
        expect(await jobs.send(m, name, { n: 'rolled back' })).toEqual(expect.any(String));
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    await waitFor('the committed job', () => seen.length === 1);
    await sleep(700);
    expect(seen).toEqual(['committed']);
    expect(await jobs.unfinished(name)).toBe(0);
  }, SLOW);

  it('queues a singleton key once, from separate transactions', async () => {
    const name = queueName();
    const seen: string[] = [];
    const first = await t.db.transaction((m) => jobs.send(m, name, { n: 1 }, { singletonKey: 'tick:2026-03-01' }));
    const second = await t.db.transaction((m) => jobs.send(m, name, { n: 2 }, { singletonKey: 'tick:2026-03-01' }));
    const other = await t.db.transaction((m) => jobs.send(m, name, { n: 3 }, { singletonKey: 'tick:2026-03-02' }));
    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
    expect(other).toEqual(expect.any(String));
    await jobs.work<{ n: number }>(name, async (data) => {
      seen.push(String(data.n));
    });
    await waitFor('two jobs', () => seen.length === 2);
    await sleep(700);
    expect(seen.sort()).toEqual(['1', '3']);
  }, SLOW);

  it('retries a failing handler with its attempt count, then fails the job for good at the limit', async () => {
    const name = queueName();
    const attempts: JobInfo[] = [];
    await jobs.work<{ failTimes: number }>(name, async (data, job) => {
      attempts.push(job);
      if (job.retryCount < data.failTimes) throw new Error(`attempt ${job.retryCount + 1} fails`);
    });
    const recovers = await t.db.transaction((m) => jobs.send(m, name, { failTimes: 1 }, { retryLimit: 3 }));
    const never = await t.db.transaction((m) => jobs.send(m, name, { failTimes: 99 }, { retryLimit: 1 }));
    await waitFor('both jobs to finish', async () => (await jobs.unfinished(name)) === 0);
    const states = await t.db.query(`SELECT id, state, retry_count FROM ${JOBS_SCHEMA}.job WHERE name = $1 ORDER BY state`, [name]);
    expect(states).toEqual([
      { id: recovers, state: 'completed', retry_count: 1 },
      { id: never, state: 'failed', retry_count: 1 },
    ]);
    expect(attempts.filter((a) => a.id === recovers).map((a) => [a.retryCount, a.retryLimit])).toEqual([
      [0, 3],
      [1, 3],
    ]);
    expect(attempts.filter((a) => a.id === never).map((a) => a.retryCount)).toEqual([0, 1]);
  }, SLOW);

  it('does not run a job before its startAfter', async () => {
    const name = queueName();
    const ranAt: number[] = [];
    await jobs.work(name, async () => {
      ranAt.push(Date.now());
    });
    const notBefore = Date.now() + 1500;
    await t.db.transaction((m) => jobs.send(m, name, {}, { startAfter: new Date(notBefore) }));
    await sleep(1000);
    expect(ranAt).toEqual([]);
    await waitFor('the delayed job', () => ranAt.length === 1);
    expect(ranAt[0]).toBeGreaterThanOrEqual(notBefore - 50);
  }, SLOW);

  it('completes the good jobs of a batch and retries only the failing one', async () => {
    const name = queueName();
    const runs: Record<string, number> = {};
    const ids = await t.db.transaction(async (m) => {
      const sent: (string | null)[] = [];
      for (const n of ['a', 'b', 'bad', 'c']) sent.push(await jobs.send(m, name, { n }, { retryLimit: 1 }));
      return sent;
    });
    expect(ids).toEqual([expect.any(String), expect.any(String), expect.any(String), expect.any(String)]);
    expect(await jobs.unfinished(name)).toBe(4);
    await jobs.work<{ n: string }>(
      name,
      async ({ n }) => {
        runs[n] = (runs[n] ?? 0) + 1;
        if (n === 'bad') throw new Error('bad job');
      },
      { batchSize: 4 },
    );
    await waitFor('the batch to finish', async () => (await jobs.unfinished(name)) === 0);
    expect(runs).toEqual({ a: 1, b: 1, c: 1, bad: 2 });
    const states = await t.db.query(`SELECT data->>'n' AS n, state FROM ${JOBS_SCHEMA}.job WHERE name = $1 ORDER BY 1`, [name]);
    expect(states).toEqual([
      { n: 'a', state: 'completed' },
      { n: 'b', state: 'completed' },
      { n: 'bad', state: 'failed' },
      { n: 'c', state: 'completed' },
    ]);
  }, SLOW);

  it('queues a job even when its queue was deleted from under the instance that created it', async () => {
    const name = queueName();
    const seen: string[] = [];
    expect(await t.db.transaction((m) => jobs.send(m, name, { n: 'before' }))).toEqual(expect.any(String));
    // Another instance (or an operator) deletes the queue, its jobs first; this instance still has it cached.
    await t.db.transaction(async (m) => {
      await m.query(`DELETE FROM ${JOBS_SCHEMA}.job WHERE name = $1`, [name]);
      await m.query(`SELECT ${JOBS_SCHEMA}.delete_queue($1)`, [name]);
    });
    const id = await t.db.transaction((m) => jobs.send(m, name, { n: 'after' }));
    expect(id).toEqual(expect.any(String));
    await jobs.work<{ n: string }>(name, async ({ n }) => {
      seen.push(n);
    });
    await waitFor('the job sent after the deletion', () => seen.length === 1);
    expect(seen).toEqual(['after']);
  }, SLOW);

  it('fetches and completes with named prepared statements, and goes on when pg-boss gains a column under it', async () => {
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    const sent: { text: string; name?: string }[] = [];
    proto.query = function (this: unknown, ...args: unknown[]) {
      const q = args[0] as string | { text: string; name?: string };
      sent.push(typeof q === 'string' ? { text: q } : { text: q.text, name: q.name });
      return original.apply(this, args);
    };
    const name = queueName();
    const seen: string[] = [];
    try {
      await jobs.work<{ n: string }>(name, async (data) => {
        seen.push(data.n);
      });
      await t.db.transaction((m) => jobs.send(m, name, { n: 'first' }));
      await waitFor('the first job', async () => seen.length === 1 && (await jobs.unfinished(name)) === 0);
      const hot = (start: RegExp) => sent.filter((s) => start.test(s.text.trim()));
      expect(hot(/^WITH next as \(/).length).toBeGreaterThan(0);
      expect(hot(/^WITH results AS \(/).length).toBeGreaterThan(0);
      expect([...hot(/^WITH next as \(/), ...hot(/^WITH results AS \(/)].filter((s) => !s.name)).toEqual([]);
      await t.db.query(`ALTER TABLE ${JOBS_SCHEMA}.job ADD COLUMN added_later integer`);
      try {
        await t.db.transaction((m) => jobs.send(m, name, { n: 'after the column' }));
        await waitFor('the job sent after the column', async () => seen.length === 2 && (await jobs.unfinished(name)) === 0);
      } finally {
        await t.db.query(`ALTER TABLE ${JOBS_SCHEMA}.job DROP COLUMN added_later`);
      }
      expect(seen).toEqual(['first', 'after the column']);
    } finally {
      proto.query = original;
    }
  }, SLOW);
});

describe('JobsService on several instances starting at once on a fresh database', () => {
  it('installs pg-boss and creates the queues once, without deadlocks or poisoned connections', async () => {
    const db = await createTestDatabase(); // migrated, but pg-boss not installed yet
    const config = loadConfig({ JOBS_POLL_SECONDS: '0.5' });
    const sources = await Promise.all([1, 2, 3, 4].map(() => new DataSource(dataSourceOptions(db.url, 5)).initialize()));
    const instances = sources.map((ds) => new JobsService(ds, config));
    try {
      expect(await sources[0].query(`SELECT to_regclass('${JOBS_SCHEMA}.version') AS v`)).toEqual([{ v: null }]);
      await Promise.all(instances.map((j) => j.onModuleInit()));
      const queues = ['q-a', 'q-b', 'q-c', 'q-d'];
      await Promise.all(instances.flatMap((j) => queues.map((q) => j.work(q, async () => undefined))));
      const [{ n }] = await sources[0].query(`SELECT count(*)::int AS n FROM ${JOBS_SCHEMA}.queue WHERE name = ANY($1)`, [queues]);
      expect(n).toBe(4);
      // every pooled connection still works (a failed pg-boss script would leave one in an aborted transaction)
      for (const ds of sources) {
        const rows = await Promise.all(Array.from({ length: 5 }, () => ds.transaction((m) => m.query('SELECT 1 AS x'))));
        expect(rows.flat()).toEqual(Array.from({ length: 5 }, () => ({ x: 1 })));
      }
      const aborted = await sources[0].query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE '%aborted%'`);
      expect(aborted).toEqual([{ n: 0 }]);
    } finally {
      await Promise.all(instances.map((j) => j.beforeApplicationShutdown()));
      await Promise.all(sources.map((ds) => ds.destroy()));
      await db.drop();
    }
  }, SLOW);
});
