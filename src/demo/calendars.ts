import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { COMPANIES, DEMO_DOMAIN, pick, type Random } from './texts.js';

/** One event of a rep's demo calendar. */
export interface DemoEvent {
  uid: string;
  start: DateTime;
  end: DateTime;
  summary: string;
  organizer: string;
  attendees: string[];
}

/** iCalendar TEXT escaping (RFC 5545 3.3.11). */
const text = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
const utc = (d: DateTime) => d.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");

/** A feed as Google Calendar's "secret address in iCal format" writes it. */
export function feedOf(name: string, events: DemoEvent[], stamp: DateTime): string {
  const lines = ['BEGIN:VCALENDAR', 'PRODID:-//ridealong demo//calendar//EN', 'VERSION:2.0', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${text(name)}`];
  for (const e of events) {
    lines.push('BEGIN:VEVENT', `DTSTART:${utc(e.start)}`, `DTEND:${utc(e.end)}`, `DTSTAMP:${utc(stamp)}`, `UID:${e.uid}`);
    lines.push(`ORGANIZER;CN=${text(e.organizer)}:mailto:${e.organizer}`);
    for (const a of e.attendees) lines.push(`ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=${text(a)}:mailto:${a}`);
    lines.push('SEQUENCE:0', 'STATUS:CONFIRMED', `SUMMARY:${text(e.summary)}`, 'TRANSP:OPAQUE', 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}

const CALL_KINDS = ['Discovery call', 'Product demo', 'Renewal review', 'Pricing walkthrough', 'Security Q&A', 'Onboarding check-in'];

/**
 * A rep's next two weeks: customer calls (an attendee outside the company's domain) inside the rep's
 * windows, and an internal meeting or two (company attendees only: not a customer call, but busy time).
 */
export function repCalendar(r: Random, rep: { email: string; timeZone: string; windows: [string, string][] }, now: DateTime): DemoEvent[] {
  const events: DemoEvent[] = [];
  const today = now.setZone(rep.timeZone).startOf('day');
  let n = 0;
  for (let d = 2; d <= 15; d++) {
    const day = today.plus({ days: d });
    if (day.weekday > 5) continue;
    const roll = r();
    if (roll < 0.5) continue;
    const [start] = pick(r, rep.windows);
    const [h, m] = start.split(':').map(Number);
    const begins = day.set({ hour: h, minute: m }).plus({ minutes: 15 * Math.floor(r() * 3) });
    if (roll < 0.85) {
      const company = pick(r, COMPANIES);
      const domain = `${company.toLowerCase().replace(/[^a-z]/g, '')}.example`;
      events.push({
        uid: `demo-${++n}-${rep.email}`,
        start: begins,
        end: begins.plus({ minutes: 45 }),
        summary: `${pick(r, CALL_KINDS)} — ${company}`,
        organizer: rep.email,
        attendees: [rep.email, `${pick(r, ['alex', 'sam', 'jordan', 'morgan', 'casey'])}@${domain}`],
      });
    } else {
      events.push({ uid: `demo-${++n}-${rep.email}`, start: begins, end: begins.plus({ minutes: 30 }), summary: 'Pipeline review', organizer: `sales-lead@${DEMO_DOMAIN}`, attendees: [rep.email, `sales-lead@${DEMO_DOMAIN}`] });
    }
  }
  return events;
}

/**
 * The demo's calendar server: each rep's calendar at a secret address on 127.0.0.1, as a calendar product
 * publishes it. It lives as long as the demo process, so the service's scheduled syncs keep reading it.
 */
export class DemoCalendars {
  private server?: Server;
  private readonly feeds = new Map<string, string>();
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const body = this.feeds.get((req.url ?? '/').split('?')[0]);
      if (!body) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      else res.writeHead(200, { 'Content-Type': 'text/calendar; charset=utf-8' }).end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Publishes a feed; returns its secret address. */
  publish(name: string, events: DemoEvent[], stamp: DateTime): string {
    const path = `/calendars/${randomBytes(12).toString('hex')}/basic.ics`;
    this.feeds.set(path, feedOf(name, events, stamp));
    return `${this.url}${path}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
