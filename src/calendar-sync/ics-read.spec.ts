import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import ICAL from 'ical.js';
import { isCustomerCall } from '../customer-calls/company-domains.js';
import { CalendarParseError, FeedEvent, MAX_INSTANCES, MAX_PER_SERIES, readCalendar, readCalendarObjects, ReadOptions } from './ics-read.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/calendars');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** The rep: rep@example.com in Berlin; March and April 2027 hold both DST changes (US 14 March, EU 28 March). */
const OPTS: ReadOptions = {
  from: new Date('2027-02-01T00:00:00Z'),
  to: new Date('2027-05-01T00:00:00Z'),
  ownEmails: ['rep@example.com'],
  defaultZone: 'Europe/Berlin',
};

/** One line per instance, easy to compare: "start end busy/free[ cancelled][ all-day] instance title". */
function lines(events: FeedEvent[], uidSuffix?: string): string[] {
  return events
    .filter((e) => !uidSuffix || e.uid.endsWith(uidSuffix))
    .map(
      (e) =>
        `${e.startsAt.toISOString()} ${e.endsAt.toISOString()} ${e.busy ? 'busy' : 'free'}${e.cancelled ? ' cancelled' : ''}${e.allDay ? ' all-day' : ''} ${e.instance || '-'} ${e.title}`,
    );
}

function byUid(events: FeedEvent[], uid: string): FeedEvent[] {
  return events.filter((e) => e.uid === uid);
}

/** A VCALENDAR around some lines (CRLF, like the exports). */
function cal(...body: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//ridealong//EN', ...body, 'END:VCALENDAR', ''].join('\r\n');
}

function vevent(uid: string, ...props: string[]): string {
  return ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20270101T000000Z', ...props, 'END:VEVENT'].join('\r\n');
}

/** A VTIMEZONE with one fixed offset, e.g. "+0200". */
function fixedZone(tzid: string, offset: string): string {
  return ['BEGIN:VTIMEZONE', `TZID:${tzid}`, 'BEGIN:STANDARD', 'DTSTART:19700101T000000', `TZOFFSETFROM:${offset}`, `TZOFFSETTO:${offset}`, 'END:STANDARD', 'END:VTIMEZONE'].join('\r\n');
}

describe('readCalendar: a Google Calendar export (IANA zone with its VTIMEZONE)', () => {
  const events = readCalendar(fixture('google.ics'), OPTS);

  it('expands a weekly series across the March DST change at 09:00 Berlin, with an EXDATE, a moved instance and UNTIL', () => {
    // Mondays 09:00-09:30 Europe/Berlin from 1 March; UNTIL 12 April 06:59:59Z (12 April 09:00 CEST = 07:00Z is after it).
    // CET (+01) until Sunday 28 March, CEST (+02) after: 09:00 local is 08:00Z, then 07:00Z.
    // 15 March is an EXDATE; 22 March (08:00Z) moved to Tuesday 23 March 14:00 CET = 13:00Z, keeping its original start as instance.
    expect(lines(byUid(events, '4k2v8h1q0m9s7d6f5g4j3l2p1o@google.com'))).toEqual([
      '2027-03-01T08:00:00.000Z 2027-03-01T08:30:00.000Z busy 2027-03-01T08:00:00.000Z Sales team sync',
      '2027-03-08T08:00:00.000Z 2027-03-08T08:30:00.000Z busy 2027-03-08T08:00:00.000Z Sales team sync',
      '2027-03-23T13:00:00.000Z 2027-03-23T13:30:00.000Z busy 2027-03-22T08:00:00.000Z Sales team sync (moved)',
      '2027-03-29T07:00:00.000Z 2027-03-29T07:30:00.000Z busy 2027-03-29T07:00:00.000Z Sales team sync',
      '2027-04-05T07:00:00.000Z 2027-04-05T07:30:00.000Z busy 2027-04-05T07:00:00.000Z Sales team sync',
    ]);
  });

  it('reads a series instance cancelled by its override as cancelled and free, the others as they are', () => {
    // Thursdays 16:00-16:45 Berlin (CET: 15:00Z), COUNT=4 from 4 March: 4, 11, 18 (cancelled override), 25 March (still CET).
    expect(lines(byUid(events, '2b4d6f8h0j2l4n6p8r0t@google.com'))).toEqual([
      '2027-03-04T15:00:00.000Z 2027-03-04T15:45:00.000Z busy 2027-03-04T15:00:00.000Z Globex weekly check-in',
      '2027-03-11T15:00:00.000Z 2027-03-11T15:45:00.000Z busy 2027-03-11T15:00:00.000Z Globex weekly check-in',
      '2027-03-18T15:00:00.000Z 2027-03-18T15:45:00.000Z free cancelled 2027-03-18T15:00:00.000Z Globex weekly check-in',
      '2027-03-25T15:00:00.000Z 2027-03-25T15:45:00.000Z busy 2027-03-25T15:00:00.000Z Globex weekly check-in',
    ]);
  });

  it('reads single events: UTC times, cancelled, transparent, declined by the rep, and ridealong\'s own invite as free', () => {
    const single = events.filter((e) => e.instance === '' && !e.allDay);
    expect(lines(single)).toEqual([
      '2027-03-02T14:00:00.000Z 2027-03-02T15:00:00.000Z busy - Acme renewal call',
      '2027-03-03T10:00:00.000Z 2027-03-03T11:00:00.000Z free cancelled - Cancelled pipeline review',
      '2027-03-03T12:00:00.000Z 2027-03-03T13:00:00.000Z free - Lunch (free)',
      '2027-03-03T15:00:00.000Z 2027-03-03T16:00:00.000Z free - Webinar dry run',
      '2027-03-11T13:00:00.000Z 2027-03-11T13:30:00.000Z free - Shadowing: Mia Marketer',
    ]);
  });

  it('reads all-day events as whole days in the rep\'s zone, busy unless transparent (Google marks birthdays free)', () => {
    // 5 March in Berlin: 4 March 23:00Z to 5 March 23:00Z; the offsite 8-9 March (DTEND 10 March, exclusive).
    expect(lines(events.filter((e) => e.allDay))).toEqual([
      '2027-03-04T23:00:00.000Z 2027-03-05T23:00:00.000Z free all-day - Dad\'s birthday',
      '2027-03-07T23:00:00.000Z 2027-03-09T23:00:00.000Z busy all-day - Sales offsite',
    ]);
  });

  it('lists organiser and attendees in lower case without the rep, rooms or Google group calendars', () => {
    expect(byUid(events, '7h3k9m2n4b6v8c1x5z0q@google.com')[0].attendees).toEqual(['jane.doe@acme-corp.com']);
    expect(byUid(events, '2b4d6f8h0j2l4n6p8r0t@google.com')[0].attendees).toEqual(['hank@globex.example.org']);
    // A series instance: the master's list; the moved instance: its own list.
    const sync = byUid(events, '4k2v8h1q0m9s7d6f5g4j3l2p1o@google.com');
    expect(sync[0].attendees).toEqual(['lead@example.com', 'colleague@eu.example.com']);
    expect(sync[2].attendees).toEqual(['lead@example.com']);
  });

  it('returns each (uid, instance) once and nothing else', () => {
    expect(events).toHaveLength(5 + 4 + 5 + 2);
    expect(new Set(events.map((e) => `${e.uid} ${e.instance}`)).size).toBe(events.length);
  });
});

