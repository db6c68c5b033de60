/**
 * The slot engine: which slots of which reps can be booked, and why a given one cannot.
 *
 * Pure: no Nest, no database, no clock (the caller injects `now`). `findSlots` lists; `checkSlot`
 * decides one booking (`findSlotsColumnar` lists as typed-array columns, and `findSlots` is that
 * listing as objects). All run the same two internals, so they cannot disagree:
 * - `startRange` turns period, notice, horizon and the requested range into one range of starts;
 * - `scanRep` expands a rep's availability, walks the grid-aligned candidate starts inside it in
 *   increasing order and gives each to a `RepJudge`, which applies calls, the rep's calendar busy
 *   time and opened customer calls, the weekly cap, the same-rep limit and the marketer's own
 *   commitments with monotone pointers (sorted sweeps). The rep's opened customer calls are
 *   candidates too, each with its own start and end (any minute, inside the windows or not), merged
 *   into the walk in start order and judged by the same `RepJudge` with binary searches.
 *
 * Cost: O(days × windows + candidates + calls + busy) per rep (plus sorting calls and busy time
 * that arrive unsorted, and O(log n) per opened call), then ordering the output without comparing slots: a counting sort over the start
 * minutes, O(n + range), or a k-way merge of the per-rep runs, O(n log reps), when the range is
 * large next to the output. The columnar listing allocates nothing per slot.
 *
 * Decisions the rules leave open:
 * - A window whose start or end does not parse (see `parseHHmm`), or whose end is not after its
 *   start, is ignored; validating input is the API layer's job.
 * - `from`/`to` only filter the listing; `checkSlot` does not refuse a start outside them.
 * - When several windows of a day overlap, a slot takes its metadata from the earliest-starting
 *   window that contains its start (the first listed one on a tie).
 * - Calls with `end <= start` are ignored. Two calls with the candidate's exact start and end: the
 *   first is the one to join, the second makes the rep busy.
 * - Rep ids are expected to be unique; `checkSlot` looks at the first rep with the id.
 * - Calendar busy time is the rep being elsewhere: a grid candidate it overlaps is `rep_busy`, even
 *   one joining a booked call. An opened call makes the grid candidates it overlaps `rep_busy`;
 *   two opened calls that overlap make each other `rep_busy` (even with the same times: the same
 *   meeting in two connected calendars is offered by neither), and so does a busy event overlapping one.
 * - An opened call is offered when its start passes range, notice and horizon and its end is within
 *   the period; calls whose start or end is not a whole minute, or that are empty, are ignored (the
 *   database rounds the start down and the end up). Bookings with exactly its interval take its
 *   seats; without one it counts as a new call for the weekly cap, like a grid slot.
 * - `checkSlot` at a start where an opened call of the rep starts decides that call (its end, not
 *   start + slotMinutes); a grid candidate at that start overlaps it anyway.
 */
import { type EpochMinute, type Interval, containsInterval, normalize, union } from '../../common/time/intervals.js';
import { type LocalDay, isoWeekday, localToEpoch, mondayOf, parseHHmm, parseIsoDate, zoneDay } from '../../common/time/local-time.js';

export type { EpochMinute, Interval } from '../../common/time/intervals.js';

export interface WallWindow {
  start: string;
  end: string;
  label?: string;
  callType?: string;
  marketingSourced?: boolean;
}

export interface WeeklyWindow extends WallWindow {
  weekday: number;
}

export interface RepCall {
  start: EpochMinute;
  end: EpochMinute;
  seatsTaken: number;
}

/**
 * A customer call from the rep's calendar that the rep opened for shadowing: one bookable call with
 * the event's exact start and end (any minute, inside or outside the weekly windows).
 */
export interface OpenCall {
  /** The calendar event's id (a booking on the call records it). */
  id: string;
  start: EpochMinute;
  end: EpochMinute;
  label?: string;
  callType?: string;
  marketingSourced?: boolean;
}

export interface RepSupply {
  repId: string;
  timeZone: string;
  weekly: WeeklyWindow[];
  overrides: Record<string, WallWindow[]>;
  calls: RepCall[];
  /** Busy time from the rep's calendars (not the opened calls), any order, may overlap. */
  busy?: Interval[];
  /**
   * The same as flat start/end pairs (event i is busyPairs[2i] .. busyPairs[2i + 1]), best sorted by start
   * (as rep_calendar_busy keeps them: then they are merged in one pass, with no object per event); any
   * order works. Taken together with `busy` when both are given.
   */
  busyPairs?: ArrayLike<number>;
  /** Opened customer calls. */
  openCalls?: OpenCall[];
}

export interface EngineSettings {
  slotMinutes: number;
  slotGridMinutes: number;
  minNoticeHours: number;
  horizonDays: number;
  seatsPerCall: number;
  repWeeklyCap: number;
}

export interface MarketerContext {
  busy: Interval[];
  bookingsByRep: Record<string, number>;
  sameRepLimit: number;
}

export interface SlotQuery {
  now: EpochMinute;
  from: EpochMinute;
  to: EpochMinute;
  bounds: Interval;
  settings: EngineSettings;
  reps: RepSupply[];
  marketer?: MarketerContext;
}

export interface Slot {
  repId: string;
  start: EpochMinute;
  end: EpochMinute;
  capacityLeft: number;
  label?: string;
  callType?: string;
  marketingSourced?: boolean;
  /** Set when the slot is an opened customer call (its calendar event's id). */
  customerCallId?: string;
}

/**
 * A listing as parallel columns (see `findSlotsColumnar`): slot `i` of `count` is
 * `start[i]`..`end[i]` with rep `q.reps[repIndex[i]]`. The arrays may be longer than `count`.
 */
export interface SlotColumns {
  count: number;
  /** Epoch minutes. */
  start: Float64Array;
  end: Float64Array;
  /** Index into `q.reps`. */
  repIndex: Int32Array;
  capacityLeft: Int32Array;
  /** -1 when the window has no label, callType or marketingSourced, else an index into `meta`. */
  windowMeta: Int32Array;
  /**
   * Shared window metadata, one object per distinct window of the query (not per slot), and one per
   * opened customer call (with its `customerCallId`).
   */
  meta: { label?: string; callType?: string; marketingSourced?: boolean; customerCallId?: string }[];
}

