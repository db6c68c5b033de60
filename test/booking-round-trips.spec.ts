import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DateTime } from 'luxon';
import { requestContext } from '../src/common/logger.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';

/**
 * What one `POST /api/v1/bookings` costs in statements (each a round trip to PostgreSQL), and the rows it
 * leaves: the booking, its audit row, its webhook delivery, its two emails and its jobs. The snapshot was
 * taken from the code before the statements were merged, so a change that alters a row fails here.
 */
const MAX_STATEMENTS = 3;

const ALL_DAYS = (start: string, end: string) => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start, end }));

/** Every statement sent on any pooled connection, with the request it was sent for (none for pg-boss's polling) and its name if prepared. */
const sent: { requestId: string | undefined; text: string; name?: string }[] = [];
const ClientProto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const originalQuery = ClientProto.query;

describe('a booking in few round trips, with the same rows', () => {
  let t: TestApp;
  let periodId: string;
  let rep: Person;
  let marketer: Person;
  let day: string;

  beforeAll(async () => {
    ClientProto.query = function (this: unknown, ...args: unknown[]) {
      const q = args[0] as string | { text: string };
      sent.push({ requestId: requestContext.getStore()?.requestId, text: typeof q === 'string' ? q : q.text, name: typeof q === 'string' ? undefined : (q as { name?: string }).name });
      return originalQuery.apply(this, args);
    };
    t = await startTestApp({ JOBS_POLL_SECONDS: '60', MAIL_FROM: 'Rep Life <replife@example.com>' });
    const programId = await makeProgram(t, { minNoticeHours: 12, horizonDays: 60, seatsPerCall: 2, repWeeklyCap: 50, sameRepLimit: 50, quota: 50, cancelNoticeHours: 24 });
    periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(80));
    // Zones without summer time, so the snapshot's words and times are the same all year.
    rep = await makeUser(t, ['rep'], 'Asia/Tokyo', { email: 'rep-rt@example.com', name: 'Rita Rep' });
    await rosterRep(t, periodId, rep);
    await t.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'Asia/Kolkata', weekly: ALL_DAYS('00:00', '23:00') }).expect(200);
    marketer = await makeUser(t, ['marketer'], 'UTC', { email: 'marketer-rt@example.com', name: 'Mo Marketer' });
    await enrol(t, periodId, marketer);
    const lifecycle = await makeUser(t, ['lifecycle']);
    await t.http.post('/api/v1/webhooks').set(bearer(lifecycle.token)).send({ url: 'http://127.0.0.1:9/hook', events: ['booking.created'], description: 'CRM' }).expect(201);
    let d = DateTime.utc().plus({ days: 10 });
    while (d.weekday !== 2) d = d.plus({ days: 1 });
    day = d.toISODate()!;
  });
  afterAll(async () => {
    ClientProto.query = originalQuery;
    await t.close();
  });

  const book = async (startsAt: string) => {
    const requestId = randomUUID();
    const res = await t.http.post('/api/v1/bookings').set(bearer(marketer.token)).set('X-Request-Id', requestId).send({ periodId, repId: rep.id, startsAt });
    const mine = sent.filter((s) => s.requestId === requestId);
    return { res, statements: mine.map((s) => s.text), unnamed: mine.filter((s) => !s.name).map((s) => s.text.replace(/\s+/g, ' ').trim().slice(0, 100)) };
  };

  it(`sends at most ${MAX_STATEMENTS} statements for a booking (the token lookup included)`, async () => {
    await book(`${day}T08:00:00.000Z`); // warms the caches a first request fills (queues, token)
    const { res, statements } = await book(`${day}T09:00:00.000Z`);
    expect(res.status).toBe(201);
    // The statements in the failure message, so a regression shows which one came back.
    const shown = statements.map((s) => s.replace(/\s+/g, ' ').slice(0, 100));
    expect({ count: statements.length, shown }).toEqual({ count: Math.min(statements.length, MAX_STATEMENTS), shown });
  });

  it('opens the transaction with the locks and the slot check read, inserts as a named prepared statement, and sends the jobs with the COMMIT', async () => {
    const { res, statements } = await book(`${day}T10:00:00.000Z`);
    expect(res.status).toBe(201);
    // The named statements each connection parsed (by the warm-up booking and the earlier tests), by name.
    const parsed = new Map(sent.filter((s) => s.name).map((s) => [s.name!, s.text]));
    const executed = (text: string) => [...text.matchAll(/EXECUTE (ra_[0-9a-f]+)/g)].map(([, name]) => parsed.get(name)?.replace(/\s+/g, ' ') ?? `unknown ${name}`);
    const [open, insert, commit, ...more] = statements;
    expect(more).toEqual([]);
    expect(open).toMatch(/^START TRANSACTION; SELECT \* FROM booking_lock_and_read\(.*\); EXECUTE ra_[0-9a-f]+\(/s);
    expect(executed(open)).toEqual([expect.stringMatching(/^SELECT c\.\*, s\.supply FROM/)]);
    expect(sent.find((s) => s.text === insert)?.name).toBeDefined();
    expect(insert).toMatch(/^WITH b AS \(INSERT INTO bookings/);
    expect(commit).toMatch(/^EXECUTE ra_[0-9a-f]+\(.*\); COMMIT$/s);
    expect(executed(commit)).toEqual([expect.stringMatching(/INSERT INTO pgboss\.job/)]);
  });

  it('reads for the slot check on its own when the connection has not prepared that read yet, and books all the same', async () => {
    // Connections forget what they prepared: the next booking's opening finds its read unparsed.
    const pool = (t.db.driver as unknown as { master: pg.Pool }).master;
    const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
    for (const c of clients) {
      await c.query('DEALLOCATE ALL');
      (c as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements = {};
      c.release();
    }
    const { res, statements } = await book(`${day}T07:00:00.000Z`);
    expect(res.status).toBe(201);
    expect(statements[0]).not.toMatch(/EXECUTE/);
    expect(statements.map((s) => s.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/^START TRANSACTION; SELECT \* FROM booking_lock_and_read\([^;]*\)$/),
      expect.stringMatching(/^SELECT c\.\*, s\.supply FROM/),
      expect.stringMatching(/^WITH b AS \(INSERT INTO bookings/),
      expect.stringMatching(/^WITH defaults as .* INSERT INTO pgboss\.job/),
      'COMMIT',
    ]);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM bookings WHERE id = $1`, [res.body.id])).toEqual([{ n: 1 }]);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE data->>'bookingId' = $1 OR data->'outboxIds' ?| ARRAY(SELECT id::text FROM mail_outbox WHERE dedupe_key LIKE $2)`,
      [res.body.id, `booking:${res.body.id}:%`],
    );
    expect(n).toBe(2); // the reminder, and one send job for both emails
  });

  it('goes on booking when a column is added to bookings under the running service (no prepared statement returns a table row as columns)', async () => {
    for (const hour of [12, 13]) expect((await book(`${day}T${hour}:00:00.000Z`)).res.status).toBe(201);
    await t.db.query('ALTER TABLE bookings ADD COLUMN added_later integer');
    try {
      for (const hour of [14, 15, 16]) {
        const { res } = await book(`${day}T${hour}:00:00.000Z`);
        expect({ hour, status: res.status, body: res.status === 201 ? 'created' : res.body }).toEqual({ hour, status: 201, body: 'created' });
        expect(Object.keys(res.body)).not.toContain('addedLater');
      }
    } finally {
      await t.db.query('ALTER TABLE bookings DROP COLUMN added_later');
    }
  });

  it('leaves the same rows as before, but one send job for both emails: booking, audit, webhook delivery, emails with invites, jobs', async () => {
    const { res } = await book(`${day}T11:00:00.000Z`);
    expect(res.status).toBe(201);
    const id: string = res.body.id;
    // The answer is the row as a later read gives it, field for field and in the same order.
    const read = await t.http.get(`/api/v1/bookings/${id}`).set(bearer(marketer.token)).expect(200);
    expect(JSON.stringify(res.body)).toBe(JSON.stringify(read.body));
    const [booking] = await t.db.query(`SELECT * FROM bookings WHERE id = $1`, [id]);
    const audit = await t.db.query(`SELECT actor_id, action, entity, entity_id, request_id IS NOT NULL AS has_request, details FROM audit_log WHERE entity_id = $1 ORDER BY id`, [id]);
    const deliveries = await t.db.query(`SELECT id, endpoint_id, message_id, event_type, payload, created_at FROM webhook_deliveries WHERE payload->'data'->>'bookingId' = $1`, [id]);
    const mails = await t.db.query(
      `SELECT id, dedupe_key, recipient, recipient_name, subject, text, html, calendar_method, calendar_content, calendar_filename, attachments, message_id, body_is_secret
         FROM mail_outbox WHERE dedupe_key LIKE $1 ORDER BY recipient`,
      [`booking:${id}:%`],
    );
    const ids = [...mails.map((m: { id: string }) => m.id), ...deliveries.map((d: { id: string }) => d.id), id];
    const jobs = await t.db.query(
      `SELECT name, data, priority, start_after - now() < interval '1 minute' AS starts_now,
              CASE WHEN start_after - now() >= interval '1 minute' THEN start_after END AS start_after,
              singleton_key, singleton_on, dead_letter, expire_in, keep_until - start_after AS kept, retry_limit, retry_delay, retry_backoff, policy
         FROM pgboss.job WHERE data->>'outboxId' = ANY($1) OR data->'outboxIds' ?| $1::text[] OR data->>'deliveryId' = ANY($1) OR data->>'bookingId' = ANY($1)
        ORDER BY name`,
      [ids],
    );
    expect(normalise({ booking, audit, deliveries, mails, jobs }, { rep: rep.id, marketer: marketer.id, period: periodId }, day, `${day}T11:00:00.000Z`)).toMatchSnapshot();
  });
});

