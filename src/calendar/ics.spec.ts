import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from '@swc/core';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import ical, { foldLines, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import { seededRandom } from '../common/seeded-random.js';
import { addLines, CalendarEvent, cnParam, feedIcs, foldLine, inviteIcs, mailto, unfoldedCalendar } from './ics.js';

type Component = InstanceType<typeof ICAL.Component>;
type Time = InstanceType<typeof ICAL.Time>;

function parse(ics: string): Component {
  return new ICAL.Component(ICAL.parse(ics));
}

function onlyEvent(cal: Component): Component {
  const events = cal.getAllSubcomponents('vevent');
  expect(events).toHaveLength(1);
  return events[0];
}

function timeOf(vevent: Component, name: 'dtstart' | 'dtend' | 'dtstamp'): Time {
  return vevent.getFirstPropertyValue(name) as Time;
}

/** Logical lines: the file unfolded (RFC 5545 §3.1). */
function logicalLines(ics: string): string[] {
  return ics.replace(/\r\n[ \t]/g, '').split('\r\n');
}

function wallClock(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat("yyyyLLdd'T'HHmmss");
}

function event(overrides: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    uid: 'booking-5b0e7c1e-4f0a-4a57-9a53-0d7f1c2b9e11@ridealong',
    sequence: 2,
    start: new Date('2027-03-15T08:00:00Z'),
    end: new Date('2027-03-15T09:30:00Z'),
    timeZone: 'Europe/Berlin',
    summary: 'Ride-along with Dana Rep',
    description: 'Meet at the lobby.\nBring a notebook.',
    location: 'HQ, Floor 3',
    url: 'https://ridealong.example/bookings/5b0e7c1e?tab=details,notes;x',
    organizer: { name: 'Dana Rep', email: 'dana@example.com' },
    attendees: [
      { name: 'Mo Marketer', email: 'mo@example.com' },
      { name: 'Ana Analyst', email: 'ana@example.com' },
    ],
    status: 'CONFIRMED',
    stamp: new Date('2027-03-01T10:11:12Z'),
    ...overrides,
  };
}

// Instants and the wall clock they must be written as (worked out by hand, not by Luxon).
const zoneCases = [
  { zone: 'Europe/Berlin', start: '2027-03-15T08:00:00Z', end: '2027-03-15T09:30:00Z', local: '20270315T090000' },
  // New York springs forward on Sunday 2027-03-14: the next day is EDT (-04:00), not EST.
  { zone: 'America/New_York', start: '2027-03-15T13:00:00Z', end: '2027-03-15T14:00:00Z', local: '20270315T090000' },
  { zone: 'Asia/Kathmandu', start: '2027-03-15T03:15:00Z', end: '2027-03-15T04:00:00Z', local: '20270315T090000' },
  // Sydney in daylight time (+11:00) in January.
  { zone: 'Australia/Sydney', start: '2027-01-19T22:00:00Z', end: '2027-01-19T23:00:00Z', local: '20270120T090000' },
  // Sydney back on standard time (+10:00) the day after DST ends (Sunday 2027-04-04).
  { zone: 'Australia/Sydney', start: '2027-04-04T23:00:00Z', end: '2027-04-05T00:00:00Z', local: '20270405T090000' },
];

