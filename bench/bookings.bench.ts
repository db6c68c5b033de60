import autocannon from 'autocannon';
import { randomBytes, createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import pg from 'pg';
import { benchPort, boot, serverDatabase, stop } from './support.js';
import { type BenchRow } from './table.js';

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

async function baseline(url: string, clients: number, seconds: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: clients });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_baseline (id bigserial PRIMARY KEY, rep_id uuid, starts_at timestamptz, created_at timestamptz DEFAULT now())');
  let done = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          await c.query('INSERT INTO bench_baseline (rep_id, starts_at) VALUES (gen_random_uuid(), now())');
          await c.query('COMMIT');
          done++;
        } finally {
          c.release();
        }
      }
    }),
  );
  await pool.end();
  return done / seconds;
}

export async function run(): Promise<BenchRow[]> {
  const db = await serverDatabase('bookings');
  if (!db) return [{ area: 'bookings', case: 'booking throughput', result: 'skipped: no PostgreSQL server answered' }];
  const service = await boot({ DATABASE_URL: db.url, JOBS_POLL_SECONDS: '5' }, benchPort(3));
  const rows: BenchRow[] = [];
  try {
    const w = await seed(db.url);
    // Throughput on distinct slots, 32 connections.
    let i = 0;
    const times: number[] = [];
    let non201 = 0;
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const inst = autocannon(
        {
          url: `${service.url}/api/v1/bookings`,
          connections: 32,
          amount: BOOKINGS,
          method: 'POST',
          requests: [
            {
              setupRequest: (req: autocannon.Request) => {
                const { marketer, body } = bookingBody(w, i++, 0);
                return { ...req, method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${marketer.token}` } };
              },
            },
          ],
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
      inst.on('response', (_c: unknown, status: number, _b: number, ms: number) => {
        times.push(ms);
        if (status !== 201) non201++;
      });
    });
    const sorted = [...times].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
    const rate = times.length / result.duration;
    const base = await baseline(db.url, 32, 5);
    rows.push({
      area: 'bookings',
      case: `POST /api/v1/bookings on distinct free slots, 32 connections, ${BOOKINGS.toLocaleString('en')} bookings (${non201} not 201)`,
      result: `${rate.toFixed(0)} bookings/s, p50 ${pct(50).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms`,
      target: '≥ 1,000/s, p99 < 100 ms',
    });
    rows.push({
      area: 'bookings',
      case: 'baseline: single-row INSERT transactions, 32 connections, same database, same run',
      result: `${base.toFixed(0)} tx/s; bookings reach ${((rate / base) * 100).toFixed(1)}% of it`,
    });

    // Contention: 200 clients racing for 20 slots (10 each), each a different marketer.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const contenders = Array.from({ length: 200 }, (_, j) => ({
      marketer: w.marketers[j % MARKETERS],
      body: { periodId: w.periodId, repId: w.reps[j % 20], startsAt: w.base.plus({ days: 30 }).toISO() },
    }));
    const t0 = performance.now();
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
    const settled = performance.now() - t0;
    const [{ n, overlaps }] = (
      await c.query(
        `SELECT (SELECT count(*)::int FROM bookings WHERE starts_at = $1) AS n,
                (SELECT count(*)::int FROM bookings a JOIN bookings b ON a.rep_id = b.rep_id AND a.id < b.id AND a.status <> 'cancelled' AND b.status <> 'cancelled'
                  AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)) AS overlaps`,
        [w.base.plus({ days: 30 }).toJSDate()],
      )
    ).rows;
    await c.end();
    const created = statuses.filter((s) => s === 201).length;
    const errors = statuses.filter((s) => s >= 500).length;
    rows.push({
      area: 'bookings',
      case: '200 clients racing for 20 single-seat slots',
      result: `all settled in ${settled.toFixed(0)} ms; ${created} × 201, ${statuses.filter((s) => s === 409).length} × 409, ${errors} × 5xx; ${n} rows, ${overlaps} double bookings`,
      target: '0 double bookings',
    });
  } finally {
    await stop(service);
    await db.drop();
  }
  return rows;
}
