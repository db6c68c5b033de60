import { DateTime } from 'luxon';
import pg from 'pg';
import { BENCH_TOKEN, benchPort, boot, serverDatabase, stop } from './support.js';
import { median, type BenchRow } from './table.js';

const MARKETERS = 500;
const TOTAL = 100_000;

/**
 * 100,000 submitted forms of 500 marketers over ~29 days in 12 segments (spelt three ways each), each with
 * eight empathy answers across the six quadrants drawn from skewed vocabularies, so some entries recur
 * across many observers and most are rarer.
 */
export async function seed(url: string, total = TOTAL) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const base = DateTime.utc().minus({ days: 60 }).startOf('day');
    const [{ id: programId }] = (await c.query(`INSERT INTO programs (name, kind, time_zone, settings) VALUES ('Bench', 'call_shadowing', 'UTC', '{"periodCadence":"none"}') RETURNING id`)).rows;
    const [{ id: periodId }] = (
      await c.query(`INSERT INTO periods (program_id, starts_on, ends_on, status) VALUES ($1, $2, $3, 'closed') RETURNING id`, [programId, base.toISODate(), base.plus({ days: 40 }).toISODate()])
    ).rows;
    await c.query(`INSERT INTO users (email, name, time_zone, roles) SELECT 'emk' || i || '@bench.example', 'Marketer ' || i, 'UTC', ARRAY['marketer'] FROM generate_series(1, $1) i`, [MARKETERS]);
    await c.query(
      `WITH mk AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'emk%@bench.example'),
            f AS (SELECT i, floor(power(random(), 2) * 200)::int AS a FROM generate_series(1, $3) i)
       INSERT INTO observations (program_id, period_id, author_id, template_version, status, answers, marked_names, session_ended_at, due_at, submitted_at, late, revision)
       SELECT $1, $4, mk.ids[1 + (f.i * 7919) % ${MARKETERS}], 1, 'submitted',
              jsonb_build_object(
                'mode', CASE WHEN f.i % 3 = 0 THEN 'behavior' ELSE 'feedback' END,
                'segment', (ARRAY['Segment ', 'segment-', 'SEGMENT  '])[1 + f.i % 3] || (f.i % 12),
                'empathy', jsonb_build_object(
                  'says', jsonb_build_array('Asks about topic ' || f.a, 'We need feature ' || (f.i % 97) || ' before renewal'),
                  'thinks', jsonb_build_array('Is option ' || (f.i % 53) || ' worth it?'),
                  'does', jsonb_build_array('Exports to spreadsheets ' || (f.i % 31), 'Calls Jane Doe on +44 20 7946 0958 about issue ' || (f.i % 41)),
                  'feels', jsonb_build_array('Frustrated by thing ' || (f.i % 17)),
                  'sees', jsonb_build_array('Competitor ad ' || (f.i % 23)),
                  'hears', jsonb_build_array('Peers say product ' || (f.i % 29)))),
              ARRAY['Jane Doe'], $2::timestamptz + f.i * interval '25 seconds', $2::timestamptz + f.i * interval '25 seconds' + interval '1 day',
              $2::timestamptz + f.i * interval '25 seconds' + interval '1 hour', false, 1
         FROM f, mk`,
      [programId, base.toISO(), total, periodId],
    );
    await c.query('ANALYZE');
    return { programId, base };
  } finally {
    await c.end();
  }
}

export async function run(): Promise<BenchRow[]> {
  const db = await serverDatabase('empathy');
  if (!db) return [{ area: 'empathy', case: 'empathy maps', result: 'skipped: no PostgreSQL server answered' }];
  const service = await boot({ DATABASE_URL: db.url, JOBS_POLL_SECONDS: '5' }, benchPort(12));
  const rows: BenchRow[] = [];
  try {
    const s = await seed(db.url);
    const measure = async (forms: number) => {
      const to = s.base.plus({ seconds: forms * 25 + 1 });
      const q = new URLSearchParams({ from: s.base.toISO()!, to: to.toISO()! });
      const times: number[] = [];
      let segments = 0;
      for (let i = 0; i < 4; i++) {
        const t0 = performance.now();
        const res = await fetch(`${service.url}/api/v1/programs/${s.programId}/empathy?${q}`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
        const body = (await res.json()) as { segments?: unknown[] };
        if (res.status !== 200) throw new Error(`GET empathy: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
        if (JSON.stringify(body).includes('7946')) throw new Error('GET empathy: an unredacted phone number');
        if (i > 0) times.push(performance.now() - t0); // the first files the segment keys and warms the caches
        segments = body.segments?.length ?? 0;
      }
      return { ms: median(times), segments };
    };
    const small = await measure(10_000);
    const large = await measure(TOTAL);
    const fmt = (x: { ms: number; segments: number }) => `${(x.ms / 1000).toFixed(2)} s median of 3 (${x.segments} segment maps)`;
    rows.push({ area: 'empathy', case: `GET empathy maps: 10,000 forms (${MARKETERS} marketers, 8 answers each, 12 segments)`, result: fmt(small) });
    rows.push({ area: 'empathy', case: 'the same over 100,000 forms', result: fmt(large) });
    rows.push({ area: 'empathy', case: 'growth from 10,000 to 100,000 forms', result: `${(large.ms / small.ms).toFixed(1)}× time for 10× forms` });
  } finally {
    await stop(service);
    await db.drop();
  }
  return rows;
}
