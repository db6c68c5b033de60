import { DateTime } from 'luxon';
import pg from 'pg';
import { hammer } from './slots-http.bench.js';
import { BENCH_TOKEN, benchPort, boot, serverDatabase, stop } from './support.js';
import type { BenchRow } from './table.js';

const MARKETERS = 500;
const TOTAL = 100_000;
const CLIENTS = 8;
const REQUESTS = 800;

/** What the notes talk about: 40 features, each said with one of 12 problems; a form picks three features, skewed (a few everywhere, most rarer). */
const FEATURES = [
  'slow dashboard', 'csv export', 'dark mode', 'pricing page', 'single sign on', 'invoice history', 'mobile app', 'bulk edit', 'audit log', 'api rate limits',
  'custom fields', 'calendar sync', 'user roles', 'data import', 'email templates', 'weekly report', 'search filters', 'onboarding checklist', 'password reset', 'team billing',
  'usage limits', 'slack integration', 'offline mode', 'two factor login', 'shared inbox', 'saved views', 'print layout', 'time zones', 'approval flow', 'public links',
  'webhook retries', 'field mapping', 'sandbox account', 'contract renewal', 'seat pricing', 'data retention', 'chart colours', 'keyboard shortcuts', 'role templates', 'currency support',
];
const PROBLEMS = ['is confusing', 'breaks every week', 'takes far too long', 'is missing', 'needs admin help', 'costs them hours', 'fails silently', 'blocks the rollout', 'was the main complaint', 'came up again', 'is why they hesitate', 'would close the deal'];
const OPENERS = ['They said', 'We heard that', 'The buyer mentioned', 'Honestly', 'During the demo', 'Their admin complained that', 'Finance asked whether', 'Support heard'];

/**
 * 100,000 submitted forms of 500 marketers in one program: pain points, negative feedback, a quote with a
 * phone number, an empathy entry and an idea, about three features each (skewed), with a marked name.
 * The generated tsvector columns fill in as the rows are written (as they do in service).
 */
export async function seed(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const base = DateTime.utc().minus({ days: 60 }).startOf('day');
    const [{ id: programId }] = (await c.query(`INSERT INTO programs (name, kind, time_zone, settings) VALUES ('Bench', 'call_shadowing', 'UTC', '{"periodCadence":"none"}') RETURNING id`)).rows;
    const [{ id: periodId }] = (
      await c.query(`INSERT INTO periods (program_id, starts_on, ends_on, status) VALUES ($1, $2, $3, 'closed') RETURNING id`, [programId, base.toISODate(), base.plus({ days: 40 }).toISODate()])
    ).rows;
    await c.query(`INSERT INTO users (email, name, time_zone, roles) SELECT 'srch' || i || '@bench.example', 'Marketer ' || i, 'UTC', ARRAY['marketer'] FROM generate_series(1, $1) i`, [MARKETERS]);
    await c.query(
      `WITH mk AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'srch%@bench.example'),
            v AS (SELECT $5::text[] AS f, $6::text[] AS p, $7::text[] AS o),
            x AS (SELECT i, 1 + floor(power(random(), 2) * 40)::int AS a, 1 + floor(power(random(), 3) * 40)::int AS b, 1 + floor(random() * 40)::int AS c,
                         1 + floor(random() * 12)::int AS pa, 1 + floor(random() * 12)::int AS pb FROM generate_series(1, $4) i)
       INSERT INTO observations (program_id, period_id, author_id, template_version, status, answers, marked_names, session_ended_at, due_at, submitted_at, late, revision)
       SELECT $1, $2, mk.ids[1 + (x.i * 7919) % ${MARKETERS}], 1, 'submitted',
              jsonb_build_object(
                'mode', CASE WHEN x.i % 3 = 0 THEN 'behavior' ELSE 'feedback' END, 'segment', 'Segment ' || (x.i % 12),
                'painPoints', jsonb_build_array(v.o[1 + x.i % 8] || ' the ' || v.f[x.a] || ' ' || v.p[x.pa] || ' at Acme Corp.'),
                'negativeFeedback', 'The ' || v.f[x.b] || ' ' || v.p[x.pb] || ', and the ' || v.f[x.c] || ' too.',
                'quotes', jsonb_build_array(jsonb_build_object('text', 'Call me on +44 20 7946 0958 about the ' || v.f[x.c], 'speaker', 'Jane Doe')),
                'empathy', jsonb_build_object('says', jsonb_build_array('We need the ' || v.f[x.a] || ' fixed before renewal')),
                'ideas', jsonb_build_array(jsonb_build_object('text', 'Improve the ' || v.f[x.b], 'category', 'product'))),
              ARRAY['Acme Corp'], $3::timestamptz + x.i * interval '25 seconds', $3::timestamptz + x.i * interval '25 seconds' + interval '1 day',
              $3::timestamptz + x.i * interval '25 seconds' + interval '1 hour', false, 1
         FROM x, mk, v`,
      [programId, periodId, base.toISO(), TOTAL, FEATURES, PROBLEMS, OPENERS],
    );
    // What autovacuum does soon after a bulk load (hint bits, visibility map), so the first case does not pay for it.
    await c.query('VACUUM ANALYZE observations, observation_search');
    return { programId };
  } finally {
    await c.end();
  }
}