export type SlotRefusal =
  | 'outside_period'
  | 'outside_notice'
  | 'outside_horizon'
  | 'not_available'
  | 'off_grid'
  | 'slot_full'
  | 'rep_busy'
  | 'rep_weekly_cap'
  | 'same_rep_limit'
  | 'marketer_conflict';

export type SlotCheck = { ok: true; slot: Slot } | { ok: false; reason: SlotRefusal };

/** Thrown for settings the engine cannot work with (a zero grid would never advance). */
export class InvalidEngineSettingsError extends Error {
  readonly code = 'invalid_engine_settings';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEngineSettingsError';
  }
}

// ---------------------------------------------------------------------------------------------
// Shared predicates: period, notice, horizon

function periodOk(q: SlotQuery, start: EpochMinute, end: EpochMinute): boolean {
  return start >= q.bounds.start && end <= q.bounds.end;
}
function noticeOk(q: SlotQuery, start: EpochMinute): boolean {
  return start >= q.now + q.settings.minNoticeHours * 60;
}
function horizonOk(q: SlotQuery, start: EpochMinute): boolean {
  return start < q.now + q.settings.horizonDays * 1440;
}

/**
 * The integer starts `[lo, hi)` of grid slots that pass range, period, notice and horizon (the
 * predicates above), and `openHi`: opened calls start in `[lo, openHi)` (and must end by the
 * period's end, checked per call since their lengths differ).
 */
function startRange(q: SlotQuery): { lo: number; hi: number; openHi: number } {
  const s = q.settings;
  const lo = Math.max(Math.ceil(q.from), Math.ceil(q.bounds.start), Math.ceil(q.now + s.minNoticeHours * 60));
  const last = Math.min(Math.ceil(q.to), Math.ceil(q.now + s.horizonDays * 1440));
  const hi = Math.min(last, Math.floor(q.bounds.end) - s.slotMinutes + 1);
  const openHi = Math.min(last, Math.floor(q.bounds.end));
  return { lo, hi, openHi };
}

function assertSettings(s: EngineSettings): void {
  if (!Number.isInteger(s.slotMinutes) || s.slotMinutes <= 0) {
    throw new InvalidEngineSettingsError('slotMinutes must be a positive integer');
  }
  if (!Number.isInteger(s.slotGridMinutes) || s.slotGridMinutes <= 0) {
    throw new InvalidEngineSettingsError('slotGridMinutes must be a positive integer');
  }
  if (!Number.isInteger(s.seatsPerCall) || s.seatsPerCall <= 0) {
    throw new InvalidEngineSettingsError('seatsPerCall must be a positive integer');
  }
}

// ---------------------------------------------------------------------------------------------
// Availability expansion

interface ParsedWindow {
  start: number; // minute of day
  end: number; // minute of day, up to 1440
  meta: SlotMeta | null;
}

interface SlotMeta {
  label?: string;
  callType?: string;
  marketingSourced?: boolean;
  customerCallId?: string;
}

/** A piece of availability as instants; pieces of a rep are disjoint and sorted. */
interface Piece {
  start: EpochMinute;
  end: EpochMinute;
  meta: SlotMeta | null;
}

/** A stretch of one local day with one offset: local minute of day = t - wallBase. */
interface DayPiece {
  start: EpochMinute;
  end: EpochMinute;
  wallBase: number;
}

function metaOf(w: WallWindow): SlotMeta | null {
  if (w.label === undefined && w.callType === undefined && w.marketingSourced === undefined) return null;
  const m: SlotMeta = {};
  if (w.label !== undefined) m.label = w.label;
  if (w.callType !== undefined) m.callType = w.callType;
  if (w.marketingSourced !== undefined) m.marketingSourced = w.marketingSourced;
  return m;
}

function parseWindows(list: readonly WallWindow[]): ParsedWindow[] {
  const out: ParsedWindow[] = [];
  for (const w of list) {
    const start = parseHHmm(w.start, 'start');
    const end = parseHHmm(w.end, 'end');
    if (start === null || end === null || end <= start) continue;
    out.push({ start, end, meta: metaOf(w) });
  }
  // Stable: on equal starts, the listed order decides whose metadata wins.
  return out.sort((a, b) => a.start - b.start);
}

interface Availability {
  /** Disjoint, sorted, with metadata: the union of all windows, first window winning overlaps. */
  pieces: Piece[];
  /** The same set with touching pieces merged: a slot must fit inside one of these. */
  free: Interval[];
  /** Offset stretches of every expanded day, contiguous and sorted. */
  dayPieces: DayPiece[];
}

/**
 * What a rep's supply says independent of any query, worked out once per supply object: windows
 * parsed (weekly by ISO weekday, overrides by local day), calls filtered and sorted with their ends,
 * calendar busy time normalized, opened calls sorted, and what grid candidates must not overlap.
 * Supplies are never mutated once handed to the engine (the instance's supply cache shares them
 * between requests), so a listing that reuses a cached supply skips all of this; the memo holds its
 * supply weakly and goes with it.
 */
interface PreparedRep {
  weekly: ParsedWindow[][];
  overrides: Map<LocalDay, ParsedWindow[]>;
  calls: RepCall[];
  ends: Float64Array;
  calendar: Interval[];
  open: OpenCall[];
  taken: Interval[];
  /** Names the preparation in `dayRanges`' keys. */
  id: number;
}

interface Weeks {
  starts: EpochMinute[];
  calls: number[];
}

