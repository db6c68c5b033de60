/**
 * Calendar sync benchmark: how long reading a big ICS feed takes (readCalendar: ical.js parsing, recurrence
 * expansion, zones, busy rules), and how much memory it needs on top of the feed text itself.
 *
 * The feed is generated, seeded, in the shape Google Calendar exports: 5,000 VEVENTs, of which 200 are
 * recurring series (weekly, every other week, weekdays, monthly, weekly with COUNT; in Europe/Berlin and
 * America/New_York with their VTIMEZONEs, or UTC; started up to two years back) and 100 are exceptions
 * (RECURRENCE-ID overrides, beside 100 EXDATEs) of 50 of the weekly series; the other 4,700 are single
 * events over a year, a quarter of them in the window, with attendees (some outside the company),
 * cancelled, transparent and all-day ones. The window is 90 days.
 *
 * Memory is measured in a child process (node --expose-gc, fresh, so its peak is this read's): peak RSS
 * (getrusage maxRSS) over the RSS after the feed text was built and garbage collected, and the heap still
 * held by the result. Time: the median of RUNS reads after one warm-up read; the cold (first) read is shown
 * too. Run alone with `npm run build && node dist/bench/run.js calendar-sync`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readCalendar, readCalendarObjects, type ReadOptions } from '../src/calendar-sync/ics-read.js';
import { seededRandom } from '../src/common/seeded-random.js';
import { type BenchRow, median } from './table.js';

const AREA = 'calendar sync';
const RUNS = 5;
const EVENTS = 5000;
const SERIES = 200;
const SERIES_WITH_EXCEPTIONS = 50;
const DAY = 86_400_000;
/** The window: 1 March 2027 (the EU and US DST changes fall inside it) for 90 days. */
const FROM = Date.UTC(2027, 2, 1);
const TO = FROM + 90 * DAY;
const OPTS: ReadOptions = { from: new Date(FROM), to: new Date(TO), ownEmails: ['rep@example.com'], defaultZone: 'Europe/Berlin' };

const VTIMEZONES = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Berlin',
  'X-LIC-LOCATION:Europe/Berlin',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
  'BEGIN:VTIMEZONE',
  'TZID:America/New_York',
  'X-LIC-LOCATION:America/New_York',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:-0500',
  'TZOFFSETTO:-0400',
  'TZNAME:EDT',
  'DTSTART:19700308T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:-0400',
  'TZOFFSETTO:-0500',
  'TZNAME:EST',
  'DTSTART:19701101T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

