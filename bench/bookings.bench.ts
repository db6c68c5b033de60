import autocannon from 'autocannon';
import { randomBytes, createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import pg from 'pg';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { answerClock, BENCH_APPLICATION, benchPort, boot, cpuSampler, type Running, serverDatabase, sleep, stop } from './support.js';
import { type BenchRow, percentile } from './table.js';

const REPS = 100;
const MARKETERS = 200;
const BOOKINGS = 3_000;

interface World {
  periodId: string;
  reps: string[];
  marketers: { id: string; token: string }[];
  base: DateTime;
}

/** Seeds reps open around the clock, enrolled marketers with tokens, generous caps: only seats decide. */
export async function seed(url: string): Promise<World> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    const settings = {
      slotMinutes: 45, slotGridMinutes: 15, minNoticeHours: 0, horizonDays: 365, seatsPerCall: 1, repWeeklyCap: 100, quota: 1000,
      sameRepLimit: 1000, cancelNoticeHours: 24, formDueHours: 24, periodCadence: 'none', rollupCadence: 'period', rollupRecipients: [],
      onboardingShifts: 3, onboardingDays: 30,
    };
    const [{ id: programId }] = (await c.query(`INSERT INTO programs (name, kind, time_zone, settings) VALUES ('Bench', 'call_shadowing', 'UTC', $1) RETURNING id`, [settings])).rows;
    const today = DateTime.utc().startOf('day');
    const [{ id: periodId }] = (
      await c.query(`INSERT INTO periods (program_id, starts_on, ends_on, status) VALUES ($1, $2, $3, 'open') RETURNING id`, [programId, today.toISODate(), today.plus({ days: 300 }).toISODate()])
    ).rows;
    const reps = (await c.query(`INSERT INTO users (email, name, time_zone, roles) SELECT 'brep' || i || '@bench.example', 'Rep ' || i, 'UTC', ARRAY['rep'] FROM generate_series(1, $1) i RETURNING id`, [REPS])).rows.map((r) => r.id as string);
    const mk = (await c.query(`INSERT INTO users (email, name, time_zone, roles) SELECT 'bmk' || i || '@bench.example', 'Marketer ' || i, 'Europe/Berlin', ARRAY['marketer'] FROM generate_series(1, $1) i RETURNING id`, [MARKETERS])).rows.map((r) => r.id as string);
    await c.query(`INSERT INTO roster_entries (period_id, rep_id, status) SELECT $1, unnest($2::uuid[]), 'active'`, [periodId, reps]);
    await c.query(`INSERT INTO enrollments (period_id, marketer_id, quota) SELECT $1, unnest($2::uuid[]), 1000`, [periodId, mk]);
    const weekly = JSON.stringify([1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })));
    await c.query(`INSERT INTO availability (rep_id, time_zone, weekly) SELECT unnest($1::uuid[]), 'UTC', $2::jsonb`, [reps, weekly]);
    const marketers = mk.map((id) => ({ id, token: `ra_bench_${randomBytes(16).toString('hex')}` }));
    await c.query(
      `INSERT INTO api_tokens (user_id, name, token_hash, prefix) SELECT unnest($1::uuid[]), 'bench', unnest($2::bytea[]), 'ra_bench'`,
      [marketers.map((m) => m.id), marketers.map((m) => createHash('sha256').update(m.token).digest())],
    );
    await c.query('COMMIT');
    await c.query('ANALYZE');
    return { periodId, reps, marketers, base: today.plus({ days: 2 }) };
  } finally {
    await c.end();
  }
}

/**
 * Booking i: rep i % REPS at that rep's (i / REPS)-th 45-minute slot; marketer i % MARKETERS. Within one
 * time index the marketers differ, so every request is for a distinct free slot and nobody conflicts.
 */
export function bookingBody(w: World, i: number, dayOffset: number) {
  const rep = w.reps[i % REPS];
  const k = Math.floor(i / REPS);
  const startsAt = w.base.plus({ days: dayOffset, minutes: 45 * k }).toISO();
  return { marketer: w.marketers[i % MARKETERS], body: JSON.stringify({ periodId: w.periodId, repId: rep, startsAt }) };
}

/**
 * The pgbench baseline: `clients` connections for `seconds`, each transaction one INSERT into a table
 * with a btree_gist exclusion constraint like the bookings table's (rep, time range). Returns tps.
 */
