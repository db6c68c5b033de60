import autocannon from 'autocannon';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source.js';
import { ApiToken } from '../src/people/api-token.entity.js';
import { User } from '../src/people/user.entity.js';
import { pool } from '../src/common/prepared-query.js';
import { USER_COLUMNS, UsersRepository } from '../src/people/users.repository.js';
import { answerClock, BENCH_TOKEN, benchPort, boot, serverDatabase, sleep, stop } from './support.js';
import type { BenchRow } from './table.js';

const CLIENTS = 8;
const REQUESTS = 4_000;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** `REQUESTS` GETs of `url` from `CLIENTS` keep-alive connections; exact percentiles from every response's time. */
async function hammer(url: string, headers: Record<string, string>, status: number) {
  const times: number[] = [];
  let wrong = 0;
  const clock = answerClock();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections: CLIENTS, amount: REQUESTS, headers }, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client: unknown, code: number, _bytes: number, ms: number) => {
      times.push(ms);
      clock.answered();
      if (code !== status) wrong++;
    });
  });
  if (wrong || result.errors) throw new Error(`GET ${url}: ${wrong} not ${status}, ${result.errors} errors`);
  times.sort((a, b) => a - b);
  return { rps: times.length / clock.seconds(), p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
}

/** Transactions committed in the database so far (each statement outside a transaction is one), after the backends reported. */
async function statements(c: pg.Client): Promise<number> {
  // An idle backend reports its counts within 10 s (PostgreSQL 15's PGSTAT_IDLE_INTERVAL).
  await sleep(11_000);
  await c.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await c.query<{ n: string }>(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`);
  return Number(rows[0].n);
}

/** Lookups per second of `lookup` from CLIENTS concurrent callers, LOOKUPS in all. */
async function lookups(lookup: () => Promise<unknown>): Promise<number> {
  const LOOKUPS = 8_000;
  let left = LOOKUPS;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (left-- > 0) if (!(await lookup())) throw new Error('the token was not found');
    }),
  );
  return LOOKUPS / ((performance.now() - t) / 1000);
}

/**
 * The token lookup alone, in this process on a pool of CLIENTS connections: as it was (TypeORM's query
 * builder, an unnamed statement parsed and planned every time) and as it is (a named prepared statement),
 * alternately three times each.
 */
async function preparedVersusUnnamed(url: string): Promise<BenchRow> {
  const ds = await new DataSource(dataSourceOptions(url, CLIENTS)).initialize();
  try {
    const hash = createHash('sha256').update(BENCH_TOKEN).digest();
    const unnamed = () =>
      ds
        .getRepository(User)
        .createQueryBuilder('u')
        .innerJoin(ApiToken, 't', 't.user_id = u.id')
        .where('t.token_hash = :hash', { hash })
        .andWhere('t.revoked_at IS NULL')
        .andWhere('u.active')
        .getOne();
    const repo = new UsersRepository(ds);
    const prepared = () => repo.findByLiveTokenHash(hash);
    // The prepared statement's text sent unnamed (parsed and planned each time), to tell the two gains apart.
    const text = `SELECT ${USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active`;
    const raw = async () => (await pool(ds).query(text, [hash])).rows[0] as unknown;
    const runs = { builder: [] as number[], raw: [] as number[], prepared: [] as number[] };
    for (let i = 0; i < 4; i++) {
      // The first round warms up (connections, JIT of this process), and is not counted.
      const round = { builder: await lookups(unnamed), raw: await lookups(raw), prepared: await lookups(prepared) };
      if (i > 0) for (const k of ['builder', 'raw', 'prepared'] as const) runs[k].push(round[k]);
    }
    const best = (xs: number[]) => Math.max(...xs).toFixed(0);
    return {
      area: 'auth',
      case: `the token lookup alone, ${CLIENTS} concurrent callers on ${CLIENTS} connections, best of 3: TypeORM query builder / the same SQL unnamed through the pool / named prepared statement`,
      result: `${best(runs.builder)} / ${best(runs.raw)} / ${best(runs.prepared)} lookups/s`,
    };
  } finally {
    await ds.destroy();
  }
}

/**
 * What authenticating a request costs: GET /api/v1/me (the bearer token is all it reads) and GET / with a
 * browser session (the session is all it reads; it answers 303 to the role's home), at 8 clients, with the
 * PostgreSQL statements each request ran (pg_stat_database's commits over a run, the bench's own excluded).
 */
export async function run(): Promise<BenchRow[]> {
  const db = await serverDatabase('auth');
  if (!db) return [{ area: 'auth', case: 'token and session lookups', result: 'skipped: no PostgreSQL server answered' }];
  const target = await boot({ DATABASE_URL: db.url }, benchPort(11));
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const cookie = 'ss_' + randomBytes(32).toString('base64url');
    await c.query(
      `INSERT INTO web_sessions (token_hash, user_id, csrf_token, expires_at)
       SELECT $1, id, 'bench', now() + interval '1 day' FROM users WHERE lower(email) = lower($2)`,
      [createHash('sha256').update(cookie).digest(), 'admin@ridealong.local'],
    );
    const rows: BenchRow[] = [];
    const cases: [string, string, Record<string, string>, number][] = [
      ['GET /api/v1/me (bearer token)', '/api/v1/me', { authorization: `Bearer ${BENCH_TOKEN}` }, 200],
      ['GET / (session cookie; 303 to the role home)', '/', { cookie: `ra_session=${cookie}`, accept: 'text/html' }, 303],
    ];
    for (const [label, path, headers, status] of cases) {
      await hammer(`${target.url}${path}`, headers, status); // warm-up
      const before = await statements(c);
      const r = await hammer(`${target.url}${path}`, headers, status);
      const after = await statements(c);
      const perRequest = (after - before - 2) / REQUESTS; // less the two reads of this function
      rows.push({
        area: 'auth',
        case: `${label}, ${CLIENTS} clients, ${REQUESTS.toLocaleString('en')} requests`,
        result: `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms; ${perRequest.toFixed(3)} PostgreSQL statements per request`,
      });
    }
    rows.push(await preparedVersusUnnamed(db.url));
    return rows;
  } finally {
    await c.end();
    await stop(target);
    await db.drop();
  }
}
