/** Writers of test feeds in the shapes calendar products export (serve them with IcsServer, ./ics-server.ts). */
import { DateTime } from 'luxon';

/** An event of a test feed: times as Luxon DateTimes (written in UTC), attendees by address. */
export interface FeedEventSpec {
  uid: string;
  start: DateTime;
  end: DateTime;
  summary: string;
  organizer?: string;
  attendees?: string[];
  transparent?: boolean;
}

/** iCalendar TEXT escaping (RFC 5545 3.3.11). */
const text = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
const utc = (d: DateTime) => d.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");

/** A feed as Google Calendar exports its "secret address in iCal format" (CRLF lines, PRODID, X-WR-CALNAME). */
export function googleFeed(name: string, events: FeedEventSpec[]): string {
  const lines = ['BEGIN:VCALENDAR', 'PRODID:-//Google Inc//Google Calendar 70.9054//EN', 'VERSION:2.0', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${text(name)}`, 'X-WR-TIMEZONE:America/New_York'];
  for (const e of events) {
    lines.push('BEGIN:VEVENT', `DTSTART:${utc(e.start)}`, `DTEND:${utc(e.end)}`, `DTSTAMP:${utc(DateTime.utc())}`, `UID:${e.uid}`);
    if (e.organizer) lines.push(`ORGANIZER;CN=${e.organizer}:mailto:${e.organizer}`);
    for (const a of e.attendees ?? []) lines.push(`ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=${a};X-NUM-GUESTS=0:mailto:${a}`);
    lines.push('CREATED:20260101T000000Z', 'LAST-MODIFIED:20260101T000000Z', 'SEQUENCE:0', 'STATUS:CONFIRMED', `SUMMARY:${text(e.summary)}`, `TRANSP:${e.transparent ? 'TRANSPARENT' : 'OPAQUE'}`, 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}