describe('readCalendar: an Outlook export (Windows zone names with their VTIMEZONE blocks)', () => {
  const events = readCalendar(fixture('outlook.ics'), OPTS);
  const uid = (tail: string) => events.filter((e) => e.uid.endsWith(tail));

  it('expands a weekly series in "W. Europe Standard Time" across the EU DST change, with an EXDATE, a moved instance and UNTIL in UTC', () => {
    // Mondays 09:00-10:00 from 1 March; UNTIL 5 April 07:00Z = 09:00 CEST, so 5 April is the last. 15 March excluded;
    // 22 March moved to 11:00 CET = 10:00Z. After 28 March 09:00 is CEST (07:00Z).
    expect(lines(uid('2D1C0A9F8E7D'))).toEqual([
      '2027-03-01T08:00:00.000Z 2027-03-01T09:00:00.000Z busy 2027-03-01T08:00:00.000Z Pipeline review',
      '2027-03-08T08:00:00.000Z 2027-03-08T09:00:00.000Z busy 2027-03-08T08:00:00.000Z Pipeline review',
      '2027-03-22T10:00:00.000Z 2027-03-22T11:00:00.000Z busy 2027-03-22T08:00:00.000Z Pipeline review (later this week)',
      '2027-03-29T07:00:00.000Z 2027-03-29T08:00:00.000Z busy 2027-03-29T07:00:00.000Z Pipeline review',
      '2027-04-05T07:00:00.000Z 2027-04-05T08:00:00.000Z busy 2027-04-05T07:00:00.000Z Pipeline review',
    ]);
  });

  it('expands a "Pacific Standard Time" series across the US DST change (14 March), tentative counting as busy', () => {
    // Wednesdays 09:00 Pacific: 10 March PST (-08) = 17:00Z; 17 and 24 March PDT (-07) = 16:00Z.
    expect(lines(uid('B4C5D6E7F809'))).toEqual([
      '2027-03-10T17:00:00.000Z 2027-03-10T18:00:00.000Z busy 2027-03-10T17:00:00.000Z Initech demo',
      '2027-03-17T16:00:00.000Z 2027-03-17T17:00:00.000Z busy 2027-03-17T16:00:00.000Z Initech demo',
      '2027-03-24T16:00:00.000Z 2027-03-24T17:00:00.000Z busy 2027-03-24T16:00:00.000Z Initech demo',
    ]);
    // The customer organised it; the rep is left out, the room too, addresses lower-cased.
    expect(uid('B4C5D6E7F809')[0].attendees).toEqual(['bill.lumbergh@initech.example.net', 'peter@initech.example.net']);
  });

  it('reads Outlook\'s show-as: FREE is free (from BUSYSTATUS, or INTENDEDSTATUS when there is no BUSYSTATUS); BUSYSTATUS wins', () => {
    // 2 March CET: 12:30 = 11:30Z, 14:00 = 13:00Z, 16:00 = 15:00Z.
    expect(lines(uid('C5D6E7F8091A'))).toEqual(['2027-03-02T11:30:00.000Z 2027-03-02T12:00:00.000Z free - Coffee with Sam']);
    expect(lines(uid('D6E7F8091A2B'))).toEqual(['2027-03-02T13:00:00.000Z 2027-03-02T14:00:00.000Z free - Optional: product update']);
    expect(lines(uid('E7F8091A2B3C'))).toEqual(['2027-03-02T15:00:00.000Z 2027-03-02T16:00:00.000Z busy - Launch rehearsal']);
  });

  it('reads cancelled and declined (the rep\'s address in any case) meetings as free', () => {
    expect(lines(uid('F8091A2B3C4D'))).toEqual(['2027-03-03T09:00:00.000Z 2027-03-03T10:00:00.000Z free cancelled - Canceled: Umbrella pricing call']);
    expect(lines(uid('091A2B3C4D5E'))).toEqual(['2027-03-03T13:00:00.000Z 2027-03-03T14:00:00.000Z free - Benefits info session']);
    expect(uid('091A2B3C4D5E')[0].attendees).toEqual(['hr@example.com']);
  });

  it('reads all-day events: a free anniversary and an out-of-office vacation that blocks both days', () => {
    expect(lines(events.filter((e) => e.allDay))).toEqual([
      '2027-03-11T23:00:00.000Z 2027-03-12T23:00:00.000Z free all-day - Team anniversary',
      '2027-03-17T23:00:00.000Z 2027-03-19T23:00:00.000Z busy all-day - Vacation',
    ]);
  });
});

