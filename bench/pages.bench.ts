import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { cpus, loadavg } from 'node:os';
import { DateTime } from 'luxon';
import { hammer, seed } from './slots-http.bench.js';
import { benchPort, boot, cpuSampler, serverDatabase, stop } from './support.js';
import type { BenchRow } from './table.js';

/** A browser session for `email`, written the way sign-in writes one (hashed token), so the pages can be loaded. */
async function session(url: string, email: string): Promise<Record<string, string>> {
  const token = 'ss_' + randomBytes(32).toString('base64url');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO web_sessions (token_hash, user_id, csrf_token, expires_at)
       SELECT $1, id, 'bench', now() + interval '1 day' FROM users WHERE lower(email) = lower($2)`,
      [createHash('sha256').update(token).digest(), email],
    );
  } finally {
    await c.end();
  }
  return { cookie: `ra_session=${token}`, accept: 'text/html' };
}

/**
 * Whole pages as a browser gets them (session cookie, server-rendered HTML), on the slots benchmark's data:
 * 200 reps on the roster in four zones, 500 marketers, 5,000 bookings.
 */
export async function run(): Promise<BenchRow[]> {
  const db = await serverDatabase('pages');
  if (!db) return [{ area: 'pages', case: 'web pages', result: 'skipped: no PostgreSQL server answered' }];
  const rows: BenchRow[] = [];
  try {
    const service = await boot({ DATABASE_URL: db.url, WEB_CONCURRENCY: '1' }, benchPort(5));
    try {
      const s = await seed(db.url);
      const marketer = await session(db.url, 'mk0@bench.example');
      const admin = await session(db.url, 'admin@ridealong.local');
      const monday = DateTime.fromISO(s.from, { zone: 'Europe/Berlin' }).plus({ weeks: 1 }).startOf('week').toISODate();
      const pages: [string, string, Record<string, string>][] = [
        ['GET /marketer/slots: the week view, 200-rep roster, 5,000 bookings, marketer in Europe/Berlin', `/marketer/slots?periodId=${s.periodId}&week=${monday}`, marketer],
        // What a browser sends: the page compressed (brotli) by the service.
        ['the same week view with Accept-Encoding: gzip, deflate, br (as browsers send)', `/marketer/slots?periodId=${s.periodId}&week=${monday}`, { ...marketer, 'accept-encoding': 'gzip, deflate, br' }],
        ['GET /marketer: quota progress, upcoming sessions, sessions to mark', '/marketer', marketer],
        ['GET /lifecycle/programs/:id/health: coverage, forms late, marketers at risk (500 enrolled)', `/lifecycle/programs/${s.programId}/health?period=${s.periodId}`, admin],
        ['GET /lifecycle/people: 700 people', '/lifecycle/people', admin],
      ];
      rows.push({ area: 'pages', case: 'load average (1 min) before the page rows', result: `${loadavg()[0].toFixed(2)} on ${cpus().length} cores` });
      for (const [label, path, headers] of pages) {
        await hammer(`${service.url}${path}`, headers, 2, 20); // warm-up
        // CPU per page from /proc: the service's process and the database's backends (what the page costs,
        // apart from the client and whatever else the two cores run).
        const cpu = cpuSampler(db.url, service.child.pid!, new URL(db.url).pathname.slice(1));
        await cpu.start();
        const r = await hammer(`${service.url}${path}`, headers, 4, 200);
        const [serviceCpu, pgCpu] = await cpu.stop();
        const ms = (seconds: number) => ((seconds * 1000) / 200).toFixed(1);
        rows.push({
          area: 'pages',
          case: `${label}; 4 clients, 200 requests`,
          result: `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms (${(r.bytes / 1024).toFixed(0)} KiB of HTML); CPU per page: service ${ms(serviceCpu)} ms, PostgreSQL ${ms(pgCpu)} ms`,
          ...(label.includes('week view') ? { target: 'p95 ≤ 150 ms' } : {}),
        });
      }
    } finally {
      await stop(service);
    }
  } finally {
    await db.drop();
  }
  return rows;
}
