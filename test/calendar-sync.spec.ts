import { SchedulerRegistry } from '@nestjs/schedule';
import { DateTime } from 'luxon';
import { CalendarSyncJob, SYNC_EXPIRE_SECONDS, SYNC_QUEUE } from '../src/calendar-sync/sync-job.js';
import { Clock } from '../src/common/clock.js';
import { MailService } from '../src/mail/mail.service.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { type FeedEventSpec, googleFeed } from './support/feed-server.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { IcsServer } from './support/ics-server.js';
import { Radicale } from './support/radicale.js';
import { SmtpSink } from './support/smtp.js';

/**
 * Syncing connected calendars against real HTTP and CalDAV servers: conditional requests, what a failing
 * feed keeps and whom it emails (a real SMTP sink), a feed that really became empty, stable instance ids with
 * their open state, the customer calls told before rows go, and the schedule on the queue.
 */

const SECRET = 'sync-secret-9d2b7c4e1f6a3b8d';

describe('calendar sync', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  const feeds = new IcsServer();
  let periodId: string;
  let marketer: Person;
  /** The clock the services read: a test moves it; the scheduled tick is stopped, ticks are called by hand. */
  let now = new Date();
  const base = DateTime.utc().plus({ days: 3 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });

  const at = (hours: number) => base.plus({ hours });
  const ev = (uid: string, startHours: number, summary = uid, extra: Partial<FeedEventSpec> = {}): FeedEventSpec => ({ uid, start: at(startHours), end: at(startHours + 1), summary, ...extra });

  async function newRep(): Promise<Person> {
    const rep = await makeUser(t, ['rep']);
    await rosterRep(t, periodId, rep);
    return rep;
  }
  async function connect(rep: Person, path: string): Promise<string> {
    const res = await t.http.post('/api/v1/me/calendar-connections').set(bearer(rep.token)).send({ kind: 'ics', url: feeds.url + path });
    if (res.status !== 201) throw new Error(`connect: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }
  const syncNow = async (rep: Person, id: string) => (await t.http.post(`/api/v1/calendar-connections/${id}/sync`).set(bearer(rep.token)).expect(200)).body;
  const rows = async (connectionId: string) =>
    (await t.db.query(`SELECT id, uid, starts_at, ends_at, opened_at FROM calendar_events WHERE connection_id = $1 ORDER BY uid`, [connectionId])) as {
      id: string;
      uid: string;
      starts_at: Date;
      ends_at: Date;
      opened_at: Date | null;
    }[];
  const failureMails = (rep: Person) => sink.to(rep.email).filter((m) => /could not be read/.test(m.parsed.subject ?? ''));

  beforeAll(async () => {
    await sink.start();
    await feeds.start();
    t = await startTestApp({ SMTP_URL: sink.url });
    t.app.get(Clock).now = () => new Date(now);
    t.app.get(SchedulerRegistry).getCronJob('calendar-sync').stop();
    const programId = await makeProgram(t, { minNoticeHours: 0, horizonDays: 28 });
    periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(60));
    marketer = await makeUser(t, ['marketer']);
    await enrol(t, periodId, marketer);
  });
  afterAll(async () => {
    await t?.close();
    await feeds.stop();
    await sink.stop();
  });
  beforeEach(() => {
    now = new Date();
  });

  it('asks with If-None-Match / If-Modified-Since; 304 keeps the events; a changed feed is read; the first sync of a day reads in full', async () => {
    const rep = await newRep();
    const path = `/ical/${SECRET}/etag.ics`;
    feeds.set(path, { body: googleFeed('Ann', [ev('a', 0), ev('b', 2)]), etag: '"v1"', lastModified: 'Mon, 01 Mar 2027 10:00:00 GMT' });
    const id = await connect(rep, path);
    expect(feeds.to(path)[0].headers['if-none-match']).toBeUndefined();

    now = new Date(now.getTime() + 5 * 60_000);
    const same = await syncNow(rep, id);
    const second = feeds.to(path)[1];
    expect(second.headers['if-none-match']).toBe('"v1"');
    expect(second.headers['if-modified-since']).toBe('Mon, 01 Mar 2027 10:00:00 GMT');
    expect(second.status).toBe(304);
    expect(same).toMatchObject({ lastError: null, eventCount: 2, lastSyncedAt: now.toISOString() });
    expect((await rows(id)).map((r) => r.uid)).toEqual(['a', 'b']);

    feeds.set(path, { body: googleFeed('Ann', [ev('a', 0), ev('b', 2), ev('c', 4)]), etag: '"v2"' });
    const changed = await syncNow(rep, id);
    expect(feeds.to(path)[2].status).toBe(200);
    expect(changed.eventCount).toBe(3);

    // Without an ETag, Last-Modified alone makes the request conditional.
    const lm = `/ical/${SECRET}/last-modified.ics`;
    feeds.set(lm, { body: googleFeed('Ann', [ev('x', 0)]), lastModified: 'Tue, 02 Mar 2027 10:00:00 GMT' });
    const rep2 = await newRep();
    const id2 = await connect(rep2, lm);
    await syncNow(rep2, id2);
    expect(feeds.to(lm)[1]).toMatchObject({ status: 304, headers: expect.objectContaining({ 'if-modified-since': 'Tue, 02 Mar 2027 10:00:00 GMT' }) });

    // A new day: the window's end has moved, so the calendar is read in full once.
    now = new Date(now.getTime() + 86_400_000);
    await syncNow(rep, id);
    expect(feeds.to(path)[3].headers['if-none-match']).toBeUndefined();
    expect(feeds.to(path)[3].status).toBe(200);
  });

  it('keeps instance ids and open state; moves, removals and additions are applied (and the customer calls told first)', async () => {
    const rep = await newRep();
    const path = `/ical/${SECRET}/moves.ics`;
    const customer = { attendees: ['buyer@customer-co.test'] };
    feeds.set(path, { body: googleFeed('Ann', [ev('call', 0, 'Acme demo', customer), ev('gone', 3), ev('stay', 5)]) });
    const id = await connect(rep, path);
    const first = await rows(id);
    const call = first.find((r) => r.uid === 'call')!;

    // The rep opens the customer call; a marketer books it.
    await t.http.post(`/api/v1/customer-calls/${call.id}/open`).set(bearer(rep.token)).send({ label: 'Demo' }).expect(200);
    const booking = await t.http
      .post('/api/v1/bookings')
      .set(bearer(marketer.token))
      .send({ periodId, repId: rep.id, startsAt: at(0).toUTC().toISO() })
      .expect(201);
    expect(booking.body.customerCallId).toBe(call.id);

    // The call moves two hours later, 'gone' disappears, 'new' appears.
    feeds.set(path, { body: googleFeed('Ann', [ev('call', 2, 'Acme demo', customer), ev('stay', 5), ev('new', 7)]) });
    await syncNow(rep, id);
    const after = await rows(id);
    expect(after.map((r) => r.uid)).toEqual(['call', 'new', 'stay']);
    const moved = after.find((r) => r.uid === 'call')!;
    expect(moved.id).toBe(call.id);
    expect(moved.opened_at).not.toBeNull();
    expect(moved.starts_at.toISOString()).toBe(at(2).toJSDate().toISOString());
    expect(after.find((r) => r.uid === 'stay')!.id).toBe(first.find((r) => r.uid === 'stay')!.id);
    const [movedBooking] = await t.db.query(`SELECT status, starts_at, customer_call_id FROM bookings WHERE id = $1`, [booking.body.id]);
    expect(movedBooking).toMatchObject({ status: 'confirmed', customer_call_id: call.id });
    expect(movedBooking.starts_at.toISOString()).toBe(at(2).toJSDate().toISOString());

    // Removed from the calendar: the booking on it is cancelled before the row goes.
    feeds.set(path, { body: googleFeed('Ann', [ev('stay', 5), ev('new', 7)]) });
    await syncNow(rep, id);
    expect((await rows(id)).map((r) => r.uid)).toEqual(['new', 'stay']);
    const [cancelled] = await t.db.query(`SELECT status FROM bookings WHERE id = $1`, [booking.body.id]);
    expect(cancelled.status).toBe('cancelled');
  });

  it('an opened call that only changed (now free in the calendar, same times) is still handed to the customer calls', async () => {
    const rep = await newRep();
    const path = `/ical/${SECRET}/freed.ics`;
    const customer = { attendees: ['buyer@gamma-customer.test'] };
    feeds.set(path, { body: googleFeed('Ann', [ev('call', 6, 'Gamma QBR', customer)]) });
    const id = await connect(rep, path);
    const [call] = await rows(id);
    await t.http.post(`/api/v1/customer-calls/${call.id}/open`).set(bearer(rep.token)).send({}).expect(200);
    const booking = await t.http.post('/api/v1/bookings').set(bearer(marketer.token)).send({ periodId, repId: rep.id, startsAt: at(6).toUTC().toISO() }).expect(201);

    feeds.set(path, { body: googleFeed('Ann', [ev('call', 6, 'Gamma QBR', { ...customer, transparent: true })]) });
    await syncNow(rep, id);
    const [after] = await rows(id);
    expect(after.id).toBe(call.id);
    const [b] = await t.db.query(`SELECT status FROM bookings WHERE id = $1`, [booking.body.id]);
    expect(b.status).toBe('cancelled');
  });

  it('disconnecting keeps the bookings on its opened calls confirmed (the meeting still happens) and frees the rest', async () => {
    const rep = await newRep();
    const path = `/ical/${SECRET}/disconnect.ics`;
    feeds.set(path, { body: googleFeed('Ann', [ev('call', 1, 'Beta review', { attendees: ['cto@beta-customer.test'] }), ev('busy', 4)]) });
    const id = await connect(rep, path);
    const call = (await rows(id)).find((r) => r.uid === 'call')!;
    await t.http.post(`/api/v1/customer-calls/${call.id}/open`).set(bearer(rep.token)).send({}).expect(200);
    const booking = await t.http.post('/api/v1/bookings').set(bearer(marketer.token)).send({ periodId, repId: rep.id, startsAt: at(1).toUTC().toISO() }).expect(201);
    await t.app.get(MailService).drain();
    const cancellations = () => sink.to(marketer.email).filter((m) => /cancel/i.test(m.parsed.subject ?? '')).length;
    const cancelledBefore = cancellations();

    await t.http.delete(`/api/v1/calendar-connections/${id}`).set(bearer(rep.token)).expect(204);
    expect(await rows(id)).toEqual([]);
    const [kept] = await t.db.query(`SELECT status, customer_call_id, starts_at FROM bookings WHERE id = $1`, [booking.body.id]);
    expect(kept).toMatchObject({ status: 'confirmed', customer_call_id: null });
    expect(kept.starts_at.toISOString()).toBe(at(1).toJSDate().toISOString());
    await t.app.get(MailService).drain();
    expect(cancellations()).toBe(cancelledBefore);
  });

  it('a failing feed keeps the last good events, says why, and emails the rep once per failure streak', async () => {
    const rep = await newRep();
    const path = `/ical/${SECRET}/flaky.ics`;
    const good = googleFeed('Ann', [ev('a', 0), ev('b', 2)]);
    feeds.set(path, { body: good });
    const id = await connect(rep, path);
    const before = await rows(id);

    feeds.set(path, { body: 'Internal Server Error', status: 500, type: 'text/plain' });
    const failed = await syncNow(rep, id);
    expect(failed.lastError).toMatch(/HTTP 500/);
    expect(failed.eventCount).toBe(2);
    expect(await rows(id)).toEqual(before);

    // An error page with 200 is no calendar either: still failing, events kept.
    feeds.set(path, { body: '<html><body>Service unavailable</body></html>', type: 'text/html' });
    const garbage = await syncNow(rep, id);
    expect(garbage.lastError).toMatch(/not iCalendar|VCALENDAR/i);
    expect(await rows(id)).toEqual(before);

    await t.app.get(MailService).drain();
    expect(failureMails(rep)).toHaveLength(1);
    const mail = failureMails(rep)[0].parsed;
    expect(mail.text).toContain(new URL(feeds.url).host);
    expect(mail.text).toMatch(/HTTP 500/);
    expect(mail.text).not.toContain(SECRET);

    // It works again: the streak ends. It fails again: a second email.
    feeds.set(path, { body: good });
    const ok = await syncNow(rep, id);
    expect(ok.lastError).toBeNull();
    feeds.set(path, { body: '', status: 503, type: 'text/plain' });
    await syncNow(rep, id);
    await syncNow(rep, id);
    await t.app.get(MailService).drain();
    expect(failureMails(rep)).toHaveLength(2);
    const [state] = await t.db.query(`SELECT last_error, failing_since, failure_mailed_at FROM calendar_connections WHERE id = $1`, [id]);
    expect(state.last_error).toMatch(/HTTP 503/);
    expect(state.failing_since).not.toBeNull();
  });

  it('a valid feed that really became empty is applied', async () => {
    const rep = await newRep();
    const path = `/ical/${SECRET}/emptied.ics`;
    feeds.set(path, { body: googleFeed('Ann', [ev('a', 0), ev('b', 2), ev('c', 4)]) });
    const id = await connect(rep, path);
    expect(await rows(id)).toHaveLength(3);
    feeds.set(path, { body: googleFeed('Ann', []) });
    const res = await syncNow(rep, id);
    expect(res).toMatchObject({ lastError: null, eventCount: 0 });
    expect(await rows(id)).toEqual([]);
  });

  it('the schedule queues a due connection once across instances, and its job syncs it', async () => {
    const rep = await newRep();
    const path = `/ical/${SECRET}/scheduled.ics`;
    feeds.set(path, { body: googleFeed('Ann', [ev('a', 0)]) });
    const id = await connect(rep, path);
    const job = t.app.get(CalendarSyncJob);

    // Just synced: not due.
    expect(await job.enqueueDue(now)).toBe(0);

    // CALENDAR_SYNC_MINUTES (10) later it is due; a second instance on the same database ticks at the same time.
    const second = await startTestApp({}, t.database);
    try {
      second.app.get(SchedulerRegistry).getCronJob('calendar-sync').stop();
      now = new Date(now.getTime() + 10 * 60_000);
      second.app.get(Clock).now = () => new Date(now);
      const hits = feeds.to(path).length;
      feeds.set(path, { body: googleFeed('Ann', [ev('a', 0), ev('b', 2)]) });
      const queued = await Promise.all([job.enqueueDue(now), second.app.get(CalendarSyncJob).enqueueDue(now), job.enqueueDue(now)]);
      expect(queued.filter((n) => n > 0)).toHaveLength(1);
      const jobs: { expire_in: { seconds?: number; minutes?: number } }[] = await t.db.query(`SELECT expire_in FROM pgboss.job WHERE name = $1 AND data->>'connectionId' = $2`, [SYNC_QUEUE, id]);
      expect(jobs).toHaveLength(1);
      expect((jobs[0].expire_in.minutes ?? 0) * 60 + (jobs[0].expire_in.seconds ?? 0)).toBe(SYNC_EXPIRE_SECONDS);

      const until = Date.now() + 20_000;
      for (;;) {
        const [c] = await t.db.query(`SELECT event_count FROM calendar_connections WHERE id = $1`, [id]);
        if (c.event_count === 2) break;
        if (Date.now() > until) throw new Error('the queued sync did not run');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(feeds.to(path).length).toBe(hits + 1);
      // Synced by the job: not due again until the next interval.
      expect(await job.enqueueDue(now)).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('a sync held by a process that died is run again once its job expires', async () => {
    const rep = await newRep();
    const path = `/ical/${SECRET}/crash.ics`;
    feeds.set(path, { body: googleFeed('Ann', [ev('a', 0)]) });
    const id = await connect(rep, path);
    now = new Date(now.getTime() + 10 * 60_000);
    feeds.set(path, { body: googleFeed('Ann', [ev('a', 0), ev('b', 2)]) });
    expect(await t.app.get(CalendarSyncJob).enqueueDue(now)).toBe(1);
    // What a process killed inside the sync leaves behind: the job active, started longer ago than its expiry.
    const [, held] = await t.db.query(
      `UPDATE pgboss.job SET state = 'active', started_on = now() - interval '60 seconds' WHERE name = $1 AND data->>'connectionId' = $2 AND state = 'created'`,
      [SYNC_QUEUE, id],
    );
    expect(held).toBe(1);

    const until = Date.now() + 45_000;
    for (;;) {
      const [c] = await t.db.query(`SELECT event_count FROM calendar_connections WHERE id = $1`, [id]);
      if (c.event_count === 2) break;
      if (Date.now() > until) throw new Error('the expired sync was not run again');
      await new Promise((r) => setTimeout(r, 200));
    }
    const [job] = await t.db.query(`SELECT retry_count FROM pgboss.job WHERE name = $1 AND data->>'connectionId' = $2`, [SYNC_QUEUE, id]);
    expect(job.retry_count).toBe(1);
  });

  describe('CalDAV against Radicale', () => {
    let radicale: Radicale;
    let calendarUrl: string;
    const PASSWORD = 'radicale-pass-7c1e';

    beforeAll(async () => {
      radicale = await Radicale.start({ ann: PASSWORD });
      calendarUrl = await radicale.makeCalendar('ann', PASSWORD, 'work', 'Work');
      const vevent = (uid: string, startHours: number) =>
        [
          'BEGIN:VCALENDAR',
          'VERSION:2.0',
          'PRODID:-//ridealong tests//EN',
          'BEGIN:VEVENT',
          `UID:${uid}`,
          'DTSTAMP:20270101T000000Z',
          `DTSTART:${at(startHours).toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'")}`,
          `DTEND:${at(startHours + 1).toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'")}`,
          'SUMMARY:Team sync',
          'END:VEVENT',
          'END:VCALENDAR',
          '',
        ].join('\r\n');
      await radicale.putEvent('ann', PASSWORD, calendarUrl, 'one.ics', vevent('dav-1', 0));
      await radicale.putEvent('ann', PASSWORD, calendarUrl, 'two.ics', vevent('dav-2', 3));
    });
    afterAll(async () => {
      await radicale?.stop();
    });

    it('connects with a username and password, reads the events, and an unchanged ctag downloads nothing', async () => {
      const rep = await newRep();
      const res = await t.http.post('/api/v1/me/calendar-connections').set(bearer(rep.token)).send({ kind: 'caldav', url: calendarUrl, username: 'ann', password: PASSWORD }).expect(201);
      expect(res.body).toMatchObject({ kind: 'caldav', host: new URL(calendarUrl).host, eventCount: 2, lastError: null });
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
      const [stored] = await t.db.query(`SELECT secret, ctag, sync_token FROM calendar_connections WHERE id = $1`, [res.body.id]);
      expect(stored.secret).not.toContain(PASSWORD);
      expect(stored.ctag ?? stored.sync_token).toBeTruthy();

      radicale.requests.length = 0;
      now = new Date(now.getTime() + 60_000);
      const again = await syncNow(rep, res.body.id);
      expect(again).toMatchObject({ lastError: null, eventCount: 2 });
      expect(radicale.requests.some((r) => r.method === 'REPORT')).toBe(false);
    });

    it('a refused password: 422 calendar_unreadable, nothing stored', async () => {
      const rep = await newRep();
      const res = await t.http.post('/api/v1/me/calendar-connections').set(bearer(rep.token)).send({ kind: 'caldav', url: calendarUrl, username: 'ann', password: 'wrong-password' }).expect(422);
      expect(res.body).toMatchObject({ code: 'calendar_unreadable' });
      expect(res.body.message).toMatch(/username or password/);
      expect(await t.db.query(`SELECT 1 FROM calendar_connections WHERE rep_id = $1`, [rep.id])).toEqual([]);
    });
  });
});
