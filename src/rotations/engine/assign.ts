/**
 * The onboarding rotation generator: which new marketer works which support shifts.
 *
 * API
 * - `generate({ shifts, hires, existing, shiftsPerHire: K, windowDays: N, now })` returns every
 *   assignment that stands after the run (kept ones with `isNew: false`, added ones with
 *   `isNew: true`), the unconfirmed existing ones it let go (`released`), and a report: fill per
 *   shift, count per marketer, the balance reached, and each requirement it could not meet, with
 *   the reason. `shifts` come from `expandShifts` (./shifts.ts); instants are epoch minutes.
 * - Pure: no Nest, no database, no clock (`now` is passed in). Deterministic: the same input, in
 *   any order, gives the same output. Bad input throws `RotationInputError` (a `RangeError`) whose
 *   `field` names the field, e.g. `hires[3].startedOn`.
 *
 * The rule: each hire gets K shifts whose start lies on their local dates
 * [startedOn, startedOn + N) (in the hire's zone), at most one per local day (again the hire's),
 * never overlapping their time off, their busy time (bookings, shifts elsewhere) or each other,
 * never above a shift's capacity, and only on shifts starting after `now`.
 *
 * Kept as they are ("frozen"): confirmed existing assignments, and any existing assignment whose
 * shift has already started (history is not rewritten). They fill capacity, count toward the
 * marketer's K (wherever they lie), block their local day and their time, and steer spreading.
 * Unconfirmed assignments on future shifts are drafts: they are planned again from scratch, and
 * come back with `isNew: false` when the plan picks the same shift; the others are `released`.
 * So regenerating after new hires with the earlier result confirmed only adds. Every existing
 * assignment must name one of `shifts` (else `existing[i].shiftKey` is refused): expand the
 * templates over the hires' windows and over the dates of the assignments you hold.
 *
 * How (greedy, no search over combinations), in named phases, each a function over one `Plan`:
 * `prepare` (validate, index, place existing, step 1) -> `greedyFill` (2-3) -> `repair` (4) ->
 * `balancePolish` (5) -> `spreadPolish` (6) -> `report`.
 * 1. Per hire, the candidate shifts: the window is an index range of the shifts sorted by start
 *    (two binary searches); each candidate is checked against time off, busy time and frozen
 *    assignments by binary search. O(shifts-in-window × log) per hire.
 * 2. Hires are served most constrained first (fewest candidates, then marketerId), one shift per
 *    hire per round, K rounds, so early hires do not take the best shifts for all K picks.
 * 3. A pick is the candidate with the lowest fill ratio (filled / capacity; with equal capacities
 *    simply the least-loaded shift), then the fewest repeats of weekday and time of day among the
 *    hire's shifts (morning before 12:00, afternoon before 17:00, evening; the queue's local
 *    weekday and start, which decide which customers call), then the earliest start, then key.
 * 4. Repair: a hire still short tries each full candidate shift and moves another hire's new
 *    assignment from it to one of that hire's free candidates (one augmenting step). Bounded by
 *    `REPAIR_BUDGET` candidate checks per run, so a hopelessly short capacity stays fast.
 * 5. Balance polish: from the fullest shifts (by fill ratio) move one marketer to an emptier
 *    shift, directly or along a chain of two (h moves p -> q, another hire moves q -> v), when the
 *    two ends' fill ratios end up strictly closer; with equal capacities, only while they differ by
 *    two or more. This is what brings max - min load to 1 when a fair answer exists and greedy
 *    missed it. Shares `REPAIR_BUDGET`; a chain search stops after `CHAIN_BUDGET` checks.
 * 6. Spread polish: for each new pick that repeats a weekday or time of day of the hire's other
 *    shifts, try a candidate with fewer repeats: move there if that brings the two shifts' fill
 *    ratios closer (never further apart), or swap with a hire on it when their repeats rise by
 *    less than ours fall (loads unchanged). Every change lowers the total repeats.
 * Steps 5 and 6 run at most `POLISH_PASSES` rounds each; only new picks ever move.
 * Cost: O(hires × (shifts-in-window × (log + K))) plus the bounded repair and polish.
 *
 * Report: `perShift` lists every shift in start order; `balance.minShiftLoad/maxShiftLoad` are
 * over the shifts some hire could have been given (after `now` and inside at least one hire's
 * window), `minMarketer/maxMarketer` over the hires. `unmet` gives, per hire short of K, the
 * reason that blocked most usefully: `capacity full` (shifts free for them were full), else
 * `one shift per day`, `time off`, `busy`, or `no eligible shift in window` (nothing starts in
 * the window after `now`), with counts in `detail`.
 */
