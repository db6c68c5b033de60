import { DateTime } from 'luxon';
import { epochToLocal, formatIsoDate, isValidTimeZone } from '../../common/time/local-time.js';

/** Times on pages, always in the viewer's zone (Luxon does the zone arithmetic). */
export const inZone = (d: Date | string, zone: string): DateTime =>
  (typeof d === 'string' ? DateTime.fromISO(d, { setZone: true }) : DateTime.fromJSDate(d)).setZone(zone);

/** "Mon 23 Nov 2026, 09:30" */
export const dateTime = (d: Date | string, zone: string): string => inZone(d, zone).toFormat('ccc d LLL yyyy, HH:mm');

/** "09:30" */
export const time = (d: Date | string, zone: string): string => inZone(d, zone).toFormat('HH:mm');

/** "Monday 23 November" */
export const day = (isoDate: string): string => DateTime.fromISO(isoDate, { zone: 'UTC' }).toFormat('cccc d LLLL');

/** "09:30–10:00 GMT+1" style range with the zone's short name at that instant. */
export const range = (from: Date | string, to: Date | string, zone: string): string =>
  `${dateTime(from, zone)}–${time(to, zone)} ${inZone(from, zone).toFormat('ZZZZ')}`;

/** ISO instant for <time datetime>. */
export const iso = (d: Date | string): string => (typeof d === 'string' ? d : d.toISOString());

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** An instant's local calendar date (YYYY-MM-DD) and wall-clock time ("09:30") in one zone. */
export interface LocalClockTime {
  date: string;
  hhmm: string;
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * Local date and "HH:mm" of instants in `zone`, for pages listing thousands of them: the same text as
 * Luxon's `toISODate()` and `toFormat('HH:mm')`, with the offset from the per-zone day cache of
 * common/time (a few additions per instant, no DateTime), and each distinct instant converted once.
 * Instants are `Date`s or ISO 8601 strings with an offset (what `toISOString` writes).
 */
export function localClock(zone: string): (instant: Date | string) => LocalClockTime {
  const byText = new Map<string, LocalClockTime>();
  const byMs = new Map<number, LocalClockTime>();
  const fast = isValidTimeZone(zone);
  const convert = (instant: Date | string, ms: number): LocalClockTime => {
    let found = byMs.get(ms);
    if (!found) {
      if (fast && Number.isFinite(ms)) {
        const { day, minuteOfDay } = epochToLocal(zone, Math.floor(ms / 60_000));
        found = { date: formatIsoDate(day), hhmm: `${two(Math.floor(minuteOfDay / 60))}:${two(minuteOfDay % 60)}` };
      } else {
        const d = inZone(instant, zone);
        found = { date: d.toISODate() ?? '', hhmm: d.toFormat('HH:mm') };
      }
      byMs.set(ms, found);
    }
    return found;
  };
  return (instant) => {
    if (typeof instant !== 'string') return convert(instant, instant.getTime());
    // Date.parse costs more than the look-up: the same text (a slot's start, shared by its reps) is parsed once.
    let found = byText.get(instant);
    if (!found) byText.set(instant, (found = convert(instant, Date.parse(instant))));
    return found;
  };
}
