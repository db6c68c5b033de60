import { DateTime } from 'luxon';
import type { PeriodStatus } from './program.entity.js';
import type { PeriodCadence } from './program-settings.js';

export interface DateRange {
  startsOn: string; // yyyy-MM-dd
  endsOn: string; // inclusive
}

/** The period after one ending on `lastEndsOn`: the next calendar month or quarter (aligned), or null for `none`. */
export function nextPeriod(cadence: PeriodCadence, lastEndsOn: string): DateRange | null {
  if (cadence === 'none') return null;
  const start = DateTime.fromISO(lastEndsOn, { zone: 'UTC' }).plus({ days: 1 });
  const unit = cadence === 'month' ? 'month' : 'quarter';
  // A period that ends mid-month/quarter is followed by the rest of that month/quarter, then aligned ones.
  const end = start.endOf(unit);
  return { startsOn: start.toISODate()!, endsOn: end.toISODate()! };
}

/** The period containing `today` for a program with no periods yet. */
export function currentPeriod(cadence: PeriodCadence, today: string): DateRange | null {
  if (cadence === 'none') return null;
  const d = DateTime.fromISO(today, { zone: 'UTC' });
  const unit = cadence === 'month' ? 'month' : 'quarter';
  return { startsOn: d.startOf(unit).toISODate()!, endsOn: d.endOf(unit).toISODate()! };
}

/** Whether the next period is due: the last one ends within `leadDays` of `today`. */
export function nextPeriodDue(lastEndsOn: string, today: string, leadDays: number): boolean {
  const end = DateTime.fromISO(lastEndsOn, { zone: 'UTC' });
  const t = DateTime.fromISO(today, { zone: 'UTC' });
  return end.diff(t, 'days').days < leadDays;
}

/**
 * Where a period stands on `today` (a date in the program's zone), from its dates: planned before its first
 * day, open through its last, then closed, or rolled_up once its period rollup is built (`rolledUp`).
 * rolled_up is final. One rule for the period's creation, the hourly tick and the rollup build, so the order
 * in which the tick and the build run does not matter.
 */
export function periodStatusOn(range: DateRange, today: string, current: PeriodStatus, rolledUp = false): PeriodStatus {
  if (current === 'rolled_up') return current;
  if (today < range.startsOn) return 'planned';
  if (today <= range.endsOn) return 'open';
  return rolledUp ? 'rolled_up' : 'closed';
}
