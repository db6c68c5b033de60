import { DateTime } from 'luxon';
import { PassThrough } from 'node:stream';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { googleFeed } from './support/feed-server.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { IcsServer } from './support/ics-server.js';

/**
 * Connecting a rep's calendar over HTTP: the calendar is read (from a real HTTP server) before the answer,
 * refused and unreadable addresses store nothing, the address is a secret (never in an answer, a log line,
 * an audit row or the database in clear), and only the rep and the lifecycle team see a connection.
 */

/** The secret part of every feed address in this file: it must never come back. */
const SECRET = 'private-3f9c2a7d1e8b4c6a';
const ALL_DAYS = (start: string, end: string) => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start, end }));

describe('calendar connections (HTTP)', () => {
  let t: TestApp;
  const logs: string[] = [];
  const feeds = new IcsServer();
  let periodId: string;
  let rep: Person;
  let otherRep: Person;
  let marketer: Person;
  /** Day 3 from now, 10:00–11:00 UTC: the busy meeting. */
  const day = daysFromNow(3);
  const busyStart = DateTime.fromISO(`${day}T10:00:00Z`, { zone: 'UTC' });

  const feedPath = (name: string) => `/calendar/ical/${SECRET}/${name}.ics`;
  const googleBody = () =>
    googleFeed('Ann at work', [
      { uid: 'internal-1@google.com', start: busyStart, end: busyStart.plus({ hours: 1 }), summary: 'Pipeline review' },
      { uid: 'customer-1@google.com', start: busyStart.plus({ days: 1, hours: 4 }), end: busyStart.plus({ days: 1, hours: 5 }), summary: 'Acme renewal', attendees: ['buyer@acme-customer.test'] },
      { uid: 'free-1@google.com', start: busyStart.plus({ days: 2 }), end: busyStart.plus({ days: 2, hours: 1 }), summary: 'Focus (free)', transparent: true },
    ]);

  const connections = async (repId: string) => (await t.db.query(`SELECT id, host, secret, kind FROM calendar_connections WHERE rep_id = $1`, [repId])) as { id: string; host: string; secret: string; kind: string }[];
  const events = async (repId: string) => (await t.db.query(`SELECT uid, busy, starts_at FROM calendar_events WHERE rep_id = $1 ORDER BY starts_at`, [repId])) as { uid: string; busy: boolean; starts_at: Date }[];

  beforeAll(async () => {
    await feeds.start();
    const logStream = new PassThrough();
    logStream.on('data', (c: Buffer) => logs.push(c.toString('utf8')));
    t = await startTestApp({ LOG_LEVEL: 'debug' }, undefined, logStream);
    const programId = await makeProgram(t, { minNoticeHours: 0, horizonDays: 28 });
    periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(60));
    rep = await makeUser(t, ['rep']);
    otherRep = await makeUser(t, ['rep']);
    marketer = await makeUser(t, ['marketer']);
    await rosterRep(t, periodId, rep);
    await enrol(t, periodId, marketer);
    await t.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('09:00', '17:00') }).expect(200);
  });
  afterAll(async () => {
    await t?.close();
    await feeds.stop();
  });

  it('connects an ICS feed: read before the answer, events stored, the address only as its host', async () => {
    const url = feeds.set(feedPath('basic'), { body: googleBody() });
    const res = await t.http.post('/api/v1/me/calendar-connections').set(bearer(rep.token)).send({ kind: 'ics', url }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      kind: 'ics',
      host: new URL(feeds.url).host,
      lastSyncedAt: expect.any(String),
      lastAttemptAt: expect.any(String),
      lastError: null,
      eventCount: 3,
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(feeds.to(feedPath('basic'))).toHaveLength(1);

    const rows = await events(rep.id);
    expect(rows.map((r) => [r.uid, r.busy])).toEqual([
      ['internal-1@google.com', true],
      ['customer-1@google.com', true],
      ['free-1@google.com', false],
    ]);

    // At rest the address is ciphertext (AES-256-GCM, versioned), never the URL or its secret part.
    const [stored] = await connections(rep.id);
    expect(stored.secret).toMatch(/^v1:/);
    expect(stored.secret).not.toContain(SECRET);
    expect(stored.secret).not.toContain('127.0.0.1');
    expect(stored.host).toBe(new URL(feeds.url).host);

    const listed = await t.http.get('/api/v1/me/calendar-connections').set(bearer(rep.token)).expect(200);
    expect(listed.body.connections).toEqual([res.body]);
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);
  });

  it('refuses the same calendar twice (409), storing nothing more', async () => {
    const url = feeds.url + feedPath('basic');
    const res = await t.http.post('/api/v1/me/calendar-connections').set(bearer(rep.token)).send({ kind: 'ics', url }).expect(409);
    expect(res.body.details).toMatchObject({ field: 'url' });
    expect(await connections(rep.id)).toHaveLength(1);
  });

  it('a feed that cannot be read: 422 calendar_unreadable with the reason, nothing stored', async () => {
    const url = `${feeds.url}${feedPath('missing')}`;
    const res = await t.http.post('/api/v1/me/calendar-connections').set(bearer(otherRep.token)).send({ kind: 'ics', url }).expect(422);
    expect(res.body).toMatchObject({ statusCode: 422, code: 'calendar_unreadable' });
    expect(res.body.message).toMatch(/404/);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(await connections(otherRep.id)).toEqual([]);
    expect(await events(otherRep.id)).toEqual([]);
  });

  it('an answer that is not iCalendar (an HTML page with 200): 422, nothing stored', async () => {
    const url = feeds.set(feedPath('html'), { body: '<!DOCTYPE html><html><body><h1>Sign in to continue</h1></body></html>', type: 'text/html; charset=utf-8' });
    const res = await t.http.post('/api/v1/me/calendar-connections').set(bearer(otherRep.token)).send({ kind: 'ics', url }).expect(422);
    expect(res.body.code).toBe('calendar_unreadable');
    expect(res.body.message).toMatch(/not iCalendar|VCALENDAR/i);
    expect(await connections(otherRep.id)).toEqual([]);
  });

  it('bad input: 400 naming the field', async () => {
    const post = (body: object) => t.http.post('/api/v1/me/calendar-connections').set(bearer(otherRep.token)).send(body);
    const scheme = await post({ kind: 'ics', url: 'ftp://calendar.example.com/cal.ics' }).expect(400);
    expect(scheme.body.details).toMatchObject({ field: 'url' });
    const creds = await post({ kind: 'ics', url: 'https://calendar.example.com/cal.ics', password: 'x' }).expect(400);
    expect(creds.body.details.fields).toEqual([{ field: 'password', problems: [expect.any(String)] }]);
    const missing = await post({ kind: 'caldav', url: 'https://dav.example.com/' }).expect(400);
    expect(missing.body.details.fields.map((f: { field: string }) => f.field)).toEqual(['username', 'password']);
    const kind = await post({ kind: 'google', url: 'https://calendar.example.com/cal.ics' }).expect(400);
    expect(kind.body.details.fields[0].field).toBe('kind');
    const inUrl = await post({ kind: 'ics', url: 'https://user:pw@calendar.example.com/cal.ics' }).expect(400);
    expect(inUrl.body.details).toMatchObject({ field: 'url' });
    expect(await connections(otherRep.id)).toEqual([]);
  });

  it('who sees and acts: the rep; the lifecycle team reads host and status; other reps and marketers get 404 (a marketer cannot connect: 403)', async () => {
    const [conn] = await connections(rep.id);
    for (const who of [otherRep, marketer]) {
      await t.http.get(`/api/v1/reps/${rep.id}/calendar-connections`).set(bearer(who.token)).expect(404);
      await t.http.post(`/api/v1/calendar-connections/${conn.id}/sync`).set(bearer(who.token)).expect(404);
      await t.http.delete(`/api/v1/calendar-connections/${conn.id}`).set(bearer(who.token)).expect(404);
    }
    const mine = await t.http.get('/api/v1/me/calendar-connections').set(bearer(otherRep.token)).expect(200);
    expect(mine.body.connections).toEqual([]);
    await t.http.post('/api/v1/me/calendar-connections').set(bearer(marketer.token)).send({ kind: 'ics', url: feeds.url + feedPath('basic') }).expect(403);

    const read = await t.http.get(`/api/v1/reps/${rep.id}/calendar-connections`).set(bearer(t.adminToken)).expect(200);
    expect(read.body.connections).toHaveLength(1);
    expect(Object.keys(read.body.connections[0]).sort()).toEqual(['createdAt', 'eventCount', 'host', 'id', 'kind', 'lastAttemptAt', 'lastError', 'lastSyncedAt']);
    expect(JSON.stringify(read.body)).not.toContain(SECRET);
    await t.http.post(`/api/v1/calendar-connections/${conn.id}/sync`).set(bearer(t.adminToken)).expect(403);
    await t.http.delete(`/api/v1/calendar-connections/${conn.id}`).set(bearer(t.adminToken)).expect(403);
    await t.http.get(`/api/v1/reps/00000000-0000-4000-8000-000000000000/calendar-connections`).set(bearer(t.adminToken)).expect(404);

    const own = await t.http.get(`/api/v1/reps/${rep.id}/calendar-connections`).set(bearer(rep.token)).expect(200);
    expect(own.body.connections).toHaveLength(1);
  });

  it('sync now reads again and answers the status', async () => {
    const [conn] = await connections(rep.id);
    const before = feeds.to(feedPath('basic')).length;
    const res = await t.http.post(`/api/v1/calendar-connections/${conn.id}/sync`).set(bearer(rep.token)).expect(200);
    expect(res.body).toMatchObject({ id: conn.id, lastError: null, eventCount: 3 });
    expect(feeds.to(feedPath('basic')).length).toBe(before + 1);
  });

  it('busy time leaves the slots; disconnecting forgets the events and frees it again', async () => {
    const [conn] = await connections(rep.id);
    const slotStarts = async () => {
      const res = await t.http.get('/api/v1/slots').query({ periodId, from: day, to: day, repId: rep.id, timeZone: 'UTC' }).set(bearer(marketer.token)).expect(200);
      return (res.body.slots as { startsAt: string }[]).map((s) => s.startsAt);
    };
    const busyAt = busyStart.toUTC().toISO({ suppressMilliseconds: false })!.replace('+00:00', 'Z');
    expect(await slotStarts()).not.toContain(new Date(busyAt).toISOString());

    await t.http.delete(`/api/v1/calendar-connections/${conn.id}`).set(bearer(rep.token)).expect(204);
    expect(await connections(rep.id)).toEqual([]);
    expect(await events(rep.id)).toEqual([]);
    expect(await slotStarts()).toContain(new Date(busyAt).toISOString());
    await t.http.delete(`/api/v1/calendar-connections/${conn.id}`).set(bearer(rep.token)).expect(404);
  });

  it('deactivating a rep forgets their calendars: the sealed addresses and the events they brought', async () => {
    const leaving = await makeUser(t, ['rep']);
    const url = feeds.set(feedPath('leaving'), { body: googleBody() });
    await t.http.post('/api/v1/me/calendar-connections').set(bearer(leaving.token)).send({ kind: 'ics', url }).expect(201);
    expect(await connections(leaving.id)).toHaveLength(1);
    expect((await events(leaving.id)).length).toBeGreaterThan(0);
    await t.http.patch(`/api/v1/users/${leaving.id}`).set(bearer(t.adminToken)).send({ active: false }).expect(200);
    expect(await connections(leaving.id)).toEqual([]);
    expect(await events(leaving.id)).toEqual([]);
    const [audit] = await t.db.query(`SELECT details FROM audit_log WHERE entity_id = $1 AND action = 'user.deactivate'`, [leaving.id]);
    expect(audit.details.revoked.calendarConnections).toBe(1);
  });

  it('audit rows and log lines never hold the address', async () => {
    const audit: { action: string; details: Record<string, unknown> }[] = await t.db.query(
      `SELECT action, details FROM audit_log WHERE entity = 'calendar_connection' ORDER BY id`,
    );
    expect(audit.map((a) => a.action)).toEqual(['calendar.connect', 'calendar.disconnect', 'calendar.connect']);
    expect(audit[0].details).toEqual({ kind: 'ics', host: new URL(feeds.url).host, eventCount: 3 });
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    expect(logs.join('')).toContain('calendar synced'); // the logs were captured
    expect(logs.join('')).not.toContain(SECRET);
  });
});

