import autocannon from 'autocannon';
import { DateTime } from 'luxon';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { answerClock, BENCH_TOKEN, benchPort, boot, serverDatabase, stop } from './support.js';
import { type BenchRow, median, percentile } from './table.js';

const REPS = 200;
const BOOKINGS = 5_000;
const MARKETERS = 500;
/** How many marketers' listings the cold comparison cycles through: more than the ListingCache keeps (LISTINGS_KEPT). */
const COLD_VARIANTS = 48;
const ZONES = ['America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Sydney'];
/** Three two-hour windows a week per rep, on varying days and times (local to the rep). */
const WINDOW_SETS = [
  [{ weekday: 1, start: '10:00', end: '12:00' }, { weekday: 3, start: '14:00', end: '16:00' }, { weekday: 4, start: '09:00', end: '11:00' }],
  [{ weekday: 2, start: '09:30', end: '11:30' }, { weekday: 4, start: '13:00', end: '15:00' }, { weekday: 5, start: '10:00', end: '12:00' }],
  [{ weekday: 1, start: '15:00', end: '17:00' }, { weekday: 2, start: '11:00', end: '13:00' }, { weekday: 5, start: '09:00', end: '11:00' }],
];

/**
 * `total` GETs from `clients` concurrent keep-alive connections (autocannon, which does not decode the
 * bodies, so the client takes little of the machine's two cores); exact percentiles from every
 * response's time. `auth` is a Bearer token, or the headers to send (a session cookie for pages).
 */
export async function hammer(url: string, auth: string | Record<string, string>, clients: number, total: number) {
  const headers = typeof auth === 'string' ? { authorization: `Bearer ${auth}` } : auth;
  const first = await fetch(url, { headers, redirect: 'manual' });
  const text = await first.text();
  if (first.status !== 200) throw new Error(`GET ${url}: ${first.status} ${text.slice(0, 300)}`);
  // Slots of the first page (GET /slots pages its listing; `follow` reads all of it).
  const slots = first.headers.get('content-type')?.includes('json') ? ((JSON.parse(text) as { slots?: unknown[] }).slots?.length ?? 0) : 0;
  const times: number[] = [];
  let failures = 0;
  const clock = answerClock();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections: clients, amount: total, headers }, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      times.push(ms);
      clock.answered();
      if (status !== 200) failures++;
    });
  });
  if (failures || result.errors) throw new Error(`GET ${url}: ${failures} non-200, ${result.errors} errors`);
  return { rps: times.length / clock.seconds(), p50: median(times), p95: percentile(times, 95), p99: percentile(times, 99), bytes: text.length, body: text, slots };
}

/**
 * A whole listing the way a client reads it: the first page of `url`, then each `nextCursor` until there is
 * none, one request after another. Checks that no slot comes twice; returns pages, slots, bytes and time.
 */
