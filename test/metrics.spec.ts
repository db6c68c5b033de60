import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { JobsService } from '../src/jobs/jobs.service.js';
import { MailService } from '../src/mail/mail.service.js';
import { ADMIN_EMAIL, ADMIN_TOKEN, bearer, startTestApp, TestApp } from './support/app.js';
import { createTestDatabase, TestDatabase } from './support/database.js';
import { googleFeed } from './support/feed-server.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { IcsServer } from './support/ics-server.js';
import { killServiceProcesses, ServiceProcess, startServiceProcess } from './support/service-process.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * GET /metrics on the real service against PostgreSQL: what the services count (bookings made and refused,
 * calendar syncs, webhook deliveries) moves when it happens, requests are labelled by route pattern, and the
 * queue, outbox and pool gauges are read when scraped. METRICS_TOKEN guards it.
 */

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
const ALL_DAYS = (start: string, end: string) => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start, end }));
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments left out). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the sample named `name` whose labels include `labels`; 0 when there is none (a counter not yet moved). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value ?? 0;
}

describe('GET /metrics (Prometheus, real PostgreSQL)', () => {
  let t: TestApp;
  const feeds = new IcsServer();
  const receiver = new WebhookReceiver();
  let periodId: string;
  let rep: Person;
  let marketers: Person[];
  let day: string;

  const scrape = async (): Promise<Sample[]> => {
    const res = await t.http.get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(res.text);
  };
  const book = (who: Person, startsAt: string) => t.http.post('/api/v1/bookings').set(bearer(who.token)).send({ periodId, repId: rep.id, startsAt });

  beforeAll(async () => {
    await feeds.start();
    await receiver.start();
    t = await startTestApp({ METRICS_TOKEN, JOBS_POLL_SECONDS: '0.5' });
    const programId = await makeProgram(t, { minNoticeHours: 0, horizonDays: 60, seatsPerCall: 1, repWeeklyCap: 50, sameRepLimit: 50, quota: 50 });
    periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(60));
    rep = await makeUser(t, ['rep']);
    await rosterRep(t, periodId, rep);
    await t.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('00:00', '23:00') }).expect(200);
    marketers = [await makeUser(t, ['marketer']), await makeUser(t, ['marketer'])];
    for (const m of marketers) await enrol(t, periodId, m);
    let d = DateTime.utc().plus({ days: 10 });
    while (d.weekday !== 1) d = d.plus({ days: 1 });
    day = d.toISODate()!;
  });
  afterAll(async () => {
    await t?.close();
    await feeds.stop();
    await receiver.stop();
  });

  describe('METRICS_TOKEN', () => {
    it('without the token, or with another (an API token too): 401 naming authorization', async () => {
      for (const headers of [{}, bearer('not-the-metrics-token-0123456789'), bearer(t.adminToken), { Authorization: METRICS_TOKEN }]) {
        const res = await t.http.get('/metrics').set(headers).expect(401);
        expect(res.body).toMatchObject({ statusCode: 401, code: 'unauthenticated', details: { field: 'authorization' } });
        expect(res.text).not.toContain('ridealong_');
      }
    });

    it('with it: 200 in the Prometheus text format', async () => {
      const res = await t.http.get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
      expect(res.text).toContain('# TYPE ridealong_http_request_duration_seconds histogram');
      expect(res.text).toContain('# TYPE ridealong_bookings_made_total counter');
    });

    it('unset, /metrics is open', async () => {
      const open = await startTestApp({}, t.database);
      try {
        const res = await open.http.get('/metrics').expect(200);
        expect(res.text).toContain('ridealong_bookings_made_total');
      } finally {
        await open.app.close();
      }
    });
  });

  it('a booking made and one refused move their counters, refusals by code', async () => {
    const before = await scrape();
    const made = await book(marketers[0], `${day}T09:00:00.000Z`);
    expect(made.status).toBe(201);
    const refused = await book(marketers[1], `${day}T09:00:00.000Z`); // the one seat is taken
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('slot_unavailable');
    const early = await book(marketers[1], `${daysFromNow(-3)}T09:00:00.000Z`); // before the period: another code path, same code
    expect(early.status).toBe(409);
    const after = await scrape();
    expect(value(after, 'ridealong_bookings_made_total') - value(before, 'ridealong_bookings_made_total')).toBe(1);
    expect(value(after, 'ridealong_bookings_refused_total', { code: 'slot_unavailable' }) - value(before, 'ridealong_bookings_refused_total', { code: 'slot_unavailable' })).toBe(2);

    // An idempotent replay returns the first booking and is not counted again.
    const key = randomUUID();
    await book(marketers[1], `${day}T11:00:00.000Z`).set('Idempotency-Key', key).expect(201);
    await book(marketers[1], `${day}T11:00:00.000Z`).set('Idempotency-Key', key).expect(201);
    expect(value(await scrape(), 'ridealong_bookings_made_total') - value(after, 'ridealong_bookings_made_total')).toBe(1);
  });

  it('request durations are labelled with the route pattern and status, never a raw id', async () => {
    const made = await book(marketers[0], `${day}T13:00:00.000Z`).expect(201);
    const id = made.body.id as string;
    for (let i = 0; i < 3; i++) await t.http.get(`/api/v1/bookings/${id}`).set(bearer(marketers[0].token)).expect(200);
    await t.http.get(`/api/v1/bookings/${randomUUID()}`).set(bearer(marketers[0].token)).expect(404);
    await t.http.get(`/no/such/page/${randomUUID()}`).expect(404);
    const res = await t.http.get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
    const samples = parse(res.text);
    const count = (labels: Record<string, string>) => value(samples, 'ridealong_http_request_duration_seconds_count', labels);
    expect(count({ method: 'GET', route: '/api/v1/bookings/:id', status: '200' })).toBeGreaterThanOrEqual(3);
    expect(count({ method: 'GET', route: '/api/v1/bookings/:id', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(count({ method: 'POST', route: '/api/v1/bookings', status: '201' })).toBeGreaterThanOrEqual(1);
    expect(count({ method: 'GET', route: '(unmatched)', status: '404' })).toBeGreaterThanOrEqual(1);
    // Buckets and sum come with the count.
    expect(value(samples, 'ridealong_http_request_duration_seconds_bucket', { method: 'GET', route: '/api/v1/bookings/:id', status: '200', le: '+Inf' })).toBeGreaterThanOrEqual(3);
    expect(value(samples, 'ridealong_http_request_duration_seconds_sum', { method: 'GET', route: '/api/v1/bookings/:id', status: '200' })).toBeGreaterThan(0);
    expect(res.text).not.toContain(id);
    expect(res.text).not.toMatch(UUID);
  });

  it('queue depth and the oldest waiting job per queue, read from pg-boss when scraped', async () => {
    // A job due an hour ago on a queue no worker takes: it waits, and its age shows.
    const queue = `metrics-probe-${randomUUID().slice(0, 8)}`;
    await t.db.transaction((m) => t.app.get(JobsService).send(m, queue, { probe: true }, { startAfter: new Date(Date.now() - 3_600_000) }));
    await t.db.transaction((m) => t.app.get(JobsService).send(m, queue, { later: true }, { startAfter: new Date(Date.now() + 3_600_000) }));
    const samples = await scrape();
    expect(value(samples, 'ridealong_queue_jobs', { queue, state: 'waiting' })).toBe(1);
    expect(value(samples, 'ridealong_queue_jobs', { queue, state: 'scheduled' })).toBe(1);
    expect(value(samples, 'ridealong_queue_jobs', { queue, state: 'active' })).toBe(0);
    const age = value(samples, 'ridealong_queue_oldest_waiting_seconds', { queue });
    expect(age).toBeGreaterThanOrEqual(3_590);
    expect(age).toBeLessThan(7_200);
    // Every queue the service works is listed (with zeros when idle).
    for (const q of ['mail-send', 'calendar.sync']) expect(samples.some((s) => s.name === 'ridealong_queue_jobs' && s.labels.queue === q)).toBe(true);
  });

  it('outbox rows by status and the oldest unsent message, read when scraped', async () => {
    await t.app.get(MailService).drain(20_000); // the bookings' confirmations go out (.eml files)
    const sent = await scrape();
    expect(value(sent, 'ridealong_mail_outbox_messages', { status: 'sent' })).toBeGreaterThanOrEqual(1);
    expect(value(sent, 'ridealong_mail_outbox_messages', { status: 'pending' })).toBe(0);
    expect(value(sent, 'ridealong_mail_outbox_messages', { status: 'failed' })).toBe(0);
    expect(value(sent, 'ridealong_mail_outbox_oldest_pending_seconds')).toBe(0);

    // A message written two hours ago and never sent (its job lost): the age an operator alerts on.
    const id = randomUUID();
    await t.db.query(
      `INSERT INTO mail_outbox (id, dedupe_key, recipient, subject, text, html, message_id, created_at)
       VALUES ($1, $2, 'someone@example.com', 'Stuck', 'x', '<p>x</p>', $3, now() - interval '2 hours')`,
      [id, `metrics-probe:${id}`, `<${id}@test>`],
    );
    try {
      const stuck = await scrape();
      expect(value(stuck, 'ridealong_mail_outbox_messages', { status: 'pending' })).toBe(1);
      expect(value(stuck, 'ridealong_mail_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(7_190);
      expect(value(stuck, 'ridealong_database_up')).toBe(1);
    } finally {
      await t.db.query(`DELETE FROM mail_outbox WHERE id = $1`, [id]);
    }
  });

  it('calendar syncs and their failures', async () => {
    const path = `/calendar/ical/metrics-${randomUUID().slice(0, 8)}/basic.ics`;
    const start = DateTime.fromISO(`${daysFromNow(3)}T10:00:00Z`, { zone: 'UTC' });
    const url = feeds.set(path, { body: googleFeed('Work', [{ uid: 'm-1@google.com', start, end: start.plus({ hours: 1 }), summary: 'Review' }]) });
    const conn = await t.http.post('/api/v1/me/calendar-connections').set(bearer(rep.token)).send({ kind: 'ics', url }).expect(201);
    const before = await scrape();
    await t.http.post(`/api/v1/calendar-connections/${conn.body.id}/sync`).set(bearer(rep.token)).expect(200);
    feeds.set(path, { body: 'gone', status: 500, type: 'text/plain' });
    const failed = await t.http.post(`/api/v1/calendar-connections/${conn.body.id}/sync`).set(bearer(rep.token)).expect(200);
    expect(failed.body.lastError).toEqual(expect.any(String));
    const after = await scrape();
    const syncs = (s: Sample[], outcome: string) => value(s, 'ridealong_calendar_syncs_total', { outcome });
    expect(syncs(after, 'synced') + syncs(after, 'unchanged') - syncs(before, 'synced') - syncs(before, 'unchanged')).toBe(1);
    expect(syncs(after, 'failed') - syncs(before, 'failed')).toBe(1);
    expect(value(after, 'ridealong_calendar_connections', { state: 'connected' })).toBe(1);
    expect(value(after, 'ridealong_calendar_connections', { state: 'failing' })).toBe(1);
  });

  it('webhook deliveries by outcome', async () => {
    await t.http.post('/api/v1/webhooks').set(bearer(t.adminToken)).send({ url: receiver.url(), events: ['booking.created'], description: 'metrics' }).expect(201);
    const before = await scrape();
    await book(marketers[1], `${day}T15:00:00.000Z`).expect(201);
    await receiver.waitFor((hooks) => hooks.length >= 1);
    let after = await scrape();
    for (let i = 0; i < 50 && value(after, 'ridealong_webhook_deliveries_total', { outcome: 'delivered' }) === value(before, 'ridealong_webhook_deliveries_total', { outcome: 'delivered' }); i++) {
      await new Promise((r) => setTimeout(r, 100)); // the attempt is counted as its answer is recorded
      after = await scrape();
    }
    expect(value(after, 'ridealong_webhook_deliveries_total', { outcome: 'delivered' }) - value(before, 'ridealong_webhook_deliveries_total', { outcome: 'delivered' })).toBe(1);

    receiver.respond = () => 500;
    await book(marketers[1], `${day}T16:00:00.000Z`).expect(201);
    await receiver.waitFor((hooks) => hooks.length >= 2);
    let failed = await scrape();
    for (let i = 0; i < 50 && value(failed, 'ridealong_webhook_deliveries_total', { outcome: 'failed' }) === value(before, 'ridealong_webhook_deliveries_total', { outcome: 'failed' }); i++) {
      await new Promise((r) => setTimeout(r, 100));
      failed = await scrape();
    }
    expect(value(failed, 'ridealong_webhook_deliveries_total', { outcome: 'failed' }) - value(before, 'ridealong_webhook_deliveries_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(1);
  });

  it("the database pool's use and Node's event-loop lag", async () => {
    const samples = await scrape();
    expect(value(samples, 'ridealong_db_pool_max')).toBe(20);
    const total = value(samples, 'ridealong_db_pool_connections', { state: 'total' });
    expect(total).toBeGreaterThanOrEqual(1);
    expect(total).toBeLessThanOrEqual(20);
    expect(value(samples, 'ridealong_db_pool_connections', { state: 'idle' })).toBeLessThanOrEqual(total);
    expect(samples.some((s) => s.name === 'ridealong_db_pool_connections' && s.labels.state === 'waiting')).toBe(true);
    expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    expect(samples.some((s) => s.name === 'process_resident_memory_bytes')).toBe(true);
  });
});

describe('GET /metrics under WEB_CONCURRENCY=2 (the built service): one scrape answers for every worker', () => {
  let database: TestDatabase;
  let proc: ServiceProcess;

  /** GET on a connection of its own (no keep-alive), so the primary hands each request to the next worker. */
  const getFresh = (url: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      http
        .get(url, { agent: false, headers }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        })
        .on('error', reject);
    });
  const scrape = async () => {
    const res = await getFresh(`${proc.url}/metrics`, bearer(METRICS_TOKEN));
    expect(res.status).toBe(200);
    return parse(res.text);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    proc = await startServiceProcess(
      { DATABASE_URL: database.url, WEB_CONCURRENCY: '2', METRICS_TOKEN, ADMIN_TOKEN, ADMIN_EMAIL, LOG_LEVEL: 'warn', VAR_DIR: `var/test-metrics-${process.pid}` },
      { healthTimeoutMs: 180_000 },
    );
  }, 300_000);
  afterAll(async () => {
    await killServiceProcesses();
    await database?.drop();
  });

  it('counters and pool gauges are summed over the workers, the database gauges read once', async () => {
    // Both workers have announced themselves once the pool maximum is theirs summed (2 × 20).
    let samples: Sample[] = [];
    for (let i = 0; i < 300 && value(samples, 'ridealong_db_pool_max') !== 40; i++) {
      samples = await scrape();
      if (value(samples, 'ridealong_db_pool_max') !== 40) await new Promise((r) => setTimeout(r, 200));
    }
    expect(value(samples, 'ridealong_db_pool_max')).toBe(40);

    const health = (s: Sample[]) => value(s, 'ridealong_http_request_duration_seconds_count', { method: 'GET', route: '/health', status: '200' });
    const before = health(samples);
    for (let i = 0; i < 20; i++) expect((await getFresh(`${proc.url}/health`)).status).toBe(200);
    // Whichever worker a scrape reaches, it counts the requests both workers served.
    for (let i = 0; i < 4; i++) expect(health(await scrape())).toBe(before + 20);

    const after = await scrape();
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    try {
      const [{ n }] = (await c.query(`SELECT count(*)::int AS n FROM pgboss.queue`)).rows as { n: number }[];
      const queues = new Set(after.filter((s) => s.name === 'ridealong_queue_jobs').map((s) => s.labels.queue));
      expect(queues.size).toBe(n);
      // Read from the one database by each worker, reported once (not doubled).
      expect(after.filter((s) => s.name === 'ridealong_queue_jobs' && s.labels.queue === 'mail-send' && s.labels.state === 'waiting')).toHaveLength(1);
    } finally {
      await c.end();
    }
    expect(value(after, 'ridealong_database_up')).toBe(1);
    expect(value(after, 'ridealong_calendar_connections', { state: 'connected' })).toBe(0);
  });
});
