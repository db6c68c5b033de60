import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { benchPort, boot, serverDatabase, sleep, stop } from './support.js';
import { median, percentile, type BenchRow } from './table.js';

const REPS = 500;
/** Notices sent back to back to time their acceptance. */
const SENDS = 20;
const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Tokyo', 'UTC', 'Australia/Sydney'];

/** A program whose open period has REPS reps on its roster (accepted), and a lifecycle user's token. */
async function seed(url: string): Promise<{ programId: string; periodId: string; token: string }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    const settings = {
      slotMinutes: 45, slotGridMinutes: 15, minNoticeHours: 0, horizonDays: 60, seatsPerCall: 1, repWeeklyCap: 3, quota: 20, sameRepLimit: 4,
      cancelNoticeHours: 24, formDueHours: 24, periodCadence: 'none', rollupCadence: 'period', rollupRecipients: [], onboardingShifts: 3, onboardingDays: 30,
    };
    const [{ id: programId }] = (await c.query(`INSERT INTO programs (name, kind, time_zone, settings) VALUES ('Bench notices', 'call_shadowing', 'UTC', $1) RETURNING id`, [settings])).rows;
    const today = DateTime.utc().startOf('day');
    const [{ id: periodId }] = (
      await c.query(`INSERT INTO periods (program_id, starts_on, ends_on, status) VALUES ($1, $2, $3, 'open') RETURNING id`, [programId, today.minus({ days: 10 }).toISODate(), today.plus({ days: 50 }).toISODate()])
    ).rows;
    const reps = (
      await c.query(
        `INSERT INTO users (email, name, time_zone, roles) SELECT 'nrep' || i || '@bench.example', 'Rep ' || i, ($1::text[])[1 + i % cardinality($1::text[])], ARRAY['rep'] FROM generate_series(1, $2) i RETURNING id`,
        [ZONES, REPS],
      )
    ).rows.map((r) => r.id as string);
    await c.query(`INSERT INTO roster_entries (period_id, rep_id, status, responded_at) SELECT $1, unnest($2::uuid[]), 'active', now()`, [periodId, reps]);
    const [{ id: lifecycle }] = (await c.query(`INSERT INTO users (email, name, time_zone, roles) VALUES ('nlife@bench.example', 'Lifecycle', 'Europe/London', ARRAY['lifecycle']) RETURNING id`)).rows;
    const token = `ra_bench_${randomBytes(16).toString('hex')}`;
    await c.query(`INSERT INTO api_tokens (user_id, name, token_hash, prefix) VALUES ($1, 'bench', $2, 'ra_bench')`, [lifecycle, createHash('sha256').update(token).digest()]);
    await c.query('COMMIT');
    return { programId, periodId, token };
  } finally {
    await c.end();
  }
}

/** An SMTP listener that only counts what it accepts. */
async function smtpCounter(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, _session, callback) => {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        n++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, count: () => n, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export async function run(): Promise<BenchRow[]> {
  const db = await serverDatabase('notices');
  if (!db) return [{ area: 'notices', case: `notice to ${REPS} reps`, result: 'skipped: no PostgreSQL server answered' }];
  const smtp = await smtpCounter();
  const service = await boot({ DATABASE_URL: db.url, SMTP_URL: smtp.url, JOBS_POLL_SECONDS: '0.5' }, benchPort(6)).catch(async (e: unknown) => {
    await smtp.close(); // or its listener holds `npm run bench` open
    await db.drop();
    throw e;
  });
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  const rows: BenchRow[] = [];
  try {
    const s = await seed(db.url);
    const send = async (i: number) => {
      const t0 = performance.now();
      const res = await fetch(`${service.url}/api/v1/notices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ programId: s.programId, periodId: s.periodId, kind: 'campaign_notification', subject: `Campaign ${i}`, body: 'Leads from the spring webinar arrive Monday.\nBrief: https://wiki.example.com/spring' }),
      });
      const ms = performance.now() - t0;
      const body = (await res.json()) as { id: string; recipientCount: number };
      if (res.status !== 201 || body.recipientCount !== REPS) throw new Error(`POST /notices answered ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      return { ms, id: body.id };
    };
    const outboxOf = async (id: string) =>
      (await c.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'sent')::int AS sent FROM mail_outbox WHERE dedupe_key LIKE $1`, [`notice:${id}:%`])).rows[0] as { n: number; sent: number };

    // One notice alone: accepted, then every email in the outbox, then every email accepted by the SMTP server.
    await send(-1); // warm-up (queue creation, first plans), its emails drained below
    for (const until = performance.now() + 120_000; smtp.count() < REPS && performance.now() < until; ) await sleep(50);
    const before = smtp.count();
    const first = await send(0);
    const t0 = performance.now() - first.ms;
    let queuedMs = 0;
    for (const until = performance.now() + 120_000; performance.now() < until; ) {
      const o = await outboxOf(first.id);
      if (!queuedMs && o.n === REPS) queuedMs = performance.now() - t0;
      if (o.sent === REPS) break;
      await sleep(25);
    }
    const sentMs = performance.now() - t0;
    if (smtp.count() - before < REPS) throw new Error(`only ${smtp.count() - before} of ${REPS} emails reached the SMTP server`);
    rows.push({
      area: 'notices',
      case: `notice to ${REPS} reps (5 zones): accepted, then all emails in the outbox (fan-out job), then all sent over SMTP`,
      result: `accepted in ${first.ms.toFixed(0)} ms; ${REPS} in the outbox after ${(queuedMs / 1000).toFixed(1)} s; all sent after ${(sentMs / 1000).toFixed(1)} s`,
      target: 'accepted < 1 s',
    });

    // Back to back, with the earlier notices' emails still going out: the acceptance alone.
    const times: number[] = [];
    for (let i = 1; i <= SENDS; i++) times.push((await send(i)).ms);
    rows.push({
      area: 'notices',
      case: `POST /notices to ${REPS} reps, ${SENDS} in a row while earlier emails send`,
      result: `p50 ${median(times).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`,
      target: '< 1 s',
    });
  } finally {
    await c.end();
    await stop(service);
    await smtp.close();
    await db.drop();
  }
  return rows;
}
