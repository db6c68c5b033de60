import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';

/**
 * A real HTTP server serving calendar feeds, as Google or Outlook would: each path answers with the body
 * set for it (`text/calendar` unless told otherwise). Counts the requests per path.
 */
export class FeedServer {
  private server?: Server;
  private readonly routes = new Map<string, { body: string; type: string; status: number }>();
  readonly hits = new Map<string, number>();
  url = '';

  set(path: string, body: string, type = 'text/calendar; charset=utf-8', status = 200): string {
    this.routes.set(path, { body, type, status });
    return `${this.url}${path}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      const r = this.routes.get(path);
      if (!r) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(r.status, { 'Content-Type': r.type }).end(r.body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

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