export async function follow(url: string, token: string): Promise<{ pages: number; slots: number; bytes: number; ms: number }> {
  const started = performance.now();
  const seen = new Set<string>();
  let pages = 0;
  let bytes = 0;
  let cursor: string | null = null;
  do {
    const res = await fetch(cursor ? `${url}&cursor=${encodeURIComponent(cursor)}` : url, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${url} (page ${pages + 1}): ${res.status} ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { slots: { repId: string; startsAt: string }[]; nextCursor: string | null };
    for (const s of body.slots) {
      const key = `${s.repId}|${s.startsAt}`;
      if (seen.has(key)) throw new Error(`GET ${url}: slot ${key} came twice`);
      seen.add(key);
    }
    pages++;
    bytes += text.length;
    cursor = body.nextCursor;
  } while (cursor);
  return { pages, slots: seen.size, bytes, ms: performance.now() - started };
}

/** GET `url` with `headers` on a keep-alive `agent`; the body's wire bytes (not decoded). */
function rawGet(url: string, headers: Record<string, string>, agent: http.Agent): Promise<{ status: number; bytes: number; encoding: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, encoding: res.headers['content-encoding'] }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/**
 * `clients` concurrent keep-alive clients, each reading `urls` one after another (the pages of one listing, by
 * their nextCursor, which is the same for every round while nothing changes) `rounds` times; the time of a
 * whole sequence is one sample. Bodies are not decoded (as with autocannon). A function gives each sequence's
 * URLs in turn.
 */
export async function sequences(urls: string[] | (() => string[]), headers: Record<string, string>, clients: number, rounds: number) {
  const next = typeof urls === 'function' ? urls : () => urls;
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const times: number[] = [];
  let wire = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let i = 0; i < rounds; i++) {
          const t = performance.now();
          let bytes = 0;
          for (const u of next()) {
            const r = await rawGet(u, headers, agent);
            if (r.status !== 200) throw new Error(`GET ${u}: ${r.status}`);
            bytes += r.bytes;
          }
          times.push(performance.now() - t);
          wire = bytes;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return { rps: times.length / seconds, p50: median(times), p95: percentile(times, 95), p99: percentile(times, 99), wire };
}

/** The URLs of every page of a listing (first page, then each nextCursor), and each page's body. */
async function pagesOf(url: string, token: string): Promise<{ urls: string[]; bodies: Buffer[] }> {
  const urls: string[] = [];
  const bodies: Buffer[] = [];
  let next: string | null = url;
  while (next) {
    const res = await fetch(next, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'identity' } });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`GET ${next}: ${res.status} ${body.toString().slice(0, 300)}`);
    urls.push(next);
    bodies.push(body);
    const cursor = (JSON.parse(body.toString()) as { nextCursor: string | null }).nextCursor;
    next = cursor ? `${url}&cursor=${encodeURIComponent(cursor)}` : null;
  }
  return { urls, bodies };
}

const ENCODINGS: [string, Record<string, string>][] = [
  ['no Accept-Encoding', {}],
  ['Accept-Encoding: br', { 'accept-encoding': 'br' }],
];

/**
 * The slot search beside a static file of the same bytes, served by the same process (BENCH_STATIC_DIR, an
 * express.static directory behind the same logging, metrics and compression middleware, but no token check):
 * each case and encoding runs the listing, then the file, then the listing again and the file again, and
 * reports each side's worse p95 of the two runs (the machine is shared; alternating spreads its noise).
 */
async function versusStatic(service: string, staticDir: string, base: string, marketerIds: string[], label: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const auth = { authorization: `Bearer ${BENCH_TOKEN}` };
  const cases: { name: string; urls: string[] | (() => string[]); bodies: Buffer[]; single: boolean }[] = [];
  for (const [name, limit] of [['first page (default limit, 1,000 slots)', ''], ['first page with limit=5000', '&limit=5000']] as const) {
    const p = await pagesOf(`${base}${limit}`, BENCH_TOKEN);
    cases.push({ name, urls: p.urls.slice(0, 1), bodies: p.bodies.slice(0, 1), single: true });
    if (!limit) continue;
    const pages = p.urls.length;
    cases.push({ name: `the whole 4 weeks, ${pages} pages of limit=5000 read one after another`, urls: p.urls, bodies: p.bodies, single: false });
    // Each marketer's own listing (with their commitments, as the week view asks), COLD_VARIANTS marketers in
    // turn, more than the instance's ListingCache keeps: each listing is new to it at its first page.
    const variants: string[][] = [];
    for (const marketerId of marketerIds) {
      const v = await pagesOf(`${base}&marketerId=${marketerId}${limit}`, BENCH_TOKEN);
      if (v.urls.length !== pages) throw new Error(`marketer ${marketerId}: ${v.urls.length} pages, not ${pages}`);
      variants.push(v.urls);
    }
    let turn = 0;
    cases.push({
      name: `the whole 4 weeks with marketerId, ${marketerIds.length} marketers in turn (each listing new to the listing cache at its first page; the static file is the listing above)`,
      urls: () => variants[turn++ % variants.length],
      bodies: p.bodies,
      single: false,
    });
  }
  for (const [i, c] of cases.entries()) {
    const bytes = c.bodies.reduce((n, b) => n + b.length, 0);
    // The static twin: one file of the same size (the pages' bodies in one JSON array).
    const file = `case-${i}.json`;
    writeFileSync(path.join(staticDir, file), Buffer.concat([Buffer.from('['), ...c.bodies.flatMap((b, k) => (k ? [Buffer.from(','), b] : [b])), Buffer.from(']')]));
    const fileUrl = `${service}/bench-static/${file}`;
    const slots = c.bodies.reduce((n, b) => n + (JSON.parse(b.toString()) as { slots: unknown[] }).slots.length, 0);
    for (const [encName, enc] of ENCODINGS) {
      const runs: { listing: number[]; file: number[]; wire: number; fileWire: number } = { listing: [], file: [], wire: 0, fileWire: 0 };
      for (let round = 0; round < 2; round++) {
        const l = await sequences(c.urls, { ...auth, ...enc }, 8, 25);
        const f = await sequences([fileUrl], enc, 8, 25);
        runs.listing.push(l.p95);
        runs.file.push(f.p95);
        runs.wire = l.wire;
        runs.fileWire = f.wire;
      }
      const listing = Math.max(...runs.listing);
      const file2 = Math.max(...runs.file);
      rows.push({
        area: 'slots http',
        case: `vs static: ${c.name} (${slots.toLocaleString('en')} slots, ${(bytes / 1024).toFixed(0)} KiB of JSON), ${encName}, 8 clients, 2 × 200 ${c.single ? 'requests' : 'listings'} alternating with the same-size static file, ${label}`,
        result:
          `p95 ${listing.toFixed(0)} ms (runs ${runs.listing.map((x) => x.toFixed(0)).join(', ')}) vs static file p95 ${file2.toFixed(0)} ms (runs ${runs.file.map((x) => x.toFixed(0)).join(', ')}): ` +
          `${(listing / file2).toFixed(1)}×; on the wire ${(runs.wire / 1024).toFixed(0)} KiB vs ${(runs.fileWire / 1024).toFixed(0)} KiB; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`,
        target: '≤ 2× the static file',
      });
    }
  }
  return rows;
}