/**
 * The expansions (`expand`) and weeks (`weeksOf`) of prepared reps' windows over local day ranges, by
 * preparation and range, least recently used first: a listing's pages and probes each ask a few ranges of
 * every rep, and the same ones again on the next search of those days. Bounded in number across all reps
 * (an expansion of a few weeks is a few kB), whatever the number of reps or ranges asked; read-only once made.
 *
 * Keyed by a number folded from the preparation's id and the two days (a listing asks a few thousand of
 * these, and a string key cost a concatenation and its hashing each time); the entry names its owner and
 * days in full, so two ranges folding to one key only replace each other, never answer for each other.
 * A hit moves its entry to the recent end only once it has aged by a quarter of the bound, so most hits
 * are one lookup.
 */
interface DayRangeEntry {
  owner: number;
  dLo: LocalDay;
  dHi: LocalDay;
  /** `dayRangeClock` when the entry was last put at the recent end. */
  stamp: number;
  availability?: Availability;
  weeks?: Weeks;
}
const dayRanges = new Map<number, DayRangeEntry>();
export const DAY_RANGES_KEPT = 4096;
let dayRangeClock = 0;
let preparations = 0;

/** 2^19 preparations × 2^17 days × 2^17 days: exact below 2^53. */
const dayRangeKey = (id: number, dLo: LocalDay, dHi: LocalDay): number => (id & 0x7ffff) * 0x400000000 + (dLo & 0x1ffff) * 0x20000 + (dHi & 0x1ffff);

function dayRange(p: PreparedRep, dLo: LocalDay, dHi: LocalDay): DayRangeEntry {
  const key = dayRangeKey(p.id, dLo, dHi);
  let e = dayRanges.get(key);
  if (e && e.owner === p.id && e.dLo === dLo && e.dHi === dHi) {
    if (dayRangeClock - e.stamp > DAY_RANGES_KEPT / 4) {
      dayRanges.delete(key); // most recently used last
      e.stamp = ++dayRangeClock;
      dayRanges.set(key, e);
    }
    return e;
  }
  if (e) dayRanges.delete(key);
  else if (dayRanges.size >= DAY_RANGES_KEPT) dayRanges.delete(dayRanges.keys().next().value as number);
  e = { owner: p.id, dLo, dHi, stamp: ++dayRangeClock };
  dayRanges.set(key, e);
  return e;
}

/** How many day ranges are kept (for the bound's test). */
export const dayRangesKept = (): number => dayRanges.size;

const preparedReps = new WeakMap<RepSupply, PreparedRep>();

/** Weekly windows parsed by ISO weekday, once per list (a supply and the cuts of it share their list). */
const parsedWeekly = new WeakMap<readonly WeeklyWindow[], ParsedWindow[][]>();

function weeklyParsed(list: readonly WeeklyWindow[]): ParsedWindow[][] {
  let out = parsedWeekly.get(list);
  if (out) return out;
  const byWeekday: WallWindow[][] = [[], [], [], [], [], [], [], []];
  for (const w of list) {
    if (Number.isInteger(w.weekday) && w.weekday >= 1 && w.weekday <= 7) byWeekday[w.weekday].push(w);
  }
  out = byWeekday.map(parseWindows);
  parsedWeekly.set(list, out);
  return out;
}

function prepared(rep: RepSupply): PreparedRep {
  let p = preparedReps.get(rep);
  if (p) return p;
  const overrides = new Map<LocalDay, ParsedWindow[]>();
  for (const [date, list] of Object.entries(rep.overrides)) {
    const day = parseIsoDate(date);
    if (day !== null) overrides.set(day, parseWindows(list));
  }
  const calls = sortedBy(
    rep.calls.filter((c) => c.end > c.start),
    (c) => c.start,
  );
  const ends = new Float64Array(calls.length);
  for (let i = 0; i < calls.length; i++) ends[i] = calls[i].end;
  ends.sort();
  const calendar = calendarBusy(rep);
  const open = openCallsOf(rep);
  p = { weekly: weeklyParsed(rep.weekly), overrides, calls, ends, calendar, open, taken: open.length ? union(calendar, open) : calendar, id: ++preparations };
  preparedReps.set(rep, p);
  return p;
}

/** Expands a rep's windows on local days `[dLo, dHi]` and unions them across days (kept in `dayRanges` for the next search of those days). */
function expand(rep: RepSupply, dLo: LocalDay, dHi: LocalDay): Availability {
  const p = prepared(rep);
  const e = dayRange(p, dLo, dHi);
  return (e.availability ??= expandDays(rep.timeZone, p.weekly, p.overrides, dLo, dHi));
}

function expandDays(timeZone: string, weekly: ParsedWindow[][], overrides: Map<LocalDay, ParsedWindow[]>, dLo: LocalDay, dHi: LocalDay): Availability {
  const pieces: Piece[] = [];
  const free: Interval[] = [];
  const dayPieces: DayPiece[] = [];
  let covered = -Infinity; // end of the union so far
  for (let day = dLo; day <= dHi; day++) {
    const info = zoneDay(timeZone, day);
    const wall = day * 1440;
    if (info.transition) {
      dayPieces.push({ start: info.start, end: info.transition.at, wallBase: wall - info.offset });
      dayPieces.push({ start: info.transition.at, end: info.end, wallBase: wall - info.transition.offsetAfter });
    } else {
      dayPieces.push({ start: info.start, end: info.end, wallBase: wall - info.offset });
    }
    const windows = overrides.get(day) ?? weekly[isoWeekday(day)];
    for (const w of windows) {
      // localToEpoch is monotone in the minute, so windows stay sorted by start.
      const start = localToEpoch(timeZone, day, w.start);
      const end = localToEpoch(timeZone, day, w.end);
      if (end <= start) continue; // entirely inside a spring-forward gap
      const from = start > covered ? start : covered;
      if (end > from) pieces.push({ start: from, end, meta: w.meta });
      if (end > covered) {
        const last = free[free.length - 1];
        if (last && start <= last.end) last.end = end;
        else free.push({ start, end });
        covered = end;
      }
    }
  }
  return { pieces, free, dayPieces };
}

// ---------------------------------------------------------------------------------------------
// Judging candidates: calls, weekly cap, same-rep limit, marketer