describe('inviteIcs REQUEST', () => {
  it.each(zoneCases)('writes $zone times that ical.js converts back to the same instants', ({ zone, start, end, local }) => {
    const ev = event({ timeZone: zone, start: new Date(start), end: new Date(end) });
    const ics = inviteIcs(ev, 'REQUEST');
    const cal = parse(ics);

    const vtimezones = cal.getAllSubcomponents('vtimezone');
    expect(vtimezones.map((c) => c.getFirstPropertyValue('tzid'))).toEqual([zone]);

    const vevent = onlyEvent(cal);
    for (const [name, instant] of [['dtstart', ev.start], ['dtend', ev.end]] as const) {
      const prop = vevent.getFirstProperty(name)!;
      expect(prop.getParameter('tzid')).toBe(zone);
      const time = timeOf(vevent, name);
      expect(time.zone?.tzid).toBe(zone); // resolved through the file's VTIMEZONE, not floating
      expect(time.toJSDate().getTime()).toBe(instant.getTime());
    }

    // The wall clock text does not depend on the process TZ: it matches the hand-worked value and Luxon.
    const lines = logicalLines(ics);
    expect(lines).toContain(`DTSTART;TZID=${zone}:${local}`);
    expect(lines).toContain(`DTSTART;TZID=${zone}:${wallClock(ev.start, zone)}`);
    expect(lines).toContain(`DTEND;TZID=${zone}:${wallClock(ev.end, zone)}`);
  });

  it('has the calendar and iTIP properties clients expect', () => {
    const ev = event();
    const ics = inviteIcs(ev, 'REQUEST');
    const cal = parse(ics);
    expect(cal.name).toBe('vcalendar');
    expect(cal.getFirstPropertyValue('version')).toBe('2.0');
    expect(cal.getFirstPropertyValue('prodid')).toBe('-//ridealong//ridealong//EN');
    expect(cal.getFirstPropertyValue('calscale')).toBe('GREGORIAN');
    expect(cal.getFirstPropertyValue('method')).toBe('REQUEST');

    const vevent = onlyEvent(cal);
    expect(vevent.getFirstPropertyValue('uid')).toBe(ev.uid);
    expect(vevent.getFirstPropertyValue('sequence')).toBe(2);
    expect(vevent.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(vevent.getFirstPropertyValue('summary')).toBe(ev.summary);
    expect(vevent.getFirstPropertyValue('description')).toBe(ev.description);
    expect(vevent.getFirstPropertyValue('location')).toBe(ev.location);
    expect(vevent.getFirstPropertyValue('url')).toBe(ev.url); // a URI: no TEXT escaping of , and ;

    const stamp = timeOf(vevent, 'dtstamp');
    expect(stamp.zone?.tzid).toBe('UTC');
    expect(stamp.toJSDate().getTime()).toBe(ev.stamp.getTime());
    expect(logicalLines(ics)).toContain('DTSTAMP:20270301T101112Z');

    const organizer = vevent.getAllProperties('organizer');
    expect(organizer).toHaveLength(1);
    expect(organizer[0].getFirstValue()).toBe('mailto:dana@example.com');
    expect(organizer[0].getParameter('cn')).toBe('Dana Rep');

    const attendees = vevent.getAllProperties('attendee');
    expect(attendees.map((a) => [a.getFirstValue(), a.getParameter('cn')])).toEqual([
      ['mailto:mo@example.com', 'Mo Marketer'],
      ['mailto:ana@example.com', 'Ana Analyst'],
    ]);
    for (const a of attendees) {
      expect(a.getParameter('role')).toBe('REQ-PARTICIPANT');
      expect(a.getParameter('partstat')).toBe('NEEDS-ACTION');
      expect(a.getParameter('rsvp')).toBe('TRUE');
    }
  });

  it('uses CRLF for every line, ending with one', () => {
    const ics = inviteIcs(event(), 'REQUEST');
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
  });

  it('writes an alias zone under its canonical TZID with the matching VTIMEZONE', () => {
    const ev = event({ timeZone: 'US/Eastern', start: new Date('2027-03-15T13:00:00Z'), end: new Date('2027-03-15T14:00:00Z') });
    const cal = parse(inviteIcs(ev, 'REQUEST'));
    expect(cal.getAllSubcomponents('vtimezone').map((c) => c.getFirstPropertyValue('tzid'))).toEqual(['America/New_York']);
    const start = timeOf(onlyEvent(cal), 'dtstart');
    expect(start.zone?.tzid).toBe('America/New_York');
    expect(start.toJSDate().getTime()).toBe(ev.start.getTime());
  });

  it('refuses bad input with a message naming it', () => {
    expect(() => inviteIcs(event({ timeZone: 'Mars/Olympus' }), 'REQUEST')).toThrow(/timeZone/);
    expect(() => inviteIcs(event({ timeZone: '+02:00' }), 'REQUEST')).toThrow(/timeZone/);
    expect(() => inviteIcs(event({ start: new Date('nope') }), 'REQUEST')).toThrow(/start/);
    expect(() => inviteIcs(event({ end: new Date('2027-03-15T07:00:00Z') }), 'REQUEST')).toThrow(/end is before start/);
    expect(() => inviteIcs(event({ sequence: -1 }), 'REQUEST')).toThrow(/sequence/);
    expect(() => inviteIcs(event({ sequence: 1.5 }), 'REQUEST')).toThrow(/sequence/);
    expect(() => inviteIcs(event({ uid: 'a\r\nATTENDEE:mailto:evil@x' }), 'REQUEST')).toThrow(/uid/);
    expect(() => inviteIcs(event({ status: 'CANCELLED' }), 'REQUEST')).toThrow(/CANCEL/);
    expect(() => inviteIcs(event({ organizer: { name: 'X', email: ' \r\n' } }), 'REQUEST')).toThrow(/email/);
  });
});

describe('writing times does not depend on the process time zone', () => {
  // A child node process with another TZ runs the same module (transpiled by swc, as jest does) and must
  // write byte-identical files.
  it.each(['Pacific/Honolulu', 'Asia/Tokyo'])('gives the same bytes under TZ=%s', (tz) => {
    const here = dirname(fileURLToPath(import.meta.url));
    const source = readFileSync(join(here, 'ics.ts'), 'utf8');
    const js = transformSync(source, {
      filename: 'ics.ts',
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
    }).code;
    const cases = zoneCases.map((c) => ({ timeZone: c.zone, start: c.start, end: c.end }));
    const script = `${js}
const base = ${JSON.stringify({ ...event(), start: undefined, end: undefined, stamp: event().stamp.toISOString() })};
const cases = ${JSON.stringify(cases)};
const events = cases.map((c) => ({ ...base, ...c, start: new Date(c.start), end: new Date(c.end), stamp: new Date(base.stamp) }));
process.stdout.write(JSON.stringify({
  offset: new Date(Date.UTC(2027, 0, 1)).getTimezoneOffset(),
  invites: events.map((e) => inviteIcs(e, 'REQUEST')),
  feed: feedIcs('Shadowing', events),
}));
`;
    const child = spawnSync(process.execPath, ['--input-type=module'], {
      input: script,
      cwd: join(here, '..', '..'), // bare imports resolve from the project's node_modules
      env: { PATH: process.env.PATH, TZ: tz },
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const out = JSON.parse(child.stdout) as { offset: number; invites: string[]; feed: string };
    expect(out.offset).toBe(-DateTime.fromObject({ year: 2027, month: 1, day: 1 }, { zone: tz }).offset); // TZ took effect

    const events = zoneCases.map((c) => event({ timeZone: c.zone, start: new Date(c.start), end: new Date(c.end) }));
    expect(out.invites).toEqual(events.map((e) => inviteIcs(e, 'REQUEST')));
    expect(out.feed).toBe(feedIcs('Shadowing', events));
    expect(logicalLines(out.invites[0])).toContain('DTSTART;TZID=Europe/Berlin:20270315T090000');
  });
});

describe('inviteIcs CANCEL', () => {
  it('is METHOD:CANCEL with STATUS:CANCELLED, the same UID and the given SEQUENCE', () => {
    const request = event();
    const cancel = event({ sequence: 3, status: 'CANCELLED', stamp: new Date('2027-03-02T00:00:00Z') });
    const cal = parse(inviteIcs(cancel, 'CANCEL'));
    expect(cal.getFirstPropertyValue('method')).toBe('CANCEL');
    const vevent = onlyEvent(cal);
    expect(vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(vevent.getFirstPropertyValue('uid')).toBe(request.uid);
    expect(vevent.getFirstPropertyValue('sequence')).toBe(3);
    expect(vevent.getFirstProperty('organizer')!.getFirstValue()).toBe('mailto:dana@example.com');
    const attendees = vevent.getAllProperties('attendee');
    expect(attendees.map((a) => a.getFirstValue())).toEqual(['mailto:mo@example.com', 'mailto:ana@example.com']);
    for (const a of attendees) {
      expect(a.getParameter('partstat')).toBeUndefined();
      expect(a.getParameter('rsvp')).toBeUndefined();
    }
    expect(cal.getAllSubcomponents('vtimezone')).toHaveLength(1);
  });

  it('says CANCELLED even when the event given still says CONFIRMED', () => {
    const vevent = onlyEvent(parse(inviteIcs(event({ sequence: 3 }), 'CANCEL')));
    expect(vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
  });
});

describe('user text cannot break the file', () => {
  const hostile = [
    '\r\nEND:VEVENT\r\nBEGIN:VEVENT',
    'Prep notes\r\nATTENDEE:mailto:evil@x',
    'a\nEND:VCALENDAR\nBEGIN:VCALENDAR\nMETHOD:CANCEL',
    'back\\slash; semi, comma \\n not-a-newline \\, ^n "quoted" \ttab\r lone CR',
    'trailing backslash \\',
  ];
  // iCalendar TEXT knows one line break, \n: CRLF and lone CR come back as LF.
  const asRead = (s: string) => s.replace(/\r\n|\r/g, '\n');
  const ownProps = ['uid', 'sequence', 'dtstamp', 'dtstart', 'dtend', 'summary', 'description', 'location', 'status', 'organizer', 'attendee', 'url'];

  it.each(hostile)('keeps %j inside SUMMARY, DESCRIPTION and LOCATION', (text) => {
    for (const method of ['REQUEST', 'CANCEL'] as const) {
      const ics = inviteIcs(event({ summary: text, description: text, location: text, sequence: 4 }), method);
      const cal = parse(ics);
      expect(cal.getAllSubcomponents().map((c) => c.name)).toEqual(['vtimezone', 'vevent']);
      expect(cal.getFirstPropertyValue('method')).toBe(method);
      const vevent = onlyEvent(cal);
      expect(vevent.getFirstPropertyValue('summary')).toBe(asRead(text));
      expect(vevent.getFirstPropertyValue('description')).toBe(asRead(text));
      expect(vevent.getFirstPropertyValue('location')).toBe(asRead(text));
      expect(vevent.getAllProperties('attendee')).toHaveLength(2);
      expect(vevent.getAllSubcomponents()).toHaveLength(0);
      expect(new Set(vevent.getAllProperties().map((p) => p.name))).toEqual(new Set(ownProps));
      expect(vevent.getAllProperties().length).toBe(ownProps.length + 1); // one extra ATTENDEE line

      const lines = logicalLines(ics);
      expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
      expect(lines.filter((l) => l === 'END:VCALENDAR')).toHaveLength(1);
      expect(lines.filter((l) => /^ATTENDEE\b/.test(l))).toHaveLength(2);
    }
  });

  it('returns text with LF line breaks exactly', () => {
    const text = 'Line one\nEND:VEVENT\nBEGIN:VEVENT\nATTENDEE:mailto:evil@x\n\n;,\\ end';
    const vevent = onlyEvent(parse(inviteIcs(event({ description: text }), 'REQUEST')));
    expect(vevent.getFirstPropertyValue('description')).toBe(text);
  });

  it('quotes names in CN, replacing DQUOTE and line breaks', () => {
    const organizer = { name: 'Doe, Jane; "JD" \\ ^n ^\' ^^ x^', email: 'jane@example.com' };
    const evil = { name: 'Eve\r\nATTENDEE:mailto:evil@x', email: 'eve@example.com' };
    const quoteBreaker = { name: 'Q" ;ROLE=CHAIR:mailto:evil@x', email: 'q@example.com' };
    const ics = inviteIcs(event({ organizer, attendees: [evil, quoteBreaker] }), 'REQUEST');
    const vevent = onlyEvent(parse(ics));
    const org = vevent.getFirstProperty('organizer')!;
    expect(org.getParameter('cn')).toBe("Doe, Jane; 'JD' \\ ^n ^' ^^ x^"); // RFC 6868 readers see the name
    expect(org.getFirstValue()).toBe('mailto:jane@example.com');
    const attendees = vevent.getAllProperties('attendee');
    expect(attendees.map((a) => [a.getParameter('cn'), a.getFirstValue(), a.getParameter('role')])).toEqual([
      ['Eve ATTENDEE:mailto:evil@x', 'mailto:eve@example.com', 'REQ-PARTICIPANT'],
      ["Q' ;ROLE=CHAIR:mailto:evil@x", 'mailto:q@example.com', 'REQ-PARTICIPANT'],
    ]);
    expect(logicalLines(ics).filter((l) => l.startsWith('ATTENDEE'))).toEqual([
      'ATTENDEE;CN="Eve ATTENDEE:mailto:evil@x";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:eve@example.com',
      'ATTENDEE;CN="Q\' ;ROLE=CHAIR:mailto:evil@x";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:q@example.com',
    ]);
  });

  it('keeps CR/LF in emails from injecting', () => {
    const ics = inviteIcs(
      event({
        organizer: { name: 'Dana', email: 'dana@example.com\r\nATTENDEE:mailto:evil@x' },
        attendees: [{ name: 'Mo', email: 'mo@example.com\nEND:VEVENT' }],
      }),
      'REQUEST',
    );
    const vevent = onlyEvent(parse(ics));
    expect(vevent.getAllProperties('organizer').map((p) => p.getFirstValue())).toEqual(['mailto:dana@example.comATTENDEE:mailto:evil@x']);
    expect(vevent.getAllProperties('attendee').map((p) => p.getFirstValue())).toEqual(['mailto:mo@example.comEND:VEVENT']);
    expect(logicalLines(ics).filter((l) => l === 'END:VEVENT')).toHaveLength(1);
  });

  it('keeps a hostile URL and UID text inside their properties', () => {
    const uid = 'shift-1,2;3\\x@ridealong';
    const url = 'https://x.example/a b\r\nATTENDEE:mailto:evil@x';
    const vevent = onlyEvent(parse(inviteIcs(event({ uid, url }), 'REQUEST')));
    expect(vevent.getFirstPropertyValue('uid')).toBe(uid);
    expect(vevent.getFirstPropertyValue('url')).toBe('https://x.example/a%20bATTENDEE:mailto:evil@x');
    expect(vevent.getAllProperties('attendee')).toHaveLength(2);
  });

  it('drops control characters TEXT does not allow', () => {
    const vevent = onlyEvent(parse(inviteIcs(event({ description: 'bell\x07 esc\x1b nul\x00 ok' }), 'REQUEST')));
    expect(vevent.getFirstPropertyValue('description')).toBe('bell esc nul ok');
  });
});

describe('folding', () => {
  const long = (() => {
    const parts = ['Café crème ', '🚗💨 ', 'Zürich–Göteborg ', 'naïve façade ', '👩🏽‍💼 ', 'Ελληνικά ', '漢字かな ', '; , \\ ', '\n'];
    let s = '';
    for (let i = 0; s.length < 500; i++) s += parts[i % parts.length];
    return s.slice(0, 499) + 'é';
  })();

  it('keeps every physical line within 75 octets, never splitting a character, and unfolds to the original', () => {
    expect(long.length).toBe(500);
    const ics = inviteIcs(
      event({ description: long, summary: long, organizer: { name: `Ünïcødé ${'名'.repeat(60)}`, email: 'u@example.com' } }),
      'REQUEST',
    );
    const bytes = Buffer.from(ics, 'utf8');
    const strict = new TextDecoder('utf-8', { fatal: true });
    let from = 0;
    let lines = 0;
    for (let i = 0; i <= bytes.length - 2; i++) {
      if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
        const line = bytes.subarray(from, i);
        expect(line.length).toBeLessThanOrEqual(75);
        expect(() => strict.decode(line)).not.toThrow(); // no multi-byte character cut in two
        from = i + 2;
        lines++;
      }
    }
    expect(from).toBe(bytes.length);
    expect(lines).toBeGreaterThan(20);
    expect(ics.split('\r\n').some((l) => l.startsWith(' '))).toBe(true);

    const vevent = onlyEvent(parse(ics));
    expect(vevent.getFirstPropertyValue('description')).toBe(long);
    expect(vevent.getFirstPropertyValue('summary')).toBe(long);
    expect(vevent.getFirstProperty('organizer')!.getParameter('cn')).toBe(`Ünïcødé ${'名'.repeat(60)}`);
  });
});

describe('foldLine', () => {
  it('folds exactly as ical-generator folds, on random text of 1-, 2-, 3- and 4-octet characters and lone surrogates', () => {
    const rnd = seededRandom(20261205);
    const pieces = ['a', ' ', ';', 'é', 'ß', '–', '€', '日', '😀', '👩‍💻', '\ud800', '\udc00', '\ud83d'];
    let folded = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const length = Math.floor(rnd() * 260);
      let line = '';
      // Runs of one piece, so that every kind of character lands on the fold.
      while (line.length < length) line += pieces[Math.floor(rnd() * pieces.length)].repeat(1 + Math.floor(rnd() * 40));
      const ours = foldLine(line);
      expect(ours).toBe(foldLines(line));
      if (ours !== line) folded++;
    }
    expect(folded).toBeGreaterThan(2000);
  });
});

describe('unfoldedCalendar', () => {
  const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Australia/Sydney', 'UTC', 'Asia/Tokyo'];
  const zoneBlock = (tzid: string) => tzlib_get_ical_block(tzid)[0] || null;
  const texts = ['Meet at the lobby.\nBring a notebook.', 'Ünïcödé – “quoted”, semi;colon, back\\slash 日本語 😀 '.repeat(4), 'x'.repeat(300)];

  it('is the library text unfolded, for calendars made as build makes them, with one or many events and zones', () => {
    const rnd = seededRandom(20261206);
    for (let trial = 0; trial < 60; trial++) {
      const method = [ICalCalendarMethod.REQUEST, ICalCalendarMethod.CANCEL, ICalCalendarMethod.PUBLISH][trial % 3];
      const cal = ical({ prodId: { company: 'ridealong', product: 'ridealong', language: 'EN' }, scale: 'gregorian', method, timezone: { name: null, generator: zoneBlock } });
      const count = trial % 3 === 2 ? Math.floor(rnd() * 6) : 1;
      for (let i = 0; i < count; i++) {
        const zone = zones[Math.floor(rnd() * zones.length)];
        const start = DateTime.fromISO('2027-03-10T08:00:00Z').plus({ hours: Math.floor(rnd() * 2000) });
        cal.createEvent({
          id: `booking-${trial}-${i}@ridealong`,
          sequence: Math.floor(rnd() * 5),
          stamp: new Date('2027-03-01T10:11:12Z'),
          start: start.setZone(zone),
          end: start.plus({ minutes: 45 }).setZone(zone),
          timezone: zone,
          summary: texts[Math.floor(rnd() * texts.length)].slice(0, 80),
          description: rnd() < 0.8 ? texts[Math.floor(rnd() * texts.length)] : null,
          location: rnd() < 0.5 ? 'HQ, Floor 3' : null,
          status: rnd() < 0.5 ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
        });
      }
      expect(unfoldedCalendar(cal, zoneBlock)).toBe(logicalLines(cal.toString()).join('\r\n'));
    }
  });

  it('asks the library for a calendar with more than build sets (a name, a TTL)', () => {
    const cal = ical({ prodId: { company: 'ridealong', product: 'ridealong' }, name: 'Shifts', ttl: 3600, timezone: { name: null, generator: zoneBlock } });
    cal.createEvent({ id: 'e1', start: new Date('2027-03-10T08:00:00Z'), end: new Date('2027-03-10T09:00:00Z'), stamp: new Date('2027-03-01T10:11:12Z'), timezone: 'Europe/Berlin', summary: 'x' });
    const text = unfoldedCalendar(cal, zoneBlock);
    expect(text).toBe(logicalLines(cal.toString()).join('\r\n'));
    expect(text).toContain('X-WR-CALNAME:Shifts');
  });
});

describe('feedIcs', () => {
  const events = [
    event({ uid: 'shift-1@ridealong', start: new Date('2027-03-15T08:00:00Z'), end: new Date('2027-03-15T09:00:00Z') }),
    event({ uid: 'shift-2@ridealong', timeZone: 'America/New_York', start: new Date('2027-03-15T13:00:00Z'), end: new Date('2027-03-15T14:00:00Z') }),
    event({ uid: 'shift-3@ridealong', start: new Date('2027-10-31T08:00:00Z'), end: new Date('2027-10-31T09:00:00Z') }),
    event({ uid: 'shift-4@ridealong', timeZone: 'America/New_York', start: new Date('2027-11-08T14:00:00Z'), end: new Date('2027-11-08T15:00:00Z') }),
    event({ uid: 'shift-5@ridealong', status: 'CANCELLED', sequence: 7 }),
  ];

  it('is one VCALENDAR with one VEVENT per event, both VTIMEZONEs once and X-WR-CALNAME', () => {
    const ics = feedIcs('Dana, shadowing; "spring"\r\nX-EVIL:1', events);
    const lines = logicalLines(ics);
    expect(lines.filter((l) => l === 'BEGIN:VCALENDAR')).toHaveLength(1);
    const cal = parse(ics);
    expect(cal.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(cal.getFirstPropertyValue('calscale')).toBe('GREGORIAN');
    // ical.js leaves unknown X- properties raw; X-WR-CALNAME is TEXT for the clients that read it.
    const calname = cal.getAllProperties('x-wr-calname');
    expect(calname).toHaveLength(1);
    expect(calname[0].getFirstValue()).toBe('Dana\\, shadowing\\; "spring"\\nX-EVIL:1');
    expect(ICAL.design.icalendar.value.text.fromICAL(calname[0].getFirstValue() as string)).toBe('Dana, shadowing; "spring"\nX-EVIL:1');
    expect(cal.getAllProperties('x-evil')).toHaveLength(0);
    expect(cal.getAllSubcomponents('vtimezone').map((c) => c.getFirstPropertyValue('tzid')).sort()).toEqual([
      'America/New_York',
      'Europe/Berlin',
    ]);

    const vevents = cal.getAllSubcomponents('vevent');
    expect(vevents.map((v) => v.getFirstPropertyValue('uid'))).toEqual(events.map((e) => e.uid));
    vevents.forEach((vevent, i) => {
      const e = events[i];
      for (const [name, instant] of [['dtstart', e.start], ['dtend', e.end]] as const) {
        const time = timeOf(vevent, name);
        expect(time.zone?.tzid).toBe(e.timeZone);
        expect(time.toJSDate().getTime()).toBe(instant.getTime());
      }
      expect(vevent.getFirstPropertyValue('status')).toBe(e.status);
      expect(vevent.getFirstPropertyValue('sequence')).toBe(e.sequence);
      expect(vevent.getFirstProperty('organizer')!.getFirstValue()).toBe('mailto:dana@example.com');
      expect(vevent.getAllProperties('attendee')).toHaveLength(0);
    });
    // Berlin summer (+02:00) and winter (+01:00) times written on the right wall clock.
    expect(lines).toContain('DTSTART;TZID=Europe/Berlin:20270315T090000');
    expect(lines).toContain('DTSTART;TZID=Europe/Berlin:20271031T090000');
    expect(lines).toContain('DTSTART;TZID=America/New_York:20271108T090000');
  });

  it('is a valid calendar with no events', () => {
    const cal = parse(feedIcs('Empty', []));
    expect(cal.getFirstPropertyValue('x-wr-calname')).toBe('Empty');
    expect(cal.getAllSubcomponents()).toHaveLength(0);
  });
});

describe('helpers', () => {
  it('cnParam quotes, replaces DQUOTE and controls, and guards RFC 6868 sequences', () => {
    expect(cnParam('Jane Doe')).toBe(';CN="Jane Doe"');
    expect(cnParam('Doe, Jane; "JD"')).toBe(';CN="Doe, Jane; \'JD\'"');
    expect(cnParam('a\r\n\tb')).toBe(';CN="a b"');
    // Only a ^ that would start an escape is doubled: "^^" -> "^^^" reads back as "^^".
    expect(cnParam('x^n ^^ ^\' ^a')).toBe(';CN="x^^n ^^^ ^^\' ^a"');
    expect(cnParam(' \r\n ')).toBe('');
  });

  it('mailto strips whitespace and controls and does not double the scheme', () => {
    expect(mailto('a@b.example')).toBe('mailto:a@b.example');
    expect(mailto('MAILTO:a@b.example')).toBe('mailto:a@b.example');
    expect(mailto(' a@b.example\r\nX')).toBe('mailto:a@b.exampleX');
    expect(() => mailto('\r\n')).toThrow(RangeError);
  });

  it('addLines refuses a VEVENT count that does not match', () => {
    const ics = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\nEND:VCALENDAR';
    expect(addLines(ics, ['X-WR-CALNAME:a'], [['URL:x']])).toBe(
      'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:a\r\nBEGIN:VEVENT\r\nUID:1\r\nURL:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
    );
    expect(() => addLines(ics, [], [])).toThrow(/more VEVENTs/);
    expect(() => addLines(ics, [], [[], []])).toThrow(/fewer VEVENTs/);
  });
});
