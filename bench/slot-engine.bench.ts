/**
 * Slot engine benchmark: how long `findSlotsColumnar` (the listing the HTTP service uses) takes
 * for realistic and growing rosters, with `findSlots` (the same listing as `Slot` objects) beside
 * it for comparison.
 *
 * Deterministic: a fixed `now`, seeded random calls. Each case runs a few warm-up rounds (which
 * also fill the zone-day cache, as a running service would have), then RUNS timed rounds; the
 * table shows the median. The machine's noise shows in the growth ratios: compare the columnar
 * listing's ratio with that of the scan without output, measured in the same run. Run alone with `npm run bench -- slot-engine`.
 */
import { performance } from 'node:perf_hooks';
import { localToEpoch, isoWeekday } from '../src/common/time/local-time.js';
import {
  type EngineSettings,
  type Interval,
  type MarketerContext,
  type OpenCall,
  type RepCall,
  type RepSupply,
  type SlotQuery,
  type WeeklyWindow,
  findSlots,
  findSlotsColumnar,
} from '../src/availability/engine/slot-engine.js';
import { type BenchRow, median } from './table.js';
import { seededRandom as random } from '../src/common/seeded-random.js';

const AREA = 'slot engine';
const WARMUP = 5;
const RUNS = 21;
const ZONES = ['America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Sydney'];
/** Monday 2026-03-02 00:00Z: ranges from here cross the March DST changes of NY and London. */
const NOW = Date.UTC(2026, 2, 2) / 60_000;
const DAY = 1440;

const SETTINGS: EngineSettings = {
  slotMinutes: 30,
  slotGridMinutes: 15,
  minNoticeHours: 0,
  horizonDays: 90,
  seatsPerCall: 2,
  repWeeklyCap: 40,
};

const WEEKDAYS_9_TO_5: WeeklyWindow[] = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));

/** `count` distinct 30-minute calls inside the rep's weekday 09:00-17:00, from-7d .. to+7d. */
function callsFor(timeZone: string, fromDay: number, toDay: number, count: number, rnd: () => number): RepCall[] {
  const pool: number[] = [];
  for (let day = fromDay - 7; day <= toDay + 7; day++) {
    if (isoWeekday(day) > 5) continue;
    for (let k = 0; k < 16; k++) pool.push(localToEpoch(timeZone, day, 9 * 60 + 30 * k));
  }
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool
    .slice(0, Math.min(count, pool.length))
    .sort((a, b) => a - b)
    .map((start) => ({ start, end: start + SETTINGS.slotMinutes, seatsTaken: 1 + Math.floor(rnd() * 2) }));
}

/**
 * `count` busy events from a rep's calendars, from-7d .. to+7d: local 07:00-19:00, 15 minutes to two
 * hours on any 5-minute boundary, overlapping each other at times, weekends included, in no order
 * (the slot search's query leaves sorting them to the engine).
 */
function busyFor(timeZone: string, fromDay: number, toDay: number, count: number, rnd: () => number): Interval[] {
  const span = toDay - fromDay + 15;
  const out: Interval[] = [];
  for (let i = 0; i < count; i++) {
    const start = localToEpoch(timeZone, fromDay - 7 + Math.floor(rnd() * span), 7 * 60 + 5 * Math.floor(rnd() * 144));
    out.push({ start, end: start + 15 * (1 + Math.floor(rnd() * 8)) });
  }
  return out; // in no order: the database returns them as it finds them
}

