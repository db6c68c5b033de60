/**
 * Local wall-clock time in an IANA zone to epoch minutes, DST-correct and fast.
 *
 * Dates are handled as day numbers (`LocalDay`: days since 1970-01-01 on the local calendar) so the
 * engine never parses or formats strings in its loops. Offsets come from Luxon's `IANAZone`; the
 * result for each (zone, day) is cached: the instants where the day starts and ends, its offset,
 * and the transition instant when the offset changes that day. After the first look-up, converting
 * a wall-clock time is a few additions, with no Luxon call at all.
 *
 * Rules for wall-clock times that are not exactly one instant:
 * - Nonexistent (spring-forward gap, e.g. 02:30 on 2026-03-08 in America/New_York): the first real
 *   instant after the gap, i.e. the transition instant (03:00 EDT). This is the earliest instant at
 *   which the clock reads that time or later, so a window "02:30-04:00" is available from 03:00 and
 *   a window ending at 02:30 ends at 03:00. (Luxon's own `fromObject` shifts by the gap length
 *   instead, giving 03:30, which would silently drop or add half an hour.)
 * - Ambiguous (fall-back repeated hour): the earlier instant (Luxon's `fromObject` picks the later
 *   one depending on the current date, so we do not delegate this to it).
 */
import { IANAZone } from 'luxon';
import type { EpochMinute } from './intervals.js';

export type { EpochMinute } from './intervals.js';

/** Days since 1970-01-01 on a calendar (here: the local calendar of some zone). */
export type LocalDay = number;

export class InvalidTimeZoneError extends Error {
  readonly code = 'invalid_time_zone';
  constructor(readonly timeZone: string) {
    super(`Unknown IANA time zone: ${timeZone}`);
    this.name = 'InvalidTimeZoneError';
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `"2026-03-08"` to a day number, or null when malformed or not a real calendar date. */
export function parseIsoDate(text: string): LocalDay | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return ms / 86_400_000;
}

/** Day number to `"yyyy-MM-dd"` (for callers and tests; the engine itself never formats). */
export function formatIsoDate(day: LocalDay): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** ISO weekday of a day number: 1 = Monday .. 7 = Sunday (1970-01-01 was a Thursday). */
export function isoWeekday(day: LocalDay): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** The Monday on or before `day`. */
export function mondayOf(day: LocalDay): LocalDay {
  return day - isoWeekday(day) + 1;
}

const HHMM = /^(\d{2}):(\d{2})$/;

/**
 * `"09:30"` to 570 (minute of day). Strict `HH:mm`: two digits each, hours 00-23, minutes 00-59;
 * `"24:00"` (1440) is accepted only when `as === 'end'`. Returns null on anything else, such as
 * `"9:5"`, `"25:00"`, `"24:30"`, or `"24:00"` as a start.
 */
export function parseHHmm(text: string, as: 'start' | 'end' = 'start'): number | null {
  const m = HHMM.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24 && min === 0) return as === 'end' ? 1440 : null;
  if (h > 23 || min > 59) return null;
  return h * 60 + min;
}

/** A local calendar day of one zone as instants. */
export interface ZoneDay {
  /** First instant of the day (local 00:00, or the end of a gap at midnight). */
  start: EpochMinute;
  /** First instant of the next day; `end - start` is 1440 except on transition days. */
  end: EpochMinute;
  /** UTC offset in minutes at `start` (local = utc + offset). */
  offset: number;
  /** When the offset changes during the day: the first instant with the new offset, and it. */
  transition: { at: EpochMinute; offsetAfter: number } | null;
}

const MAX_DAYS_PER_ZONE = 50_000;
const dayCache = new Map<string, Map<LocalDay, ZoneDay>>();
const zoneCache = new Map<string, IANAZone>();

function zoneOf(timeZone: string): IANAZone {
  let z = zoneCache.get(timeZone);
  if (!z) {
    z = IANAZone.create(timeZone);
    if (!z.isValid) throw new InvalidTimeZoneError(timeZone);
    zoneCache.set(timeZone, z);
  }
  return z;
}

/** True for a zone name Luxon (ICU) knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    zoneOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** UTC offset in minutes at an instant (uncached Luxon call; rounded to whole minutes). */
export function offsetAt(timeZone: string, t: EpochMinute): number {
  return Math.round(zoneOf(timeZone).offset(t * 60_000));
}

