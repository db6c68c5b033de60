/**
 * The rep's calendar pages over HTTP against the real app and PostgreSQL, with the feed served by a real
 * HTTP server: "Your calendar" (connect by address, status, sync now, disconnect, errors on the page),
 * busy times in the availability preview, "Customer calls" (open, close, the standing rule), and the
 * marketer's week view showing an opened call labelled, never its attendees.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { dateTime } from '../src/web/kit/format.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { googleFeed, type FeedEventSpec } from './support/feed-server.js';
import { IcsServer } from './support/ics-server.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { inputValue, webSession, WebSession } from './support/web.js';

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const XSS_TITLE = '<script>alert("owned")</script> Acme & Co';
const CUSTOMER = 'buyer@acme-corp.test';

/** The HTML of one <section> by its heading text. */
function section(page: string, heading: string): string {
  const start = page.indexOf(`>${heading}</h2>`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const end = page.indexOf('</section>', start);
  return page.slice(start, end);
}

/** The HTML of the list item with this id. */
function item(page: string, id: string): string {
  const start = page.indexOf(`<li id="${id}"`);
  if (start < 0) throw new Error(`no item ${id}`);
  return page.slice(start, page.indexOf('</li>', start));
}

/** The text of the error shown next to field `name`, or undefined. */
function fieldErrorText(page: string, name: string): string | undefined {
  const m = new RegExp(`<p class="field-error" id="err-${name}">([^<]*)</p>`).exec(page);
  return m?.[1];
}

describe('rep calendar pages (real app, real PostgreSQL, a real feed server)', () => {
  let t: TestApp;
  let feeds: IcsServer;
  let periodId: string;
  let rep: Person;
  let rep2: Person;
  let marketer: Person;
  let s: WebSession;
  let s2: WebSession;
  let feedUrl: string;
  const day = daysFromNow(3, NY);
  const at = (hhmm: string) => DateTime.fromISO(`${day}T${hhmm}`, { zone: NY });
  let events: FeedEventSpec[];

  const connections = async (repId: string) =>
    (await t.db.query(`SELECT id, last_synced_at, last_error, event_count FROM calendar_connections WHERE rep_id = $1 ORDER BY created_at`, [repId])) as {
      id: string;
      last_synced_at: Date | null;
      last_error: string | null;
      event_count: number;
    }[];
  const eventRow = async (repId: string, uid: string) =>
    (await t.db.query(`SELECT id, opened_at, label, call_type, marketing_sourced FROM calendar_events WHERE rep_id = $1 AND uid = $2`, [repId, uid]))[0] as
      | { id: string; opened_at: Date | null; label: string | null; call_type: string | null; marketing_sourced: boolean | null }
      | undefined;

  beforeAll(async () => {
    feeds = new IcsServer();
    await feeds.start();
    t = await startTestApp();
    const programId = await makeProgram(t, { minNoticeHours: 12, horizonDays: 28, slotMinutes: 30, slotGridMinutes: 30, seatsPerCall: 2 }, NY);
    periodId = await makePeriod(t, programId, daysFromNow(-5, NY), daysFromNow(40, NY));
    rep = await makeUser(t, ['rep'], NY, { name: 'Rita Rep' });
    rep2 = await makeUser(t, ['rep'], 'UTC', { name: 'Other Rep' });
    marketer = await makeUser(t, ['marketer'], BERLIN, { name: 'Mara Okafor' });
    await rosterRep(t, periodId, rep);
    await rosterRep(t, periodId, rep2);
    await enrol(t, periodId, marketer);
    s = await webSession(t, rep.id);
    s2 = await webSession(t, rep2.id);
    events = [
      { uid: 'internal-1@google.com', start: at('10:00'), end: at('11:00'), summary: 'Team stand-up', organizer: rep.email, attendees: [rep.email, 'colleague@example.com'] },
      { uid: 'renewal-1@google.com', start: at('15:00'), end: at('15:45'), summary: 'Acme renewal', organizer: rep.email, attendees: [rep.email, CUSTOMER] },
      { uid: 'xss-1@google.com', start: at('17:00'), end: at('17:30'), summary: XSS_TITLE, organizer: rep.email, attendees: [rep.email, 'cto@other-customer.test'] },
    ];
    feedUrl = feeds.set('/calendars/rita/private-5ecret-token/basic.ics', googleFeed('Rita Rep', events));
    feeds.set('/error-page.ics', '<!DOCTYPE html><html><body><h1>Sign in to continue</h1></body></html>', 'text/html');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await feeds?.stop();
  });

  describe('Your calendar', () => {
    it('renders for a rep: nothing connected yet, both connect forms with labelled fields, links in the nav', async () => {
      const page = await s.get('/rep/calendar').expect(200);
      expect(page.text).toContain('<h1>Your calendar</h1>');
      expect(page.text).toContain('<a href="/rep/calendar" aria-current="page">Your calendar</a>');
      expect(page.text).toContain('<a href="/rep/customer-calls">Customer calls</a>');
      expect(section(page.text, 'Connected calendars')).toContain('No calendar is connected.');
      expect(page.text).toContain('<label for="f-url">Calendar address</label>');
      expect(page.text).toContain('<label for="f-caldav-url">CalDAV address</label>');
      expect(page.text).toContain('<label for="f-caldav-username">Username</label>');
      expect(page.text).toMatch(/<input id="f-caldav-password" name="password" type="password"/);
      expect(page.text).toContain('>Connect calendar</button>');
      expect(page.text).toContain('>Connect CalDAV calendar</button>');
      // The other pages link here too.
      expect((await s.get('/rep').expect(200)).text).toContain('<a href="/rep/calendar">Your calendar</a>');
    });

    it('a refused address is a 400 with the problem next to the address; nothing is stored', async () => {
      const res = await s.post('/rep/calendar', { kind: 'ics', url: 'ftp://calendar.example.net/basic.ics' });
      expect(res.status).toBe(400);
      expect(fieldErrorText(res.text, 'url')).toBeTruthy();
      expect(res.text).toContain('class="error-summary"');
      expect(inputValue(res.text, 'url')).toBe('ftp://calendar.example.net/basic.ics');
      expect(await connections(rep.id)).toEqual([]);

      const empty = await s.post('/rep/calendar', { kind: 'ics', url: '' });
      expect(empty.status).toBe(400);
      expect(fieldErrorText(empty.text, 'url')).toMatch(/url/i);
      expect(await connections(rep.id)).toEqual([]);
    });

    it('an address that serves no calendar is a 422 with the reason in plain words; nothing is stored', async () => {
      const res = await s.post('/rep/calendar', { kind: 'ics', url: `${feeds.url}/error-page.ics` });
      expect(res.status).toBe(422);
      expect(fieldErrorText(res.text, 'url')).toBeTruthy();
      expect(res.text).not.toMatch(/Something went wrong/);
      expect(await connections(rep.id)).toEqual([]);
    });

    it('a CalDAV form that fails keeps the address and username but never echoes the password', async () => {
      const res = await s.post('/rep/calendar', { kind: 'caldav', url: `${feeds.url}/no-such-dav/`, username: 'rita', password: 'hunter2-Pa55word' });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.text).not.toContain('hunter2-Pa55word');
      expect(inputValue(res.text, 'username')).toBe('rita');
      expect(await connections(rep.id)).toEqual([]);

      const noUser = await s.post('/rep/calendar', { kind: 'caldav', url: `${feeds.url}/dav/`, username: '', password: 'x' });
      expect(noUser.status).toBe(400);
      expect(fieldErrorText(noUser.text, 'username')).toBeTruthy();
    });

    it('connects a feed: host only, status, last sync in the rep zone, event count; never the secret address', async () => {
      const res = await s.post('/rep/calendar', { kind: 'ics', url: feedUrl });
      expect(res.status).toBe(303);
      expect(res.header.location).toBe('/rep/calendar?notice=connected');
      const [c] = await connections(rep.id);
      expect(c.last_synced_at).not.toBeNull();
      expect(c.event_count).toBe(3);

      const page = await s.get(res.header.location).expect(200);
      expect(page.text).toContain('Calendar connected.');
      const row = item(page.text, `connection-${c.id}`);
      expect(row).toContain('127.0.0.1');
      expect(row).toContain('Up to date');
      expect(row).toContain(dateTime(c.last_synced_at!, NY));
      expect(row).toContain('3 events');
      expect(row).toContain(`action="/rep/calendar/${c.id}/sync"`);
      expect(row).toContain(`action="/rep/calendar/${c.id}/disconnect"`);
      expect(page.text).not.toContain('5ecret-token');
      expect(page.text).not.toContain('basic.ics');
    });

    it('Sync now reads the feed again; a feed that breaks shows its error in plain words and keeps the events', async () => {
      const [c] = await connections(rep.id);
      const before = feeds.to('/calendars/rita/private-5ecret-token/basic.ics').length;
      const ok = await s.post(`/rep/calendar/${c.id}/sync`).expect(303);
      expect(ok.header.location).toBe('/rep/calendar?notice=synced');
      expect(feeds.to('/calendars/rita/private-5ecret-token/basic.ics').length).toBe(before + 1);

      feeds.set('/calendars/rita/private-5ecret-token/basic.ics', 'Service Unavailable', 'text/plain', 503);
      const bad = await s.post(`/rep/calendar/${c.id}/sync`).expect(303);
      expect(bad.header.location).toBe('/rep/calendar?notice=sync-failed');
      const [after] = await connections(rep.id);
      expect(after.last_error).toBeTruthy();
      expect(after.event_count).toBe(3);
      const page = await s.get(bad.header.location).expect(200);
      const row = item(page.text, `connection-${c.id}`);
      expect(row).toContain('Last error');
      expect(row).toContain(after.last_error!.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;'));
      expect(row).toContain('Failing');
      expect(page.text).not.toContain('5ecret-token');

      feeds.set('/calendars/rita/private-5ecret-token/basic.ics', googleFeed('Rita Rep', events));
      await s.post(`/rep/calendar/${c.id}/sync`).expect(303);
      const [fixed] = await connections(rep.id);
      expect(fixed.last_error).toBeNull();
      expect(item((await s.get('/rep/calendar').expect(200)).text, `connection-${c.id}`)).toContain('Up to date');
    });

    it("another rep cannot sync or disconnect the connection (404), and does not see it", async () => {
      const [c] = await connections(rep.id);
      expect((await s2.post(`/rep/calendar/${c.id}/sync`)).status).toBe(404);
      expect((await s2.post(`/rep/calendar/${c.id}/disconnect`)).status).toBe(404);
      expect((await s2.get('/rep/calendar').expect(200)).text).not.toContain(c.id);
      expect(await connections(rep.id)).toHaveLength(1);
      expect((await s.post('/rep/calendar/not-a-uuid/sync')).status).toBe(400);
    });

    it('the availability preview shows the busy times of the calendar, titles escaped', async () => {
      const page = await s.get('/rep/availability').expect(200);
      const preview = section(page.text, 'Your next 7 days');
      expect(preview).toContain('Busy in your calendar');
      expect(preview).toContain('10:00–11:00');
      expect(preview).toContain('Team stand-up');
      expect(preview).toContain('17:00–17:30 <span class="muted">&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; Acme &amp; Co</span>');
      expect(preview).not.toContain('<script>alert');
      // rep2 has no calendar: the preview invites them to connect one.
      expect(section((await s2.get('/rep/availability').expect(200)).text, 'Your next 7 days')).toContain('Connect your calendar');
    });
  });

  describe('Customer calls', () => {
    it('lists the meetings with someone outside the company, titles escaped, attendees never shown', async () => {
      const page = await s.get('/rep/customer-calls').expect(200);
      expect(page.text).toContain('<h1>Customer calls</h1>');
      const list = section(page.text, 'Upcoming customer calls');
      expect(list).toContain('Acme renewal');
      expect(list).not.toContain('Team stand-up');
      expect(list).toContain('&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; Acme &amp; Co');
      expect(page.text).not.toContain('<script>alert');
      expect(page.text).not.toContain('acme-corp.test');
      expect(page.text).not.toContain('other-customer.test');
      expect(page.text).toContain('example.com');
      const renewal = await eventRow(rep.id, 'renewal-1@google.com');
      const row = item(page.text, `customer-call-${renewal!.id}`);
      expect(row).toContain('Closed');
      expect(row).toContain('1 attendee from outside the company');
      // The label defaults to the title the rep sees.
      expect(row).toMatch(/name="label" type="text" value="Acme renewal"/);
      expect(row).toContain('>Open for shadowing</button>');
    });

    it('Open makes the call bookable with its label; the marketer sees it labelled, never the attendees or the title', async () => {
      const renewal = (await eventRow(rep.id, 'renewal-1@google.com'))!;
      const res = await s.post(`/rep/customer-calls/${renewal.id}/open`, { label: 'Renewal call', callType: 'renewal', marketingSourced: '1' }).expect(303);
      expect(res.header.location).toBe('/rep/customer-calls?notice=opened');
      expect(await eventRow(rep.id, 'renewal-1@google.com')).toMatchObject({ label: 'Renewal call', call_type: 'renewal', marketing_sourced: true });
      expect((await eventRow(rep.id, 'renewal-1@google.com'))!.opened_at).not.toBeNull();
      const page = await s.get(res.header.location).expect(200);
      expect(page.text).toContain('Call opened for shadowing.');
      const row = item(page.text, `customer-call-${renewal.id}`);
      expect(row).toContain('Open for shadowing</span>');
      expect(row).toContain('Label: Renewal call');
      expect(row).toContain(`action="/rep/customer-calls/${renewal.id}/close"`);

      // In the availability preview it is no longer busy time but a call open for shadowing.
      const preview = section((await s.get('/rep/availability').expect(200)).text, 'Your next 7 days');
      expect(preview).toContain('<span class="badge">Customer call</span> 15:00–15:45 <span class="muted">Renewal call</span>');
      expect(preview).not.toContain('Acme renewal');

      const week = await webSession(t, marketer.id);
      const view = await week.get(`/marketer/slots?periodId=${periodId}&week=${day}&repId=${rep.id}`).expect(200);
      const start = at('15:00').setZone(BERLIN).toFormat('HH:mm');
      const end = at('15:45').setZone(BERLIN).toFormat('HH:mm');
      const slot = new RegExp(`<li class="customer-call"><button type="submit" name="slot" value="${rep.id} [^"]+" class="secondary">Book ${start}–${end} with Rita Rep</button><br><span class="badge">Customer call</span> <span class="muted">Renewal call · renewal · marketing-sourced lead`);
      expect(view.text).toMatch(slot);
      expect(view.text).not.toContain('acme-corp.test');
      expect(view.text).not.toContain('Acme renewal');
    });

    it('a booked call shows who booked it; Close is refused while booked (409, shown in its row)', async () => {
      const renewal = (await eventRow(rep.id, 'renewal-1@google.com'))!;
      const booked = await t.http.post('/api/v1/bookings').set(bearer(marketer.token)).send({ periodId, repId: rep.id, startsAt: at('15:00').toUTC().toISO() });
      expect(booked.status).toBe(201);
      const page = await s.get('/rep/customer-calls').expect(200);
      const row = item(page.text, `customer-call-${renewal.id}`);
      expect(row).toContain('Booked</span>');
      expect(row).toContain('Booked by: <strong>Mara Okafor</strong>');
      expect(row).not.toContain(`action="/rep/customer-calls/${renewal.id}/close"`);
      // The rep's own list of shadowed calls marks it as their customer call.
      expect(item((await s.get('/rep').expect(200)).text, `call-${booked.body.id}`)).toContain('<span class="badge">Your customer call</span>');

      const close = await s.post(`/rep/customer-calls/${renewal.id}/close`);
      expect(close.status).toBe(409);
      expect(item(close.text, `customer-call-${renewal.id}`)).toContain('class="field-error" role="alert"');
      expect((await eventRow(rep.id, 'renewal-1@google.com'))!.opened_at).not.toBeNull();

      await t.http.post(`/api/v1/bookings/${booked.body.id}/cancel`).set(bearer(marketer.token)).send({ reason: 'Testing the close button' }).expect(200);
      const ok = await s.post(`/rep/customer-calls/${renewal.id}/close`).expect(303);
      expect(ok.header.location).toBe('/rep/customer-calls?notice=closed');
      expect((await eventRow(rep.id, 'renewal-1@google.com'))!.opened_at).toBeNull();
      expect(item((await s.get(ok.header.location).expect(200)).text, `customer-call-${renewal.id}`)).toContain('Closed');
    });

    it('an Open form with a bad field is a 400 with the problem next to it; the call stays closed', async () => {
      const xss = (await eventRow(rep.id, 'xss-1@google.com'))!;
      const res = await s.post(`/rep/customer-calls/${xss.id}/open`, { label: 'x'.repeat(5000) });
      expect(res.status).toBe(400);
      expect(fieldErrorText(res.text, 'label')).toBeTruthy();
      // The failed form holds the plain ids the error summary links to.
      expect(res.text).toContain('<a href="#f-label">');
      expect(item(res.text, `customer-call-${xss.id}`)).toMatch(/<input id="f-label" name="label"/);
      expect((await eventRow(rep.id, 'xss-1@google.com'))!.opened_at).toBeNull();
    });

    it("another rep's customer call is 404 and stays as it was", async () => {
      const xss = (await eventRow(rep.id, 'xss-1@google.com'))!;
      expect((await s2.post(`/rep/customer-calls/${xss.id}/open`, { label: 'Mine now' })).status).toBe(404);
      expect((await eventRow(rep.id, 'xss-1@google.com'))!.opened_at).toBeNull();
      const other = await s2.get('/rep/customer-calls').expect(200);
      expect(other.text).not.toContain(xss.id);
      expect(other.text).toContain('Connect your calendar');
    });

    it('the standing rule form saves and shows the rule', async () => {
      const res = await s.post('/rep/customer-calls/rule', { enabled: '1', keyword: 'renewal', callType: 'renewal' }).expect(303);
      expect(res.header.location).toBe('/rep/customer-calls?notice=rule-on');
      const api = await t.http.get('/api/v1/me/customer-call-rule').set(bearer(rep.token)).expect(200);
      expect(api.body).toMatchObject({ enabled: true, keyword: 'renewal', callType: 'renewal' });
      // Switched on, it opens the matching calls already in the calendar (the renewal), not the others.
      expect((await eventRow(rep.id, 'renewal-1@google.com'))!.opened_at).not.toBeNull();
      expect((await eventRow(rep.id, 'xss-1@google.com'))!.opened_at).toBeNull();
      const page = await s.get(res.header.location).expect(200);
      expect(page.text).toContain('Standing rule saved.');
      expect(page.text).toMatch(/<input id="f-enabled" name="enabled" type="checkbox" value="1" checked>/);
      expect(inputValue(page.text, 'keyword')).toBe('renewal');

      // A keyword too long: 400, the problem next to it (the summary links to it), the rule as it was.
      const bad = await s.post('/rep/customer-calls/rule', { enabled: '1', keyword: 'k'.repeat(500) });
      expect(bad.status).toBe(400);
      expect(fieldErrorText(bad.text, 'keyword')).toBeTruthy();
      expect(bad.text).toContain('<a href="#f-keyword">');
      expect(bad.text).toMatch(/<input id="f-keyword" name="keyword"/);
      expect((await t.http.get('/api/v1/me/customer-call-rule').set(bearer(rep.token)).expect(200)).body).toMatchObject({ keyword: 'renewal' });

      const off = await s.post('/rep/customer-calls/rule', {}).expect(303);
      expect(off.header.location).toBe('/rep/customer-calls?notice=rule-saved');
      expect((await t.http.get('/api/v1/me/customer-call-rule').set(bearer(rep.token)).expect(200)).body).toMatchObject({ enabled: false });
    });
  });

  describe('disconnecting', () => {
    it('forgets the events: no busy time in the preview, no customer calls', async () => {
      const [c] = await connections(rep.id);
      const res = await s.post(`/rep/calendar/${c.id}/disconnect`).expect(303);
      expect(res.header.location).toBe('/rep/calendar?notice=disconnected');
      expect(await connections(rep.id)).toEqual([]);
      expect(await t.db.query(`SELECT id FROM calendar_events WHERE rep_id = $1`, [rep.id])).toEqual([]);
      expect((await s.get(res.header.location).expect(200)).text).toContain('Calendar disconnected.');
      expect(section((await s.get('/rep/availability').expect(200)).text, 'Your next 7 days')).not.toContain('Team stand-up');
      expect(section((await s.get('/rep/customer-calls').expect(200)).text, 'Upcoming customer calls')).not.toContain('Acme renewal');
    });
  });

  describe('authorisation', () => {
    it('a marketer-only or lifecycle-only user gets 403 on the pages and their forms; no session goes to sign-in', async () => {
      const ms = await webSession(t, marketer.id);
      expect((await ms.get('/rep/calendar')).status).toBe(403);
      expect((await ms.get('/rep/customer-calls')).status).toBe(403);
      expect((await ms.post('/rep/calendar', { kind: 'ics', url: feedUrl })).status).toBe(403);
      expect((await ms.post('/rep/customer-calls/rule', { enabled: '1' })).status).toBe(403);
      expect(await connections(marketer.id)).toEqual([]);

      const lc = await makeUser(t, ['lifecycle']);
      const ls = await webSession(t, lc.id);
      expect((await ls.get('/rep/calendar')).status).toBe(403);
      expect((await ls.get('/rep/customer-calls')).status).toBe(403);

      const anon = await t.http.get('/rep/calendar').set('Accept', 'text/html');
      expect(anon.status).toBe(303);
      expect(anon.header.location).toBe('/sign-in?next=%2Frep%2Fcalendar');
    });

    it('a POST without _csrf is refused and connects nothing', async () => {
      const res = await t.http.post('/rep/calendar').set('Cookie', s.cookie).set('Accept', 'text/html').type('form').send({ kind: 'ics', url: feedUrl });
      expect(res.status).toBe(403);
      expect(await connections(rep.id)).toEqual([]);
    });
  });
});