/** `count` opened customer calls of 30-60 minutes at any minute of local 06:00-20:00, inside the range. */
function openCallsFor(timeZone: string, fromDay: number, toDay: number, count: number, rnd: () => number, rep: number): OpenCall[] {
  const out: OpenCall[] = [];
  for (let i = 0; i < count; i++) {
    const start = localToEpoch(timeZone, fromDay + Math.floor(rnd() * (toDay - fromDay)), 6 * 60 + Math.floor(rnd() * 14 * 60));
    out.push({ id: `call-${rep}-${i}`, start, end: start + 30 + Math.floor(rnd() * 31), label: 'Customer call', callType: 'demo' });
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * A listing query over `days` days from the day after NOW. `marketer`: `'typical'` has some busy
 * time and has booked rep-0000 up to the limit; `'atLimit'` has booked every rep up to the limit,
 * so every candidate is judged and none returned (the scan's cost without the output's).
 */
export function buildQuery(
  reps: number,
  days: number,
  callsPerRep: number,
  marketerKind: 'none' | 'typical' | 'atLimit' = 'typical',
  calendar: { busy: number; openCalls: number } = { busy: 0, openCalls: 0 },
): SlotQuery {
  const rnd = random(reps * 1000 + days * 10 + callsPerRep);
  // Its own stream, so the calls and the marketer's commitments are the same with and without calendars.
  const calendarRnd = random(reps * 7919 + days);
  const from = NOW + DAY;
  const to = from + days * DAY;
  const fromDay = Math.floor(from / DAY);
  const toDay = Math.floor(to / DAY);
  const supply: RepSupply[] = [];
  for (let i = 0; i < reps; i++) {
    const timeZone = ZONES[i % ZONES.length];
    supply.push({
      repId: `rep-${String(i).padStart(4, '0')}`,
      timeZone,
      weekly: WEEKDAYS_9_TO_5,
      overrides: {},
      calls: callsPerRep ? callsFor(timeZone, fromDay, toDay, callsPerRep, rnd) : [],
    });
    if (calendar.busy) supply[i].busy = busyFor(timeZone, fromDay, toDay, calendar.busy, calendarRnd);
    if (calendar.openCalls) supply[i].openCalls = openCallsFor(timeZone, fromDay, toDay, calendar.openCalls, calendarRnd, i);
  }
  let marketer: MarketerContext | undefined;
  if (marketerKind !== 'none') {
    const busy = [];
    for (let d = 0; d < days; d += 2) {
      const start = from + d * DAY + 13 * 60 + Math.floor(rnd() * 8) * 60;
      busy.push({ start, end: start + 60 });
    }
    const bookingsByRep: Record<string, number> = { 'rep-0000': 4, 'rep-0001': 1 };
    if (marketerKind === 'atLimit') for (const r of supply) bookingsByRep[r.repId] = 4;
    marketer = { busy, bookingsByRep, sameRepLimit: 4 };
  }
  return {
    now: NOW,
    from,
    to,
    bounds: { start: NOW, end: NOW + 120 * DAY },
    settings: SETTINGS,
    reps: supply,
    marketer,
  };
}

/** Median of RUNS timed calls after WARMUP untimed ones; `count` reads the number of slots. */
function timeOf<T>(list: (q: SlotQuery) => T, count: (r: T) => number, q: SlotQuery): { medianMs: number; slots: number } {
  let slots = 0;
  for (let i = 0; i < WARMUP; i++) slots = count(list(q));
  return { medianMs: median(samplesOf(list, q)), slots };
}

function samplesOf(list: (q: SlotQuery) => unknown, q: SlotQuery): number[] {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    list(q);
    samples.push(performance.now() - t0);
  }
  return samples;
}

/**
 * The columnar listing (what the HTTP service uses) and, for comparison, the object listing. Both
 * are warmed up before either is timed: `findSlots` runs `findSlotsColumnar`, and timing the
 * columnar listing first with only its own warm-up charged it the JIT's work (it measured slower
 * than `findSlots` on the first case).
 */
function time(q: SlotQuery): { columnar: number; columnarBest: number; objects: number; slots: number } {
  let slots = 0;
  let objects = 0;
  for (let i = 0; i < WARMUP; i++) {
    slots = findSlotsColumnar(q).count;
    objects = findSlots(q).length;
  }
  if (slots !== objects) throw new Error(`columnar and object listings disagree: ${slots} vs ${objects} slots`);
  const columnar = samplesOf(findSlotsColumnar, q);
  return { columnar: median(columnar), columnarBest: Math.min(...columnar), objects: median(samplesOf(findSlots, q)), slots };
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const n = (x: number) => x.toLocaleString('en-US');
const result = (t: { columnar: number; objects: number; slots: number }) =>
  `columnar median ${ms(t.columnar)} (${n(t.slots)} slots, ${RUNS} runs); as Slot objects ${ms(t.objects)}`;

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  const c1 = time(buildQuery(20, 61, 200));
  rows.push({
    area: AREA,
    case: '20 reps × 61 days, weekdays 09-17, 30-min slots on a 15-min grid, 200 calls/rep',
    result: result(c1),
    target: 'median < 20 ms',
  });

  const c2 = time(buildQuery(1, 61, 0, 'none'));
  rows.push({
    area: AREA,
    case: '1 rep × 61 days, no calls (comparison)',
    result: result(c2),
  });

  const c3 = time(buildQuery(500, 28, 40));
  rows.push({
    area: AREA,
    case: '500 reps × 28 days, 20,000 calls in total',
    result: result(c3),
    target: 'median < 100 ms',
  });

  const growth: { columnar: number; columnarBest: number; objects: number; scanOnly: number }[] = [];
  for (const reps of [50, 100, 200, 500]) {
    const g = time(buildQuery(reps, 28, 40));
    const s = timeOf(findSlotsColumnar, (r) => r.count, buildQuery(reps, 28, 40, 'atLimit'));
    growth.push({ columnar: g.columnar, columnarBest: g.columnarBest, objects: g.objects, scanOnly: s.medianMs });
    rows.push({
      area: AREA,
      case: `growth: ${reps} reps × 28 days, 40 calls/rep`,
      result:
        `columnar median ${ms(g.columnar)}, ${(g.columnar / reps).toFixed(3)} ms/rep (${n(g.slots)} slots); ` +
        `as Slot objects ${ms(g.objects)}, ${(g.objects / reps).toFixed(3)} ms/rep; ` +
        `scan without output ${ms(s.medianMs)}, ${(s.medianMs / reps).toFixed(3)} ms/rep`,
    });
  }
  const first = growth[0];
  const last = growth[growth.length - 1];
  rows.push({
    area: AREA,
    case: 'growth: time(500 reps) / time(50 reps)',
    result:
      `${(last.columnar / first.columnar).toFixed(1)}× columnar listing ` +
      `(${(last.columnarBest / first.columnarBest).toFixed(1)}× for the fastest runs, less sensitive to a busy machine); ` +
      `${(last.objects / first.objects).toFixed(1)}× as Slot objects; ` +
      `${(last.scanOnly / first.scanOnly).toFixed(1)}× scan without output`,
    target: 'linear: 10× (columnar listing)',
  });
  // Calendars: the same 200-rep query without, with 300 busy events per rep, and with 5 opened customer
  // calls per rep besides, timed in turn in this run.
  const plain = buildQuery(200, 28, 40);
  const busy = buildQuery(200, 28, 40, 'typical', { busy: 300, openCalls: 0 });
  const opened = buildQuery(200, 28, 40, 'typical', { busy: 300, openCalls: 5 });
  const [tp, tb, to] = [time(plain), time(busy), time(opened)];
  const vs = (x: number) => `${x >= tp.columnar ? '+' : ''}${(((x - tp.columnar) / tp.columnar) * 100).toFixed(0)}% vs without`;
  rows.push(
    { area: AREA, case: 'calendars: 200 reps × 28 days, 40 calls/rep, no calendar (comparison, same run)', result: result(tp), target: 'median < 100 ms' },
    {
      area: AREA,
      case: 'calendars: the same, each rep with 300 busy events from calendars (60,000 events)',
      result: `${result(tb)}; ${vs(tb.columnar)}`,
      target: 'median < 100 ms',
    },
    {
      area: AREA,
      case: 'calendars: the same, 300 busy events and 5 opened customer calls per rep (1,000 calls, off the grid)',
      result: `${result(to)}; ${vs(to.columnar)}`,
      target: 'median < 100 ms',
    },
  );
  return rows;
}
