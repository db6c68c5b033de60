// iCalendar (RFC 5545) files and iTIP (RFC 5546) messages for bookings and shifts. Pure: no clock, no I/O.
//
// ical-generator writes the calendar, the VTIMEZONE blocks (timezones-ical-library, through its timezone
// generator option) and the VEVENT core: UID, SEQUENCE, DTSTAMP (UTC), DTSTART/DTEND (Luxon DateTimes set to
// the zone, so the wall clock never depends on the process TZ), SUMMARY/DESCRIPTION/LOCATION (TEXT escaped)
// and STATUS. It gets a few properties wrong, so a thin post-processing step (`addLines`) writes those
// itself and folds again:
// - CN parameters: it backslash-escapes `"` and `\` inside the quoted value; RFC 5545 has no escapes in
//   parameters, so a `"` ends the value and `\` comes back doubled.
// - ORGANIZER/ATTENDEE addresses: TEXT-escaped (`,` -> `\,`), but a cal-address is a URI.
// - URL: TEXT-escaped as well; X-WR-CALNAME is written without any escaping (a newline would inject).
// - UID is written raw although it is TEXT: it is passed in escaped here.
// Its folding measures every character with a new TextEncoder; the text is taken unfolded from it
// (`unfoldedCalendar`) and folded here (`foldLine`), with the same result.

import ical, { foldLines, type ICalCalendar, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime, IANAZone } from 'luxon';
import { tzlib_get_ical_block } from 'timezones-ical-library';

export interface CalendarPerson {
  name: string;
  email: string;
}

export interface CalendarEvent {
  /** Never changes for a booking/shift, e.g. `booking-<uuid>@ridealong`. */
  uid: string;
  /** Rises on every change. */
  sequence: number;
  /** Instants. */
  start: Date;
  end: Date;
  /** IANA zone the times are written in (DTSTART;TZID=…), with a VTIMEZONE for it. */
  timeZone: string;
  summary: string;
  /** User text: names, reasons, labels, preparation notes (multi-line). */
  description?: string;
  location?: string;
  url?: string;
  organizer: CalendarPerson;
  attendees: CalendarPerson[];
  status: 'CONFIRMED' | 'CANCELLED';
  /** DTSTAMP: the change's time (passed in: no clock inside). */
  stamp: Date;
}

const PRODID = { company: 'ridealong', product: 'ridealong', language: 'EN' };

/**
 * A METHOD:REQUEST (new/changed) or METHOD:CANCEL (cancelled) iTIP message with one VEVENT.
 * A CANCEL always carries STATUS:CANCELLED; a REQUEST for an event whose status is CANCELLED is refused.
 */
export function inviteIcs(event: CalendarEvent, method: 'REQUEST' | 'CANCEL'): string {
  if (method !== 'REQUEST' && method !== 'CANCEL') throw new RangeError(`method must be REQUEST or CANCEL, not ${String(method)}`);
  if (method === 'REQUEST' && event.status === 'CANCELLED') {
    throw new RangeError('a cancelled event is sent with method CANCEL, not REQUEST');
  }
  const status = method === 'CANCEL' ? 'CANCELLED' : event.status;
  return build(method, undefined, [{ event, status, people: method === 'REQUEST' ? 'request' : 'cancel' }]);
}

/**
 * A subscription feed: METHOD:PUBLISH, X-WR-CALNAME = name, one VEVENT per event, a VTIMEZONE for every zone
 * used. Each VEVENT has its ORGANIZER but no ATTENDEEs (RFC 5546 §3.2.1: PUBLISH carries none; clients
 * would otherwise offer to RSVP): put who takes part into the description if readers need it.
 */
export function feedIcs(name: string, events: CalendarEvent[]): string {
  return build(
    'PUBLISH',
    name,
    events.map((event) => ({ event, status: event.status, people: 'organizer' as const })),
  );
}

type People = 'request' | 'cancel' | 'organizer';

