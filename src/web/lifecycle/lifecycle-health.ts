/**
 * Program health arithmetic for the lifecycle pages: how far a period has run, the pace a marketer needs
 * to reach their quota, who is at risk and why, how late a form is. Plain functions: no Nest, no database.
 */
import { behindPace } from '../../programs/quota-pace.js';

// The pace rule is shared with the rollup email: one rule for "at risk of missing the quota".
export { elapsedShare, pace } from '../../programs/quota-pace.js';

export interface MarketerProgress {
  quota: number;
  /** Sessions held (completed). */
  completed: number;
  /** Sessions booked and not yet held. */
  booked: number;
  /** Forms past their due time and not submitted. */
  formsOverdue: number;
}

export interface Assessment {
  pace: number;
  atRisk: boolean;
  /** Why, in words, one line per reason; empty when not at risk. */
  reasons: string[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** At risk when done + booked is behind the pace (behindPace, the rollup's rule too), or when forms are overdue. */
export function assess(p: MarketerProgress, elapsed: number): Assessment {
  const { pace: expected, planned, behind } = behindPace(p, elapsed);
  const reasons: string[] = [];
  if (behind) {
    reasons.push(`Behind pace: ${plural(planned, 'session')} done or booked, ${expected} expected by now for a quota of ${p.quota}`);
  }
  if (p.formsOverdue > 0) reasons.push(`${plural(p.formsOverdue, 'form')} overdue`);
  return { pace: expected, atRisk: reasons.length > 0, reasons };
}

export interface PeriodDates {
  id: string;
  startsOn: string;
  endsOn: string;
}

/**
 * The period to show by default on `today` (a date in the program's zone): the one running today; else
 * the latest one that has started; else the first one to come; null when there are none.
 */
export function defaultPeriod<T extends PeriodDates>(periods: readonly T[], today: string): T | null {
  const running = periods.find((p) => p.startsOn <= today && today <= p.endsOn);
  if (running) return running;
  const started = periods.filter((p) => p.startsOn <= today).sort((a, b) => b.startsOn.localeCompare(a.startsOn));
  if (started.length) return started[0];
  const coming = [...periods].sort((a, b) => a.startsOn.localeCompare(b.startsOn));
  return coming[0] ?? null;
}

/** How long past due, in words: "2 days 3 hours", "5 hours", "40 minutes" (at least "1 minute"). */
export function lateBy(dueAt: Date, now: Date): string {
  const minutes = Math.max(1, Math.floor((now.getTime() - dueAt.getTime()) / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return hours > 0 ? `${plural(days, 'day')} ${plural(hours, 'hour')}` : plural(days, 'day');
  if (hours > 0) return plural(hours, 'hour');
  return plural(minutes, 'minute');
}

/** "3 of 4 (75%)"; "0 of 0" without a percentage. */
export function shareText(part: number, whole: number): string {
  return whole > 0 ? `${part} of ${whole} (${Math.round((part / whole) * 100)}%)` : `${part} of ${whole}`;
}