export async function seed(url: string): Promise<{ programId: string; periodId: string; marketerId: string; marketerIds: string[]; from: string; to: string }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    const today = DateTime.utc().startOf('day');
    const settings = {
      slotMinutes: 45, slotGridMinutes: 15, minNoticeHours: 12, horizonDays: 35, seatsPerCall: 1, repWeeklyCap: 10, quota: 200,
      sameRepLimit: 50, cancelNoticeHours: 24, formDueHours: 24, periodCadence: 'none', rollupCadence: 'period', rollupRecipients: [],
      onboardingShifts: 3, onboardingDays: 30,
    };
    const [{ id: programId }] = (await c.query(`INSERT INTO programs (name, kind, time_zone, settings) VALUES ('Bench', 'call_shadowing', 'UTC', $1) RETURNING id`, [settings])).rows;
    const [{ id: periodId }] = (
      await c.query(`INSERT INTO periods (program_id, starts_on, ends_on, status) VALUES ($1, $2, $3, 'open') RETURNING id`, [programId, today.minus({ days: 1 }).toISODate(), today.plus({ days: 40 }).toISODate()])
    ).rows;
    const reps = (
      await c.query(
        `INSERT INTO users (email, name, time_zone, roles) SELECT 'rep' || i || '@bench.example', 'Rep ' || i, ($1::text[])[1 + i % 4], ARRAY['rep'] FROM generate_series(0, $2 - 1) i RETURNING id, time_zone`,
        [ZONES, REPS],
      )
    ).rows as { id: string; time_zone: string }[];
    const marketers = (
      await c.query(`INSERT INTO users (email, name, time_zone, roles) SELECT 'mk' || i || '@bench.example', 'Marketer ' || i, 'Europe/Berlin', ARRAY['marketer'] FROM generate_series(0, $1 - 1) i RETURNING id`, [MARKETERS])
    ).rows as { id: string }[];
    await c.query(`INSERT INTO roster_entries (period_id, rep_id, status) SELECT $1, unnest($2::uuid[]), 'active'`, [periodId, reps.map((r) => r.id)]);
    await c.query(`INSERT INTO enrollments (period_id, marketer_id, quota) SELECT $1, unnest($2::uuid[]), 200`, [periodId, marketers.map((m) => m.id)]);
    await c.query(
      `INSERT INTO availability (rep_id, time_zone, weekly) SELECT unnest($1::uuid[]), unnest($2::text[]), unnest($3::jsonb[])`,
      [reps.map((r) => r.id), reps.map((r) => r.time_zone), reps.map((_, i) => JSON.stringify(WINDOW_SETS[i % WINDOW_SETS.length]))],
    );
    // 25 calls per rep over the four weeks, on distinct days, 45 minutes on the hour; no marketer in two places.
    const taken = new Set<string>();
    const rows: [string, string, string, string][] = [];
    const perRep = BOOKINGS / REPS;
    reps.forEach((rep, r) => {
      for (let k = 0; k < perRep; k++) {
        const start = today.plus({ days: 1 + k + (r % 3), hours: 7 + ((r + k) % 11) });
        let m = (k * REPS + r) % MARKETERS;
        while (taken.has(`${m}|${start.toMillis()}`)) m = (m + 1) % MARKETERS;
        taken.add(`${m}|${start.toMillis()}`);
        rows.push([rep.id, marketers[m].id, start.toISO()!, start.plus({ minutes: 45 }).toISO()!]);
      }
    });
    await c.query(
      `INSERT INTO bookings (period_id, rep_id, marketer_id, starts_at, ends_at, uid)
       SELECT $1, unnest($2::uuid[]), unnest($3::uuid[]), unnest($4::timestamptz[]), unnest($5::timestamptz[]), 'booking-' || gen_random_uuid() || '@bench'`,
      [periodId, rows.map((x) => x[0]), rows.map((x) => x[1]), rows.map((x) => x[2]), rows.map((x) => x[3])],
    );
    await c.query('COMMIT');
    await c.query('ANALYZE');
    return { programId, periodId, marketerId: marketers[0].id, marketerIds: marketers.slice(1, 1 + COLD_VARIANTS).map((m) => m.id), from: today.plus({ days: 1 }).toISODate()!, to: today.plus({ days: 28 }).toISODate()! };
  } finally {
    await c.end();
  }
}