import { type EpochMinute, type Interval, normalize } from '../../common/time/intervals.js';
import { epochToLocal, isValidTimeZone, localToEpoch } from '../../common/time/local-time.js';
import { RotationInputError, type Shift, parseDateField } from './shifts.js';

export type { Shift, ShiftTemplate } from './shifts.js';
export { RotationInputError, expandShifts } from './shifts.js';

export interface Hire {
  marketerId: string;
  /** First day at the company, `yyyy-MM-dd`, a date in `timeZone`. */
  startedOn: string;
  timeZone: string;
  timeOff: Interval[];
  /** Bookings and shifts elsewhere: anything the marketer cannot be on a shift during. */
  busy: Interval[];
}

export interface Existing {
  marketerId: string;
  shiftKey: string;
  confirmed: boolean;
}

export interface GenerateInput {
  shifts: Shift[];
  hires: Hire[];
  existing: Existing[];
  /** K: `onboardingShifts`, an integer >= 0. */
  shiftsPerHire: number;
  /** N: `onboardingDays`, an integer >= 1. */
  windowDays: number;
  /** Epoch minutes; only shifts starting after it get new assignments. */
  now: EpochMinute;
}

export interface Assignment {
  marketerId: string;
  shiftKey: string;
  /** False for an existing assignment kept, or an unconfirmed one the plan picked again. */
  isNew: boolean;
}

export type UnmetReason = 'no eligible shift in window' | 'time off' | 'busy' | 'one shift per day' | 'capacity full';

export interface UnmetRequirement {
  marketerId: string;
  missing: number;
  reason: UnmetReason;
  /** Human-readable counts, e.g. `12 shifts start in the window after now: 9 full, 3 during time off`. */
  detail: string;
}

export interface RotationReport {
  perShift: { shiftKey: string; filled: number; capacity: number }[];
  perMarketer: { marketerId: string; count: number }[];
  balance: { minShiftLoad: number; maxShiftLoad: number; minMarketer: number; maxMarketer: number };
  unmet: UnmetRequirement[];
}

export interface GenerateResult {
  /** Sorted by shift start, shift key, marketerId. */
  assignments: Assignment[];
  /** Unconfirmed existing assignments (future shifts) not in `assignments`: delete them. */
  released: { marketerId: string; shiftKey: string }[];
  report: RotationReport;
}

/** Upper bound on candidate checks spent in the repair and balance steps of one run. */
export const REPAIR_BUDGET = 4_000_000;
/** Candidate checks one shift may spend looking for a two-hire chain in the balance polish. */
const CHAIN_BUDGET = 2_000;
/** Rounds of the balance and of the spread polish (each change lowers a measure, so both end anyway). */
const POLISH_PASSES = 4;
const MAX_SHIFTS_PER_HIRE = 366;
const MAX_WINDOW_DAYS = 3660;

interface HireState {
  hire: Hire;
  /** Normalized. */
  timeOff: Interval[];
  busy: Interval[];
  /** Shift indices: frozen assignments, then new picks. */
  kept: number[];
  picks: number[];
  /** The window as a range of shift indices: `wlo..hi` all of it, `lo..hi` starting after `now`. */
  wlo: number;
  lo: number;
  hi: number;
  candidates: number[];
  need: number;
  /** Local day (hire's zone) of each shift start, lazily filled; shared by hires of a zone. */
  days: Float64Array;
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function bucketOf(localStartMinute: number): number {
  return localStartMinute < 720 ? 0 : localStartMinute < 1020 ? 1 : 2;
}

/** True when normalized `list` has an interval overlapping [start, end). */
function overlapsAny(list: readonly Interval[], start: number, end: number): boolean {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].end <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length && list[lo].start < end;
}

