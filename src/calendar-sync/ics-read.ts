import ICAL from 'ical.js';
import { DateTime, IANAZone } from 'luxon';
import windowsIana from 'windows-iana';

/**
 * Reads iCalendar text (an ICS feed, or the objects of a CalDAV calendar) into the event instances that
 * overlap a window: what a rep's calendar says they are doing, and whether it blocks their time.
 *
 * ical.js parses and expands recurrences (RRULE, RDATE, RECURRENCE-ID overrides); times are turned into
 * instants here, with these rules:
 * - A TZID with a VTIMEZONE in the same VCALENDAR uses that definition. ical.js 2.2 looks TZIDs up in the
 *   component tree of their own calendar (Component#getTimeZoneByID), so nothing is registered in the global
 *   ICAL.TimezoneService and one feed's zones can never leak into another's.
 * - A TZID without a VTIMEZONE: an IANA name is used as it is; a Windows name ("W. Europe Standard Time")
 *   is mapped with windows-iana; a Mozilla-style "/…/Europe/Berlin" keeps its last two parts. Wall-clock
 *   times are then turned into instants with Luxon in that zone, so DST is right per occurrence. A TZID
 *   nobody knows is read in the rep's zone, like a floating time.
 * - Floating times and all-day dates are in `defaultZone` (the rep's zone); an all-day event covers its days
 *   from midnight to midnight there.
 * - EXDATEs are matched by instant (not by ical.js, which compares a series in an unmapped Windows zone with
 *   a UTC EXDATE wrongly); RECURRENCE-ID overrides are matched by instant too.
 * - No DTEND: DURATION if present; else a date lasts one day and a date-time has no length (RFC 5545 3.6.1).
 *   A zero-length instance is kept (with endsAt = startsAt) but is never busy: it blocks no time.
 * - An override without DTEND/DURATION keeps the length of its series.
 * - The first event read wins when a feed repeats a UID (and instance): the result never holds two
 *   instances with the same (uid, instance).
 *
 * - Not busy: cancelled, transparent, Outlook FREE, declined by the rep, ridealong's own invites (which also
 *   list no attendees: they are never customer calls). TENTATIVE, OOF and WORKINGELSEWHERE are busy.
 * - STATUS:CANCELLED instances (a cancelled series, or a RECURRENCE-ID override with STATUS:CANCELLED) are
 *   returned with cancelled: true, busy: false; the sync drops them. RANGE=THISANDFUTURE is read as a
 *   one-instance override. RDATE periods take the series' length.
 *
 * Bounds: a series is expanded only up to `to`. A single SECONDLY..WEEKLY rule that began long before the
 * window starts near it (whole periods skipped, COUNT lowered alike), so a daily standup since 2012 costs
 * what one since last month does. Per series at most MAX_PER_SERIES instances are kept (the earliest) and
 * MAX_STEPS_PER_SERIES occurrences walked (a COUNT rule with BY parts is walked from its DTSTART and stops
 * there); a rule stepping more than a century at a time (ical.js would spin for minutes) has only its
 * DTSTART; an occurrence that does not advance ends its series. Past MAX_INSTANCES instances or MAX_STEPS
 * occurrences walked in all, the read fails (CalendarParseError): a cut-off feed would make the rep look
 * free, so the caller keeps the last good events instead.
 */

type Component = InstanceType<typeof ICAL.Component>;
type Property = InstanceType<typeof ICAL.Property>;
type Time = InstanceType<typeof ICAL.Time>;
type Duration = InstanceType<typeof ICAL.Duration>;
type Recur = InstanceType<typeof ICAL.Recur>;

export interface ReadOptions {
  /** Keep instances overlapping [from, to). */
  from: Date;
  to: Date;
  /** The rep's addresses (lower-case): their ATTENDEE;PARTSTAT=DECLINED means not busy; never counted as attendees. */
  ownEmails: string[];
  /** IANA zone for floating times and all-day dates (the rep's zone). */
  defaultZone: string;
}

