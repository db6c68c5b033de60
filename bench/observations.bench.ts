import autocannon from 'autocannon';
import { createHash, randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import pg from 'pg';
import { answerClock, BENCH_TOKEN, benchPort, boot, rssMb, serverDatabase, stop } from './support.js';
import { DEFAULT_FIELDS } from '../src/observations/form-template.js';
import { type BenchRow } from './table.js';

const SUBMITS = 10_000;
const EXPORTS = 100_000;
const MARKETERS = 200;

const ANSWERS = (theme: string, i: number) => ({
  mode: i % 3 ? 'feedback' : 'behavior',
  segment: 'Mid-market operations lead',
  empathy: { says: ['We lose a day a week to exports'], thinks: ['Is this worth it?'], does: ['Exports to spreadsheets'], feels: ['Frustrated'], sees: [], hears: [] },
  painPoints: ['Manual exports', 'No owner for setup'],
  quotes: [{ text: `Email me at buyer${i}@customer.example or call +44 20 7946 0958`, speaker: 'customer' }],
  themeIds: [theme],
  lead: { marketingSourced: i % 2 === 0, followUp: 'Rep referenced the webinar', lacked: 'Which webinar they attended' },
  ideas: [{ text: 'Tell reps which campaign a lead came from', category: 'info_to_sales' }],
  peak: { text: 'Pricing objection', valence: -2 },
  end: { text: 'Agreed to a trial', valence: 1 },
  negativeFeedback: 'Onboarding took too long',
  focusFinding: 'Trials stall when no one owns setup',
  intros: ['Their IT admin'],
});

async function seed(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    const settings = {
      slotMinutes: 45, slotGridMinutes: 15, minNoticeHours: 0, horizonDays: 365, seatsPerCall: 1, repWeeklyCap: 100, quota: 1000, sameRepLimit: 1000,
      cancelNoticeHours: 24, formDueHours: 24, periodCadence: 'none', rollupCadence: 'period', rollupRecipients: [], onboardingShifts: 3, onboardingDays: 30,
    };
    const [{ id: programId }] = (await c.query(`INSERT INTO programs (name, kind, time_zone, settings) VALUES ('Bench', 'call_shadowing', 'UTC', $1) RETURNING id`, [settings])).rows;
    const today = DateTime.utc().startOf('day');
    const period = async (from: number, to: number) =>
      (await c.query(`INSERT INTO periods (program_id, starts_on, ends_on, status) VALUES ($1, $2, $3, 'open') RETURNING id`, [programId, today.plus({ days: from }).toISODate(), today.plus({ days: to }).toISODate()])).rows[0].id as string;
    const submitPeriod = await period(-60, -31);
    const exportPeriod = await period(-30, 30);
    const [{ id: rep }] = (await c.query(`INSERT INTO users (email, name, time_zone, roles) VALUES ('orep@bench.example', 'Rep', 'UTC', ARRAY['rep']) RETURNING id`)).rows;
    const mk = (await c.query(`INSERT INTO users (email, name, time_zone, roles) SELECT 'omk' || i || '@bench.example', 'Marketer ' || i, 'Europe/Berlin', ARRAY['marketer'] FROM generate_series(1, $1) i RETURNING id`, [MARKETERS])).rows.map((r) => r.id as string);
    const tokens = mk.map(() => `ra_bench_${randomBytes(16).toString('hex')}`);
    await c.query(`INSERT INTO api_tokens (user_id, name, token_hash, prefix) SELECT unnest($1::uuid[]), 'bench', unnest($2::bytea[]), 'ra_bench'`, [mk, tokens.map((t) => createHash('sha256').update(t).digest())]);
    const themes = (await c.query(`INSERT INTO themes (name, status) SELECT 'Theme ' || i, 'active' FROM generate_series(1, 60) i RETURNING id`)).rows.map((r) => r.id as string);
    const insert = async (periodId: string, n: number, status: 'draft' | 'submitted') => {
      for (let start = 0; start < n; start += 5000) {
        const k = Math.min(5000, n - start);
        const idx = Array.from({ length: k }, (_, j) => start + j);
        const rows = (
          await c.query(
            `INSERT INTO observations (program_id, period_id, author_id, rep_id, template_version, status, answers, marked_names, session_ended_at, due_at, submitted_at, late, revision)
             SELECT $1, $2, unnest($3::uuid[]), $4, 1, $5, unnest($6::jsonb[]), ARRAY['Acme Corp'], now() - interval '2 days', now() + interval '1 day',
                    CASE WHEN $5 = 'submitted' THEN now() END, CASE WHEN $5 = 'submitted' THEN false END, 1
             RETURNING id, answers->'themeIds'->>0 AS theme`,
            [programId, periodId, idx.map((i) => mk[i % MARKETERS]), rep, status, idx.map((i) => JSON.stringify(ANSWERS(themes[i % 60], i)))],
          )
        ).rows;
        if (status === 'submitted') await c.query(`INSERT INTO observation_themes (observation_id, theme_id) SELECT unnest($1::uuid[]), unnest($2::uuid[])`, [rows.map((r) => r.id), rows.map((r) => r.theme)]);
      }
    };
    await c.query(`INSERT INTO form_templates (program_id, version, fields) VALUES ($1, 1, $2)`, [programId, JSON.stringify(DEFAULT_FIELDS)]);
    await insert(submitPeriod, SUBMITS, 'draft');
    await insert(exportPeriod, EXPORTS, 'submitted');
    await c.query('COMMIT');
    await c.query('ANALYZE');
    const drafts = (await c.query(`SELECT o.id, o.author_id FROM observations o WHERE period_id = $1 ORDER BY o.id`, [submitPeriod])).rows as { id: string; author_id: string }[];
    const tokenOf = new Map(mk.map((id, i) => [id, tokens[i]]));
    return { exportPeriod, drafts: drafts.map((d) => ({ id: d.id, token: tokenOf.get(d.author_id)! })) };
  } finally {
    await c.end();
  }
}