/** First index in ascending `starts` with `starts[i] >= x` (or `> x` when `strict`). */
function lowerBound(starts: Float64Array, x: number, strict = false): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (strict ? starts[mid] <= x : starts[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function validateIntervals(list: unknown, field: string): Interval[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new RotationInputError(field, 'must be an array of {start, end}');
  list.forEach((iv: Interval, j) => {
    if (iv === null || typeof iv !== 'object' || !finite(iv.start) || !finite(iv.end)) {
      throw new RotationInputError(`${field}[${j}]`, 'must be {start, end} in epoch minutes');
    }
    if (iv.end <= iv.start) throw new RotationInputError(`${field}[${j}].end`, 'must be after start');
  });
  return normalize(list as Interval[]);
}

function validateScalars(input: GenerateInput): void {
  if (input === null || typeof input !== 'object') throw new RotationInputError('input', 'must be an object');
  const k = input.shiftsPerHire;
  if (!Number.isInteger(k) || k < 0 || k > MAX_SHIFTS_PER_HIRE) {
    throw new RotationInputError('shiftsPerHire', `must be an integer from 0 to ${MAX_SHIFTS_PER_HIRE}`);
  }
  const n = input.windowDays;
  if (!Number.isInteger(n) || n < 1 || n > MAX_WINDOW_DAYS) {
    throw new RotationInputError('windowDays', `must be an integer from 1 to ${MAX_WINDOW_DAYS}`);
  }
  if (!finite(input.now)) throw new RotationInputError('now', 'must be a finite number of epoch minutes');
  for (const f of ['shifts', 'hires', 'existing'] as const) {
    if (!Array.isArray(input[f])) throw new RotationInputError(f, 'must be an array');
  }
}

function validateShift(s: Shift, path: string): void {
  if (s === null || typeof s !== 'object') throw new RotationInputError(path, 'must be an object');
  if (typeof s.key !== 'string' || s.key.length === 0) throw new RotationInputError(`${path}.key`, 'must be a non-empty string');
  if (!finite(s.start)) throw new RotationInputError(`${path}.start`, 'must be epoch minutes');
  if (!finite(s.end) || s.end <= s.start) throw new RotationInputError(`${path}.end`, 'must be after start');
  if (!Number.isInteger(s.capacity) || s.capacity < 1) throw new RotationInputError(`${path}.capacity`, 'must be an integer >= 1');
  if (!Number.isInteger(s.weekday) || s.weekday < 1 || s.weekday > 7) {
    throw new RotationInputError(`${path}.weekday`, 'must be an integer from 1 to 7');
  }
  if (!finite(s.localStartMinute) || s.localStartMinute < 0 || s.localStartMinute >= 1440) {
    throw new RotationInputError(`${path}.localStartMinute`, 'must be a minute of the day, 0 to 1439');
  }
}

/**
 * The generator's working state, shared by its phases: the shifts as parallel arrays (index = position
 * in start order, the deterministic tie-break), the hires sorted by marketerId, the existing
 * assignments, and the budget the repair and balance phases draw from. Only `prepare` builds it.
 */
interface Plan {
  now: EpochMinute;
  /** Sorted by (start, key). */
  shifts: Shift[];
  index: Map<string, number>;
  starts: Float64Array;
  ends: Float64Array;
  caps: Int32Array;
  weekdays: Int8Array;
  buckets: Int8Array;
  /** Marketers on each shift: frozen assignments plus new picks. */
  fill: Int32Array;
  /** Sorted by marketerId; a hire's index here is `h`. */
  states: HireState[];
  /** Per shift, the hires (`h`) with a new pick on it, in ascending order. */
  takers: number[][];
  /** Every existing (marketerId, shiftKey) pair, as `pairKey`. */
  seen: Set<string>;
  frozen: { marketerId: string; shift: number }[];
  drafts: { marketerId: string; shiftKey: string }[];
  /** Hires needing picks, most constrained first: the order greedy fill, repair and spread polish serve them. */
  order: number[];
  /** Candidate checks left for repair and balance polish (`REPAIR_BUDGET` at the start). */
  budget: number;
}

/**
 * Runs the phases in order: prepare (validate, index, freeze, list candidates) -> greedy fill ->
 * repair -> balance polish -> spread polish -> report. See the file's doc for the rule and each step.
 */
export function generate(input: GenerateInput): GenerateResult {
  const plan = prepare(input);
  greedyFill(plan);
  repair(plan);
  balancePolish(plan);
  spreadPolish(plan);
  return report(plan);
}

// ------------------------------------------------------------------ prepare

/** Validates the input and builds the plan: shifts indexed, hires with their windows, existing assignments placed, candidates listed (step 1). */
function prepare(input: GenerateInput): Plan {
  validateScalars(input);
  const plan = indexShifts(input);
  prepareHires(plan, input);
  placeExisting(plan, input);
  listCandidates(plan, input.shiftsPerHire);
  return plan;
}

/** Shifts, validated and sorted by (start, key), as parallel arrays; an empty plan around them. */
function indexShifts(input: GenerateInput): Plan {
  input.shifts.forEach((s, i) => validateShift(s, `shifts[${i}]`));
  const shifts = [...input.shifts].sort((a, b) => a.start - b.start || cmpStr(a.key, b.key));
  const n = shifts.length;
  const index = new Map<string, number>();
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const caps = new Int32Array(n);
  const weekdays = new Int8Array(n);
  const buckets = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const s = shifts[i];
    if (index.has(s.key)) {
      throw new RotationInputError(`shifts[${input.shifts.indexOf(s)}].key`, `is a duplicate: ${s.key}`);
    }
    index.set(s.key, i);
    starts[i] = s.start;
    ends[i] = s.end;
    caps[i] = s.capacity;
    weekdays[i] = s.weekday;
    buckets[i] = bucketOf(s.localStartMinute);
  }
  return {
    now: input.now,
    shifts,
    index,
    starts,
    ends,
    caps,
    weekdays,
    buckets,
    fill: new Int32Array(n),
    states: [],
    takers: Array.from({ length: n }, () => []),
    seen: new Set(),
    frozen: [],
    drafts: [],
    order: [],
    budget: REPAIR_BUDGET,
  };
}

/** Hires, validated, each with its window as shift index ranges, sorted by marketerId (duplicates refused). */
function prepareHires(plan: Plan, input: GenerateInput): void {
  const { starts, now } = plan;
  const n = starts.length;
  const zoneDays = new Map<string, Float64Array>();
  const states: HireState[] = input.hires.map((h, i) => {
    const path = `hires[${i}]`;
    if (h === null || typeof h !== 'object') throw new RotationInputError(path, 'must be an object');
    if (typeof h.marketerId !== 'string' || h.marketerId.length === 0) {
      throw new RotationInputError(`${path}.marketerId`, 'must be a non-empty string');
    }
    const d0 = parseDateField(h.startedOn, `${path}.startedOn`);
    if (typeof h.timeZone !== 'string' || !isValidTimeZone(h.timeZone)) {
      throw new RotationInputError(`${path}.timeZone`, `is not a known IANA time zone: ${String(h.timeZone)}`);
    }
    const timeOff = validateIntervals(h.timeOff, `${path}.timeOff`);
    const busy = validateIntervals(h.busy, `${path}.busy`);
    let days = zoneDays.get(h.timeZone);
    if (!days) {
      days = new Float64Array(n).fill(NaN);
      zoneDays.set(h.timeZone, days);
    }
    const winStart = localToEpoch(h.timeZone, d0, 0);
    const winEnd = localToEpoch(h.timeZone, d0 + input.windowDays, 0);
    const wlo = lowerBound(starts, winStart);
    const hi = lowerBound(starts, winEnd);
    const lo = Math.min(hi, Math.max(wlo, lowerBound(starts, now, true)));
    return { hire: h, timeOff, busy, kept: [], picks: [], wlo, lo, hi, candidates: [], need: 0, days };
  });
  states.sort((a, b) => cmpStr(a.hire.marketerId, b.hire.marketerId));
  const seenIds = new Set<string>();
  for (const st of states) {
    if (seenIds.has(st.hire.marketerId)) {
      const at = input.hires.findLastIndex((h) => h.marketerId === st.hire.marketerId);
      throw new RotationInputError(`hires[${at}].marketerId`, `is a duplicate: ${st.hire.marketerId}`);
    }
    seenIds.add(st.hire.marketerId);
  }
  plan.states = states;
}

/** Existing assignments: confirmed ones and those on started shifts are frozen (fill, count toward K); future unconfirmed ones are drafts. */
function placeExisting(plan: Plan, input: GenerateInput): void {
  const { index, starts, now, seen, frozen, drafts, fill, states } = plan;
  input.existing.forEach((e, i) => {
    const path = `existing[${i}]`;
    if (e === null || typeof e !== 'object') throw new RotationInputError(path, 'must be an object');
    if (typeof e.marketerId !== 'string' || e.marketerId.length === 0) {
      throw new RotationInputError(`${path}.marketerId`, 'must be a non-empty string');
    }
    const s = typeof e.shiftKey === 'string' ? index.get(e.shiftKey) : undefined;
    if (s === undefined) throw new RotationInputError(`${path}.shiftKey`, `is not one of the shifts: ${String(e.shiftKey)}`);
    if (typeof e.confirmed !== 'boolean') throw new RotationInputError(`${path}.confirmed`, 'must be a boolean');
    const pk = pairKey(e.marketerId, e.shiftKey);
    if (seen.has(pk)) throw new RotationInputError(path, `is a duplicate: ${e.marketerId} on ${e.shiftKey}`);
    seen.add(pk);
    if (e.confirmed || starts[s] <= now) frozen.push({ marketerId: e.marketerId, shift: s });
    else drafts.push({ marketerId: e.marketerId, shiftKey: e.shiftKey });
  });
  const byId = new Map(states.map((st, h) => [st.hire.marketerId, h]));
  for (const f of frozen) {
    fill[f.shift]++;
    const h = byId.get(f.marketerId);
    if (h !== undefined) states[h].kept.push(f.shift);
  }
}

/** Step 1: per hire, what it still needs and the window shifts free of its time off, busy time and kept shifts (days and times). */
function listCandidates(plan: Plan, K: number): void {
  const { starts, ends } = plan;
  for (const st of plan.states) {
    st.kept.sort((a, b) => a - b);
    st.need = Math.max(0, K - st.kept.length);
    if (st.need === 0) continue;
    const keptDays = st.kept.map((k) => dayOf(plan, st, k));
    for (let i = st.lo; i < st.hi; i++) {
      if (overlapsAny(st.timeOff, starts[i], ends[i]) || overlapsAny(st.busy, starts[i], ends[i])) continue;
      if (keptDays.includes(dayOf(plan, st, i))) continue;
      if (st.kept.some((k) => starts[k] < ends[i] && starts[i] < ends[k])) continue;
      st.candidates.push(i);
    }
  }
}

// ------------------------------------------------------------------ shared moves and measures

const pairKey = (m: string, k: string) => `${m}\u0000${k}`;

/** The local day (the hire's zone) shift `i` starts on; cached per zone. */
function dayOf(plan: Plan, st: HireState, i: number): number {
  let d = st.days[i];
  if (Number.isNaN(d)) {
    d = epochToLocal(st.hire.timeZone, plan.starts[i]).day;
    st.days[i] = d;
  }
  return d;
}

/** Whether shift `i` fits hire `st`'s own shifts (day, overlap), ignoring the pick `without`. */
function fitsOwn(plan: Plan, st: HireState, i: number, without: number): boolean {
  const { starts, ends } = plan;
  const d = dayOf(plan, st, i);
  for (const p of st.picks) {
    if (p === without) continue;
    if (p === i || dayOf(plan, st, p) === d || (starts[p] < ends[i] && starts[i] < ends[p])) return false;
  }
  return true;
}

/** Repeats of weekday and time of day that shift `i` would add to the hire's shifts (without its pick `without`). */
function penalty(plan: Plan, st: HireState, i: number, without: number): number {
  const { weekdays, buckets } = plan;
  let pen = 0;
  for (const p of st.kept) pen += (weekdays[p] === weekdays[i] ? 1 : 0) + (buckets[p] === buckets[i] ? 1 : 0);
  for (const p of st.picks) {
    if (p !== without) pen += (weekdays[p] === weekdays[i] ? 1 : 0) + (buckets[p] === buckets[i] ? 1 : 0);
  }
  return pen;
}

/** The best free candidate for `st` (see step 3), ignoring its pick `without`; -1 if none. `charge` draws on the budget. */
function bestFor(plan: Plan, st: HireState, without = -1, charge = false): number {
  const { fill, caps } = plan;
  let best = -1;
  let bestPen = 0;
  if (charge) plan.budget -= st.candidates.length;
  for (const i of st.candidates) {
    if (i === without || fill[i] >= caps[i] || !fitsOwn(plan, st, i, without)) continue;
    if (best < 0) {
      best = i;
      bestPen = penalty(plan, st, i, without);
      continue;
    }
    const a = fill[i] * caps[best];
    const b = fill[best] * caps[i];
    if (a > b) continue;
    const pen = penalty(plan, st, i, without);
    if (a < b || pen < bestPen) {
      best = i;
      bestPen = pen;
    }
  }
  return best;
}

/** Gives hire `h` a new pick on shift `i`. */
function assign(plan: Plan, h: number, i: number): void {
  plan.states[h].picks.push(i);
  plan.fill[i]++;
  const list = plan.takers[i];
  let at = list.length;
  while (at > 0 && list[at - 1] > h) at--;
  list.splice(at, 0, h);
}

/** Takes hire `h`'s pick on shift `i` back. */
function unassign(plan: Plan, h: number, i: number): void {
  const st = plan.states[h];
  st.picks.splice(st.picks.indexOf(i), 1);
  plan.fill[i]--;
  plan.takers[i].splice(plan.takers[i].indexOf(h), 1);
}

function move(plan: Plan, h: number, from: number, to: number): void {
  unassign(plan, h, from);
  assign(plan, h, to);
}

// ------------------------------------------------------------------ greedy fill, repair

/** Steps 2-3: hires most constrained first, one pick (`bestFor`) per hire per round until none can take more. */
function greedyFill(plan: Plan): void {
  const { states } = plan;
  plan.order = states
    .map((st, h) => h)
    .filter((h) => states[h].need > 0)
    .sort((a, b) => states[a].candidates.length - states[b].candidates.length || a - b);
  let active = plan.order;
  while (active.length > 0) {
    const next: number[] = [];
    for (const h of active) {
      const st = states[h];
      const i = bestFor(plan, st);
      if (i < 0) continue;
      assign(plan, h, i);
      if (st.picks.length < st.need) next.push(h);
    }
    active = next;
  }
}

/** Step 4: a hire still short takes a full candidate shift by moving another hire's new pick from it to a free one (one augmenting step per missing shift, within the budget). */
function repair(plan: Plan): void {
  const { states, fill, caps, takers } = plan;
  for (const h of plan.order) {
    const st = states[h];
    while (st.picks.length < st.need && plan.budget > 0) {
      let done = false;
      for (const i of st.candidates) {
        if (fill[i] < caps[i] || !fitsOwn(plan, st, i, -1)) continue;
        for (const h2 of takers[i]) {
          if (h2 === h) continue;
          const alt = bestFor(plan, states[h2], i, true);
          if (alt < 0) continue;
          unassign(plan, h2, i);
          assign(plan, h2, alt);
          assign(plan, h, i);
          done = true;
          break;
        }
        if (done || plan.budget <= 0) break;
      }
      if (!done) break;
    }
  }
}

// ------------------------------------------------------------------ balance polish

/** Moving one marketer from p to v leaves both strictly between their old fill ratios. */
function narrows(plan: Plan, p: number, v: number): boolean {
  const { fill, caps } = plan;
  return fill[v] < caps[v] && (fill[v] + 1) * caps[p] < fill[p] * caps[v] && fill[v] * caps[p] < (fill[p] - 1) * caps[v];
}

/** One balancing change away from shift p, directly or along a chain of two hires (h: p -> q, h2: q -> v); true if it made one. */
function relieve(plan: Plan, p: number): boolean {
  const { states, fill, caps, takers } = plan;
  for (const h of takers[p]) {
    const st = states[h];
    plan.budget -= st.candidates.length;
    let best = -1;
    let bestPen = 0;
    for (const v of st.candidates) {
      if (!narrows(plan, p, v) || !fitsOwn(plan, st, v, p)) continue;
      const pen = penalty(plan, st, v, p);
      if (best < 0 || pen < bestPen || (pen === bestPen && fill[v] * caps[best] < fill[best] * caps[v])) {
        best = v;
        bestPen = pen;
      }
    }
    if (best >= 0) {
      move(plan, h, p, best);
      return true;
    }
  }
  const tried = new Set<number>();
  let left = CHAIN_BUDGET;
  for (const h of takers[p]) {
    const st = states[h];
    for (const q of st.candidates) {
      if (q === p || tried.has(q) || !fitsOwn(plan, st, q, p)) continue;
      tried.add(q);
      for (const h2 of takers[q]) {
        if (h2 === h) continue;
        const st2 = states[h2];
        plan.budget -= st2.candidates.length;
        left -= st2.candidates.length;
        if (plan.budget <= 0 || left <= 0) return false;
        for (const v of st2.candidates) {
          if (v === q || !narrows(plan, p, v) || !fitsOwn(plan, st2, v, q)) continue;
          move(plan, h2, q, v);
          move(plan, h, p, q);
          return true;
        }
      }
    }
  }
  return false;
}

/** Step 5: moves load from the fullest shifts (by fill ratio) to emptier reachable ones while the two ends get strictly closer; `POLISH_PASSES` rounds at most. */
function balancePolish(plan: Plan): void {
  const { states, fill, caps, takers } = plan;
  const n = fill.length;
  const reachable = new Uint8Array(n);
  for (const st of states) if (st.need > 0) reachable.fill(1, st.lo, st.hi);
  for (let pass = 0; pass < POLISH_PASSES && plan.budget > 0; pass++) {
    // Fullest first (by ratio, then index); a shift can only shed load to a reachable emptier one.
    let minNum = 1;
    let minDen = 1;
    for (let i = 0; i < n; i++) {
      if (reachable[i] && fill[i] * minDen < minNum * caps[i]) {
        minNum = fill[i];
        minDen = caps[i];
      }
    }
    const sources = [];
    for (let i = 0; i < n; i++) {
      if (takers[i].length > 0 && (fill[i] - 1) * minDen > minNum * caps[i]) sources.push(i);
    }
    sources.sort((a, b) => fill[b] * caps[a] - fill[a] * caps[b] || a - b);
    let changed = false;
    for (const p of sources) {
      while (plan.budget > 0 && takers[p].length > 0 && relieve(plan, p)) changed = true;
    }
    if (!changed) break;
  }
}

// ------------------------------------------------------------------ spread polish

/** Whether shift `i` is one of `st`'s candidates (binary search: candidates ascend). */
function hasCandidate(st: HireState, i: number): boolean {
  let lo = 0;
  let hi = st.candidates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (st.candidates[mid] < i) lo = mid + 1;
    else hi = mid;
  }
  return st.candidates[lo] === i;
}