/**
 * A judgement as one number, so the scan allocates nothing per candidate: a positive number is
 * the seats left (bookable), a negative one `-(index in REFUSALS + 1)`.
 */
type Verdict = number;
const REFUSALS = ['slot_full', 'rep_busy', 'rep_weekly_cap', 'same_rep_limit', 'marketer_conflict'] as const;
const SLOT_FULL = -1;
const REP_BUSY = -2;
const REP_WEEKLY_CAP = -3;
const SAME_REP_LIMIT = -4;
const MARKETER_CONFLICT = -5;
const refusalOf = (v: Verdict): SlotRefusal => REFUSALS[-v - 1];

function sortedBy<T>(list: readonly T[], key: (x: T) => number): T[] {
  for (let i = 1; i < list.length; i++) {
    if (key(list[i]) < key(list[i - 1])) return [...list].sort((a, b) => key(a) - key(b));
  }
  return list as T[];
}

const NO_INTERVALS: Interval[] = [];
const NO_CALLS: OpenCall[] = [];

/** Index of the first element of the sorted `a` that is greater than `x` (`strict`) or at least `x`. */
function firstAbove(a: ArrayLike<number>, x: number, strict: boolean): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x || (strict && a[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const PACK = 2 ** 22;

/**
 * `normalize` for the rep's calendar busy time, which arrives in no order (hundreds of events per
 * rep): whole-minute intervals are packed into one number each (start × 2^22 + length) and sorted
 * as a typed array, natively and without a comparator, then merged. Anything else (a fraction of a
 * minute, a length of 2^22 minutes or more, a start beyond ±2^30) takes `normalize`.
 */
function normalizeBusy(list: readonly Interval[]): Interval[] {
  const keys = new Float64Array(list.length);
  let n = 0;
  for (const i of list) {
    const length = i.end - i.start;
    if (length <= 0) continue;
    if (!Number.isInteger(i.start) || !Number.isInteger(length) || length >= PACK || Math.abs(i.start) >= 2 ** 30) return normalize(list);
    keys[n++] = i.start * PACK + length;
  }
  const sorted = keys.subarray(0, n).sort();
  const out: Interval[] = [];
  let last: Interval | undefined;
  for (let k = 0; k < n; k++) {
    const start = Math.floor(sorted[k] / PACK);
    const end = start + (sorted[k] - start * PACK);
    if (last && start <= last.end) {
      if (end > last.end) last.end = end;
    } else {
      out.push((last = { start, end }));
    }
  }
  return out;
}

/**
 * The rep's calendar busy time, normalized: `busyPairs` sorted by start are merged in one pass; pairs out
 * of order, or pairs with `busy` as well, go through `normalizeBusy`.
 */
function calendarBusy(rep: RepSupply): Interval[] {
  const pairs = rep.busyPairs;
  if (!pairs || pairs.length < 2) return rep.busy && rep.busy.length ? normalizeBusy(rep.busy) : NO_INTERVALS;
  const asIntervals = () => {
    const list: Interval[] = rep.busy ? [...rep.busy] : [];
    for (let k = 0; k + 1 < pairs.length; k += 2) list.push({ start: pairs[k], end: pairs[k + 1] });
    return normalizeBusy(list);
  };
  if (rep.busy && rep.busy.length) return asIntervals();
  const out: Interval[] = [];
  let last: Interval | undefined;
  let previousStart = -Infinity;
  for (let k = 0; k + 1 < pairs.length; k += 2) {
    const start = pairs[k];
    const end = pairs[k + 1];
    if (!(start >= previousStart)) return asIntervals(); // out of order (or NaN)
    previousStart = start;
    if (!(end > start)) continue;
    if (last && start <= last.end) {
      if (end > last.end) last.end = end;
    } else {
      out.push((last = { start, end }));
    }
  }
  return out;
}

/** Whether the normalized `list` overlaps `[start, end)` (binary search). */
function overlapsAny(list: readonly Interval[], start: EpochMinute, end: EpochMinute): boolean {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].end <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length && list[lo].start < end;
}

/**
 * Local ISO weeks (Monday 00:00 in the rep's zone) covering the local days `[dLo, dHi]`, and how many
 * distinct calls start in each (kept in `dayRanges`, like the expansions).
 */
function weeksOf(p: PreparedRep, timeZone: string, dLo: LocalDay, dHi: LocalDay): Weeks {
  const e = dayRange(p, dLo, dHi);
  if (e.weeks) return e.weeks;
  const starts: EpochMinute[] = [];
  for (let monday = mondayOf(dLo); monday <= dHi + 7; monday += 7) starts.push(localToEpoch(timeZone, monday, 0));
  const calls = new Array<number>(starts.length).fill(0);
  let w = 0;
  for (const c of p.calls) {
    while (w + 1 < starts.length && c.start >= starts[w + 1]) w++;
    if (c.start >= starts[0] && w + 1 < starts.length) calls[w]++;
  }
  return (e.weeks = { starts, calls });
}

/**
 * Judges candidates of one rep. Grid candidates (`judge`): every pointer only moves forward, so
 * they must be judged in increasing order of start; the whole scan is then linear in candidates +
 * calls + busy time. Opened customer calls (`judgeCall`): by binary searches, in any order.
 */
class RepJudge {
  private readonly calls: RepCall[]; // by start
  private readonly ends: Float64Array; // call ends, sorted
  private startedBeforeEnd = 0; // calls with start < candidate end
  private endedByStart = 0; // calls with end <= candidate start
  private exactFrom = 0; // first call with start >= candidate start
  private readonly weekStarts: EpochMinute[];
  private readonly weekCalls: number[];
  private week = 0;
  private readonly busy: Interval[]; // the marketer's, normalized
  private busyAt = 0;
  /** The rep's calendar busy time, normalized. */
  private readonly calendar: Interval[];
  /** Calendar busy time and opened calls, normalized: what grid candidates must not overlap. */
  private readonly taken: Interval[];
  private takenAt = 0;
  /** Opened calls (valid ones) by start. */
  private readonly open: OpenCall[];
  /** For `judgeCall`, made on its first use: call starts, opened calls' starts and their ends sorted. */
  private sorted?: { callStarts: Float64Array; openStarts: Float64Array; openEnds: Float64Array };
  private readonly repLimitReached: boolean;

  constructor(
    private readonly settings: EngineSettings,
    rep: RepSupply,
    dLo: LocalDay,
    dHi: LocalDay,
    marketer: MarketerContext | undefined,
    busy: Interval[],
  ) {
    const p = prepared(rep);
    this.calls = p.calls;
    this.ends = p.ends;
    const weeks = weeksOf(p, rep.timeZone, dLo, dHi);
    this.weekStarts = weeks.starts;
    this.weekCalls = weeks.calls;
    this.busy = busy;
    this.calendar = p.calendar;
    this.open = p.open;
    this.taken = p.taken;
    this.repLimitReached = marketer !== undefined && (marketer.bookingsByRep[rep.repId] ?? 0) >= marketer.sameRepLimit;
  }

  /** A grid candidate `[start, start + slotMinutes)`; starts must come in increasing order. */
  judge(start: EpochMinute): Verdict {
    const s = this.settings;
    const end = start + s.slotMinutes;
    const calls = this.calls;

    while (this.startedBeforeEnd < calls.length && calls[this.startedBeforeEnd].start < end) this.startedBeforeEnd++;
    while (this.endedByStart < this.ends.length && this.ends[this.endedByStart] <= start) this.endedByStart++;
    while (this.exactFrom < calls.length && calls[this.exactFrom].start < start) this.exactFrom++;
    let exact: RepCall | undefined;
    for (let i = this.exactFrom; i < calls.length && calls[i].start === start; i++) {
      if (calls[i].end === end) {
        exact = calls[i];
        break;
      }
    }
    const overlapping = this.startedBeforeEnd - this.endedByStart;

    if (exact && exact.seatsTaken >= s.seatsPerCall) return SLOT_FULL;
    if (overlapping - (exact ? 1 : 0) > 0) return REP_BUSY;
    const taken = this.taken;
    while (this.takenAt < taken.length && taken[this.takenAt].end <= start) this.takenAt++;
    if (this.takenAt < taken.length && taken[this.takenAt].start < end) return REP_BUSY;
    if (!exact) {
      while (this.week + 1 < this.weekStarts.length && start >= this.weekStarts[this.week + 1]) this.week++;
      if (this.weekCalls[this.week] >= s.repWeeklyCap) return REP_WEEKLY_CAP;
    }
    if (this.repLimitReached) return SAME_REP_LIMIT;
    while (this.busyAt < this.busy.length && this.busy[this.busyAt].end <= start) this.busyAt++;
    if (this.busyAt < this.busy.length && this.busy[this.busyAt].start < end) return MARKETER_CONFLICT;
    return exact ? s.seatsPerCall - exact.seatsTaken : s.seatsPerCall;
  }

  /**
   * The opened call `this.open[k]`, with the same rules over its own interval: bookings with exactly
   * its interval take its seats; any other booking, calendar busy time or opened call overlapping it
   * makes the rep busy; it counts as a new call for the weekly cap unless it has bookings.
   */
  judgeCall(k: number): Verdict {
    const s = this.settings;
    const { start, end } = this.open[k];
    const calls = this.calls;
    const { callStarts, openStarts, openEnds } = (this.sorted ??= {
      callStarts: Float64Array.from(calls, (c) => c.start),
      openStarts: Float64Array.from(this.open, (c) => c.start),
      openEnds: Float64Array.from(this.open, (c) => c.end).sort(),
    });
    let exact: RepCall | undefined;
    for (let i = firstAbove(callStarts, start, false); i < calls.length && calls[i].start === start; i++) {
      if (calls[i].end === end) {
        exact = calls[i];
        break;
      }
    }
    if (exact && exact.seatsTaken >= s.seatsPerCall) return SLOT_FULL;
    const overlapping = firstAbove(callStarts, end, false) - firstAbove(this.ends, start, true);
    if (overlapping - (exact ? 1 : 0) > 0) return REP_BUSY;
    if (overlapsAny(this.calendar, start, end)) return REP_BUSY;
    // Opened calls overlapping this one, itself included.
    if (firstAbove(openStarts, end, false) - firstAbove(openEnds, start, true) > 1) return REP_BUSY;
    if (!exact) {
      const week = Math.min(Math.max(0, firstAbove(this.weekStarts, start, true) - 1), this.weekStarts.length - 1);
      if (this.weekCalls[week] >= s.repWeeklyCap) return REP_WEEKLY_CAP;
    }
    if (this.repLimitReached) return SAME_REP_LIMIT;
    if (overlapsAny(this.busy, start, end)) return MARKETER_CONFLICT;
    return exact ? s.seatsPerCall - exact.seatsTaken : s.seatsPerCall;
  }
}

// ---------------------------------------------------------------------------------------------
// The one scan both entry points use

interface RepScan {
  availability: Availability;
}

/** A candidate's verdict, its metadata, and its length in minutes (the slot length, or an opened call's). */
type Visit = (start: EpochMinute, verdict: Verdict, meta: SlotMeta | null, minutes: number) => void;

/** The rep's opened calls the engine can offer (whole minutes, positive length), by start. */
function openCallsOf(rep: RepSupply): OpenCall[] {
  const list = rep.openCalls;
  if (!list || list.length === 0) return NO_CALLS;
  return sortedBy(
    list.filter((c) => Number.isInteger(c.start) && Number.isInteger(c.end) && c.end > c.start),
    (c) => c.start,
  );
}

function callMeta(c: OpenCall): SlotMeta {
  const m: SlotMeta = {};
  if (c.label !== undefined) m.label = c.label;
  if (c.callType !== undefined) m.callType = c.callType;
  if (c.marketingSourced !== undefined) m.marketingSourced = c.marketingSourced;
  m.customerCallId = c.id;
  return m;
}

/**
 * Walks every grid-aligned start in `[lo, hi)` whose slot fits inside the rep's availability, and
 * every opened call with a start in `[lo, openHi)` that ends inside the period, in increasing order
 * of start (a call before a grid candidate with the same start), and reports each with its verdict,
 * metadata and length.
 */
function scanRep(q: SlotQuery, busy: Interval[], rep: RepSupply, lo: EpochMinute, hi: EpochMinute, openHi: EpochMinute, visit: Visit): RepScan {
  const { slotMinutes: slot, slotGridMinutes: grid } = q.settings;
  // Every local day that can hold part of a slot starting in [lo, hi): offsets are under a day.
  const dLo = Math.floor(lo / 1440) - 1;
  const dHi = Math.floor((Math.max(hi, openHi) + slot) / 1440) + 1;
  const availability = expand(rep, dLo, dHi);
  const { pieces, free, dayPieces } = availability;
  const open = prepared(rep).open;
  // The opened calls to offer: open[oc..ocEnd) (their starts are sorted; the period's end is checked per call).
  let oc = 0;
  while (oc < open.length && open[oc].start < lo) oc++;
  let ocEnd = oc;
  while (ocEnd < open.length && open[ocEnd].start < openHi) ocEnd++;
  if (free.length === 0 && oc === ocEnd) return { availability };

  const judge = new RepJudge(q.settings, rep, dLo, dHi, q.marketer, busy);
  const periodEnd = q.bounds.end;
  let nextCall = oc < ocEnd ? open[oc].start : Infinity;
  let dp = 0;
  let pp = 0;
  for (const f of free) {
    const from = Math.max(f.start, lo);
    const until = Math.min(f.end - slot + 1, hi); // starts in [from, until)
    if (from >= until) continue;
    while (dp < dayPieces.length && dayPieces[dp].end <= from) dp++;
    for (let k = dp; k < dayPieces.length && dayPieces[k].start < until; k++) {
      const d = dayPieces[k];
      const a = Math.max(from, d.start);
      const b = Math.min(until, d.end);
      const r = (((a - d.wallBase) % grid) + grid) % grid;
      for (let start = r === 0 ? a : a + grid - r; start < b; start += grid) {
        if (start >= nextCall) {
          oc = offerCalls(judge, open, oc, ocEnd, start, periodEnd, visit);
          nextCall = oc < ocEnd ? open[oc].start : Infinity;
        }
        while (pieces[pp].end <= start) pp++;
        visit(start, judge.judge(start), pieces[pp].meta, slot);
      }
    }
  }
  offerCalls(judge, open, oc, ocEnd, Infinity, periodEnd, visit);
  return { availability };
}

/** Visits the opened calls `open[oc..ocEnd)` that start by `until` (those ending by `periodEnd`); returns the next one's index. */
function offerCalls(judge: RepJudge, open: OpenCall[], oc: number, ocEnd: number, until: EpochMinute, periodEnd: EpochMinute, visit: Visit): number {
  for (; oc < ocEnd && open[oc].start <= until; oc++) {
    const c = open[oc];
    if (c.end <= periodEnd) visit(c.start, judge.judgeCall(oc), callMeta(c), c.end - c.start);
  }
  return oc;
}

function toSlot(repId: string, start: EpochMinute, end: EpochMinute, capacityLeft: number, meta: SlotMeta | null): Slot {
  const slot: Slot = { repId, start, end, capacityLeft };
  if (meta) {
    if (meta.label !== undefined) slot.label = meta.label;
    if (meta.callType !== undefined) slot.callType = meta.callType;
    if (meta.marketingSourced !== undefined) slot.marketingSourced = meta.marketingSourced;
    if (meta.customerCallId !== undefined) slot.customerCallId = meta.customerCallId;
  }
  return slot;
}

/**
 * Every bookable slot with a start in `[from, to)` as parallel columns, ordered by start then
 * repId (string order; input order among equal ids). Nothing is allocated per slot: the rep scans
 * append to growable typed arrays, and the per-rep runs (each already in start order, scanned in
 * repId order) are put in start order by a stable counting sort over the start minutes, or by a
 * k-way merge of the runs when the range of starts is large next to the output.
 *
 * Window metadata is shared: `windowMeta[i]` indexes `meta` (one object per distinct window of
 * the query), or is -1 for a window without label, call type or lead flag. The `meta` objects are
 * shared with later listings over the same supplies (see `prepared`): callers must not mutate them.
 */
export function findSlotsColumnar(q: SlotQuery): SlotColumns {
  assertSettings(q.settings);
  const { lo, hi: gridHi, openHi } = startRange(q);
  let calls = 0;
  for (const r of q.reps) if (r.openCalls) calls += r.openCalls.length;
  // Starts lie in [lo, hi): opened calls may start up to a slot's length past the grid's last start.
  const hi = calls ? Math.max(gridHi, openHi) : gridHi;
  if (lo >= hi || q.reps.length === 0) return emptyColumns();

  // Ranks by repId once per query; ties (duplicate ids) keep the input order.
  const order = q.reps.map((_, i) => i);
  order.sort((a, b) => (q.reps[a].repId < q.reps[b].repId ? -1 : q.reps[a].repId > q.reps[b].repId ? 1 : a - b));

  const busy = normalize(q.marketer?.busy ?? []);
  // A rep has at most one candidate per grid step in each stretch of one local day and offset
  // (at most two of those per day): a cap for the buffer's extrapolated growth, not a size.
  const { slotMinutes: slot, slotGridMinutes: grid } = q.settings;
  const perRep = Math.ceil((hi - lo) / grid) + 2 * (Math.ceil((hi - lo + slot) / 1440) + 3);
  const runs = new RunBuffer(order.length, order.length * perRep + calls);
  const runEnd = new Int32Array(order.length); // runs[k] = [runEnd[k-1], runEnd[k]), rep order[k]
  const meta: SlotMeta[] = [];
  // Per entry of `meta`: the slot's length in minutes (an opened call's own length; its meta is its own).
  const minutes: number[] = [];
  let callsListed = false;
  const metaIndex = new Map<SlotMeta, number>();
  let lastMeta: SlotMeta | null = null;
  let lastIndex = -1;
  const visit = (start: EpochMinute, verdict: Verdict, m: SlotMeta | null, length: number): void => {
    if (verdict <= 0) return;
    if (m !== lastMeta) {
      lastMeta = m;
      if (m === null) lastIndex = -1;
      else {
        let i = metaIndex.get(m);
        if (i === undefined) {
          i = meta.push(m) - 1;
          minutes.push(length);
          if (m.customerCallId !== undefined) callsListed = true;
          metaIndex.set(m, i);
        }
        lastIndex = i;
      }
    }
    runs.push(start, verdict, lastIndex);
  };
  for (let k = 0; k < order.length; k++) {
    runs.repsBegun = k + 1;
    scanRep(q, busy, q.reps[order[k]], lo, gridHi, openHi, visit);
    runEnd[k] = runs.length;
  }

  const n = runs.length;
  const out = columnsOf(n, meta);
  if (n === 0) return out;
  // Measured: the merge costs ~10 ns per slot and heap level (runs tie a lot), the counting sort
  // ~1 ns per minute of range plus a few ns per slot, and a single run is merged by copying.
  // The range term is capped so the count array stays within ~64 bytes per slot (+ 256 KiB).
  let nonEmpty = 0;
  for (let k = 0; k < runEnd.length; k++) if (runEnd[k] > (k === 0 ? 0 : runEnd[k - 1])) nonEmpty++;
  if (nonEmpty > 1 && hi - lo <= n * Math.min(16, 4 * Math.log2(nonEmpty)) + 65_536) {
    // Starts are whole minutes in [lo, hi): lo is an integer, and candidates are grid points
    // counted from local midnights, with zone offsets rounded to whole minutes.
    countingOrder(runs, runEnd, order, lo, hi - lo, slot, out);
  } else {
    mergeOrder(runs, runEnd, order, slot, out);
  }
  if (callsListed) {
    // The orderings wrote every end as start + slotMinutes; an opened call ends when its event does.
    for (let i = 0; i < n; i++) {
      const m = out.windowMeta[i];
      if (m >= 0) out.end[i] = out.start[i] + minutes[m];
    }
  }
  return out;
}

/** Every bookable slot with a start in `[from, to)`, sorted by start then repId: `findSlotsColumnar` as objects. */
export function findSlots(q: SlotQuery): Slot[] {
  const c = findSlotsColumnar(q);
  const slots: Slot[] = [];
  const n = c.count;
  // Read from a Float64Array, a minute would be stored in the Slot as a boxed number (V8): 2.5×
  // the young-generation collections. As an int32 it is stored unboxed, and every start and end
  // fits one until the year 6053; hence a loop for int32 minutes and one for any others.
  if (n === 0 || (c.start[0] >= -(2 ** 31) && c.end[n - 1] < 2 ** 31)) {
    for (let i = 0; i < n; i++) {
      const m = c.windowMeta[i];
      slots.push(toSlot(q.reps[c.repIndex[i]].repId, c.start[i] | 0, c.end[i] | 0, c.capacityLeft[i], m < 0 ? null : c.meta[m]));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const m = c.windowMeta[i];
      slots.push(toSlot(q.reps[c.repIndex[i]].repId, c.start[i], c.end[i], c.capacityLeft[i], m < 0 ? null : c.meta[m]));
    }
  }
  return slots;
}

/**
 * The listings of consecutive ranges of one query (`[a, b)`, `[b, c)`, … with the same reps, in that order) as
 * the listing of their union: a slot depends on its start, not on the range searched, so each part holds exactly
 * the union's slots that start in its range, and every start of a part is before the next part's. Window
 * metadata indices are renumbered into one `meta` (an object the parts share listed once).
 */
export function concatColumns(parts: readonly SlotColumns[]): SlotColumns {
  if (parts.length === 1) return parts[0];
  const n = parts.reduce((sum, p) => sum + p.count, 0);
  const out = columnsOf(n, []);
  const index = new Map<SlotMeta, number>(); // parts share the metadata of windows they both cover
  let at = 0;
  for (const p of parts) {
    const c = p.count;
    out.start.set(p.start.subarray(0, c), at);
    out.end.set(p.end.subarray(0, c), at);
    out.repIndex.set(p.repIndex.subarray(0, c), at);
    out.capacityLeft.set(p.capacityLeft.subarray(0, c), at);
    const renumber = p.meta.map((m) => {
      let i = index.get(m);
      if (i === undefined) index.set(m, (i = out.meta.push(m) - 1));
      return i;
    });
    for (let i = 0; i < c; i++) {
      const m = p.windowMeta[i];
      out.windowMeta[at + i] = m < 0 ? m : renumber[m];
    }
    at += c;
  }
  return out;
}

function emptyColumns(): SlotColumns {
  return columnsOf(0, []);
}

/** Columns for `n` slots, zeroed, with `meta` as their window metadata. */
function columnsOf(n: number, meta: SlotColumns['meta']): SlotColumns {
  return {
    count: n,
    start: new Float64Array(n),
    end: new Float64Array(n),
    repIndex: new Int32Array(n),
    capacityLeft: new Int32Array(n),
    windowMeta: new Int32Array(n),
    meta,
  };
}

/**
 * The bookable candidates of all reps, appended run after run, in typed arrays that grow
 * geometrically. A growth extrapolates from the reps scanned so far (reps of one query tend to be
 * alike), so a large listing is usually copied once or twice rather than ~log2(n) times; it never
 * grows by less than double, nor (beyond that) past `bound`, an upper bound of all candidates.
 */
class RunBuffer {
  length = 0;
  start = new Float64Array(1024);
  capacity = new Int32Array(1024);
  meta = new Int32Array(1024);
  /** Reps whose scan has begun, of `reps`. */
  repsBegun = 0;

  constructor(
    private readonly reps: number,
    private readonly bound: number,
  ) {}

  push(start: EpochMinute, capacity: number, meta: number): void {
    if (this.length === this.start.length) this.grow();
    this.start[this.length] = start;
    this.capacity[this.length] = capacity;
    this.meta[this.length] = meta;
    this.length++;
  }

  private grow(): void {
    const estimate = Math.ceil(((this.length * this.reps) / Math.max(1, this.repsBegun)) * 1.125);
    const size = Math.max(2 * this.start.length, Math.min(estimate, this.bound));
    const start = new Float64Array(size);
    start.set(this.start);
    const capacity = new Int32Array(size);
    capacity.set(this.capacity);
    const meta = new Int32Array(size);
    meta.set(this.meta);
    this.start = start;
    this.capacity = capacity;
    this.meta = meta;
  }
}

/** Stable counting sort by start minute (runs are in repId order): O(n + span). */
function countingOrder(
  runs: RunBuffer,
  runEnd: Int32Array,
  order: number[],
  lo: EpochMinute,
  span: number,
  slotMinutes: number,
  out: SlotColumns,
): void {
  const n = runs.length;
  const starts = runs.start;
  const next = new Int32Array(span + 1); // first output position per start minute
  for (let i = 0; i < n; i++) next[starts[i] - lo + 1]++;
  for (let m = 1; m <= span; m++) next[m] += next[m - 1];
  let i = 0;
  for (let k = 0; k < runEnd.length; k++) {
    const rep = order[k];
    for (const until = runEnd[k]; i < until; i++) {
      const s = starts[i];
      const at = next[s - lo]++;
      out.start[at] = s;
      out.end[at] = s + slotMinutes;
      out.repIndex[at] = rep;
      out.capacityLeft[at] = runs.capacity[i];
      out.windowMeta[at] = runs.meta[i];
    }
  }
}

/**
 * k-way merge of the runs, O(n log k) for k non-empty runs: a binary heap of run numbers keyed by
 * (start at the run's head, run number). Run numbers follow repId order, so ties keep it. The head
 * starts are kept in a k-sized array, so comparisons stay in cache.
 */
function mergeOrder(runs: RunBuffer, runEnd: Int32Array, order: number[], slotMinutes: number, out: SlotColumns): void {
  const starts = runs.start;
  const k = runEnd.length;
  const head = new Int32Array(k); // next unread position of each run
  const key = new Float64Array(k); // starts[head[run]]
  const heap = new Int32Array(k);
  let size = 0;
  for (let r = 0; r < k; r++) {
    head[r] = r === 0 ? 0 : runEnd[r - 1];
    if (head[r] < runEnd[r]) {
      key[r] = starts[head[r]];
      heap[size++] = r;
    }
  }
  for (let root = (size >> 1) - 1; root >= 0; root--) siftDown(heap, size, root, key);

  for (let at = 0; size > 0; at++) {
    const r = heap[0];
    const i = head[r]++;
    const s = starts[i];
    out.start[at] = s;
    out.end[at] = s + slotMinutes;
    out.repIndex[at] = order[r];
    out.capacityLeft[at] = runs.capacity[i];
    out.windowMeta[at] = runs.meta[i];
    if (i + 1 === runEnd[r]) heap[0] = heap[--size];
    else key[r] = starts[i + 1];
    if (size > 1) siftDown(heap, size, 0, key);
  }
}

/** Restores the heap order below `root`, by (key[run], run). */
function siftDown(heap: Int32Array, size: number, root: number, key: Float64Array): void {
  const top = heap[root];
  const topKey = key[top];
  let i = root;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    let child = heap[c];
    let childKey = key[child];
    if (c + 1 < size) {
      const right = heap[c + 1];
      const rightKey = key[right];
      if (rightKey < childKey || (rightKey === childKey && right < child)) {
        c++;
        child = right;
        childKey = rightKey;
      }
    }
    if (topKey < childKey || (topKey === childKey && top < child)) break;
    heap[i] = child;
    i = c;
  }
  heap[i] = top;
}