describe('calendar connections with the private-address rule on (CALENDAR_ALLOW_PRIVATE_HOSTS=false)', () => {
  let t: TestApp;
  const feeds = new IcsServer();

  beforeAll(async () => {
    await feeds.start();
    t = await startTestApp({ CALENDAR_ALLOW_PRIVATE_HOSTS: 'false' });
  });
  afterAll(async () => {
    await t?.close();
    await feeds.stop();
  });

  it('a feed on a loopback address is refused: 400 naming url, not fetched, nothing stored', async () => {
    const rep = await makeUser(t, ['rep']);
    const url = feeds.set(`/calendar/ical/${SECRET}/basic.ics`, { body: googleFeed('x', []) });
    for (const u of [url, url.replace('http://', 'webcal://'), 'http://localhost/cal.ics', 'http://169.254.169.254/latest/meta-data/']) {
      const res = await t.http.post('/api/v1/me/calendar-connections').set(bearer(rep.token)).send({ kind: 'ics', url: u }).expect(400);
      expect(res.body.details).toMatchObject({ field: 'url' });
      expect(JSON.stringify(res.body)).not.toContain(SECRET);
    }
    expect(feeds.requests).toEqual([]);
    expect(await t.db.query(`SELECT 1 FROM calendar_connections`)).toEqual([]);
  });
});
