/**
 * Which of a rep's availability windows applies on a local date, and which holds an instant: the label,
 * call type and marketing-sourced flag the pages show beside a call (bookings do not store them). Pure.
 */
import { DateTime } from 'luxon';
import { parseHHmm } from '../../common/time/local-time.js';
import type { WallWindow, WeeklyWindow } from '../../availability/engine/slot-engine.js';

/** A date's override windows (`[]` blocks the day), or undefined when the date has no override. */
export type OverrideOf = (isoDate: string) => readonly WallWindow[] | undefined;

/** Overrides given as a list of dates, as a lookup. */
export const overridesFromList =
  (list: readonly { date: string; windows: WallWindow[] }[]): OverrideOf =>
  (isoDate) =>
    list.find((x) => x.date === isoDate)?.windows;

/** The windows of one local date, by start: its override when there is one, else the weekly windows of that weekday. */
export function windowsOn(isoDate: string, weekly: readonly WeeklyWindow[], overrideOf: OverrideOf): { windows: WallWindow[]; override: boolean } {
  const o = overrideOf(isoDate);
  if (o) return { windows: [...o].sort((a, b) => a.start.localeCompare(b.start)), override: true };
  const wd = DateTime.fromISO(isoDate, { zone: 'UTC' }).weekday;
  return { windows: weekly.filter((w) => w.weekday === wd).sort((a, b) => a.start.localeCompare(b.start)), override: false };
}

/** The window (earliest-starting) that holds an instant, read in the availability's zone. */
export function windowAt(at: Date, zone: string, weekly: readonly WeeklyWindow[], overrideOf: OverrideOf): WallWindow | undefined {
  const local = DateTime.fromJSDate(at).setZone(zone);
  const minute = local.hour * 60 + local.minute;
  return windowsOn(local.toISODate()!, weekly, overrideOf).windows.find((w) => {
    const s = parseHHmm(w.start, 'start');
    const e = parseHHmm(w.end, 'end');
    return s !== null && e !== null && s <= minute && minute < e;
  });
}