export interface FeedEvent {
  uid: string;
  /** '' for a single event; the instance's original start (RECURRENCE-ID) as ISO UTC for a series instance. */
  instance: string;
  startsAt: Date;
  endsAt: Date;
  allDay: boolean;
  /**
   * false: STATUS:CANCELLED, TRANSP:TRANSPARENT, X-MICROSOFT-CDO-BUSYSTATUS:FREE (or, without it,
   * X-MICROSOFT-CDO-INTENDEDSTATUS:FREE), the rep's own ATTENDEE;PARTSTAT=DECLINED, the UID of a ridealong
   * booking, or no length at all. All-day events follow their TRANSP (opaque, so busy, by default).
   */
  busy: boolean;
  /** STATUS:CANCELLED (the series' or the instance's own). Such instances are returned; the caller drops them. */
  cancelled: boolean;
  /** SUMMARY, '' if none. */
  title: string;
  /**
   * Lower-case addresses of ORGANIZER and ATTENDEEs other than ownEmails; rooms and resources (CUTYPE=ROOM or
   * RESOURCE, Google's *.calendar.google.com room and group calendars) left out; none for ridealong's own invites.
   */
  attendees: string[];
}

/**
 * The text is not iCalendar (an HTML error page, JSON, empty, cut off), could not be parsed, or is beyond the
 * bounds. The message is a clause in plain words for the rep (lower case, no final period: it reads after "The
 * calendar could not be read: "); it may quote one line of the file, never the address.
 */
export class CalendarParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarParseError';
  }
}

/** Instances kept per series inside the window. */
export const MAX_PER_SERIES = 5000;
/** Occurrences walked per series from its DTSTART (before and inside the window). */
export const MAX_STEPS_PER_SERIES = 20_000;
/** Instances in all, per read: past this the read fails rather than return part of a calendar. */
export const MAX_INSTANCES = 50_000;

/** Occurrences walked in all, per read (ical.js takes 10-50 µs each): past this the read fails. */
export const MAX_STEPS = 150_000;
/** A rule stepping further than this at a time (a century) has only its DTSTART read. */
const MAX_STEP_DAYS = 36_600;
const PERIOD_SECONDS: Partial<Record<string, number>> = { SECONDLY: 1, MINUTELY: 60, HOURLY: 3600, DAILY: 86_400, WEEKLY: 604_800 };
const PERIOD_DAYS: Partial<Record<string, number>> = { SECONDLY: 1 / 86_400, MINUTELY: 1 / 1440, HOURLY: 1 / 24, DAILY: 1, WEEKLY: 7, MONTHLY: 31, YEARLY: 366 };

function stepDays(rule: Recur): number {
  return Math.max(1, rule.interval || 1) * (PERIOD_DAYS[rule.freq] ?? 1);
}

const RIDEALONG_UID = /^booking-[0-9a-f-]{36}@ridealong$/i;
/** Google's room/resource and group calendars: calendars, not people. */
const GOOGLE_CALENDAR_ADDRESS = /@([a-z0-9-]+\.)*calendar\.google\.com$/;

/** One VCALENDAR (an ICS feed; several concatenated VCALENDARs are read too). */
export function readCalendar(text: string, opts: ReadOptions): FeedEvent[] {
  const reader = new Reader(opts);
  for (const cal of parseCalendars(text, '')) reader.readCalendar(cal);
  return reader.result();
}

/** CalDAV: one VCALENDAR per object. One object that is not iCalendar fails the whole read. */
export function readCalendarObjects(texts: string[], opts: ReadOptions): FeedEvent[] {
  const reader = new Reader(opts);
  texts.forEach((text, i) => {
    for (const cal of parseCalendars(text, texts.length > 1 ? ` (object ${i + 1} of ${texts.length})` : '')) reader.readCalendar(cal);
  });
  return reader.result();
}

// ---------------------------------------------------------------------------------------------------------
// Text -> components