async function pgbench(url: string, clients: number, seconds: number): Promise<{ tps: number; pgMsPerTx: number }> {
  const u = new URL(url);
  const script = path.join(mkdtempSync(path.join(tmpdir(), 'ra-pgbench-')), 'insert.sql');
  writeFileSync(script, `INSERT INTO bench_baseline (rep_id, during) VALUES (gen_random_uuid(), tstzrange(now(), now() + interval '45 minutes'));\n`);
  const child = spawn(
    'pgbench',
    ['-n', '-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username) || 'postgres', '-c', String(clients), '-j', '2', '-T', String(seconds), '-f', script, u.pathname.slice(1)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  // Its backends' CPU (application_name pgbench), to say what one such transaction costs the server.
  const cpu = cpuSampler(url, child.pid!, new URL(url).pathname.slice(1), 'pgbench');
  await cpu.start();
  const code = await exited;
  const [, pgCpu] = await cpu.stop();
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out) ?? /tps = ([\d.]+)/.exec(out);
  const done = /number of transactions actually processed: (\d+)/.exec(out);
  if (code !== 0 || !tps || !done) throw new Error(`pgbench exited with ${code}: ${out.slice(0, 300)}`);
  return { tps: Number(tps[1]), pgMsPerTx: (pgCpu / Number(done[1])) * 1000 };
}

/** A local SMTP peer that accepts every message and keeps none: the mail the bookings send really goes out. */
async function smtpSink(): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    onData(stream, _session, done) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, received: () => received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** `amount` bookings on distinct free slots from `connections` keep-alive connections; latencies of each. */
async function book(service: Running, w: World, amount: number, dayOffset: number, connections: number) {
  let i = 0;
  const times: number[] = [];
  let non201 = 0;
  const clock = answerClock();
  await new Promise<autocannon.Result>((resolve, reject) => {
    const inst = autocannon(
      {
        url: `${service.url}/api/v1/bookings`,
        connections,
        amount,
        method: 'POST',
        requests: [
          {
            setupRequest: (req: autocannon.Request) => {
              const { marketer, body } = bookingBody(w, i++, dayOffset);
              return { ...req, method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${marketer.token}` } };
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    inst.on('response', (_c: unknown, status: number, _b: number, ms: number) => {
      times.push(ms);
      clock.answered();
      if (status !== 201) non201++;
    });
  });
  return { rate: times.length / clock.seconds(), p50: percentile(times, 50), p99: percentile(times, 99), non201 };
}

/** Waits until the outbox has nothing pending; the seconds it took. */
async function drained(c: pg.Client, timeoutMs = 300_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    // `status <> 'sent'` lets it read the partial index of unsent rows instead of the whole outbox.
    const [{ n }] = (await c.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE status <> 'sent' AND status = 'pending'`)).rows;
    if (n === 0) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > timeoutMs) throw new Error(`mail outbox not drained after ${timeoutMs} ms: ${n} pending`);
    await sleep(100);
  }
}

export async function run(): Promise<BenchRow[]> {
  const db = await serverDatabase('bookings');
  if (!db) return [{ area: 'bookings', case: 'booking throughput', result: 'skipped: no PostgreSQL server answered' }];
  const smtp = await smtpSink();
  let service: Running;
  try {
    service = await boot({ DATABASE_URL: db.url, JOBS_POLL_SECONDS: '0.5', SMTP_URL: smtp.url }, benchPort(3));
  } catch (e) {
    // Without these closed, the SMTP listener held `npm run bench` open after its table (seen when the boot failed).
    await smtp.close();
    await db.drop();
    throw e;
  }
  const rows: BenchRow[] = [];
  const c = new pg.Client({ connectionString: db.url, application_name: BENCH_APPLICATION });
  try {
    await c.connect();
    const database = new URL(db.url).pathname.slice(1);
    await c.query('CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, rep_id uuid NOT NULL, during tstzrange NOT NULL, EXCLUDE USING gist (rep_id WITH =, during WITH &&))');
    const w = await seed(db.url);
    const loadBefore = loadavg()[0];
    const before = await pgbench(db.url, 32, 5);
    // Warm-up (JIT, pools, plans), on days of its own, and its mail sent before the measured run.
    await book(service, w, 300, 200, 32);
    await drained(c);
    // What the idle service costs (job polling, maintenance): 10 s with nothing to do, as CPU per second.
    const idle = cpuSampler(db.url, service.child.pid!, database);
    await idle.start();
    await sleep(10_000);
    const [idleService, idlePg] = (await idle.stop()).map((t) => t / 10);
    const sentBefore = smtp.received();
    const cpu = cpuSampler(db.url, service.child.pid!, database);
    const cpuStart = performance.now();
    await cpu.start();
    const t0 = performance.now();
    const r = await book(service, w, BOOKINGS, 0, 32);
    const loadSeconds = (performance.now() - t0) / 1000;
    const drainSeconds = await drained(c);
    const [serviceCpu, pgCpu] = await cpu.stop();
    const measuredSeconds = (performance.now() - cpuStart) / 1000;
    const emails = smtp.received() - sentBefore;
    const after = await pgbench(db.url, 32, 5);
    const loadAfter = loadavg()[0];
    const booked = BOOKINGS - r.non201;
    const serviceMs = (serviceCpu / booked) * 1000;
    const pgMs = (pgCpu / booked) * 1000;
    const base = (before.tps + after.tps) / 2;
    const insertMs = (before.pgMsPerTx + after.pgMsPerTx) / 2;
    rows.push({
      area: 'bookings',
      case: `POST /api/v1/bookings on distinct free slots, 32 connections, ${BOOKINGS.toLocaleString('en')} bookings (${r.non201} not 201)`,
      result: `${r.rate.toFixed(0)} bookings/s, p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms; ${(r.rate / base * 100).toFixed(1)}% of pgbench`,
      target: '≥ 10% of the same-run pgbench baseline',
    });
    rows.push({
      area: 'bookings',
      case: 'baseline: pgbench, one INSERT per transaction into a table with a btree_gist EXCLUDE (rep, range), 32 clients, 5 s before and after',
      result: `${before.tps.toFixed(0)} tps before, ${after.tps.toFixed(0)} tps after; PostgreSQL CPU ${insertMs.toFixed(2)} ms per transaction`,
    });
    rows.push({
      area: 'bookings',
      case: `CPU per booking, from /proc every 200 ms: service process tree plus the database's backends (an exited backend keeps its last sample), over the run and until its ${emails.toLocaleString('en')} emails were sent over SMTP (${drainSeconds.toFixed(1)} s after the last booking; load ${loadSeconds.toFixed(1)} s)`,
      result: `${(serviceMs + pgMs).toFixed(1)} ms (service ${serviceMs.toFixed(1)} ms, PostgreSQL ${pgMs.toFixed(1)} ms: ${(pgMs / insertMs).toFixed(0)} pgbench inserts' worth)`,
      target: '≤ 4 ms',
    });
    rows.push({
      area: 'bookings',
      case: 'of which the idle service: job polling and maintenance with nothing to do (10 s alone), for as long as the run and its drain took',
      result: `${(((idleService + idlePg) * measuredSeconds) / booked * 1000).toFixed(1)} ms per booking (idle: service ${(idleService * 1000).toFixed(0)} ms/s, PostgreSQL ${(idlePg * 1000).toFixed(0)} ms/s of CPU)`,
    });
    rows.push({ area: 'bookings', case: 'load average (1 min) before and after the booking rows', result: `${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)} on ${cpus().length} cores` });

    // Contention: 200 clients racing for 20 slots (10 each), each a different marketer.
    const contenders = Array.from({ length: 200 }, (_, j) => ({
      marketer: w.marketers[j % MARKETERS],
      body: { periodId: w.periodId, repId: w.reps[j % 20], startsAt: w.base.plus({ days: 30 }).toISO() },
    }));
    const raceStart = performance.now();
    const statuses = await Promise.all(
      contenders.map(async (x) => {
        const res = await fetch(`${service.url}/api/v1/bookings`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${x.marketer.token}` },
          body: JSON.stringify(x.body),
        });
        await res.text();
        return res.status;
      }),
    );
    const settled = performance.now() - raceStart;
    const [{ n, overlaps }] = (
      await c.query(
        `SELECT (SELECT count(*)::int FROM bookings WHERE starts_at = $1) AS n,
                (SELECT count(*)::int FROM bookings a JOIN bookings b ON a.rep_id = b.rep_id AND a.id < b.id AND a.status <> 'cancelled' AND b.status <> 'cancelled'
                  AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)) AS overlaps`,
        [w.base.plus({ days: 30 }).toJSDate()],
      )
    ).rows;
    const created = statuses.filter((s) => s === 201).length;
    const errors = statuses.filter((s) => s >= 500).length;
    rows.push({
      area: 'bookings',
      case: '200 clients racing for 20 single-seat slots',
      result: `all settled in ${settled.toFixed(0)} ms; ${created} × 201, ${statuses.filter((s) => s === 409).length} × 409, ${errors} × 5xx; ${n} rows, ${overlaps} double bookings`,
      target: '0 double bookings',
    });
  } finally {
    await c.end();
    await stop(service);
    await smtp.close();
    await db.drop();
  }
  return rows;
}
