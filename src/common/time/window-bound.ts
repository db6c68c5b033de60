import { DateTime } from 'luxon';
import { isDateOrInstant } from './dates.js';

/**
 * Which end of a window a bound is: a date as `start` is 00:00 of that day in the zone, a date as `end`
 * is 00:00 of the next day (the window takes in the whole day named, so `to=2027-03-08` includes the 8th).
 */
export type WindowEdge = 'start' | 'end';

/**
 * The one reading of a `from`/`to` query bound (`/slots`, `/rollups`): a date (2027-03-08, read in
 * `zone`, see `WindowEdge`) or a date-time with an offset, `Z`, `+01:00` or `+0100` (the instant as
 * written; `zone` plays no part). The accepted text is exactly what `@IsDateOrInstant` lets through,
 * years 2000 to 2200 included. Null for anything else, and for an unknown `zone`.
 */
export function parseWindowBound(value: string, zone: string, edge: WindowEdge): Date | null {
  if (!isDateOrInstant(value)) return null;
  if (value.length === 10) {
    const d = DateTime.fromISO(value, { zone });
    if (!d.isValid) return null;
    return (edge === 'end' ? d.plus({ days: 1 }) : d).toJSDate();
  }
  return DateTime.fromISO(value, { setZone: true }).toJSDate();
}