function parseCalendars(raw: string, where: string): Component[] {
  const text = raw.replace(/^\uFEFF/, '').trim();
  if (text.length === 0) throw new CalendarParseError(`the answer was empty${where}, not a calendar`);
  const head = text.slice(0, 200).toLowerCase();
  if (head.startsWith('<')) {
    throw new CalendarParseError(
      `the answer is a web page (HTML), not a calendar${where}: check that the address is the calendar's secret iCal address and that it is still shared`,
    );
  }
  if (head.startsWith('{') || head.startsWith('[')) throw new CalendarParseError(`the answer is JSON data, not an iCalendar file${where}`);
  if (!/^begin:vcalendar[ \t]*\r?\n/i.test(text)) {
    throw new CalendarParseError(`the answer is not an iCalendar file${where} (it does not start with BEGIN:VCALENDAR)`);
  }
  if (!/end:vcalendar$/i.test(text)) {
    throw new CalendarParseError(`the calendar file is cut off${where} (it stops before END:VCALENDAR), so it was not used`);
  }
  let jcal: unknown;
  try {
    jcal = ICAL.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message.split('\n')[0].slice(0, 120) : '';
    throw new CalendarParseError(`the calendar file is not valid iCalendar${where}${detail ? ` (${detail})` : ''}`);
  }
  const roots = (Array.isArray(jcal) && Array.isArray(jcal[0]) ? jcal : [jcal]) as unknown[];
  const calendars = roots.map((j) => new ICAL.Component(j as string)).filter((c) => c.name === 'vcalendar');
  if (calendars.length === 0) throw new CalendarParseError(`the answer is not an iCalendar file${where} (it holds no VCALENDAR)`);
  return calendars;
}

// ---------------------------------------------------------------------------------------------------------
// Zones and instants

const zoneCache = new Map<string, string | null>();

/** The IANA zone a TZID names without a VTIMEZONE, or null. */
export function ianaZoneFor(tzid: string): string | null {
  const cached = zoneCache.get(tzid);
  if (cached !== undefined) return cached;
  const name = tzid.trim().replace(/^"(.*)"$/, '$1');
  let zone: string | null = null;
  if (IANAZone.isValidZone(name)) zone = name;
  else {
    const windows = windowsIana.findIana(name);
    if (windows.length > 0 && IANAZone.isValidZone(windows[0])) zone = windows[0];
    else {
      const tail = /([A-Za-z_]+\/[A-Za-z0-9_+-]+)$/.exec(name)?.[1];
      if (tail && IANAZone.isValidZone(tail)) zone = tail;
    }
  }
  if (zoneCache.size > 1000) zoneCache.clear();
  zoneCache.set(tzid, zone);
  return zone;
}

/**
 * Removes the VTIMEZONEs ical.js would misread (no STANDARD/DAYLIGHT, no offset, an offset that is not one:
 * ical.js reads those as UTC, or as no time at all), so their TZID is read like one without a VTIMEZONE:
 * by its IANA or Windows name, else in the rep's zone.
 */
function dropUnusableZones(cal: Component): void {
  for (const vtz of cal.getAllSubcomponents('vtimezone')) {
    let usable: boolean;
    try {
      const rules = [...vtz.getAllSubcomponents('standard'), ...vtz.getAllSubcomponents('daylight')];
      usable =
        rules.length > 0 &&
        rules.every((r) => r.getFirstPropertyValue('dtstart') instanceof ICAL.Time && r.getFirstPropertyValue('tzoffsetto') instanceof ICAL.UtcOffset) &&
        rules.every((r) => Number.isFinite((r.getFirstPropertyValue('tzoffsetto') as InstanceType<typeof ICAL.UtcOffset>).toSeconds()));
    } catch {
      usable = false;
    }
    if (!usable) cal.removeSubcomponent(vtz);
  }
}

function tzidOf(prop: Property | null): string | null {
  const p = prop?.getParameter('tzid');
  return typeof p === 'string' && p.length > 0 ? p : null;
}