/** Moves `h` from pick `p` to a better-spread shift, or swaps with another hire; true if it did. */
function improve(plan: Plan, h: number, p: number): boolean {
  const { states, fill, caps, takers } = plan;
  const st = states[h];
  const penP = penalty(plan, st, p, p);
  if (penP === 0) return false;
  for (const c of st.candidates) {
    if (c === p || !fitsOwn(plan, st, c, p)) continue;
    const penC = penalty(plan, st, c, p);
    if (penC >= penP) continue;
    // A move, when it narrows the two fill ratios: c one fuller is no fuller than p was, and
    // p one emptier no emptier than c was (with equal capacities: fill[c] + 1 <= fill[p]).
    if (fill[c] < caps[c] && (fill[c] + 1) * caps[p] <= fill[p] * caps[c] && (fill[p] - 1) * caps[c] >= fill[c] * caps[p]) {
      move(plan, h, p, c);
      return true;
    }
    // A swap with a hire on c: loads stay as they are.
    for (const h2 of takers[c]) {
      const st2 = states[h2];
      if (h2 === h || !hasCandidate(st2, p) || !fitsOwn(plan, st2, p, c)) continue;
      if (penP - penC + penalty(plan, st2, c, c) - penalty(plan, st2, p, c) <= 0) continue;
      unassign(plan, h, p);
      unassign(plan, h2, c);
      assign(plan, h, c);
      assign(plan, h2, p);
      return true;
    }
  }
  return false;
}

