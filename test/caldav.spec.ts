import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CaldavError, caldavRead, type CaldavState } from '../src/calendar-sync/caldav.js';
import { OutboundRefusedError } from '../src/common/outbound/outbound-errors.js';
import { Radicale } from './support/radicale.js';

/** Reading a CalDAV calendar from a real Radicale server (Debian's package, started per file). */

const ALICE = { username: 'alice', password: 'alice-secret' };
const RANGE = { from: new Date('2027-03-01T00:00:00Z'), to: new Date('2027-04-01T00:00:00Z') };
const LOCAL = { allowPrivate: true };

function vevent(uid: string, lines: string[]): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//ridealong tests//CalDAV//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20270101T000000Z',
    ...lines,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

function uids(objects: string[]): string[] {
  return objects.map((o) => /^UID:(.*)$/m.exec(o)?.[1]?.trim() ?? '?').sort();
}

describe('caldavRead against Radicale', () => {
  let radicale: Radicale;
  let calendarUrl: string;

  beforeAll(async () => {
    radicale = await Radicale.start({ alice: ALICE.password, bob: 'bob-secret', carol: 'carol-secret' });
    calendarUrl = await radicale.makeCalendar('alice', ALICE.password, 'work', 'Work');
    // Beside it, an address book and a calendar that holds only tasks: neither is the calendar read.
    await radicale.makeAddressBook('alice', ALICE.password, 'contacts');
    await radicale.makeCalendar('alice', ALICE.password, 'tasks', 'Tasks', ['VTODO']);
    const put = (name: string, ics: string) => radicale.putEvent('alice', ALICE.password, calendarUrl, name, ics);
    // In the range: a single event, and a weekly series that started before the range and never ends.
    await put('single.ics', vevent('single-1', ['DTSTART:20270310T150000Z', 'DTEND:20270310T160000Z', 'SUMMARY:Call with Acme']));
    await put('series.ics', vevent('series-1', ['DTSTART:20270104T090000Z', 'DTEND:20270104T093000Z', 'RRULE:FREQ=WEEKLY;BYDAY=MO', 'SUMMARY:Team sync']));
    // Not in the range: a past single event, and a series that ended before the range.
    await put('old.ics', vevent('old-1', ['DTSTART:20260601T150000Z', 'DTEND:20260601T160000Z', 'SUMMARY:Old']));
    await put('ended.ics', vevent('ended-1', ['DTSTART:20270104T120000Z', 'DTEND:20270104T130000Z', 'RRULE:FREQ=WEEKLY;UNTIL=20270201T000000Z', 'SUMMARY:Ended']));
  });

  afterAll(async () => {
    await radicale?.stop();
  });

  beforeEach(() => {
    radicale.requests.length = 0;
  });

  const read = (prev: CaldavState | null, url = calendarUrl, creds = ALICE, policy = LOCAL) => caldavRead({ url, ...creds }, prev, RANGE, policy);

  it('reads the objects with an event in the range: a single event and a recurring series that started before it', async () => {
    const result = await read(null);
    expect(result.unchanged).toBe(false);
    if (result.unchanged) return;
    expect(uids(result.objects)).toEqual(['series-1', 'single-1']);
    expect(result.objects.find((o) => o.includes('UID:series-1'))).toContain('RRULE:FREQ=WEEKLY;BYDAY=MO');
    expect(result.state.ctag).toEqual(expect.any(String));
    expect(result.state.syncToken).toEqual(expect.stringContaining('radicale.org/ns/sync/'));
    // One PROPFIND for the markers, one calendar-query REPORT for the objects; nothing else.
    expect(radicale.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['PROPFIND /alice/work/ 207', 'REPORT /alice/work/ 207']);
  });

  it('answers unchanged, downloading nothing, when the ctag and sync-token are those of the last read', async () => {
    const first = await read(null);
    radicale.requests.length = 0;
    const second = await read(first.state);
    expect(second).toEqual({ unchanged: true, state: first.state });
    expect(radicale.requests.map((r) => r.method)).toEqual(['PROPFIND']);
  });

  it('reads again after a change in the calendar (a new event changes the ctag and the sync-token)', async () => {
    const before = await read(null);
    await radicale.putEvent('alice', ALICE.password, calendarUrl, 'new.ics', vevent('new-1', ['DTSTART:20270320T100000Z', 'DTEND:20270320T110000Z', 'SUMMARY:New call']));
    radicale.requests.length = 0;
    const after = await read(before.state);
    expect(after.unchanged).toBe(false);
    if (after.unchanged) return;
    expect(after.state.ctag).not.toEqual(before.state.ctag);
    expect(after.state.syncToken).not.toEqual(before.state.syncToken);
    expect(uids(after.objects)).toEqual(['new-1', 'series-1', 'single-1']);
    expect(radicale.requests.map((r) => r.method)).toEqual(['PROPFIND', 'REPORT']);
    // And the new state is the one a later unchanged read compares with.
    expect(await read(after.state)).toEqual({ unchanged: true, state: after.state });
  });

  it('a removed event is gone from the next read', async () => {
    const url = await radicale.putEvent('alice', ALICE.password, calendarUrl, 'gone.ics', vevent('gone-1', ['DTSTART:20270322T100000Z', 'DTEND:20270322T110000Z']));
    const withIt = await read(null);
    expect(withIt.unchanged === false && uids(withIt.objects)).toContain('gone-1');
    await radicale.remove('alice', ALICE.password, url);
    const without = await read(withIt.state);
    expect(without.unchanged).toBe(false);
    expect(without.unchanged === false && uids(without.objects)).not.toContain('gone-1');
  });

  it('refuses a wrong password with plain words', async () => {
    const attempt = read(null, calendarUrl, { username: 'alice', password: 'wrong' });
    await expect(attempt).rejects.toThrow(CaldavError);
    await expect(read(null, calendarUrl, { username: 'alice', password: 'wrong' })).rejects.toThrow('the username or password was refused');
    await expect(read(null, calendarUrl, { username: 'nobody', password: 'x' })).rejects.toThrow('the username or password was refused');
  });

  it('another user of the server cannot read the calendar (owner-only rights): refused, not an empty calendar', async () => {
    await expect(read(null, calendarUrl, { username: 'bob', password: 'bob-secret' })).rejects.toThrow(CaldavError);
  });

  it('says there is no calendar at an address that does not exist', async () => {
    await expect(read(null, `${radicale.url}/alice/missing/`)).rejects.toThrow('no calendar at this address');
  });

  it('says plainly when the address is a collection or an entry that is not a calendar of events', async () => {
    await expect(read(null, `${radicale.url}/alice/contacts/`)).rejects.toThrow('this address is not a calendar (it is another kind of collection, such as an address book)');
    await expect(read(null, `${radicale.url}/alice/tasks/`)).rejects.toThrow('this calendar holds no events (only tasks or journal entries)');
    await expect(read(null, `${calendarUrl}single.ics`)).rejects.toThrow('this address is a single calendar entry, not a calendar');
    expect(radicale.requests.filter((r) => r.method === 'REPORT')).toEqual([]);
  });

  it('finds the account’s calendar from the server’s root address and from the principal address', async () => {
    const direct = await read(null);
    for (const url of [`${radicale.url}/`, radicale.url, `${radicale.url}/alice/`]) {
      radicale.requests.length = 0;
      const found = await read(null, url);
      expect(found.unchanged).toBe(false);
      expect(found.state).toEqual(direct.state);
      expect(found.unchanged === false && uids(found.objects)).toEqual(direct.unchanged === false && uids(direct.objects));
      expect(radicale.requests.filter((r) => r.method === 'REPORT').map((r) => r.path)).toEqual(['/alice/work/']);
      // Discovered or not, an unchanged calendar is not downloaded.
      radicale.requests.length = 0;
      expect(await read(direct.state, url)).toEqual({ unchanged: true, state: direct.state });
      expect(radicale.requests.filter((r) => r.method === 'REPORT')).toEqual([]);
    }
  });

  it('says so when the account has no calendar with events (none at all, or only a calendar of tasks)', async () => {
    await expect(read(null, `${radicale.url}/`, { username: 'bob', password: 'bob-secret' })).rejects.toThrow('the account has no calendar with events');
    // Carol's only calendar holds tasks: it is not taken for her calendar of events.
    await radicale.makeCalendar('carol', 'carol-secret', 'todo', 'To do', ['VTODO']);
    await expect(read(null, `${radicale.url}/`, { username: 'carol', password: 'carol-secret' })).rejects.toThrow('the account has no calendar with events');
  });

  it('every request goes through the outbound guard: without allowPrivate, 127.0.0.1 is refused before any request', async () => {
    const attempt = read(null, calendarUrl, ALICE, { allowPrivate: false });
    await expect(attempt).rejects.toThrow(OutboundRefusedError);
    await expect(read(null, `${radicale.url}/`, ALICE, { allowPrivate: false })).rejects.toMatchObject({ field: 'url', reason: 'private_address' });
    expect(radicale.requests).toEqual([]);
  });

  it('refuses a URL that is not a web address, or carries credentials, as a refused url', async () => {
    await expect(read(null, 'ftp://calendar.example.com/')).rejects.toMatchObject({ field: 'url' });
    await expect(read(null, `http://alice:alice-secret@127.0.0.1:1/`)).rejects.toThrow(OutboundRefusedError);
  });

  it('follows /.well-known/caldav (RFC 6764) from a server whose root is a web page, through the guard', async () => {
    // A web site in front, as with Nextcloud or Fastmail: the root is a page, /.well-known/caldav redirects to the DAV root.
    const front = http.createServer((req, res) => {
      if (req.url === '/.well-known/caldav') res.writeHead(301, { location: `${radicale.url}/` }).end();
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Our web site</body></html>');
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', () => resolve()));
    try {
      const site = `http://127.0.0.1:${(front.address() as AddressInfo).port}/`;
      const direct = await read(null);
      const found = await read(null, site);
      expect(found.state).toEqual(direct.state);
      expect(found.unchanged === false && uids(found.objects)).toEqual(direct.unchanged === false && uids(direct.objects));
      // The same discovery is refused by the guard when local addresses are not allowed.
      await expect(read(null, site, ALICE, { allowPrivate: false })).rejects.toThrow(OutboundRefusedError);
    } finally {
      await new Promise<void>((resolve) => front.close(() => resolve()));
    }
  });

  describe('a server that is not CalDAV', () => {
    let server: http.Server;
    let base: string;
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        if (req.url?.startsWith('/redirect')) {
          res.writeHead(301, { location: `${calendarUrl}` }).end();
          return;
        }
        if (req.url?.startsWith('/broken')) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end('oops');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to our web site</body></html>');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('a web page is "not a CalDAV server", in plain words', async () => {
      await expect(read(null, `${base}/calendar/`)).rejects.toThrow('this address is not a CalDAV server');
      await expect(read(null, `${base}/`)).rejects.toThrow('this address is not a CalDAV server');
    });

    it('a server error is said as such', async () => {
      await expect(read(null, `${base}/broken/`)).rejects.toThrow(/the calendar server failed \(HTTP 500\)/);
    });

    it('a redirect to another server drops the credentials (the guard follows it; the other server refuses)', async () => {
      await expect(read(null, `${base}/redirect/`)).rejects.toThrow('the username or password was refused');
      expect(radicale.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['PROPFIND 401']);
    });
  });
});
