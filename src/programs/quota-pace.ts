/**
 * The one rule for "at risk of missing the quota", used by the lifecycle health page and the rollup email.
 * Plain functions: no Nest, no database, the instant passed in.
 *
 * A marketer is behind when the sessions they have held plus the ones they have booked fall short of the
 * pace: the quota times the share of the period that has passed, in whole sessions, rounded down. Booked
 * sessions count because they are the marketer's plan and what they can act on (a marketer who booked ahead
 * is on track); a whole session must be due before anyone is behind; there is no arbitrary slack factor.
 */
import { DateTime } from 'luxon';

/** The share of a period (its dates in the program's zone, `endsOn` inclusive) that has passed at `now`, 0..1. */
export function elapsedShare(startsOn: string, endsOn: string, zone: string, now: Date): number {
  const start = DateTime.fromISO(startsOn, { zone }).toMillis();
  const end = DateTime.fromISO(endsOn, { zone }).plus({ days: 1 }).toMillis();
  if (!(end > start)) return 1;
  return Math.min(1, Math.max(0, (now.getTime() - start) / (end - start)));
}

/**
 * Sessions a marketer should have done or booked by now to reach `quota` by the period end, in whole
 * sessions: quota × elapsed share, rounded down (nobody is behind before a whole session is due).
 */
export function pace(quota: number | null, elapsed: number): number {
  if (!quota || !(quota > 0)) return 0;
  return Math.floor(quota * Math.min(1, Math.max(0, elapsed)) + 1e-9);
}

export interface QuotaProgress {
  quota: number | null;
  /** Sessions held (completed). */
  completed: number;
  /** Sessions booked and not yet held. */
  booked: number;
}

/** Behind pace: held + booked below quota × elapsed share (whole sessions). Never with no quota. */
export function behindPace(p: QuotaProgress, elapsed: number): { pace: number; planned: number; behind: boolean } {
  const expected = pace(p.quota, elapsed);
  const planned = p.completed + p.booked;
  return { pace: expected, planned, behind: planned < expected };
}
