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

/**
 * What a later rollup also reads: 200 earlier actions (120 done inside the window, each with two themes whose
 * trend it follows; 40 overdue; 40 open), 3 notices to the 100 reps with some acknowledged, and 1,000
 * submitted rep notes (with the completed bookings they belong to).
 */
async function plantLoop(url: string, s: { programId: string; base: DateTime }): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const [{ id: owner }] = (await c.query(`INSERT INTO users (email, name, time_zone, roles) VALUES ('loop-owner@bench.example', 'Owner', 'UTC', ARRAY['lifecycle']) RETURNING id`)).rows;
    const [{ id: periodId }] = (await c.query(`SELECT id FROM periods WHERE program_id = $1`, [s.programId])).rows;
    await c.query(
      `INSERT INTO actions (program_id, kind, title, owner_id, due_on, status, done_at, created_by, created_at)
       SELECT $1, 'info_for_sales', 'Action ' || i, $2,
              CASE WHEN i % 5 = 3 THEN (now() - interval '3 days')::date ELSE (now() + interval '10 days')::date END,
              CASE WHEN i % 5 < 3 THEN 'done' ELSE 'open' END,
              CASE WHEN i % 5 < 3 THEN $3::timestamptz + (i * interval '3 hours') END, $2, $3::timestamptz
         FROM generate_series(1, 200) i`,
      [s.programId, owner, s.base.toISO()],
    );
    await c.query(
      `INSERT INTO action_themes (action_id, theme_id)
       SELECT a.id, t.id FROM actions a JOIN LATERAL (SELECT id FROM themes ORDER BY md5(a.id::text || name) LIMIT 2) t ON true WHERE a.program_id = $1`,
      [s.programId],
    );
    await c.query(
      `WITH n AS (INSERT INTO notices (program_id, kind, subject, body, sent_by, sent_at, recipient_count)
                  SELECT $1, 'rep_alert', 'Notice ' || i, 'Body', $2, $3::timestamptz + i * interval '1 day', 100 FROM generate_series(1, 3) i RETURNING id)
       INSERT INTO notice_recipients (notice_id, rep_id, acknowledged_at)
       SELECT n.id, u.id, CASE WHEN random() < 0.8 THEN now() END FROM n, users u WHERE u.email LIKE 'rrep%@bench.example'`,
      [s.programId, owner, s.base.toISO()],
    );
    await c.query(
      `WITH r AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'rrep%@bench.example'),
            m AS (SELECT id FROM users WHERE email LIKE 'rmk%@bench.example' ORDER BY email LIMIT 1),
            b AS (INSERT INTO bookings (period_id, rep_id, marketer_id, starts_at, ends_at, status, uid)
                  SELECT $2, r.ids[1 + i % 100], m.id, $3::timestamptz + i * interval '1 hour', $3::timestamptz + i * interval '1 hour' + interval '30 minutes', 'completed', 'loop-' || i || '@bench'
                    FROM generate_series(1, 1000) i, r, m RETURNING id, rep_id, ends_at)
       INSERT INTO rep_notes (booking_id, program_id, period_id, rep_id, status, wish, usefulness, session_ended_at, due_at, submitted_at)
       SELECT b.id, $1, $2, b.rep_id, 'submitted', 'Wish about campaign ' || (random() * 40)::int, 1 + (random() * 4)::int, b.ends_at, b.ends_at, b.ends_at FROM b`,
      [s.programId, periodId, s.base.toISO()],
    );
    await c.query('ANALYZE');
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
    const measure = async (forms: number, extraSeconds = 1) => {
      const to = s.base.plus({ seconds: forms * 25 + extraSeconds });
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
    await plantLoop(db.url, s);
    const loop = await measure(TOTAL, 2);
    rows.push({
      area: 'rollups',
      case: '100,000 forms plus 200 earlier actions (120 done in the window, 240 theme trends), 3 notices to 100 reps, 1,000 rep notes',
      result: fmt(loop),
      target: '< 2 s, < 300 MB',
    });
  } finally {
    await stop(service);
    await db.drop();
  }
  return rows;
}
