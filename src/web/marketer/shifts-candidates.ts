/**
 * The shifts a marketer may move an assignment to, for the "Move to" list: the period's shifts (active
 * templates expanded over the period's dates), not started, with a free place, other than the one they
 * are on, and not on a local day (the marketer's zone) where they already have another shift. The swap
 * itself re-checks everything under locks (time off, other commitments, capacity); this list only
 * saves the marketer from picking what is certainly refused. Pure: no Nest, no database.
 */
import { DateTime } from 'luxon';
import { expandShifts, type ShiftTemplate } from '../../rotations/engine/shifts.js';

export interface CandidateShift {
  /** `${templateId}@yyyy-MM-dd`, what the swap takes. */
  key: string;
  startsAt: Date;
  endsAt: Date;
  queue: string;
  timeZone: string;
  capacity: number;
  free: number;
}

export interface PeriodShiftSpace {
  startsOn: string;
  endsOn: string;
  templates: ShiftTemplate[];
}

/** Most options one "Move to" list offers (the earliest first). */
export const MAX_CANDIDATES = 60;

/**
 * The period's shifts that have not started and have a free place, earliest first. `taken` counts the
 * live assignments by shift key. Dates start the day before `now` (UTC) so zones ahead of UTC are covered.
 */
export function openShifts(space: PeriodShiftSpace, now: Date, taken: ReadonlyMap<string, number>, horizonDays = 120): CandidateShift[] {
  if (!space.templates.length) return [];
  const today = DateTime.fromJSDate(now, { zone: 'UTC' });
  const from = [today.minus({ days: 1 }).toISODate()!, space.startsOn].sort()[1];
  const to = [today.plus({ days: horizonDays }).toISODate()!, space.endsOn].sort()[0];
  if (to < from) return [];
  const nowMinute = now.getTime() / 60_000;
  return expandShifts(space.templates, from, to)
    .filter((s) => s.date >= space.startsOn && s.date <= space.endsOn && s.start > nowMinute)
    .map((s) => ({
      key: s.key,
      startsAt: new Date(s.start * 60_000),
      endsAt: new Date(s.end * 60_000),
      queue: s.queue,
      timeZone: s.timeZone,
      capacity: s.capacity,
      free: s.capacity - (taken.get(s.key) ?? 0),
    }))
    .filter((s) => s.free > 0);
}

/**
 * The options for one assignment: open shifts other than its own, not on a local day (in `zone`) of the
 * marketer's other live shifts, at most `MAX_CANDIDATES`.
 */
export function candidatesFor(open: readonly CandidateShift[], own: { shiftKey: string; id: string }, others: readonly { id: string; startsAt: Date }[], zone: string): CandidateShift[] {
  const day = (d: Date) => DateTime.fromJSDate(d, { zone }).toISODate();
  const busyDays = new Set(others.filter((o) => o.id !== own.id).map((o) => day(o.startsAt)));
  return open.filter((s) => s.key !== own.shiftKey && !busyDays.has(day(s.startsAt))).slice(0, MAX_CANDIDATES);
}