/**
 * Connects every rep's calendar: `perRep` busy events each (60,000 for 200 reps), from a week before
 * `today` to five weeks after, at 07:00-19:00 UTC on any 5-minute boundary, 15 minutes to two hours
 * long (some overlapping), as the calendar sync stores them. Returns how many rows it wrote.
 */
export async function seedCalendars(url: string, perRep: number): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT setseed(0.14)');
    await c.query(
      `INSERT INTO calendar_connections (rep_id, kind, host, secret, last_synced_at, event_count)
       SELECT id, 'ics', 'calendar.bench.example', 'v1:bench', now(), $1 FROM users WHERE email LIKE 'rep%@bench.example'`,
      [perRep],
    );
    const r = await c.query(
      `INSERT INTO calendar_events (connection_id, rep_id, uid, starts_at, ends_at, busy, title)
       SELECT x.id, x.rep_id, 'bench-' || k || '@calendar.bench.example', x.s, x.s + (15 * (1 + floor(random() * 8))) * interval '1 minute', true, 'Busy'
         FROM (SELECT cc.id, cc.rep_id, k,
                      date_trunc('day', now()) + (floor(random() * 42) - 7) * interval '1 day' + (420 + 5 * floor(random() * 144)) * interval '1 minute' AS s
                 FROM calendar_connections cc, generate_series(1, $1) k) x`,
      [perRep],
    );
    await c.query('COMMIT');
    await c.query('ANALYZE calendar_events');
    return r.rowCount ?? 0;
  } finally {
    await c.end();
  }
}

async function dropCalendars(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('DELETE FROM calendar_connections'); // the events go with them
  } finally {
    await c.end();
  }
}