/**
 * Ids by their order of appearance, instants of now as `<now>` and others as minutes from the booking's start,
 * the booking's day in its written forms as `<day>`, DTSTAMP and message ids as placeholders.
 */
function normalise(value: unknown, named: Record<string, string>, day: string, start: string): unknown {
  const ids = new Map<string, string>(Object.entries(named).map(([k, v]) => [v, `<${k}>`]));
  const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
  const now = Date.now();
  const anchor = Date.parse(start);
  const instant = (ms: number) => (Math.abs(ms - now) < 120_000 ? '<now>' : `<start${ms >= anchor ? '+' : ''}${Math.round((ms - anchor) / 60_000)}min>`);
  const d = DateTime.fromISO(day, { zone: 'UTC' }).setLocale('en-GB');
  const dayForms = [d.toFormat('cccc d LLLL yyyy'), d.toFormat('ccc d LLL'), d.toFormat('yyyyMMdd')];
  const text = (s: string) => {
    let out = s
      .replace(/\r?\n /g, '') // ICS lines unfolded: a folded id is still one id
      .replace(uuid, (u) => {
        if (!ids.has(u)) ids.set(u, `<id${ids.size - Object.keys(named).length + 1}>`);
        return ids.get(u)!;
      })
      .replace(/DTSTAMP:\d{8}T\d{6}Z/g, 'DTSTAMP:<now>')
      .replace(/msg_[0-9a-f]{32}/g, 'msg_<id>')
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, (iso) => instant(Date.parse(iso)));
    for (const f of dayForms) out = out.split(f).join('<day>');
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (v instanceof Date) return instant(v.getTime());
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const out = walk(value) as { jobs?: unknown[] };
  // Jobs in the order of their normalised text (their ids are random, so their order in the table is not).
  out.jobs?.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return out;
}