describe('readCalendar: Windows zone names without VTIMEZONE blocks (mapped with windows-iana, computed with Luxon)', () => {
  const events = readCalendar(fixture('outlook-no-vtimezone.ics'), OPTS);
  const uid = (tail: string) => events.filter((e) => e.uid.endsWith(tail));

  it('keeps 09:00 Berlin across the DST change, applies a UTC EXDATE and a UTC UNTIL by instant', () => {
    // Mondays 09:00 "W. Europe Standard Time" -> Europe/Berlin, from 15 March. EXDATE 22 March 08:00Z = 09:00 CET: excluded.
    // UNTIL 5 April 07:00Z = 09:00 CEST: 5 April is the last (read as a wall clock it would have been lost).
    expect(lines(uid('3C4D5E6F7081'))).toEqual([
      '2027-03-15T08:00:00.000Z 2027-03-15T09:00:00.000Z busy 2027-03-15T08:00:00.000Z Forecast call',
      '2027-03-29T07:00:00.000Z 2027-03-29T08:00:00.000Z busy 2027-03-29T07:00:00.000Z Forecast call',
      '2027-04-05T07:00:00.000Z 2027-04-05T08:00:00.000Z busy 2027-04-05T07:00:00.000Z Forecast call',
    ]);
  });

  it('maps "Pacific Standard Time" to America/Los_Angeles across the US change, with a moved instance', () => {
    // 10 March 09:00 PST = 17:00Z; 17 March 09:00 PDT = 16:00Z moved to 18 March 08:00 PDT = 15:00Z; 24 March 16:00Z.
    expect(lines(uid('C4D5E6F70812'))).toEqual([
      '2027-03-10T17:00:00.000Z 2027-03-10T17:30:00.000Z busy 2027-03-10T17:00:00.000Z Hooli onboarding',
      '2027-03-18T15:00:00.000Z 2027-03-18T15:30:00.000Z busy 2027-03-17T16:00:00.000Z Hooli onboarding',
      '2027-03-24T16:00:00.000Z 2027-03-24T16:30:00.000Z busy 2027-03-24T16:00:00.000Z Hooli onboarding',
    ]);
  });

  it('maps "Tokyo Standard Time" (10:00 JST = 01:00Z) and reads an unknown TZID in the rep\'s zone (14:00 CET = 13:00Z)', () => {
    expect(lines(uid('D5E6F7081923'))).toEqual(['2027-03-16T01:00:00.000Z 2027-03-16T02:00:00.000Z busy - APAC partner sync']);
    expect(lines(uid('E6F708192A34'))).toEqual(['2027-03-17T13:00:00.000Z 2027-03-17T14:00:00.000Z busy - Call in an unknown zone']);
  });
});

