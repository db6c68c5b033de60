import { DateTime } from 'luxon';
import pg from 'pg';
import { BENCH_TOKEN, benchPort, boot, rssMb, serverDatabase, stop } from './support.js';
import { type BenchRow } from './table.js';

const MARKETERS = 500;
const THEMES = 60;
const TOTAL = 100_000;

/** 100,000 submitted forms of 500 marketers over ~29 days, 1-3 of 60 themes each, skewed so the ranking has a shape. */
export async function seed(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const settings = {
      slotMinutes: 45, slotGridMinutes: 15, minNoticeHours: 0, horizonDays: 365, seatsPerCall: 1, repWeeklyCap: 100, quota: 20, sameRepLimit: 4,
      cancelNoticeHours: 24, formDueHours: 24, periodCadence: 'none', rollupCadence: 'period', rollupRecipients: ['bench-lc@example.com'], onboardingShifts: 3, onboardingDays: 30,
    };
    const base = DateTime.utc().minus({ days: 60 }).startOf('day');
    const [{ id: programId }] = (await c.query(`INSERT INTO programs (name, kind, time_zone, settings) VALUES ('Bench', 'call_shadowing', 'UTC', $1) RETURNING id`, [settings])).rows;
    const [{ id: periodId }] = (
      await c.query(`INSERT INTO periods (program_id, starts_on, ends_on, status) VALUES ($1, $2, $3, 'closed') RETURNING id`, [programId, base.toISODate(), base.plus({ days: 40 }).toISODate()])
    ).rows;
    await c.query(`INSERT INTO users (email, name, time_zone, roles) SELECT 'rrep' || i || '@bench.example', 'Rep ' || i, 'UTC', ARRAY['rep'] FROM generate_series(1, 100) i`);
    await c.query(`INSERT INTO users (email, name, time_zone, roles) SELECT 'rmk' || i || '@bench.example', 'Marketer ' || i, 'UTC', ARRAY['marketer'] FROM generate_series(1, $1) i`, [MARKETERS]);
    await c.query(`INSERT INTO enrollments (period_id, marketer_id, quota) SELECT $1, id, 20 FROM users WHERE email LIKE 'rmk%@bench.example'`, [periodId]);
    await c.query(`INSERT INTO themes (name, status) SELECT 'Theme ' || lpad(i::text, 2, '0'), 'active' FROM generate_series(1, $1) i`, [THEMES]);
    await c.query(
      `WITH mk AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'rmk%@bench.example'),
            rp AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'rrep%@bench.example'),
            th AS (SELECT array_agg(id ORDER BY name) AS ids FROM themes)
       INSERT INTO observations (program_id, period_id, author_id, rep_id, template_version, status, answers, marked_names, session_ended_at, due_at, submitted_at, late, revision)
       SELECT $1, $2, mk.ids[1 + (i * 7919) % $4], rp.ids[1 + i % 100], 1, 'submitted',
              jsonb_build_object(
                'mode', CASE WHEN i % 3 = 0 THEN 'behavior' ELSE 'feedback' END,
                'segment', 'Segment ' || (i % 12), 'account', 'Account ' || (i % 4000),
                'quotes', jsonb_build_array(jsonb_build_object('text', 'Call me on +44 20 7946 0958 about order ' || i, 'speaker', 'customer')),
                'themeIds', to_jsonb(ARRAY[th.ids[1 + floor(power(random(), 2) * $5)::int]]),
                'lead', jsonb_build_object('marketingSourced', i % 2 = 0, 'followUp', 'Followed up the webinar lead', 'lacked', 'Campaign source'),
                'ideas', jsonb_build_array(jsonb_build_object('text', 'Idea ' || (i % 50), 'category', (ARRAY['info_to_sales','rep_alerts','campaign_notifications','content','product','other'])[1 + i % 6])),
                'peak', jsonb_build_object('text', 'Peak ' || (i % 20), 'valence', (i % 5) - 2),
                'end', jsonb_build_object('text', 'End ' || (i % 20), 'valence', ((i + 2) % 5) - 2),
                'negativeFeedback', 'Negative ' || (i % 30), 'focusFinding', 'Finding ' || (i % 40), 'intros', jsonb_build_array('Intro ' || (i % 25))),
              ARRAY['Acme Corp'], $3::timestamptz + i * interval '25 seconds', $3::timestamptz + i * interval '25 seconds' + interval '1 day',
              $3::timestamptz + i * interval '25 seconds' + interval '1 hour', i % 10 = 0, 1
         FROM generate_series(1, $6) i, mk, rp, th`,
      [programId, periodId, base.toISO(), MARKETERS, THEMES, TOTAL],
    );
    await c.query(`INSERT INTO observation_themes (observation_id, theme_id) SELECT id, (answers->'themeIds'->>0)::uuid FROM observations WHERE program_id = $1`, [programId]);
    await c.query(
      `INSERT INTO observation_themes (observation_id, theme_id)
       SELECT o.id, t.id FROM observations o JOIN LATERAL (SELECT id FROM themes ORDER BY md5(o.id::text || name) LIMIT 1) t ON true
        WHERE o.program_id = $1 AND o.author_id IS NOT NULL ON CONFLICT DO NOTHING`,
      [programId],
    );
    await c.query('ANALYZE');
    return { programId, base };
  } finally {
    await c.end();
  }
}

export async function run(): Promise<BenchRow[]> {
  const db = await serverDatabase('rollups');
  if (!db) return [{ area: 'rollups', case: 'rollup build', result: 'skipped: no PostgreSQL server answered' }];
  const service = await boot({ DATABASE_URL: db.url, JOBS_POLL_SECONDS: '5' }, benchPort(5));
  const rows: BenchRow[] = [];
  try {
    const s = await seed(db.url);
    const pid = service.child.pid!;
    const measure = async (forms: number) => {
      const to = s.base.plus({ seconds: forms * 25 + 1 });
      const before = rssMb(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
      const t0 = performance.now();
      const res = await fetch(`${service.url}/api/v1/rollups`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
        body: JSON.stringify({ programId: s.programId, from: s.base.toISO(), to: to.toISO() }),
      });
      const body = (await res.json()) as { report?: { themes: unknown[] } };
      const ms = performance.now() - t0;
      clearInterval(sampler);
      if (res.status !== 201) throw new Error(`POST /rollups: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      return { ms, before, peak, themes: body.report?.themes.length ?? 0 };
    };
    const small = await measure(10_000);
    const large = await measure(TOTAL);
    const fmt = (x: typeof small) => `${(x.ms / 1000).toFixed(2)} s; service RSS ${x.before.toFixed(0)} → peak ${x.peak.toFixed(0)} MB (${x.themes} ranked themes)`;
    rows.push({ area: 'rollups', case: `build + store + queue the email: 10,000 forms (${MARKETERS} marketers, ${THEMES} themes)`, result: fmt(small) });
    rows.push({ area: 'rollups', case: `the same over 100,000 forms`, result: fmt(large), target: '< 2 s, < 300 MB' });
    rows.push({ area: 'rollups', case: 'growth from 10,000 to 100,000 forms', result: `${(large.ms / small.ms).toFixed(1)}× time for 10× forms; peak RSS +${(large.peak - small.peak).toFixed(0)} MB` });
  } finally {
    await stop(service);
    await db.drop();
  }
  return rows;
}