/** The zone a floating (or unknown-TZID) wall-clock time is read in. */
function wallZone(tzid: string | null, defaultZone: string): string {
  return (tzid && ianaZoneFor(tzid)) || defaultZone;
}

function isFloating(t: Time): boolean {
  return t.zone === ICAL.Timezone.localTimezone || !t.zone || t.zone.tzid === 'floating';
}

/** Epoch milliseconds of an ical.js time. `tzid` is the TZID of the property the time came from. */
function instantOf(t: Time, tzid: string | null, defaultZone: string): number {
  if (t.isDate) return DateTime.fromObject({ year: t.year, month: t.month, day: t.day }, { zone: defaultZone }).toMillis();
  if (t.zone === ICAL.Timezone.utcTimezone) return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  if (!isFloating(t)) return t.toUnixTime() * 1000;
  return DateTime.fromObject(
    { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second },
    { zone: wallZone(tzid, defaultZone) },
  ).toMillis();
}

interface Span {
  start: number;
  end: number;
  allDay: boolean;
}

/** How an instance's end follows from its start. */
type Length =
  | { kind: 'exact'; ms: number }
  | { kind: 'days'; days: number } // all-day: whole days in the rep's zone
  | { kind: 'nominal'; days: number; ms: number }; // DURATION with weeks/days: calendar days in the event's zone, then exact time

/** A DURATION's length; a negative one (invalid) is read as none. */
function durationLength(d: Duration): Length {
  if (d.isNegative) return { kind: 'exact', ms: 0 };
  const days = d.weeks * 7 + d.days;
  const ms = ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;
  return days === 0 ? { kind: 'exact', ms } : { kind: 'nominal', days, ms };
}

// ---------------------------------------------------------------------------------------------------------
// Reading

function text(c: Component, name: string): string {
  const v = c.getFirstPropertyValue(name);
  return typeof v === 'string' ? v : v == null ? '' : String(v);
}

function upper(c: Component, name: string): string {
  return text(c, name).trim().toUpperCase();
}