describe('readCalendar: time zones stay with their calendar', () => {
  it('reads the same TZID with each file\'s own definition, registers nothing globally, and never borrows another feed\'s zone', () => {
    const event = vevent('z@test', 'DTSTART;TZID=Custom Zone:20270301T090000', 'DTEND;TZID=Custom Zone:20270301T100000', 'SUMMARY:z');
    const before = ICAL.TimezoneService.count;
    // 09:00 at +02:00 = 07:00Z; at -05:00 = 14:00Z; with no definition, the rep's zone (Berlin, CET) = 08:00Z.
    expect(readCalendar(cal(fixedZone('Custom Zone', '+0200'), event), OPTS)[0].startsAt.toISOString()).toBe('2027-03-01T07:00:00.000Z');
    expect(readCalendar(cal(fixedZone('Custom Zone', '-0500'), event), OPTS)[0].startsAt.toISOString()).toBe('2027-03-01T14:00:00.000Z');
    expect(readCalendar(cal(event), OPTS)[0].startsAt.toISOString()).toBe('2027-03-01T08:00:00.000Z');
    expect(ICAL.TimezoneService.count).toBe(before);
    expect(ICAL.TimezoneService.has('Custom Zone')).toBe(false);
  });

  it('prefers the file\'s VTIMEZONE to the Windows mapping for a Windows name', () => {
    // A (wrong, but the file's) fixed +03:00 for "W. Europe Standard Time": 09:00 = 06:00Z, not CET's 08:00Z.
    const text = cal(fixedZone('W. Europe Standard Time', '+0300'), vevent('w@test', 'DTSTART;TZID=W. Europe Standard Time:20270301T090000', 'DURATION:PT1H'));
    expect(readCalendar(text, OPTS)[0].startsAt.toISOString()).toBe('2027-03-01T06:00:00.000Z');
  });

  it('reads a TZID whose VTIMEZONE is broken (no rules, or an offset that is not one) by its name instead', () => {
    const event = vevent('b@test', 'DTSTART;TZID=W. Europe Standard Time:20270301T090000', 'DURATION:PT1H', 'SUMMARY:b');
    const empty = ['BEGIN:VTIMEZONE', 'TZID:W. Europe Standard Time', 'END:VTIMEZONE'].join('\r\n');
    const garbage = fixedZone('W. Europe Standard Time', 'banana');
    // ical.js alone reads the first as UTC (09:00Z) and the second as no time at all; by name it is 09:00 CET = 08:00Z.
    for (const zone of [empty, garbage]) expect(readCalendar(cal(zone, event), OPTS)[0].startsAt.toISOString()).toBe('2027-03-01T08:00:00.000Z');
  });

  it('reads floating times and all-day dates in the rep\'s zone', () => {
    const text = cal(
      vevent('f@test', 'DTSTART:20270301T090000', 'DTEND:20270301T100000', 'SUMMARY:floating'),
      vevent('d@test', 'DTSTART;VALUE=DATE:20270301', 'DTEND;VALUE=DATE:20270302', 'SUMMARY:day'),
    );
    // New York, 1 March: EST (-05): 09:00 = 14:00Z; the day runs 05:00Z to 05:00Z.
    expect(lines(readCalendar(text, { ...OPTS, defaultZone: 'America/New_York' }))).toEqual([
      '2027-03-01T14:00:00.000Z 2027-03-01T15:00:00.000Z busy - floating',
      '2027-03-01T05:00:00.000Z 2027-03-02T05:00:00.000Z busy all-day - day',
    ]);
  });

  it('reads floating times in UTC when the rep\'s zone is not one Luxon knows', () => {
    const text = cal(vevent('f@test', 'DTSTART:20270301T090000', 'DURATION:PT1H', 'SUMMARY:floating'));
    expect(readCalendar(text, { ...OPTS, defaultZone: 'Mars/Olympus_Mons' })[0].startsAt.toISOString()).toBe('2027-03-01T09:00:00.000Z');
  });

  it('expands an all-day weekly series at midnight in the rep\'s zone across DST', () => {
    // Fridays from 26 March: 26 March 00:00 CET = 25 March 23:00Z; 2 April 00:00 CEST = 1 April 22:00Z.
    const text = cal(vevent('ad@test', 'DTSTART;VALUE=DATE:20270326', 'DTEND;VALUE=DATE:20270327', 'RRULE:FREQ=WEEKLY;COUNT=2', 'SUMMARY:No-meeting Friday'));
    expect(lines(readCalendar(text, OPTS))).toEqual([
      '2027-03-25T23:00:00.000Z 2027-03-26T23:00:00.000Z busy all-day 2027-03-25T23:00:00.000Z No-meeting Friday',
      '2027-04-01T22:00:00.000Z 2027-04-02T22:00:00.000Z busy all-day 2027-04-01T22:00:00.000Z No-meeting Friday',
    ]);
  });
});