export async function run(): Promise<BenchRow[]> {
  const db = await serverDatabase('slots');
  if (!db) return [{ area: 'slots http', case: 'GET /api/v1/slots, 200 reps', result: 'skipped: no PostgreSQL server answered' }];
  const rows: BenchRow[] = [];
  const fmt = (r: Awaited<ReturnType<typeof hammer>>) =>
    `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms (first page: ${r.slots.toLocaleString('en')} slots, ${(r.bytes / 1024).toFixed(0)} KiB)`;
  try {
    let s: Awaited<ReturnType<typeof seed>> | undefined;
    for (const workers of [1, 2]) {
      const staticDir = mkdtempSync(path.join(os.tmpdir(), 'ra-bench-static-'));
      const service = await boot({ DATABASE_URL: db.url, WEB_CONCURRENCY: String(workers), BENCH_STATIC_DIR: staticDir }, benchPort(2));
      try {
        s ??= await seed(db.url);
        const base = `${service.url}/api/v1/slots?periodId=${s.periodId}&from=${s.from}&to=${s.to}&timeZone=Europe/Berlin`;
        const week = `${service.url}/api/v1/slots?periodId=${s.periodId}&from=${s.from}&to=${DateTime.fromISO(s.from).plus({ days: 6 }).toISODate()}&timeZone=Europe/Berlin&marketerId=${s.marketerId}`;
        await hammer(base, BENCH_TOKEN, 4, 40); // warm-up
        const all = await hammer(base, BENCH_TOKEN, 8, 400);
        const withMarketer = await hammer(`${base}&marketerId=${s.marketerId}`, BENCH_TOKEN, 8, 400);
        const oneWeek = await hammer(week, BENCH_TOKEN, 8, 400);
        const whole: Awaited<ReturnType<typeof follow>>[] = [];
        for (let i = 0; i < 5; i++) whole.push(await follow(`${base}&limit=5000`, BENCH_TOKEN));
        const label = `WEB_CONCURRENCY=${workers}`;
        rows.push({ area: 'slots http', case: `load average before the runs, ${label}`, result: os.loadavg().map((x) => x.toFixed(2)).join(' ') + ` (${os.cpus().length} cores)` });
        rows.push(...(await versusStatic(service.url, staticDir, base, s.marketerIds, label)));
        rows.push(
          { area: 'slots http', case: `GET /api/v1/slots, ${REPS}-rep roster × 4 weeks, ${BOOKINGS.toLocaleString('en')} bookings in PostgreSQL, 8 clients, 400 requests, ${label}`, result: fmt(all), target: 'p95 < 150 ms' },
          { area: 'slots http', case: `the same with marketerId (own commitments, same-rep limit, quota), ${label}`, result: fmt(withMarketer), target: 'p95 < 150 ms' },
          { area: 'slots http', case: `one week with marketerId (what the week view asks), ${label}`, result: fmt(oneWeek) },
          {
            area: 'slots http',
            case: `the whole 4 weeks by following nextCursor (limit=5000), one client, median of 5, ${label}`,
            result: `${median(whole.map((w) => w.ms)).toFixed(0)} ms for ${whole[0].pages} pages (${whole[0].slots.toLocaleString('en')} slots, ${(whole[0].bytes / 1024).toFixed(0)} KiB)`,
          },
        );
        // The same searches once every rep has a connected calendar with 300 busy events (the rows above are the comparison).
        const events = await seedCalendars(db.url, 300);
        try {
          await hammer(base, BENCH_TOKEN, 4, 40); // warm-up
          const busyAll = await hammer(base, BENCH_TOKEN, 8, 400);
          const busyMarketer = await hammer(`${base}&marketerId=${s.marketerId}`, BENCH_TOKEN, 8, 400);
          const busyWeek = await hammer(week, BENCH_TOKEN, 8, 400);
          const cal = `each rep with 300 busy calendar events (${events.toLocaleString('en')} rows)`;
          rows.push(
            { area: 'slots http', case: `GET /api/v1/slots, ${REPS}-rep roster × 4 weeks, ${cal}, 8 clients, 400 requests, ${label}`, result: fmt(busyAll), target: 'p95 < 150 ms' },
            { area: 'slots http', case: `the same with marketerId, ${cal}, ${label}`, result: fmt(busyMarketer), target: 'p95 < 150 ms' },
            { area: 'slots http', case: `one week with marketerId, ${cal}, ${label}`, result: fmt(busyWeek) },
          );
        } finally {
          await dropCalendars(db.url);
        }
      } finally {
        await stop(service);
        rmSync(staticDir, { recursive: true, force: true });
      }
    }
  } finally {
    await db.drop();
  }
  return rows;
}