/**
 * Whether `repId` can be booked at `start`, with the first reason in this order when not:
 * period, notice, horizon, availability (`not_available`) and grid (`off_grid`), then the rep's
 * calls (`slot_full`, `rep_busy`, which includes calendar busy time and opened calls), weekly cap,
 * same-rep limit, marketer conflict. When `start` is the start of one of the rep's opened calls,
 * the answer is about that call (its own end, off the grid and outside the windows allowed).
 */
export function checkSlot(q: SlotQuery, repId: string, start: EpochMinute): SlotCheck {
  assertSettings(q.settings);
  const rep = q.reps.find((r) => r.repId === repId);
  // A start that is an opened call's start books that call, over its own interval.
  const call = rep ? prepared(rep).open.find((c) => c.start === start) : undefined;
  if (!periodOk(q, start, call ? call.end : start + q.settings.slotMinutes)) return { ok: false, reason: 'outside_period' };
  if (!noticeOk(q, start)) return { ok: false, reason: 'outside_notice' };
  if (!horizonOk(q, start)) return { ok: false, reason: 'outside_horizon' };
  if (!rep || !Number.isInteger(start)) return { ok: false, reason: 'not_available' };

  let result: SlotCheck | undefined;
  let ofCall = false;
  const busy = normalize(q.marketer?.busy ?? []);
  const { availability } = scanRep(q, busy, rep, start, start + 1, start + 1, (s, verdict, meta, minutes) => {
    if (ofCall) return; // an opened call with this start comes first and decides
    ofCall = meta?.customerCallId !== undefined;
    result = verdict > 0 ? { ok: true, slot: toSlot(rep.repId, s, s + minutes, verdict, meta) } : { ok: false, reason: refusalOf(verdict) };
  });
  if (result) return result;
  const fits = containsInterval(availability.free, start, start + q.settings.slotMinutes);
  return { ok: false, reason: fits ? 'off_grid' : 'not_available' };
}