describe('readCalendar: lengths', () => {
  it('uses DURATION, one day for a date without DTEND, and no length (never busy) for a date-time without DTEND', () => {
    const text = cal(
      vevent('a@test', 'DTSTART:20270301T090000Z', 'DURATION:PT45M', 'SUMMARY:duration'),
      vevent('b@test', 'DTSTART;VALUE=DATE:20270302', 'SUMMARY:date only'),
      vevent('c@test', 'DTSTART:20270303T090000Z', 'SUMMARY:reminder'),
    );
    expect(lines(readCalendar(text, OPTS))).toEqual([
      '2027-03-01T09:00:00.000Z 2027-03-01T09:45:00.000Z busy - duration',
      '2027-03-01T23:00:00.000Z 2027-03-02T23:00:00.000Z busy all-day - date only',
      '2027-03-03T09:00:00.000Z 2027-03-03T09:00:00.000Z free - reminder',
    ]);
  });

  it('adds a DURATION of days on the wall clock (P1D over the DST night is 23 hours), with and without a VTIMEZONE', () => {
    // 27 March 12:00 CET = 11:00Z; plus one day: 28 March 12:00 CEST = 10:00Z.
    const body = ['DTSTART;TZID=Europe/Berlin:20270327T120000', 'DURATION:P1D', 'SUMMARY:long'];
    const berlin = fixture('google.ics').split('BEGIN:VEVENT')[0].split('X-WR-TIMEZONE:Europe/Berlin\r\n')[1]; // its VTIMEZONE
    for (const text of [cal(vevent('p@test', ...body)), cal(berlin.trim(), vevent('p@test', ...body))]) {
      expect(lines(readCalendar(text, OPTS))).toEqual(['2027-03-27T11:00:00.000Z 2027-03-28T10:00:00.000Z busy - long']);
    }
  });

  it('gives an override without DTEND its series\' length', () => {
    const text = cal(
      vevent('s@test', 'DTSTART:20270301T090000Z', 'DTEND:20270301T093000Z', 'RRULE:FREQ=DAILY;COUNT=2', 'SUMMARY:s'),
      vevent('s@test', 'RECURRENCE-ID:20270302T090000Z', 'DTSTART:20270302T110000Z', 'SUMMARY:s moved'),
    );
    expect(lines(readCalendar(text, OPTS))[1]).toBe('2027-03-02T11:00:00.000Z 2027-03-02T11:30:00.000Z busy 2027-03-02T09:00:00.000Z s moved');
  });
});

