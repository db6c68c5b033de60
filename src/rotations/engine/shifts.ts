/**
 * Support-rotation shift templates and their expansion to dated shifts.
 *
 * A template is a weekly shift in a queue's zone: ISO weekday (1 = Monday .. 7 = Sunday), local
 * `HH:mm` start and end (end may be `24:00`), an IANA zone, a queue name and a capacity (marketers
 * per shift). `expandShifts` turns templates into one `Shift` per matching local date, as instants
 * (epoch minutes), with the slot engine's DST rules (`../../common/time/local-time.ts`):
 * - the local times stay put and the instants move: 09:00 in New York is 14:00Z in winter and
 *   13:00Z in summer;
 * - a wall-clock time inside a spring-forward gap maps to the first real instant after the gap, so
 *   01:30-02:30 on 2026-03-08 in New York is 01:30 EST-03:00 EDT (30 real minutes), and a shift
 *   that lies entirely inside the gap (02:00-02:30 that day) does not exist and is not produced;
 * - an ambiguous (fall-back) time maps to the earlier instant, so 01:00-02:00 on 2026-11-01 in
 *   New York runs from 01:00 EDT to 02:00 EST (two real hours).
 *
 * Pure: no Nest, no database, no clock. Bad input throws `RotationInputError` (a `RangeError`)
 * whose `field` names the offending field, e.g. `templates[2].capacity`.
 */
import {
  type EpochMinute,
  type LocalDay,
  formatIsoDate,
  isValidTimeZone,
  isoWeekday,
  localToEpoch,
  parseHHmm,
  parseIsoDate,
} from '../../common/time/local-time.js';

export interface ShiftTemplate {
  id: string;
  /** ISO weekday in `timeZone`: 1 = Monday .. 7 = Sunday. */
  weekday: number;
  /** Local `HH:mm`, 00:00-23:59. */
  start: string;
  /** Local `HH:mm` after `start`, up to `24:00` (shifts do not cross local midnight). */
  end: string;
  timeZone: string;
  queue: string;
  /** Marketers per shift, an integer >= 1. */
  capacity: number;
}

export interface Shift {
  /** `${templateId}@${date}`: unique per template and local date. */
  key: string;
  templateId: string;
  /** Local date in the template's zone, `yyyy-MM-dd`. */
  date: string;
  /** Epoch minutes, `start < end`. */
  start: EpochMinute;
  end: EpochMinute;
  queue: string;
  capacity: number;
  /** The template's local start (minute of day, 0..1439) and weekday (1..7), in `timeZone`. */
  localStartMinute: number;
  weekday: number;
  timeZone: string;
}

/** Bad rotation input; `field` is a path such as `templates[2].capacity` or `hires[0].timeZone`. */
export class RotationInputError extends RangeError {
  readonly code = 'invalid_rotation_input';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
    this.name = 'RotationInputError';
  }
}

/** Longest range `expandShifts` accepts (about ten years), so a typo cannot loop for minutes. */
export const MAX_EXPANSION_DAYS = 3660;

interface ParsedTemplate {
  t: ShiftTemplate;
  startMinute: number;
  endMinute: number;
}

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** Validates one template; throws `RotationInputError` naming `${path}.field`. */
export function validateTemplate(t: ShiftTemplate, path = 'template'): { startMinute: number; endMinute: number } {
  if (t === null || typeof t !== 'object') throw new RotationInputError(path, 'must be an object');
  if (!isNonEmptyString(t.id)) throw new RotationInputError(`${path}.id`, 'must be a non-empty string');
  if (!Number.isInteger(t.weekday) || t.weekday < 1 || t.weekday > 7) {
    throw new RotationInputError(`${path}.weekday`, 'must be an integer from 1 (Monday) to 7 (Sunday)');
  }
  const startMinute = typeof t.start === 'string' ? parseHHmm(t.start, 'start') : null;
  if (startMinute === null) throw new RotationInputError(`${path}.start`, 'must be a local time HH:mm (00:00-23:59)');
  const endMinute = typeof t.end === 'string' ? parseHHmm(t.end, 'end') : null;
  if (endMinute === null) throw new RotationInputError(`${path}.end`, 'must be a local time HH:mm (00:00-24:00)');
  if (endMinute <= startMinute) throw new RotationInputError(`${path}.end`, 'must be after start');
  if (typeof t.timeZone !== 'string' || !isValidTimeZone(t.timeZone)) {
    throw new RotationInputError(`${path}.timeZone`, `is not a known IANA time zone: ${String(t.timeZone)}`);
  }
  if (!isNonEmptyString(t.queue)) throw new RotationInputError(`${path}.queue`, 'must be a non-empty string');
  if (!Number.isInteger(t.capacity) || t.capacity < 1) {
    throw new RotationInputError(`${path}.capacity`, 'must be an integer >= 1');
  }
  return { startMinute, endMinute };
}

/** `"yyyy-MM-dd"` to a day number, or a `RotationInputError` naming `field`. */
export function parseDateField(value: unknown, field: string): LocalDay {
  const day = typeof value === 'string' ? parseIsoDate(value) : null;
  if (day === null) throw new RotationInputError(field, 'must be a calendar date yyyy-MM-dd');
  return day;
}

/**
 * Every shift of `templates` on the local dates `fromDate..toDate` (both included; each template
 * uses the dates of its own zone), sorted by start instant, then key. Validates every template
 * (ids must be unique) and both dates; a range longer than `MAX_EXPANSION_DAYS` is refused.
 * Cost: O(days + shifts), each conversion a cached zone-day look-up.
 */
export function expandShifts(templates: readonly ShiftTemplate[], fromDate: string, toDate: string): Shift[] {
  if (!Array.isArray(templates)) throw new RotationInputError('templates', 'must be an array');
  const from = parseDateField(fromDate, 'fromDate');
  const to = parseDateField(toDate, 'toDate');
  if (to < from) throw new RotationInputError('toDate', 'must not be before fromDate');
  if (to - from + 1 > MAX_EXPANSION_DAYS) {
    throw new RotationInputError('toDate', `must be within ${MAX_EXPANSION_DAYS} days of fromDate`);
  }
  const byWeekday: ParsedTemplate[][] = [[], [], [], [], [], [], [], []];
  const ids = new Set<string>();
  templates.forEach((t, i) => {
    const { startMinute, endMinute } = validateTemplate(t, `templates[${i}]`);
    if (ids.has(t.id)) throw new RotationInputError(`templates[${i}].id`, `is a duplicate: ${t.id}`);
    ids.add(t.id);
    byWeekday[t.weekday].push({ t, startMinute, endMinute });
  });

  const out: Shift[] = [];
  for (let day = from; day <= to; day++) {
    const list = byWeekday[isoWeekday(day)];
    if (list.length === 0) continue;
    const date = formatIsoDate(day);
    for (const { t, startMinute, endMinute } of list) {
      const start = localToEpoch(t.timeZone, day, startMinute);
      const end = localToEpoch(t.timeZone, day, endMinute);
      if (end <= start) continue; // entirely inside a spring-forward gap: the shift does not happen
      out.push({
        key: `${t.id}@${date}`,
        templateId: t.id,
        date,
        start,
        end,
        queue: t.queue,
        capacity: t.capacity,
        localStartMinute: startMinute,
        weekday: t.weekday,
        timeZone: t.timeZone,
      });
    }
  }
  return out.sort(compareShifts);
}

/** Start instant, then key (code-unit order, independent of locale). */
export function compareShifts(a: Pick<Shift, 'start' | 'key'>, b: Pick<Shift, 'start' | 'key'>): number {
  return a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