function mailtoOf(prop: Property): string | null {
  const v = prop.getFirstValue();
  if (typeof v !== 'string') return null;
  const m = /^mailto:(.+)$/i.exec(v.trim());
  if (!m) return null;
  const address = decodeURIComponentSafe(m[1]).trim().toLowerCase();
  return address.includes('@') ? address : null;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function param(prop: Property, name: string): string {
  const p = prop.getParameter(name);
  return (Array.isArray(p) ? String(p[0] ?? '') : (p ?? '')).toUpperCase();
}

interface Facts {
  cancelled: boolean;
  /** Busy unless it has no length. */
  blocks: boolean;
  title: string;
  attendees: string[];
}

class Reader {
  private readonly out: FeedEvent[] = [];
  private readonly seen = new Set<string>();
  private readonly from: number;
  private readonly to: number;
  private readonly own: Set<string>;
  private steps = 0;
  private events = 0;
  private failed = 0;
  private readonly zone: string;
  private readonly facts = new Map<Component, Facts>();

  constructor(private readonly opts: ReadOptions) {
    this.from = opts.from.getTime();
    this.to = opts.to.getTime();
    this.own = new Set(opts.ownEmails.map((e) => e.trim().toLowerCase()));
    // The rep's zone comes validated from their profile; should it not be a zone Luxon knows, UTC rather than a failed sync.
    this.zone = IANAZone.isValidZone(opts.defaultZone) ? opts.defaultZone : 'UTC';
  }

  /** The instances read; a calendar (or set of CalDAV objects) none of whose events can be read is broken, not empty. */
  result(): FeedEvent[] {
    if (this.failed > 0 && this.failed === this.events) {
      throw new CalendarParseError(`none of the calendar's ${this.failed} events could be read, so it was not used`);
    }
    return this.out;
  }

  readCalendar(cal: Component): void {
    dropUnusableZones(cal);
    const masters = new Map<string, Component>();
    const overrides = new Map<string, Component[]>();
    const order = new Set<string>();
    for (const ev of cal.getAllSubcomponents('vevent')) {
      const uid = text(ev, 'uid').trim();
      if (!uid || !ev.hasProperty('dtstart')) continue; // not a readable event (RFC 5545 requires both)
      if (ev.hasProperty('recurrence-id')) {
        const list = overrides.get(uid) ?? [];
        list.push(ev);
        overrides.set(uid, list);
        order.add(uid);
      } else if (!masters.has(uid)) {
        masters.set(uid, ev);
        order.add(uid);
      }
    }
    for (const uid of order) {
      this.events++;
      try {
        this.readEvent(uid, masters.get(uid) ?? null, overrides.get(uid) ?? []);
      } catch (e) {
        if (e instanceof CalendarParseError) throw e;
        // One event whose values ical.js cannot read (a bad date) is skipped, not the calendar (see result()).
        this.failed++;
      }
    }
  }

  private readEvent(uid: string, master: Component | null, overrides: Component[]): void {
    const recurring = master !== null && (master.hasProperty('rrule') || master.hasProperty('rdate'));
    if (master && !recurring && overrides.length === 0) {
      const span = this.spanOf(master, null);
      if (span) this.emit(uid, '', span, master);
      return;
    }
    const seriesLength = master ? this.lengthOf(master) : null;

    // Overrides by the instant of the occurrence they replace.
    const byOriginal = new Map<number, Component>();
    for (const o of overrides) {
      const rid = o.getFirstProperty('recurrence-id');
      const t = rid?.getFirstValue() as Time | null;
      if (!rid || !t) continue;
      const at = instantOf(t, tzidOf(rid), this.zone);
      if (!byOriginal.has(at)) byOriginal.set(at, o);
    }

    const excluded = master ? this.exdates(master) : { instants: new Set<number>(), days: new Set<string>() };
    const used = new Set<number>();

    if (master) {
      if (recurring) this.expandSeries(uid, master, seriesLength, byOriginal, excluded, used);
      else {
        // A master without a rule but with overrides: its own DTSTART is its one instance.
        const start = this.startOf(master);
        if (start !== null && !byOriginal.has(start)) {
          const span = this.spanOf(master, seriesLength);
          if (span) this.emit(uid, new Date(start).toISOString(), span, master);
        }
      }
    }

    // Overrides: those met while expanding are done; the others (their original start outside the walked part
    // of the series, or no master in this feed, as when the rep is invited to one instance) are read here.
    for (const [at, o] of byOriginal) {
      if (used.has(at)) continue;
      if (excluded.instants.has(at)) continue;
      const span = this.spanOf(o, seriesLength);
      if (span) this.emit(uid, new Date(at).toISOString(), span, o, master);
    }
  }

  private expandSeries(
    uid: string,
    master: Component,
    seriesLength: Length | null,
    byOriginal: Map<number, Component>,
    excluded: { instants: Set<number>; days: Set<string> },
    used: Set<number>,
  ): void {
    const dtstartProp = master.getFirstProperty('dtstart')!;
    const dtstart = dtstartProp.getFirstValue() as Time;
    const tzid = tzidOf(dtstartProp);
    const zone = this.zone;
    const localZone = isFloating(dtstart) ? wallZone(tzid, zone) : null;
    const length = seriesLength ?? { kind: 'exact', ms: 0 };

    // ical.js walks the series in DTSTART's wall clock; when that is floating (no VTIMEZONE), a UTC UNTIL must
    // be moved to the same wall clock or the last occurrence is lost (or one too many kept).
    if (localZone && !dtstart.isDate) {
      for (const p of master.getAllProperties('rrule')) {
        const rule = p.getFirstValue() as Recur;
        if (rule.until && rule.until.zone === ICAL.Timezone.utcTimezone && !rule.until.isDate) {
          const local = DateTime.fromMillis(instantOf(rule.until, null, zone), { zone: localZone });
          rule.until = new ICAL.Time(
            { year: local.year, month: local.month, day: local.day, hour: local.hour, minute: local.minute, second: local.second, isDate: false },
            ICAL.Timezone.localTimezone,
          );
        }
      }
    }
    // EXDATEs are applied here, by instant.
    master.removeAllProperties('exdate');

    const rules = master.getAllProperties('rrule').map((p) => p.getFirstValue() as Recur);
    // ical.js takes minutes or hours (or forever) to step over a huge INTERVAL: a rule stepping more than a
    // century at a time has no second instance worth reading; its DTSTART is its one instance.
    if (rules.some((r) => stepDays(r) > MAX_STEP_DAYS)) {
      const at = instantOf(dtstart, tzid, zone);
      this.emitOccurrence(uid, master, at, dtstart, length, seriesLength, tzid, byOriginal, used);
      return;
    }
    const first = this.skipAhead(dtstart, tzid, rules, length);

    let expansion: InstanceType<typeof ICAL.RecurExpansion>;
    try {
      expansion = new ICAL.RecurExpansion({ component: master, dtstart: first });
    } catch {
      // A rule ical.js cannot read (BYHOUR=25, an empty BYDAY): DTSTART is the one instance known for sure.
      const at = instantOf(dtstart, tzid, zone);
      this.emitOccurrence(uid, master, at, dtstart, length, seriesLength, tzid, byOriginal, used);
      return;
    }
    let kept = 0;
    let previous: Time | null = null;
    for (let step = 0; step < MAX_STEPS_PER_SERIES; step++) {
      if (++this.steps > MAX_STEPS) {
        throw new CalendarParseError(`the calendar's repeating events are too many to expand (more than ${MAX_STEPS} occurrences), so it was not used`);
      }
      let occurrence: Time | undefined;
      try {
        occurrence = expansion.next();
      } catch {
        break; // ical.js gives up on a rule it cannot fulfil
      }
      if (!occurrence) break;
      if (previous && occurrence.compare(previous) <= 0) break; // a rule that does not advance
      previous = occurrence;
      const at = instantOf(occurrence, tzid, zone);
      // Past the window; an override may still bring a later occurrence into it (read by the caller).
      if (at >= this.to) break;
      if (excluded.instants.has(at) || (excluded.days.size > 0 && excluded.days.has(dayOf(occurrence)))) continue;
      if (this.emitOccurrence(uid, master, at, occurrence, length, seriesLength, tzid, byOriginal, used)) kept++;
      if (kept >= MAX_PER_SERIES) break;
    }
  }

  /** One occurrence of a series (starting at `at`, originally): its override if there is one, else the series' times. */
  private emitOccurrence(
    uid: string,
    master: Component,
    at: number,
    occurrence: Time,
    length: Length,
    seriesLength: Length | null,
    tzid: string | null,
    byOriginal: Map<number, Component>,
    used: Set<number>,
  ): boolean {
    const override = byOriginal.get(at);
    if (override) {
      used.add(at);
      const span = this.spanOf(override, seriesLength);
      return span !== null && this.emit(uid, new Date(at).toISOString(), span, override, master);
    }
    return this.emit(uid, new Date(at).toISOString(), this.spanFrom(at, occurrence, length, tzid), master);
  }

  /**
   * Where to start walking a series: its DTSTART, or, for a single rule of fixed period (SECONDLY to WEEKLY) that
   * started long before the window, a start moved forward by whole periods to shortly before it. The occurrences
   * after the moved start are the same (the rule's lattice keeps its alignment); the moved start itself ends
   * before the window whether or not it is a real occurrence, so it is never kept. A COUNT is lowered by the
   * occurrences skipped, which is exact only without BY parts: with them, the series is walked from DTSTART.
   */
  private skipAhead(dtstart: Time, tzid: string | null, rules: Recur[], length: Length): Time {
    if (rules.length !== 1) return dtstart;
    const rule = rules[0];
    const period = PERIOD_SECONDS[rule.freq];
    if (!period) return dtstart;
    if (rule.count && Object.values(rule.parts ?? {}).some((v) => Array.isArray(v) && v.length > 0)) return dtstart;
    const interval = Math.max(1, rule.interval || 1);
    const stepMs = interval * period * 1000;
    const lengthMs = length.kind === 'exact' ? length.ms : length.days * 86_400_000 + (length.kind === 'nominal' ? length.ms : 0);
    // Two days of slack: a wall-clock shift of N days moves the instant by N days give or take a DST hour.
    const target = this.from - lengthMs - 2 * 86_400_000 - stepMs;
    const start = instantOf(dtstart, tzid, this.zone);
    const k = Math.floor((target - start) / stepMs);
    if (k <= 1) return dtstart;
    if (rule.count) {
      if (k >= rule.count) return dtstart; // the series ended before the window: walking it is short anyway
      rule.count -= k;
    }
    const moved = dtstart.clone();
    if (period >= 86_400) moved.adjust(k * interval * (period / 86_400), 0, 0, 0);
    else moved.adjust(0, 0, 0, k * interval * period);
    return moved;
  }

  /** EXDATE values: date-times by instant, dates by day (a date excludes that day's occurrence). */
  private exdates(master: Component): { instants: Set<number>; days: Set<string> } {
    const instants = new Set<number>();
    const days = new Set<string>();
    for (const p of master.getAllProperties('exdate')) {
      const tzid = tzidOf(p);
      for (const v of p.getValues() as Time[]) {
        if (!v || typeof v !== 'object') continue;
        instants.add(instantOf(v, tzid, this.zone));
        if (v.isDate) days.add(dayOf(v));
      }
    }
    // A date EXDATE on an all-day series is matched by its instant; the day set is for date-time series.
    return { instants, days };
  }

  private startOf(c: Component): number | null {
    const p = c.getFirstProperty('dtstart');
    const t = p?.getFirstValue() as Time | null;
    return p && t ? instantOf(t, tzidOf(p), this.zone) : null;
  }

  /** The length of an event from its own DTEND or DURATION; null when it has neither. */
  private lengthOf(c: Component): Length | null {
    const startProp = c.getFirstProperty('dtstart')!;
    const start = startProp.getFirstValue() as Time;
    const endProp = c.getFirstProperty('dtend');
    if (endProp) {
      const end = endProp.getFirstValue() as Time;
      if (start.isDate && end.isDate) {
        const days = Math.round((Date.UTC(end.year, end.month - 1, end.day) - Date.UTC(start.year, start.month - 1, start.day)) / 86_400_000);
        return { kind: 'days', days: Math.max(0, days) };
      }
      const ms = instantOf(end, tzidOf(endProp), this.zone) - instantOf(start, tzidOf(startProp), this.zone);
      return { kind: 'exact', ms: Math.max(0, ms) };
    }
    const duration = c.getFirstPropertyValue('duration') as Duration | null;
    if (duration && typeof duration === 'object') {
      const l = durationLength(duration);
      if (start.isDate) return { kind: 'days', days: Math.max(0, l.kind === 'exact' ? 0 : l.days) };
      return l;
    }
    return null;
  }

  /** A single event's or an override's own span; `fallback` is the series' length for an override with none. */
  private spanOf(c: Component, fallback: Length | null): Span | null {
    const p = c.getFirstProperty('dtstart');
    const t = p?.getFirstValue() as Time | null;
    if (!p || !t || typeof t !== 'object') return null;
    const tzid = tzidOf(p);
    const at = instantOf(t, tzid, this.zone);
    const length = this.lengthOf(c) ?? fallback ?? (t.isDate ? { kind: 'days', days: 1 } : { kind: 'exact', ms: 0 });
    return this.spanFrom(at, t, length, tzid);
  }

  private spanFrom(at: number, t: Time, length: Length, tzid: string | null): Span {
    const zone = this.zone;
    if (t.isDate) {
      const days = length.kind === 'days' ? length.days : length.kind === 'nominal' ? length.days : Math.round(length.ms / 86_400_000);
      const end = DateTime.fromObject({ year: t.year, month: t.month, day: t.day }, { zone }).plus({ days }).toMillis();
      return { start: at, end, allDay: true };
    }
    if (length.kind === 'exact') return { start: at, end: at + length.ms, allDay: false };
    let end: number;
    if (t.zone === ICAL.Timezone.utcTimezone) end = at + length.days * 86_400_000;
    else if (isFloating(t)) end = DateTime.fromMillis(at, { zone: wallZone(tzid, zone) }).plus({ days: length.days }).toMillis();
    else {
      // A VTIMEZONE from the file: add the days to the wall clock with ical.js.
      const moved = t.clone();
      moved.adjust(length.days, 0, 0, 0);
      end = moved.toUnixTime() * 1000;
    }
    return { start: at, end: end + (length.kind === 'nominal' ? length.ms : 0), allDay: false };
  }

  /** Adds the instance if it overlaps the window and is new; true when added. An override without SUMMARY takes its series'. */
  private emit(uid: string, instance: string, span: Span, c: Component, master: Component | null = null): boolean {
    const overlaps = span.end > span.start ? span.start < this.to && span.end > this.from : span.start >= this.from && span.start < this.to;
    if (!overlaps) return false;
    const key = uid + '\u0000' + instance;
    if (this.seen.has(key)) return false;
    if (this.out.length >= MAX_INSTANCES) {
      throw new CalendarParseError(
        `the calendar has more than ${MAX_INSTANCES} events in the time ridealong reads, more than it takes, so it was not used`,
      );
    }
    this.seen.add(key);

    const facts = this.factsOf(uid, c, master);
    const busy = facts.blocks && span.end > span.start;

    this.out.push({
      uid,
      instance,
      startsAt: new Date(span.start),
      endsAt: new Date(span.end),
      allDay: span.allDay,
      busy,
      cancelled: facts.cancelled,
      title: facts.title,
      attendees: [...facts.attendees],
    });
    return true;
  }

  /** What an event's component says about every instance it gives (read once per component, not per instance). */
  private factsOf(uid: string, c: Component, master: Component | null): Facts {
    const known = this.facts.get(c);
    if (known) return known;
    const cancelled = upper(c, 'status') === 'CANCELLED';
    const attendees: string[] = [];
    let declined = false;
    const ours = RIDEALONG_UID.test(uid); // ridealong's own invite: not busy against itself, and not a customer call
    for (const p of [...c.getAllProperties('organizer'), ...c.getAllProperties('attendee')]) {
      const address = mailtoOf(p);
      if (!address) continue;
      if (this.own.has(address)) {
        if (p.name === 'attendee' && param(p, 'partstat') === 'DECLINED') declined = true;
        continue;
      }
      const cutype = param(p, 'cutype');
      if (ours || cutype === 'ROOM' || cutype === 'RESOURCE' || GOOGLE_CALENDAR_ADDRESS.test(address)) continue;
      if (!attendees.includes(address)) attendees.push(address);
    }
    // Outlook: BUSYSTATUS is how the calendar's owner shows the event; INTENDEDSTATUS is the organiser's intent.
    const showAs = c.hasProperty('x-microsoft-cdo-busystatus') ? upper(c, 'x-microsoft-cdo-busystatus') : upper(c, 'x-microsoft-cdo-intendedstatus');
    const facts: Facts = {
      cancelled,
      blocks: !cancelled && upper(c, 'transp') !== 'TRANSPARENT' && showAs !== 'FREE' && !declined && !ours,
      title: c.hasProperty('summary') || !master ? text(c, 'summary') : text(master, 'summary'),
      attendees,
    };
    this.facts.set(c, facts);
    return facts;
  }
}

function dayOf(t: Time): string {
  return `${t.year}-${t.month}-${t.day}`;
}