describe('readCalendar: the window and the bounds', () => {
  it('keeps instances overlapping [from, to): one running into the window, not one ending at from or starting at to', () => {
    const text = cal(
      vevent('into@test', 'DTSTART:20270228T230000Z', 'DTEND:20270301T010000Z', 'SUMMARY:into'),
      vevent('ends@test', 'DTSTART:20270228T220000Z', 'DTEND:20270301T000000Z', 'SUMMARY:ends at from'),
      vevent('starts@test', 'DTSTART:20270302T000000Z', 'DTEND:20270302T010000Z', 'SUMMARY:starts at to'),
    );
    const window = { ...OPTS, from: new Date('2027-03-01T00:00:00Z'), to: new Date('2027-03-02T00:00:00Z') };
    expect(readCalendar(text, window).map((e) => e.title)).toEqual(['into']);
  });

  it('expands a series with no end only up to `to`, from a DTSTART years back', () => {
    // Daily 10:00Z since 2019; the window holds 1-7 March 2027: seven instances.
    const text = cal(vevent('daily@test', 'DTSTART:20190101T100000Z', 'DTEND:20190101T101500Z', 'RRULE:FREQ=DAILY', 'SUMMARY:standup'));
    const window = { ...OPTS, from: new Date('2027-03-01T00:00:00Z'), to: new Date('2027-03-08T00:00:00Z') };
    const got = readCalendar(text, window);
    expect(got.map((e) => e.instance)).toEqual([1, 2, 3, 4, 5, 6, 7].map((d) => `2027-03-0${d}T10:00:00.000Z`));
  });

  it(`keeps at most ${MAX_PER_SERIES} instances of one series`, () => {
    // Every minute for ten days would be 14,400 instances.
    const text = cal(vevent('minutely@test', 'DTSTART:20270301T000000Z', 'DURATION:PT1M', 'RRULE:FREQ=MINUTELY', 'SUMMARY:m'));
    const got = readCalendar(text, { ...OPTS, from: new Date('2027-03-01T00:00:00Z'), to: new Date('2027-03-11T00:00:00Z') });
    expect(got).toHaveLength(MAX_PER_SERIES);
    expect(got[MAX_PER_SERIES - 1].startsAt.toISOString()).toBe(new Date(Date.parse('2027-03-01T00:00:00Z') + (MAX_PER_SERIES - 1) * 60_000).toISOString());
  });

  it('skips a fixed-period series from years back to the window, keeping its lattice and its COUNT exact', () => {
    const window = { ...OPTS, from: new Date('2027-03-01T00:00:00Z'), to: new Date('2027-03-08T00:00:00Z') };
    const text = cal(
      // Every 15 minutes since 2015: on 1 March 2027 from 00:00Z to 23:45Z, 96 instances; the window holds 7 days of them.
      vevent('q@test', 'DTSTART:20150101T000000Z', 'DURATION:PT5M', 'RRULE:FREQ=MINUTELY;INTERVAL=15', 'SUMMARY:q'),
      // Daily from 1 January 2020, 2622 times: the last is 2020-01-01 + 2621 days = 6 March 2027 (1 March is day 2616).
      vevent('c@test', 'DTSTART:20200101T100000Z', 'DURATION:PT30M', 'RRULE:FREQ=DAILY;COUNT=2622', 'SUMMARY:c'),
      // Mondays and Wednesdays 09:00 Berlin, every other week since Monday 4 January 2010.
      vevent('w@test', 'DTSTART;TZID=Europe/Berlin:20100104T090000', 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE', 'SUMMARY:w'),
    );
    const got = readCalendar(text, window);
    const q = got.filter((e) => e.uid === 'q@test');
    expect(q).toHaveLength(7 * 96);
    expect(q[0].startsAt.toISOString()).toBe('2027-03-01T00:00:00.000Z');
    expect(q[q.length - 1].startsAt.toISOString()).toBe('2027-03-07T23:45:00.000Z');
    expect(got.filter((e) => e.uid === 'c@test').map((e) => e.instance)).toEqual([1, 2, 3, 4, 5, 6].map((d) => `2027-03-0${d}T10:00:00.000Z`));
    // 4 January 2010 to 1 March 2027 is 6265 days = 895 weeks (odd): the week of 1 March is off, so only the
    // week of 22 February (894 weeks, even) and of 8 March are on; the window (1-7 March) holds none of them.
    expect(got.filter((e) => e.uid === 'w@test')).toEqual([]);
    const wider = readCalendar(text, { ...window, to: new Date('2027-03-11T00:00:00Z') }).filter((e) => e.uid === 'w@test');
    // Monday 8 and Wednesday 10 March, 09:00 CET = 08:00Z.
    expect(wider.map((e) => e.startsAt.toISOString())).toEqual(['2027-03-08T08:00:00.000Z', '2027-03-10T08:00:00.000Z']);
  });

  it('keeps RDATEs, EXDATEs and overrides of a series whose walk was skipped ahead', () => {
    const window = { ...OPTS, from: new Date('2027-03-01T00:00:00Z'), to: new Date('2027-03-04T00:00:00Z') };
    const text = cal(
      // Daily 10:00Z since 2019, plus an RDATE long ago and one in the window (2 March 15:00Z); 3 March excluded;
      // 2 March 10:00Z moved to 11:00Z.
      vevent('d@test', 'DTSTART:20190101T100000Z', 'DURATION:PT30M', 'RRULE:FREQ=DAILY', 'RDATE:20190615T150000Z,20270302T150000Z', 'EXDATE:20270303T100000Z', 'SUMMARY:d'),
      vevent('d@test', 'RECURRENCE-ID:20270302T100000Z', 'DTSTART:20270302T110000Z', 'DURATION:PT30M', 'SUMMARY:d moved'),
    );
    expect(lines(readCalendar(text, window))).toEqual([
      '2027-03-01T10:00:00.000Z 2027-03-01T10:30:00.000Z busy 2027-03-01T10:00:00.000Z d',
      '2027-03-02T11:00:00.000Z 2027-03-02T11:30:00.000Z busy 2027-03-02T10:00:00.000Z d moved',
      '2027-03-02T15:00:00.000Z 2027-03-02T15:30:00.000Z busy 2027-03-02T15:00:00.000Z d',
    ]);
  });

  it('ends on rules that step too far, or walk from years back without reaching the window', () => {
    const text = cal(
      vevent('far@test', 'DTSTART:20270301T100000Z', 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY;INTERVAL=1000000000', 'SUMMARY:far'),
      // A COUNT with BY parts is walked from DTSTART: 50,000 steps from 2020 end in 2020, and the series is not read further.
      vevent('walk@test', 'DTSTART:20200101T000000Z', 'DURATION:PT1S', 'RRULE:FREQ=MINUTELY;BYSECOND=0;COUNT=100000000', 'SUMMARY:walk'),
    );
    // Each keeps only what is known for sure: its DTSTART.
    expect(lines(readCalendar(text, OPTS))).toEqual([
      '2027-03-01T10:00:00.000Z 2027-03-01T11:00:00.000Z busy 2027-03-01T10:00:00.000Z far',
    ]);
  });

  it(`fails, rather than return part of the calendar, past ${MAX_INSTANCES} instances in all`, () => {
    const series = Array.from({ length: Math.ceil(MAX_INSTANCES / MAX_PER_SERIES) + 1 }, (_, i) =>
      vevent(`m${i}@test`, 'DTSTART:20270301T000000Z', 'DURATION:PT1M', 'RRULE:FREQ=MINUTELY', 'SUMMARY:m'),
    );
    expect(() => readCalendar(cal(...series), OPTS)).toThrow(CalendarParseError);
  });
});

describe('readCalendar: series details', () => {
  const window = { ...OPTS, from: new Date('2027-03-01T00:00:00Z'), to: new Date('2027-03-08T00:00:00Z') };

  it('reads an override moved into the window from outside it, and drops one moved out of it', () => {
    const text = cal(
      vevent('w@test', 'DTSTART:20270301T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY;COUNT=3', 'SUMMARY:weekly'),
      // 15 March moved into the window (5 March); 1 March moved out of it (9 March).
      vevent('w@test', 'RECURRENCE-ID:20270315T090000Z', 'DTSTART:20270305T090000Z', 'DURATION:PT1H', 'SUMMARY:pulled in'),
      vevent('w@test', 'RECURRENCE-ID:20270301T090000Z', 'DTSTART:20270309T090000Z', 'DURATION:PT1H', 'SUMMARY:pushed out'),
    );
    expect(lines(readCalendar(text, window))).toEqual(['2027-03-05T09:00:00.000Z 2027-03-05T10:00:00.000Z busy 2027-03-15T09:00:00.000Z pulled in']);
  });

  it('reads an override with no series in the feed (invited to one instance) as that instance', () => {
    const text = cal(vevent('o@test', 'RECURRENCE-ID:20270302T090000Z', 'DTSTART:20270302T100000Z', 'DURATION:PT30M', 'SUMMARY:one of many'));
    expect(lines(readCalendar(text, window))).toEqual(['2027-03-02T10:00:00.000Z 2027-03-02T10:30:00.000Z busy 2027-03-02T09:00:00.000Z one of many']);
  });

  it('adds RDATEs, lets an EXDATE win over an override, and cancels every instance of a cancelled series', () => {
    const text = cal(
      vevent('r@test', 'DTSTART:20270301T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;COUNT=2', 'RDATE:20270305T150000Z', 'EXDATE:20270302T090000Z', 'SUMMARY:r'),
      vevent('r@test', 'RECURRENCE-ID:20270302T090000Z', 'DTSTART:20270302T120000Z', 'DURATION:PT1H', 'SUMMARY:r moved'),
      vevent('c@test', 'DTSTART:20270301T120000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;COUNT=2', 'STATUS:CANCELLED', 'SUMMARY:c'),
    );
    expect(lines(readCalendar(text, window))).toEqual([
      '2027-03-01T09:00:00.000Z 2027-03-01T10:00:00.000Z busy 2027-03-01T09:00:00.000Z r',
      '2027-03-05T15:00:00.000Z 2027-03-05T16:00:00.000Z busy 2027-03-05T15:00:00.000Z r',
      '2027-03-01T12:00:00.000Z 2027-03-01T13:00:00.000Z free cancelled 2027-03-01T12:00:00.000Z c',
      '2027-03-02T12:00:00.000Z 2027-03-02T13:00:00.000Z free cancelled 2027-03-02T12:00:00.000Z c',
    ]);
  });

  it('keeps the first of two events with the same UID, so no (uid, instance) comes twice', () => {
    const text = cal(
      vevent('dup@test', 'DTSTART:20270301T090000Z', 'DURATION:PT1H', 'SUMMARY:first'),
      vevent('dup@test', 'DTSTART:20270302T090000Z', 'DURATION:PT1H', 'SUMMARY:second'),
    );
    expect(readCalendar(text, window).map((e) => e.title)).toEqual(['first']);
  });

  it('takes the series\' title for an override without SUMMARY, and skips events without DTSTART or UID', () => {
    const text = cal(
      vevent('t@test', 'DTSTART:20270301T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;COUNT=2', 'SUMMARY:titled'),
      vevent('t@test', 'RECURRENCE-ID:20270302T090000Z', 'DTSTART:20270302T100000Z'),
      vevent('nostart@test', 'DURATION:PT1H', 'SUMMARY:no start'),
      ['BEGIN:VEVENT', 'DTSTART:20270301T090000Z', 'SUMMARY:no uid', 'END:VEVENT'].join('\r\n'),
    );
    expect(readCalendar(text, window).map((e) => e.title)).toEqual(['titled', 'titled']);
  });
});

describe('readCalendar: what is not a calendar', () => {
  const cases: [string, string, RegExp][] = [
    ['an HTML error page', '<!DOCTYPE html><html><body>Sign in to continue</body></html>', /web page \(HTML\)/],
    ['JSON', '{"error":{"code":404,"message":"Not Found"}}', /JSON/],
    ['an empty body', '', /empty/],
    ['white space', ' \r\n\t\r\n', /empty/],
    ['another iCalendar-like object', 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jane\r\nEND:VCARD\r\n', /does not start with BEGIN:VCALENDAR/],
    ['plain text', 'Service Unavailable', /does not start with BEGIN:VCALENDAR/],
    ['a file cut off mid-way', fixture('google.ics').slice(0, 3000), /cut off/],
    ['a broken line', cal(vevent('x@test', 'DTSTART:20270301T090000Z', 'this line has no colon')), /not valid iCalendar \(invalid line/],
    // ical.js reads rules while parsing: a broken one makes the file unreadable (the last good events stay).
    ['a repeat rule with an hour 25', cal(vevent('x@test', 'DTSTART:20270301T090000Z', 'RRULE:FREQ=DAILY;BYHOUR=25')), /not valid iCalendar \(BYHOUR/],
  ];
  for (const [what, text, message] of cases) {
    it(`refuses ${what} with a CalendarParseError in plain words`, () => {
      let error: unknown;
      try {
        readCalendar(text, OPTS);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CalendarParseError);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('skips an event it cannot read, but refuses a calendar none of whose events can be read', () => {
    const bad = vevent('bad@test', 'DTSTART:tomorrow', 'SUMMARY:bad');
    const good = vevent('good@test', 'DTSTART:20270301T090000Z', 'DURATION:PT1H', 'SUMMARY:good');
    expect(readCalendar(cal(bad, good), OPTS).map((e) => e.title)).toEqual(['good']);
    expect(() => readCalendar(cal(bad, vevent('bad2@test', 'DTSTART:soon', 'SUMMARY:bad')), OPTS)).toThrow(/none of the calendar's 2 events could be read/);
  });

  it('reads a valid calendar with no events (or only to-dos) as empty: a calendar that really is empty', () => {
    expect(readCalendar(fixture('google-empty.ics'), OPTS)).toEqual([]);
    expect(readCalendar(cal('BEGIN:VTODO', 'UID:t@test', 'DTSTAMP:20270101T000000Z', 'SUMMARY:todo', 'END:VTODO'), OPTS)).toEqual([]);
  });

  it('reads several VCALENDARs written one after the other', () => {
    const text = cal(vevent('one@test', 'DTSTART:20270301T090000Z', 'DURATION:PT1H', 'SUMMARY:one')) + cal(vevent('two@test', 'DTSTART:20270302T090000Z', 'DURATION:PT1H', 'SUMMARY:two'));
    expect(readCalendar(text, OPTS).map((e) => e.title)).toEqual(['one', 'two']);
  });

  it('takes a byte-order mark and LF line ends', () => {
    const text = '\uFEFF' + cal(vevent('lf@test', 'DTSTART:20270301T090000Z', 'DURATION:PT1H', 'SUMMARY:lf')).replace(/\r\n/g, '\n');
    expect(readCalendar(text, OPTS).map((e) => e.title)).toEqual(['lf']);
  });
});

describe('readCalendarObjects (CalDAV: one VCALENDAR per object)', () => {
  it('reads every object with its own zones and keeps (uid, instance) unique across objects', () => {
    const objects = [
      cal(fixedZone('Custom Zone', '+0200'), vevent('a@test', 'DTSTART;TZID=Custom Zone:20270301T090000', 'DURATION:PT1H', 'SUMMARY:a')),
      // The same TZID without its definition here: the rep's zone (CET), not the other object's +02:00.
      cal(vevent('b@test', 'DTSTART;TZID=Custom Zone:20270301T090000', 'DURATION:PT1H', 'SUMMARY:b')),
      cal(
        vevent('s@test', 'DTSTART:20270302T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;COUNT=2', 'SUMMARY:s'),
        vevent('s@test', 'RECURRENCE-ID:20270303T090000Z', 'DTSTART:20270303T150000Z', 'DURATION:PT1H', 'STATUS:CANCELLED', 'SUMMARY:s'),
      ),
      cal(vevent('a@test', 'DTSTART:20270304T090000Z', 'DURATION:PT1H', 'SUMMARY:a again')),
    ];
    expect(lines(readCalendarObjects(objects, OPTS))).toEqual([
      '2027-03-01T07:00:00.000Z 2027-03-01T08:00:00.000Z busy - a',
      '2027-03-01T08:00:00.000Z 2027-03-01T09:00:00.000Z busy - b',
      '2027-03-02T09:00:00.000Z 2027-03-02T10:00:00.000Z busy 2027-03-02T09:00:00.000Z s',
      '2027-03-03T15:00:00.000Z 2027-03-03T16:00:00.000Z free cancelled 2027-03-03T09:00:00.000Z s',
    ]);
  });

  it('skips an object whose one event cannot be read, unless no event of any object can be', () => {
    const bad = cal(vevent('bad@test', 'DTSTART:tomorrow', 'SUMMARY:bad'));
    const good = cal(vevent('good@test', 'DTSTART:20270301T090000Z', 'DURATION:PT1H', 'SUMMARY:good'));
    expect(readCalendarObjects([bad, good], OPTS).map((e) => e.title)).toEqual(['good']);
    expect(() => readCalendarObjects([bad, bad], OPTS)).toThrow(CalendarParseError);
  });

  it('fails on an object that is not iCalendar, naming which', () => {
    expect(() => readCalendarObjects([cal(), '<html></html>', cal()], OPTS)).toThrow(/object 2 of 3/);
    expect(readCalendarObjects([], OPTS)).toEqual([]);
  });
});

describe('isCustomerCall', () => {
  const company = ['example.com', 'Example.co.uk'];
  it('is true when one attendee is outside the company domains, ignoring case', () => {
    expect(isCustomerCall(['lead@example.com', 'Jane.Doe@ACME-corp.com'], company)).toBe(true);
    expect(isCustomerCall(['someone@EXAMPLE.CO.UK', 'a@Example.Com'], company)).toBe(false);
  });
  it('counts subdomains of a company domain as the company, but not look-alike domains', () => {
    expect(isCustomerCall(['colleague@eu.example.com', 'x@sales.eu.example.com'], company)).toBe(false);
    expect(isCustomerCall(['buyer@notexample.com'], company)).toBe(true);
    expect(isCustomerCall(['buyer@example.com.evil.test'], company)).toBe(true);
  });
  it('is false with no attendees or no addresses', () => {
    expect(isCustomerCall([], company)).toBe(false);
    expect(isCustomerCall(['not an address', 'x@'], company)).toBe(false);
  });
  it('agrees with the fixtures: the Acme and Initech calls are customer calls, the team sync is not', () => {
    const google = readCalendar(fixture('google.ics'), OPTS);
    const outlook = readCalendar(fixture('outlook.ics'), OPTS);
    const calls = [...google, ...outlook].filter((e) => !e.cancelled && isCustomerCall(e.attendees, ['example.com'])).map((e) => e.title);
    expect([...new Set(calls)]).toEqual(['Acme renewal call', 'Globex weekly check-in', 'Webinar dry run', 'Initech demo']);
  });
});