/** Step 6: trades new picks for ones with fewer weekday and time-of-day repeats, never unbalancing a shift; `POLISH_PASSES` rounds at most. */
function spreadPolish(plan: Plan): void {
  for (let pass = 0; pass < POLISH_PASSES; pass++) {
    let changed = false;
    for (const h of plan.order) {
      for (const p of [...plan.states[h].picks]) if (improve(plan, h, p)) changed = true;
    }
    if (!changed) break;
  }
}

// ------------------------------------------------------------------ report

/** The result: standing assignments (kept and new) in shift order, released drafts, fill and balance, and why each short hire is short. */
function report(plan: Plan): GenerateResult {
  const { shifts, states, frozen, seen, drafts, index, fill } = plan;
  const n = shifts.length;
  const assignments: (Assignment & { shift: number })[] = [];
  for (const f of frozen) assignments.push({ marketerId: f.marketerId, shiftKey: shifts[f.shift].key, isNew: false, shift: f.shift });
  const chosen = new Set<string>();
  for (const st of states) {
    for (const i of st.picks) {
      const pk = pairKey(st.hire.marketerId, shifts[i].key);
      chosen.add(pk);
      assignments.push({ marketerId: st.hire.marketerId, shiftKey: shifts[i].key, isNew: !seen.has(pk), shift: i });
    }
  }
  assignments.sort((a, b) => a.shift - b.shift || cmpStr(a.marketerId, b.marketerId));
  const released = drafts
    .filter((d) => !chosen.has(pairKey(d.marketerId, d.shiftKey)))
    .sort((a, b) => index.get(a.shiftKey)! - index.get(b.shiftKey)! || cmpStr(a.marketerId, b.marketerId));

  const perShift = shifts.map((s, i) => ({ shiftKey: s.key, filled: fill[i], capacity: s.capacity }));
  const perMarketer = states.map((st) => ({ marketerId: st.hire.marketerId, count: st.kept.length + st.picks.length }));
  // Shifts reachable by some hire: a difference array over the window index ranges.
  const reach = new Int32Array(n + 1);
  for (const st of states) {
    if (st.hi > st.lo) {
      reach[st.lo]++;
      reach[st.hi]--;
    }
  }
  let minShiftLoad = Infinity;
  let maxShiftLoad = -Infinity;
  for (let i = 0, run = 0; i < n; i++) {
    run += reach[i];
    if (run === 0) continue;
    minShiftLoad = Math.min(minShiftLoad, fill[i]);
    maxShiftLoad = Math.max(maxShiftLoad, fill[i]);
  }
  const counts = perMarketer.map((p) => p.count);
  const balance = {
    minShiftLoad: Number.isFinite(minShiftLoad) ? minShiftLoad : 0,
    maxShiftLoad: Number.isFinite(maxShiftLoad) ? maxShiftLoad : 0,
    minMarketer: counts.length ? Math.min(...counts) : 0,
    maxMarketer: counts.length ? Math.max(...counts) : 0,
  };

  const unmet: UnmetRequirement[] = [];
  for (const st of states) {
    const missing = st.need - st.picks.length;
    if (missing > 0) unmet.push({ marketerId: st.hire.marketerId, missing, ...explain(plan, st) });
  }

  return {
    assignments: assignments.map(({ marketerId, shiftKey, isNew }) => ({ marketerId, shiftKey, isNew })),
    released,
    report: { perShift, perMarketer, balance, unmet },
  };
}