export async function run(): Promise<BenchRow[]> {
  const db = await serverDatabase('search');
  if (!db) return [{ area: 'search', case: 'full-text search', result: 'skipped: no PostgreSQL server answered' }];
  const service = await boot({ DATABASE_URL: db.url, JOBS_POLL_SECONDS: '5' }, benchPort(12));
  const rows: BenchRow[] = [];
  const c = new pg.Client({ connectionString: db.url });
  try {
    const s = await seed(db.url);
    await c.connect();
    const cases: { q: string; label: string; programId?: boolean }[] = [
      { q: 'csv export', label: 'two words, `csv export`' },
      { q: 'calendar sync', label: 'two words, `calendar sync`, with programId' , programId: true },
      { q: '"dark mode" -renewal', label: 'a phrase and an exclusion, `"dark mode" -renewal`' },
      { q: 'slow dashboard', label: 'two words of the commonest feature, `slow dashboard`' },
      { q: 'currency support', label: 'two words of a rarer feature, `currency support` (fewer than one form in eight: the walk gives way to the index)' },
      { q: 'zebra', label: 'a word no form has, `zebra`' },
    ];
    for (const k of cases) {
      const matches = Number((await c.query(`SELECT count(*)::int AS n FROM observations WHERE search_tsv @@ websearch_to_tsquery('english', $1)`, [k.q])).rows[0].n);
      const params = new URLSearchParams({ q: k.q, ...(k.programId ? { programId: s.programId } : {}) });
      const r = await hammer(`${service.url}/api/v1/observations/search?${params}`, BENCH_TOKEN, CLIENTS, REQUESTS);
      rows.push({
        area: 'search',
        case: `GET /observations/search over ${TOTAL.toLocaleString('en')} forms: ${k.label} (${matches.toLocaleString('en')} matches, first page of 20); ${CLIENTS} clients, ${REQUESTS} requests`,
        result: `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms`,
        target: k.q === 'csv export' ? 'p95 <= 100 ms' : undefined,
      });
      if (k.q === 'csv export') {
        // The same query one request at a time: the query's own cost, without queueing for the two cores.
        const one = await hammer(`${service.url}/api/v1/observations/search?${params}`, BENCH_TOKEN, 1, 200);
        rows.push({ area: 'search', case: 'the same, 1 client, 200 requests', result: `p50 ${one.p50.toFixed(0)} ms, p95 ${one.p95.toFixed(0)} ms` });
      }
    }
  } finally {
    await c.end().catch(() => undefined);
    await stop(service);
    await db.drop();
  }
  return rows;
}