export async function run(): Promise<BenchRow[]> {
  const db = await serverDatabase('observations');
  if (!db) return [{ area: 'observations', case: 'submit and export', result: 'skipped: no PostgreSQL server answered' }];
  const service = await boot({ DATABASE_URL: db.url, JOBS_POLL_SECONDS: '5' }, benchPort(4));
  const rows: BenchRow[] = [];
  try {
    const s = await seed(db.url);
    let i = 0;
    let failures = 0;
    const clock = answerClock();
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const inst = autocannon(
        {
          url: service.url,
          connections: 16,
          amount: SUBMITS,
          requests: [
            {
              setupRequest: (req: autocannon.Request) => {
                const d = s.drafts[i++ % s.drafts.length];
                return { ...req, method: 'POST', path: `/api/v1/observations/${d.id}/submit`, headers: { authorization: `Bearer ${d.token}` } };
              },
            },
          ],
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
      inst.on('response', (_c: unknown, status: number) => {
        clock.answered();
        if (status !== 201) failures++;
      });
    });
    rows.push({
      area: 'observations',
      case: `submit ${SUBMITS.toLocaleString('en')} complete forms (validation, themes, history row, audit), 16 connections`,
      result: `${(SUBMITS / clock.seconds()).toFixed(0)} forms/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms (${failures} not 201)`,
    });

    const pid = service.child.pid!;
    const idle = rssMb(pid);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
    const t0 = performance.now();
    const res = await fetch(`${service.url}/api/v1/periods/${s.exportPeriod}/observations.csv`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines++;
    }
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    rows.push({
      area: 'observations',
      case: `export ${EXPORTS.toLocaleString('en')} submitted forms as redacted CSV (streamed)`,
      result: `${seconds.toFixed(1)} s, ${(bytes / 1024 / 1024).toFixed(0)} MiB, ${lines - 1} rows; service RSS ${idle.toFixed(0)} MB before, ${peak.toFixed(0)} MB peak`,
    });
  } finally {
    await stop(service);
    await db.drop();
  }
  return rows;
}