/** Why `st` is short: each window shift it did not get, by its first blocker. */
function explain(plan: Plan, st: HireState): { reason: UnmetReason; detail: string } {
  const { starts, ends } = plan;
  const c = { full: 0, sameDay: 0, timeOff: 0, busy: 0 };
  const own = [...st.kept, ...st.picks];
  let others = 0;
  for (let i = st.lo; i < st.hi; i++) {
    if (own.includes(i)) continue;
    others++;
    if (overlapsAny(st.timeOff, starts[i], ends[i])) c.timeOff++;
    else if (overlapsAny(st.busy, starts[i], ends[i])) c.busy++;
    else if (own.some((p) => dayOf(plan, st, p) === dayOf(plan, st, i) || (starts[p] < ends[i] && starts[i] < ends[p]))) c.sameDay++;
    else c.full++;
  }
  const total = st.hi - st.lo;
  const past = st.lo - st.wlo;
  if (others === 0) {
    const started = past ? ` (${past} in it started already)` : '';
    const detail = total
      ? `only ${total} shift${total === 1 ? '' : 's'} start${total === 1 ? 's' : ''} in the window after now, all assigned to them${started}`
      : `no shift starts in the window after now${started}`;
    return { reason: 'no eligible shift in window', detail };
  }
  const parts = [
    c.full && `${c.full} full`,
    c.sameDay && `${c.sameDay} on a day (or at a time) already taken`,
    c.timeOff && `${c.timeOff} during time off`,
    c.busy && `${c.busy} during busy time`,
  ].filter(Boolean);
  const detail = `${others} other shift${others === 1 ? '' : 's'} start in the window after now: ${parts.join(', ')}`;
  const reason: UnmetReason = c.full ? 'capacity full' : c.sameDay ? 'one shift per day' : c.timeOff ? 'time off' : 'busy';
  return { reason, detail };
}