function build(
  method: 'REQUEST' | 'CANCEL' | 'PUBLISH',
  calendarName: string | undefined,
  items: { event: CalendarEvent; status: CalendarEvent['status']; people: People }[],
): string {
  const blocks = new Map<string, string>(); // canonical TZID -> VTIMEZONE
  const zoneBlock = (tzid: string) => blocks.get(tzid) ?? null;
  const cal = ical({
    prodId: PRODID,
    scale: 'gregorian',
    method: ICalCalendarMethod[method],
    // No calendar zone name: it would also switch DTSTAMP to local time. The generator is asked for each
    // event's zone.
    timezone: { name: null, generator: zoneBlock },
  });

  const eventLines: string[][] = [];
  for (const { event, status, people } of items) {
    const { tzid, block } = vtimezone(event.timeZone);
    blocks.set(tzid, block);
    const start = instant(event.start, 'start');
    const end = instant(event.end, 'end');
    if (end.getTime() < start.getTime()) throw new RangeError(`event ${event.uid}: end is before start`);
    if (!Number.isSafeInteger(event.sequence) || event.sequence < 0) {
      throw new RangeError(`event ${event.uid}: sequence must be a non-negative integer`);
    }
    cal.createEvent({
      id: escapeText(uid(event.uid)), // written raw by ical-generator, but UID is TEXT
      sequence: event.sequence,
      stamp: instant(event.stamp, 'stamp'),
      start: DateTime.fromJSDate(start, { zone: tzid }),
      end: DateTime.fromJSDate(end, { zone: tzid }),
      timezone: tzid,
      summary: cleanText(event.summary),
      description: event.description === undefined ? null : cleanText(event.description),
      location: event.location === undefined ? null : cleanText(event.location),
      status: status === 'CANCELLED' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
    eventLines.push(ownEventLines(event, people));
  }

  const calendarLines = calendarName === undefined ? [] : [`X-WR-CALNAME:${escapeText(cleanText(calendarName))}`];
  return addLines(unfoldedCalendar(cal, zoneBlock), calendarLines, eventLines);
}

/**
 * `cal.toString()` unfolded, for calendars as `build` makes them (PRODID, CALSCALE, METHOD, VTIMEZONEs from
 * `zoneBlock`, the generator the calendar was given, and events; with anything else set it asks the library).
 * The library folds its whole text measuring each character with a new TextEncoder, a third of an invite's
 * cost, and `addLines` unfolds it again at once. The events are still written by the library. ics.spec.ts
 * compares this with the library's own text.
 */
export function unfoldedCalendar(cal: ICalCalendar, zoneBlock: (tzid: string) => string | null): string {
  if (cal.url() || cal.source() || cal.name() || cal.description() || cal.timezone() || cal.ttl() || cal.color() || cal.x().length) {
    return cal.toString().replace(/\r\n[ \t]/g, '');
  }
  let out = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-${cal.prodId()}\r\n`;
  if (cal.scale()) out += `CALSCALE:${cal.scale()}\r\n`;
  if (cal.method()) out += `METHOD:${cal.method()}\r\n`;
  const events = cal.events();
  for (const zone of new Set(events.map((e) => e.timezone()))) {
    if (zone === null || zone.startsWith('/')) continue;
    const block = zoneBlock(zone);
    if (block) out += block.replace(/\r\n/g, '\n').replace(/\n/g, '\r\n').trim() + '\r\n';
  }
  for (const event of events) out += event.toString();
  return out + 'END:VCALENDAR';
}

/**
 * The post-processing step: unfold ical-generator's output, put `calendarLines` after the calendar's own
 * properties (before its first component) and `eventLines[i]` at the end of the i-th VEVENT, fold again.
 * User text cannot fake a line here: every TEXT value has its line breaks escaped before this runs.
 */
export function addLines(ics: string, calendarLines: string[], eventLines: string[][]): string {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  const out: string[] = [];
  let calendarDone = false;
  let vevent = 0;
  for (const [i, line] of lines.entries()) {
    if (!calendarDone && i > 0 && (line.startsWith('BEGIN:') || line === 'END:VCALENDAR')) {
      out.push(...calendarLines);
      calendarDone = true;
    }
    if (line === 'END:VEVENT') {
      const extra = eventLines[vevent++];
      if (!extra) throw new Error('ical-generator wrote more VEVENTs than events');
      out.push(...extra);
    }
    out.push(line);
  }
  if (vevent !== eventLines.length) throw new Error('ical-generator wrote fewer VEVENTs than events');
  // Fold only the lines that need it: most are short.
  return out.map((line) => (Buffer.byteLength(line) <= 75 ? line : foldLine(line))).join('\r\n') + '\r\n';
}

/** A high surrogate not followed by a low one, or a low one not after a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * ical-generator's `foldLines` for one line, with the same output (ics.spec.ts compares them on random text):
 * a fold before the character that would take the physical line past 74 octets. The library measures each
 * character by encoding it with a new TextEncoder, which made folding a tenth of an invite's cost; here the
 * octets come from the UTF-16 code unit. A line with a lone surrogate (which the library measures its own way)
 * goes to the library.
 */
export function foldLine(line: string): string {
  if (LONE_SURROGATE.test(line)) return foldLines(line);
  let out = '';
  let from = 0; // where the current physical line starts in `line`
  let octets = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff; // with its low surrogate: one character of 4 octets
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
    octets += size;
    if (octets > 74) {
      out += line.slice(from, i) + '\r\n ';
      from = i;
      octets = size;
    }
    if (pair) i++;
  }
  return out + line.slice(from);
}

function ownEventLines(event: CalendarEvent, people: People): string[] {
  const lines = [`ORGANIZER${cnParam(event.organizer.name)}:${mailto(event.organizer.email)}`];
  if (people !== 'organizer') {
    const params = people === 'request' ? ';ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE' : ';ROLE=REQ-PARTICIPANT';
    for (const a of event.attendees) lines.push(`ATTENDEE${cnParam(a.name)}${params}:${mailto(a.email)}`);
  }
  if (event.url !== undefined) {
    const url = uriText(event.url);
    if (url) lines.push(`URL;VALUE=URI:${url}`);
  }
  return lines;
}

/** The zone's canonical TZID (timezones-ical-library maps aliases: US/Eastern -> America/New_York) and VTIMEZONE. */
const vtimezones = new Map<string, { tzid: string; block: string }>();

/** The VTIMEZONE for a zone, built once per zone per process (tzdata does not change under a running process). */
function vtimezone(zone: string): { tzid: string; block: string } {
  let found = vtimezones.get(zone);
  if (!found) {
    found = buildVtimezone(zone);
    if (vtimezones.size < 1000) vtimezones.set(zone, found);
  }
  return found;
}

function buildVtimezone(zone: string): { tzid: string; block: string } {
  if (typeof zone !== 'string' || !IANAZone.isValidZone(zone)) {
    throw new RangeError(`timeZone must be an IANA time zone such as Europe/Berlin, not ${JSON.stringify(zone)}`);
  }
  const found = tzlib_get_ical_block(zone);
  const [block, tzidLine] = Array.isArray(found) ? found : [];
  const tzid = tzidLine?.startsWith('TZID=') ? tzidLine.slice('TZID='.length) : '';
  if (!block || !tzid || !block.includes(`\nTZID:${tzid}\r`)) {
    throw new RangeError(`no VTIMEZONE is known for time zone ${zone}`);
  }
  return { tzid, block };
}

function instant(value: Date, field: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new RangeError(`${field} must be a valid Date`);
  return value;
}

/** Controls other than tab, CR and LF are not allowed in TEXT; CR/LF survive as `\n` (ical-generator escapes them). */
export function cleanText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return String(value).replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g, '');
}

/** RFC 5545 §3.3.11 TEXT escaping, for values ical-generator writes raw or not at all. */
export function escapeText(value: string): string {
  return value.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '\\n');
}

function uid(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value.trim() === '' || /[\x00-\x1F\x7F]/.test(value)) {
    throw new RangeError(`uid must be non-empty text without control characters: ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * `;CN="…"` (empty when the name is empty). RFC 5545 quoted-string: no controls and no DQUOTE, no escapes.
 * Controls and line breaks become spaces, `"` becomes `'`. A `^` that would start an RFC 6868 escape (`^n`,
 * `^'`, `^^`) is written `^^`, so RFC 6868 readers (ical.js, Apple) show the name as given.
 */
export function cnParam(name: string): string {
  const cn = String(name ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x1F\x7F]+/g, ' ')
    .replace(/"/g, "'")
    .replace(/\^(?=[n^'N])/g, '^^')
    .replace(/ {2,}/g, ' ')
    .trim();
  return cn ? `;CN="${cn}"` : '';
}

/** `mailto:` + the address with whitespace and controls removed (they cannot be in an address and could inject). */
export function mailto(email: string): string {
  // eslint-disable-next-line no-control-regex
  const address = String(email ?? '').replace(/^mailto:/i, '').replace(/[\x00-\x20\x7F]/g, '');
  if (!address) throw new RangeError(`not an email address: ${JSON.stringify(email)}`);
  return `mailto:${address}`;
}

/** A URI value (no TEXT escaping): controls removed, spaces percent-encoded. */
function uriText(value: string): string {
  return String(value)
    .trim()
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x1F\x7F]/g, '')
    .replace(/ /g, '%20');
}
