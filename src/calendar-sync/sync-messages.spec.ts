import { OutboundFailedError, OutboundRefusedError } from '../common/outbound/outbound-errors.js';
import { CaldavError } from './caldav.js';
import { CalendarParseError } from './ics-read.js';
import { describeReadFailure, failureMail, LAST_ERROR_MAX, scrub } from './sync-messages.js';

const secrets = { url: 'https://calendar.example.com/ical/s3cr3t-token/basic.ics?key=abc123', username: 'ann', password: 'hunter22' };

describe('scrub', () => {
  it('hides the URL, its path and query, and the credentials', () => {
    const out = scrub(
      'GET https://calendar.example.com/ical/s3cr3t-token/basic.ics?key=abc123 failed; path /ical/s3cr3t-token/basic.ics; user ann; pass hunter22; other http://x.example/y',
      secrets,
    );
    expect(out).not.toMatch(/s3cr3t|abc123|hunter22|\bann\b|x\.example\/y/);
  });
});

describe('describeReadFailure', () => {
  it('calls a refused address refused, in a sentence', () => {
    const f = describeReadFailure(new OutboundRefusedError('private_address', 'url points to a local or private network address'), secrets);
    expect(f).toEqual({ kind: 'refused', reason: 'The address is not allowed: url points to a local or private network address.', unexpected: false });
  });

  it('words each failure plainly, without the address', () => {
    const cases: [unknown, RegExp][] = [
      [new OutboundFailedError('timeout', 'the server did not answer within 15 seconds'), /took too long: the server did not answer within 15 seconds\.$/],
      [new OutboundFailedError('too_large', 'the answer is larger than 10 MB'), /too large/],
      [new OutboundFailedError('http_status', 'the server answered HTTP 404 (Not Found)', 404), /refused to hand out the calendar: the server answered HTTP 404/],
      [new OutboundFailedError('network', 'getaddrinfo ENOTFOUND for https://calendar.example.com/ical/s3cr3t-token/basic.ics'), /could not be reached/],
      [new CaldavError('the username or password was refused'), /CalDAV server could not be read: the username or password was refused\.$/],
      [new CalendarParseError('the answer is not iCalendar'), /did not give a readable calendar: the answer is not iCalendar\.$/],
    ];
    for (const [err, words] of cases) {
      const f = describeReadFailure(err, secrets);
      expect(f.kind).toBe('unreadable');
      expect(f.unexpected).toBe(false);
      expect(f.reason).toMatch(words);
      expect(f.reason).not.toMatch(/s3cr3t|abc123|hunter22/);
      expect(f.reason.length).toBeLessThanOrEqual(LAST_ERROR_MAX);
    }
  });

  it('an unexpected error says so, without its message', () => {
    const f = describeReadFailure(new TypeError(`cannot read ${secrets.url}`), secrets);
    expect(f.unexpected).toBe(true);
    expect(f.reason).not.toContain('calendar.example.com/ical');
  });

  it('bounds a long message', () => {
    const f = describeReadFailure(new CalendarParseError('x'.repeat(2000)), secrets);
    expect(f.reason.length).toBeLessThanOrEqual(LAST_ERROR_MAX);
    expect(f.reason.endsWith('….')).toBe(true);
  });
});

describe('failureMail', () => {
  it('tells the rep which calendar, why, since when and that the last good busy times are kept', () => {
    const mail = failureMail({
      rep: { name: 'Ann <Rep>', email: 'ann@example.com', timeZone: 'Europe/Berlin' },
      host: 'calendar.example.com',
      kind: 'ics',
      reason: 'The calendar server took too long.',
      failingSince: new Date('2027-03-01T10:00:00Z'),
      lastSyncedAt: new Date('2027-03-01T09:50:00Z'),
      pageUrl: 'https://ridealong.example.com/rep/calendar',
    });
    expect(mail.to).toEqual({ name: 'Ann <Rep>', email: 'ann@example.com' });
    expect(mail.subject).toBe('Your calendar could not be read: calendar.example.com');
    expect(mail.text).toContain('since Monday 1 March 2027, 11:00 (Europe/Berlin)');
    expect(mail.text).toContain('The calendar server took too long.');
    expect(mail.text).toContain('keeps the busy times it read last (Monday 1 March 2027, 10:50 (Europe/Berlin))');
    expect(mail.text).toContain('https://ridealong.example.com/rep/calendar');
    expect(mail.html).toContain('Ann &lt;Rep&gt;');
    expect(mail.html).not.toContain('Ann <Rep>');
  });

  it('says so when nothing was ever read', () => {
    const mail = failureMail({
      rep: { name: 'Ann', email: 'ann@example.com', timeZone: 'UTC' },
      host: 'dav.example.com',
      kind: 'caldav',
      reason: 'x.',
      failingSince: new Date('2027-03-01T10:00:00Z'),
      lastSyncedAt: null,
      pageUrl: 'https://r.example/rep/calendar',
    });
    expect(mail.text).toContain('your CalDAV calendar on dav.example.com');
    expect(mail.text).toContain('has no busy times from this calendar yet');
  });
});
