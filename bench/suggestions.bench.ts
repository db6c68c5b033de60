import { DateTime } from 'luxon';
import pg from 'pg';
import { BENCH_TOKEN, benchPort, boot, serverDatabase, stop } from './support.js';
import { median, type BenchRow } from './table.js';

const MARKETERS = 500;
const TOTAL = 100_000;

/** Topics the free text is made of (some are theme names, so coverage matters), and the words around them. */
const TOPICS = [
  'export to csv', 'dark mode', 'pricing page', 'single sign on', 'slow dashboard', 'invoice history', 'mobile app', 'bulk edit', 'audit log', 'api rate limits',
  'custom fields', 'calendar sync', 'user roles', 'data import', 'email templates', 'weekly report', 'search filters', 'onboarding checklist', 'password reset', 'team billing',
  'usage limits', 'slack integration', 'offline mode', 'two factor login', 'shared inbox', 'saved views', 'print layout', 'time zones', 'approval flow', 'public links',
];
const OPENERS = ['They said', 'We heard that', 'The buyer mentioned', 'Honestly', 'During the demo', 'Their admin complained that', 'Finance asked whether', 'Support heard'];
const TAILS = ['was a problem for weeks.', 'blocks the rollout.', 'matters more than price.', 'came up again.', 'is why they hesitate.', 'would save hours.'];

/**
 * 100,000 submitted forms of 500 marketers over ~29 days. Each has a pain point, negative feedback, a quote
 * and an empathy entry composed of topics (skewed, so a few recur everywhere and most are rarer) and tagged
 * with one of 60 themes, six of which are named after topics (so those topics are covered where tagged).
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
    await c.query(`INSERT INTO users (email, name, time_zone, roles) SELECT 'smk' || i || '@bench.example', 'Marketer ' || i, 'UTC', ARRAY['marketer'] FROM generate_series(1, $1) i`, [MARKETERS]);
    await c.query(`INSERT INTO themes (name, status) SELECT initcap(t), 'active' FROM unnest($1::text[]) WITH ORDINALITY x(t, n) WHERE n <= 6`, [TOPICS]);
    await c.query(`INSERT INTO themes (name, status) SELECT 'Theme ' || lpad(i::text, 2, '0'), 'active' FROM generate_series(7, 60) i`);
    await c.query(
      `WITH mk AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'smk%@bench.example'),
            v AS (SELECT $5::text[] AS t, $6::text[] AS o, $7::text[] AS e),
            f AS (SELECT i, 1 + floor(power(random(), 2) * 30)::int AS a, 1 + floor(power(random(), 3) * 30)::int AS b, 1 + floor(random() * 30)::int AS c FROM generate_series(1, $4) i)
       INSERT INTO observations (program_id, period_id, author_id, template_version, status, answers, marked_names, session_ended_at, due_at, submitted_at, late, revision)
       SELECT $1, $2, mk.ids[1 + (f.i * 7919) % ${MARKETERS}], 1, 'submitted',
              jsonb_build_object(
                'mode', CASE WHEN f.i % 3 = 0 THEN 'behavior' ELSE 'feedback' END, 'segment', 'Segment ' || (f.i % 12),
                'painPoints', jsonb_build_array(v.o[1 + f.i % 8] || ' ' || v.t[f.a] || ' ' || v.e[1 + f.i % 6]),
                'negativeFeedback', 'The ' || v.t[f.b] || ' and the ' || v.t[f.c] || ' ' || v.e[1 + (f.i / 7) % 6],
                'quotes', jsonb_build_array(jsonb_build_object('text', 'Call me on +44 20 7946 0958 about ' || v.t[f.c], 'speaker', 'Jane Doe')),
                'empathy', jsonb_build_object('says', jsonb_build_array('We need ' || v.t[f.a] || ' before renewal')),
                'ideas', jsonb_build_array(jsonb_build_object('text', 'Fix ' || v.t[f.b], 'category', 'product'))),
              ARRAY['Acme Corp'], $3::timestamptz + f.i * interval '25 seconds', $3::timestamptz + f.i * interval '25 seconds' + interval '1 day',
              $3::timestamptz + f.i * interval '25 seconds' + interval '1 hour', false, 1
         FROM f, mk, v`,
      [programId, periodId, base.toISO(), total, TOPICS, OPENERS, TAILS],
    );
    await c.query(
      `INSERT INTO observation_themes (observation_id, theme_id)
       SELECT o.id, t.id FROM observations o JOIN LATERAL (SELECT id FROM themes ORDER BY md5(o.id::text || name) LIMIT 1) t ON true WHERE o.program_id = $1`,
      [programId],
    );
    await c.query('ANALYZE');
    return { programId, base };
  } finally {
    await c.end();
  }
}

export async function run(): Promise<BenchRow[]> {
  const db = await serverDatabase('suggestions');
  if (!db) return [{ area: 'suggestions', case: 'suggested themes', result: 'skipped: no PostgreSQL server answered' }];
  const service = await boot({ DATABASE_URL: db.url, JOBS_POLL_SECONDS: '5' }, benchPort(11));
  const rows: BenchRow[] = [];
  try {
    const s = await seed(db.url);
    const measure = async (forms: number) => {
      const to = s.base.plus({ seconds: forms * 25 + 1 });
      const q = new URLSearchParams({ from: s.base.toISO()!, to: to.toISO()! });
      const times: number[] = [];
      let count = 0;
      for (let i = 0; i < 4; i++) {
        const t0 = performance.now();
        const res = await fetch(`${service.url}/api/v1/programs/${s.programId}/theme-suggestions?${q}`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
        const body = (await res.json()) as { suggestions?: unknown[] };
        if (res.status !== 200) throw new Error(`GET theme-suggestions: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
        if (i > 0) times.push(performance.now() - t0); // the first warms the caches
        count = body.suggestions?.length ?? 0;
      }
      return { ms: median(times), count };
    };
    const small = await measure(10_000);
    const large = await measure(TOTAL);
    const fmt = (x: { ms: number; count: number }) => `${(x.ms / 1000).toFixed(2)} s median of 3 (${x.count} suggestions)`;
    rows.push({ area: 'suggestions', case: `GET theme-suggestions: phrases of 10,000 forms (${MARKETERS} marketers, ~6 answers each)`, result: fmt(small) });
    rows.push({ area: 'suggestions', case: 'the same over 100,000 forms', result: fmt(large) });
    rows.push({ area: 'suggestions', case: 'growth from 10,000 to 100,000 forms', result: `${(large.ms / small.ms).toFixed(1)}× time for 10× forms` });
  } finally {
    await stop(service);
    await db.drop();
  }
  return rows;
}