/** First instant in (lo, hi] whose offset differs from `offset(lo)`; assumes one change there. */
function findTransition(zone: IANAZone, lo: EpochMinute, hi: EpochMinute): EpochMinute {
  const before = Math.round(zone.offset(lo * 60_000));
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (Math.round(zone.offset(mid * 60_000)) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Wall-clock minute (local time written as if it were UTC) to an instant, straight from Luxon's
 * zone data, with the gap/ambiguity rules above. Used on cache misses only.
 */
function wallToEpochSlow(zone: IANAZone, wall: number): EpochMinute {
  const off = (t: EpochMinute) => Math.round(zone.offset(t * 60_000));
  // Offsets lie within -12:00..+14:00, so every instant reading `wall` is in [wall-840, wall+720].
  const lo = wall - 900;
  const hi = wall + 780;
  const oA = off(lo);
  const oB = off(hi);
  const tA = wall - oA;
  if (oA === oB) return tA;
  const tB = wall - oB;
  const aValid = off(tA) === oA;
  const bValid = off(tB) === oB;
  if (aValid && bValid) return Math.min(tA, tB);
  if (aValid) return tA;
  if (bValid) return tB;
  return findTransition(zone, lo, hi);
}

/** The cached description of local day `day` in `timeZone`. Throws InvalidTimeZoneError. */
export function zoneDay(timeZone: string, day: LocalDay): ZoneDay {
  let days = dayCache.get(timeZone);
  if (days) {
    const hit = days.get(day);
    if (hit) return hit;
  } else {
    days = new Map();
    dayCache.set(timeZone, days);
  }
  const zone = zoneOf(timeZone);
  const wall = day * 1440;
  const start = wallToEpochSlow(zone, wall);
  const end = wallToEpochSlow(zone, wall + 1440);
  const offset = Math.round(zone.offset(start * 60_000));
  const offsetAtEnd = Math.round(zone.offset((end - 1) * 60_000));
  let transition: ZoneDay['transition'] = null;
  if (offsetAtEnd !== offset) {
    const at = findTransition(zone, start, end - 1);
    transition = { at, offsetAfter: Math.round(zone.offset(at * 60_000)) };
  }
  const info: ZoneDay = { start, end, offset, transition };
  if (days.size >= MAX_DAYS_PER_ZONE) days.clear();
  days.set(day, info);
  return info;
}

/** Forgets every cached zone day (tests, or a tzdata update in a long-running process). */
export function clearZoneCache(): void {
  dayCache.clear();
  zoneCache.clear();
}

/**
 * Local `minuteOfDay` (0..1440; 1440 = the next day's 00:00) on local `day` to an instant.
 * Gap times map to the first real instant after the gap; ambiguous times to the earlier instant.
 */
export function localToEpoch(timeZone: string, day: LocalDay, minuteOfDay: number): EpochMinute {
  const info = zoneDay(timeZone, day);
  if (minuteOfDay >= 1440) return info.end;
  const wall = day * 1440 + minuteOfDay;
  const t1 = wall - info.offset;
  const tr = info.transition;
  if (!tr) return t1 < info.start ? info.start : t1;
  if (t1 >= info.start && t1 < tr.at) return t1;
  const t2 = wall - tr.offsetAfter;
  if (t2 >= tr.at && t2 < info.end) return t2;
  if (t1 < info.start) return info.start;
  return t2 >= info.end ? info.end : tr.at;
}

/** Same as `localToEpoch` with an ISO date; throws RangeError on a malformed date. */
export function localDateTimeToEpoch(timeZone: string, isoDate: string, minuteOfDay: number): EpochMinute {
  const day = parseIsoDate(isoDate);
  if (day === null) throw new RangeError(`Invalid ISO date: ${isoDate}`);
  return localToEpoch(timeZone, day, minuteOfDay);
}

/** UTC offset (minutes) in effect at instant `t`, from the day cache. */
export function cachedOffsetAt(timeZone: string, t: EpochMinute): number {
  const { info } = dayContaining(timeZone, t);
  return info.transition && t >= info.transition.at ? info.transition.offsetAfter : info.offset;
}

function dayContaining(timeZone: string, t: EpochMinute): { day: LocalDay; info: ZoneDay } {
  let day = Math.floor(t / 1440);
  // |offset| < 1 day, so the local day is day-1, day or day+1.
  let info = zoneDay(timeZone, day);
  while (t < info.start) info = zoneDay(timeZone, --day);
  while (t >= info.end) info = zoneDay(timeZone, ++day);
  return { day, info };
}

/** Instant to its local day and minute of day in `timeZone`. */
export function epochToLocal(timeZone: string, t: EpochMinute): { day: LocalDay; minuteOfDay: number } {
  const { day, info } = dayContaining(timeZone, t);
  const offset = info.transition && t >= info.transition.at ? info.transition.offsetAfter : info.offset;
  return { day, minuteOfDay: t + offset - day * 1440 };
}
