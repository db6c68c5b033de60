/**
 * One generate run of a period, before and after the generator: which templates and dates it expands,
 * what it hands `generate` (./assign.ts), and the report the API answers with.
 *
 * Pure: no Nest, no database, no clock (`now` is passed in). The service loads the rows, calls
 * `periodRunInput`, then `generate`, stores the new assignments and answers with `periodRunReport`.
 */
import { type Interval } from '../../common/time/intervals.js';
import { formatIsoDate, parseIsoDate } from '../../common/time/local-time.js';
import { type Existing, type GenerateInput, type Hire, type RotationReport, type UnmetRequirement } from './assign.js';
import { type ShiftTemplate, expandShifts } from './shifts.js';

/** A marketer enrolled in the period; `startedOn` (first day at the company) is null when not recorded. */
export interface RunPerson {
  id: string;
  timeZone: string;
  startedOn: string | null;
}

/** Time off or busy time of one user. */
export interface RunSpan {
  userId: string;
  startsAt: Date;
  endsAt: Date;
}

/** A live (confirmed or completed) assignment of the period. */
export interface RunAssignment {
  marketerId: string;
  templateId: string;
  shiftKey: string;
  /** `yyyy-MM-dd`, the shift's local date in its template's zone. */
  shiftDate: string;
}

export interface PeriodRunInput {
  period: { startsOn: string; endsOn: string };
  people: RunPerson[];
  timeOff: RunSpan[];
  busy: RunSpan[];
  existing: RunAssignment[];
  /** The program's templates in use: its active ones plus those `heldTemplateIds` names. */
  templates: (ShiftTemplate & { active: boolean })[];
  /** K: `onboardingShifts`. */
  shiftsPerHire: number;
  /** N: `onboardingDays`. */
  windowDays: number;
  now: Date;
}

/** A requirement the run could not meet: the engine's reasons plus `no start date` (no `startedOn`). */
export type GenerateUnmet = Omit<UnmetRequirement, 'reason'> & { reason: UnmetRequirement['reason'] | 'no start date' };

export interface PeriodRun {
  /** What `generate` gets: only the shifts of the period that matter, the hires with a start date. */
  input: GenerateInput;
  /** Enrolled marketers without a start date: they cannot be planned. */
  noStart: GenerateUnmet[];
}

export type PeriodRunReport = Omit<RotationReport, 'unmet'> & { unmet: GenerateUnmet[]; added: number; kept: number };

/** An instant as epoch minutes: the start rounded down, `up` rounds an end up. */
export const toEpochMinute = (d: Date, up = false): number => (up ? Math.ceil : Math.floor)(new Date(d).getTime() / 60_000);

/** Templates no longer active that an existing assignment still holds: they are expanded too (the run must see those shifts). */
export function heldTemplateIds(activeIds: readonly string[], existing: readonly Pick<RunAssignment, 'templateId'>[]): string[] {
  return [...new Set(existing.map((a) => a.templateId))].filter((id) => !activeIds.includes(id));
}

function intervalsByUser(spans: readonly RunSpan[]): Map<string, Interval[]> {
  const out = new Map<string, Interval[]>();
  for (const s of spans) {
    const list = out.get(s.userId) ?? [];
    list.push({ start: toEpochMinute(s.startsAt), end: toEpochMinute(s.endsAt, true) });
    out.set(s.userId, list);
  }
  return out;
}

const shiftDay = (date: string, days: number): string => formatIsoDate(parseIsoDate(date)! + days);

/**
 * The generator's input for a run over `period`: the hires (those with a start date, with their time
 * off and busy time in epoch minutes), the templates expanded over the dates that matter (each hire's
 * window with a day either side for zones, and the existing assignments' dates, clipped to the
 * period), keeping the shifts of active templates and those existing assignments hold; the existing
 * assignments whose shift expands (all of them, unless a template changed under them), each confirmed.
 */
export function periodRunInput(run: PeriodRunInput): PeriodRun {
  const { period, shiftsPerHire: K, windowDays: N } = run;
  const noStart: GenerateUnmet[] = run.people
    .filter((p) => !p.startedOn)
    .map((p) => ({ marketerId: p.id, missing: K, reason: 'no start date', detail: 'the user has no startedOn (first day at the company)' }));
  const timeOff = intervalsByUser(run.timeOff);
  const busy = intervalsByUser(run.busy);
  const hires: Hire[] = run.people
    .filter((p) => p.startedOn)
    .map((p) => ({ marketerId: p.id, startedOn: p.startedOn!, timeZone: p.timeZone, timeOff: timeOff.get(p.id) ?? [], busy: busy.get(p.id) ?? [] }));

  const dates: string[] = [];
  for (const h of hires) dates.push(shiftDay(h.startedOn, -1), shiftDay(h.startedOn, N));
  for (const a of run.existing) dates.push(a.shiftDate);
  const from = dates.length ? dates.reduce((a, b) => (a < b ? a : b)) : null;
  const to = dates.length ? dates.reduce((a, b) => (a > b ? a : b)) : null;
  const lo = from && from > period.startsOn ? from : period.startsOn;
  const hi = to && to < period.endsOn ? to : period.endsOn;
  const active = new Set(run.templates.filter((t) => t.active).map((t) => t.id));
  const held = new Set(run.existing.map((a) => a.shiftKey));
  const shifts =
    from && run.templates.length && lo <= hi
      ? expandShifts(
          run.templates.map(({ active: _active, ...t }) => t),
          lo,
          hi,
        ).filter((s) => s.date >= period.startsOn && s.date <= period.endsOn && (active.has(s.templateId) || held.has(s.key)))
      : [];
  // An existing assignment whose shift no longer expands (cannot normally happen) is left out rather than failing the run.
  const keys = new Set(shifts.map((s) => s.key));
  const existing: Existing[] = run.existing.filter((a) => keys.has(a.shiftKey)).map((a) => ({ marketerId: a.marketerId, shiftKey: a.shiftKey, confirmed: true }));
  return { input: { shifts, hires, existing, shiftsPerHire: K, windowDays: N, now: toEpochMinute(run.now) }, noStart };
}

/** The API's report: the engine's, with the marketers without a start date among the unmet (by marketerId), and the counts added and kept. */
export function periodRunReport(report: RotationReport, noStart: readonly GenerateUnmet[], added: number, kept: number): PeriodRunReport {
  const unmet = [...report.unmet, ...noStart].sort((a, b) => (a.marketerId < b.marketerId ? -1 : a.marketerId > b.marketerId ? 1 : 0));
  return { ...report, unmet, added, kept };
}