const pad = (n: number) => String(n).padStart(2, '0');
/** A wall clock (or UTC) as iCalendar writes it: the Date's UTC fields, yyyyMMddTHHmmss. */
const wall = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}00`;
};
const dateOnly = (ms: number) => wall(ms).slice(0, 8);

/** The feed text, and how many VEVENTs of each kind it holds. */
export function generateFeed(seed = 14): { text: string; vevents: number; series: number; overrides: number } {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const lines = [
    'BEGIN:VCALENDAR',
    'PRODID:-//Google Inc//Google Calendar 70.9054//EN',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'X-WR-CALNAME:rep@example.com',
    'X-WR-TIMEZONE:Europe/Berlin',
    ...VTIMEZONES,
  ];
  const people = (n: number, external: boolean) => {
    const out = ['ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=rep@example.com;X-NUM-GUESTS=0:mailto:rep@example.com'];
    for (let i = 0; i < n; i++) {
      const domain = external && i === 0 ? pick(['acme.example.org', 'globex.example.net', 'initech.example.com.au']) : 'example.com';
      out.push(`ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=Person ${i};X-NUM-GUESTS=0:mailto:person${Math.floor(rnd() * 500)}@${domain}`);
    }
    return out;
  };
  const common = (uid: string, title: string) => [`UID:${uid}`, 'DTSTAMP:20270220T101500Z', 'CREATED:20260110T083000Z', 'LAST-MODIFIED:20270220T101500Z', `SUMMARY:${title}`, 'SEQUENCE:0'];

  let overrides = 0;
  let weekly = 0;
  for (let s = 0; s < SERIES; s++) {
    const zone = s % 10 === 9 ? 'UTC' : s % 3 === 0 ? 'America/New_York' : 'Europe/Berlin';
    // A local wall clock (as a naive UTC Date) on a weekday, 08:00-17:30, started 0-730 days before the window.
    const startDay = FROM - Math.floor(rnd() * 730) * DAY;
    const start = startDay + (8 * 60 + Math.floor(rnd() * 20) * 30) * 60_000;
    const minutes = pick([15, 30, 30, 45, 60]);
    const kind = s % 10 < 4 ? 'weekly' : s % 10 < 6 ? 'biweekly' : s % 10 < 8 ? 'weekdays' : s % 10 === 8 ? 'monthly' : 'count';
    const rule = {
      weekly: 'RRULE:FREQ=WEEKLY',
      biweekly: 'RRULE:FREQ=WEEKLY;INTERVAL=2',
      weekdays: 'RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR',
      monthly: 'RRULE:FREQ=MONTHLY;BYDAY=1TU',
      count: 'RRULE:FREQ=WEEKLY;COUNT=120',
    }[kind];
    const at = (ms: number) => (zone === 'UTC' ? `:${wall(ms)}Z` : `;TZID=${zone}:${wall(ms)}`);
    const uid = `series${s}x${Math.floor(rnd() * 1e9).toString(36)}@google.com`;
    const title = `Recurring ${kind} ${s}`;
    const exceptions = kind === 'weekly' && weekly++ < SERIES_WITH_EXCEPTIONS;
    // Occurrences of a weekly series are start + 7k days on the wall clock; the exceptions fall in the window.
    const firstInWindow = Math.ceil((FROM - start) / (7 * DAY));
    lines.push('BEGIN:VEVENT', `DTSTART${at(start)}`, `DTEND${at(start + minutes * 60_000)}`, rule);
    if (exceptions) lines.push(`EXDATE${at(start + (firstInWindow + 1) * 7 * DAY)}`, `EXDATE${at(start + (firstInWindow + 5) * 7 * DAY)}`);
    lines.push(...common(uid, title), 'ORGANIZER;CN=rep@example.com:mailto:rep@example.com', ...people(1 + Math.floor(rnd() * 4), s % 4 === 0), 'STATUS:CONFIRMED', 'TRANSP:OPAQUE', 'END:VEVENT');
    if (exceptions) {
      for (const k of [firstInWindow + 2, firstInWindow + 7]) {
        const original = start + k * 7 * DAY;
        const moved = original + pick([-1, 1, 2]) * DAY + pick([0, 60, 120]) * 60_000;
        lines.push(
          'BEGIN:VEVENT',
          `DTSTART${at(moved)}`,
          `DTEND${at(moved + minutes * 60_000)}`,
          `RECURRENCE-ID${at(original)}`,
          ...common(uid, `${title} (moved)`),
          ...(k % 3 === 0 ? ['STATUS:CANCELLED'] : ['STATUS:CONFIRMED']),
          'TRANSP:OPAQUE',
          'END:VEVENT',
        );
        overrides++;
      }
    }
  }

  const singles = EVENTS - SERIES - overrides;
  const spanStart = FROM - 270 * DAY; // a year of calendar: three quarters before the window, one in it
  for (let i = 0; i < singles; i++) {
    const uid = `${Math.floor(rnd() * 1e12).toString(36)}${i}@google.com`;
    const day = spanStart + Math.floor(rnd() * 360) * DAY;
    const r = rnd();
    const props: string[] = [];
    if (r < 0.03) {
      props.push(`DTSTART;VALUE=DATE:${dateOnly(day)}`, `DTEND;VALUE=DATE:${dateOnly(day + DAY)}`, 'TRANSP:TRANSPARENT');
    } else {
      const start = day + (7 * 60 + Math.floor(rnd() * 22) * 30) * 60_000; // UTC, as Google writes single events
      props.push(`DTSTART:${wall(start)}Z`, `DTEND:${wall(start + pick([30, 30, 60, 60, 90]) * 60_000)}Z`);
      props.push(r < 0.08 ? 'STATUS:CANCELLED' : 'STATUS:CONFIRMED', r > 0.9 ? 'TRANSP:TRANSPARENT' : 'TRANSP:OPAQUE');
    }
    lines.push(
      'BEGIN:VEVENT',
      ...props,
      ...common(uid, `Meeting ${i}`),
      `DESCRIPTION:Agenda for meeting ${i}: pipeline\\, forecast\\, next steps.`,
      'LOCATION:',
      ...(rnd() < 0.7 ? ['ORGANIZER;CN=Someone:mailto:someone@example.com', ...people(Math.floor(rnd() * 5), rnd() < 0.3)] : []),
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR', '');
  return { text: lines.join('\r\n'), vevents: SERIES + overrides + singles, series: SERIES, overrides };
}

/** The feed as a CalDAV server holds it: one VCALENDAR per UID (a series with its overrides), each with the VTIMEZONEs. */
export function asObjects(text: string): string[] {
  const head = text.slice(0, text.indexOf('BEGIN:VEVENT'));
  const blocks = text.slice(text.indexOf('BEGIN:VEVENT'), text.lastIndexOf('END:VCALENDAR')).split(/(?=BEGIN:VEVENT\r\n)/);
  const byUid = new Map<string, string>();
  for (const b of blocks) {
    const uid = /\r\nUID:(.*)\r\n/.exec(b)?.[1] ?? '';
    byUid.set(uid, (byUid.get(uid) ?? '') + b);
  }
  return [...byUid.values()].map((b) => head + b + 'END:VCALENDAR\r\n');
}

interface ChildResult {
  feedMb: number;
  vevents: number;
  series: number;
  overrides: number;
  instances: number;
  busy: number;
  coldMs: number;
  medianMs: number;
  peakRssMb: number;
  heapHeldMb: number;
  objects: number;
  objectsInstances: number;
  objectsMedianMs: number;
}

const mb = (bytes: number) => bytes / (1024 * 1024);

/** In the child: build the feed, then read it, measuring. */
function measure(): ChildResult {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const feed = generateFeed();
  gc();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  let t0 = performance.now();
  let events = readCalendar(feed.text, OPTS);
  const coldMs = performance.now() - t0;
  const peakRss = process.resourceUsage().maxRSS * 1024; // KiB
  gc();
  const heapHeld = process.memoryUsage().heapUsed - heapBefore;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    t0 = performance.now();
    events = readCalendar(feed.text, OPTS);
    times.push(performance.now() - t0);
  }
  const objects = asObjects(feed.text);
  let fromObjects = readCalendarObjects(objects, OPTS); // warm-up
  const objectTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    t0 = performance.now();
    fromObjects = readCalendarObjects(objects, OPTS);
    objectTimes.push(performance.now() - t0);
  }
  return {
    objects: objects.length,
    objectsInstances: fromObjects.length,
    objectsMedianMs: median(objectTimes),
    feedMb: mb(Buffer.byteLength(feed.text)),
    vevents: feed.vevents,
    series: feed.series,
    overrides: feed.overrides,
    instances: events.length,
    busy: events.filter((e) => e.busy).length,
    coldMs,
    medianMs: median(times),
    peakRssMb: mb(Math.max(0, peakRss - rssBefore)),
    heapHeldMb: mb(heapHeld),
  };
}

export async function run(): Promise<BenchRow[]> {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--expose-gc', self, '--child'], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`the measuring process failed: ${(child.stderr || '').split('\n').find((l) => l.trim()) ?? child.status}`);
  const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as ChildResult;
  const feed = `${r.vevents.toLocaleString('en')} VEVENTs (${r.series} series, ${r.overrides} overrides, 100 EXDATEs; ${r.feedMb.toFixed(1)} MB)`;
  return [
    {
      area: AREA,
      case: `readCalendar, ${feed}, 90-day window: ${r.instances.toLocaleString('en')} instances (${r.busy.toLocaleString('en')} busy); median of ${RUNS} after one warm-up`,
      result: `median ${r.medianMs.toFixed(0)} ms (cold first read ${r.coldMs.toFixed(0)} ms)`,
      target: '<= 2 s',
    },
    {
      area: AREA,
      case: 'extra memory of that read: peak RSS over the process with the feed text built; heap held by the result',
      result: `peak +${r.peakRssMb.toFixed(0)} MB RSS; result holds ${r.heapHeldMb.toFixed(1)} MB heap`,
      target: '<= 100 MB',
    },
    {
      area: AREA,
      case: `readCalendarObjects, the same events as ${r.objects.toLocaleString('en')} CalDAV objects (one VCALENDAR per UID, each with the VTIMEZONEs): ${r.objectsInstances.toLocaleString('en')} instances; median of ${RUNS}`,
      result: `median ${r.objectsMedianMs.toFixed(0)} ms`,
      target: '<= 2 s',
    },
  ];
}

if (process.argv.includes('--child') && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(JSON.stringify(measure()) + '\n');
}
