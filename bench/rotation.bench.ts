/**
 * Rotation generator benchmark: 300 onboarding marketers with start dates spread over 13 weeks,
 * 40 support-shift templates a week in four zones (capacity 2-4), K = 3 shifts within N = 30 days.
 * Shows the median generation time, the balance it reached, and a regeneration after 30 more
 * hires with the first result confirmed (which must only add).
 *
 * Deterministic: a fixed `now` and seeded random data. Run alone with `npm run bench -- rotation`.
 */
import { performance } from 'node:perf_hooks';
import { formatIsoDate, parseIsoDate } from '../src/common/time/local-time.js';
import { type GenerateInput, type GenerateResult, type Hire, generate } from '../src/rotations/engine/assign.js';
import { type Shift, type ShiftTemplate, expandShifts } from '../src/rotations/engine/shifts.js';
import { type BenchRow, median } from './table.js';
import { seededRandom as random } from '../src/common/seeded-random.js';

const AREA = 'rotation';
const WARMUP = 5;
const RUNS = 11;
const HIRES = 300;
const LATE_HIRES = 30;
const WEEKS = 13;
const K = 3;
const N = 30;
const ZONES = ['America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Sydney'];
/** Monday 2026-03-02: the 13 weeks cross the March/April DST changes of New York, London and Sydney. */
const FIRST_DAY = parseIsoDate('2026-03-02')!;
const NOW = (FIRST_DAY - 1) * 1440;
const DAY = 1440;

/** 40 weekly templates: every weekday, starts from 07:00 to 19:00 local, 3-4 hours, capacity 2-4. */
function templates(): ShiftTemplate[] {
  const starts = ['07:00', '09:30', '12:00', '14:30', '17:00', '19:00'];
  return Array.from({ length: 40 }, (_, i) => {
    const start = starts[(i * 5) % starts.length];
    const hours = 3 + (i % 2);
    const end = `${String(Number(start.slice(0, 2)) + hours).padStart(2, '0')}${start.slice(2)}`;
    return {
      id: `t${String(i).padStart(2, '0')}`,
      weekday: (i % 7) + 1,
      start,
      end,
      timeZone: ZONES[i % ZONES.length],
      queue: i % 3 ? 'support' : 'billing',
      capacity: 2 + (i % 3),
    };
  });
}

/** Hires starting on days 0..90, in the four zones; some with a week off, some with bookings. */
function hires(count: number, seed: number, prefix: string): Hire[] {
  const rnd = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const day = FIRST_DAY + Math.floor(rnd() * WEEKS * 7);
    const h: Hire = { marketerId: `${prefix}${String(i).padStart(3, '0')}`, startedOn: formatIsoDate(day), timeZone: ZONES[Math.floor(rnd() * ZONES.length)], timeOff: [], busy: [] };
    if (rnd() < 0.15) {
      const from = (day + 3 + Math.floor(rnd() * 14)) * DAY;
      h.timeOff.push({ start: from, end: from + 5 * DAY });
    }
    for (let d = 0; d < N; d += 2) {
      if (rnd() < 0.5) continue;
      const start = (day + d) * DAY + Math.floor(rnd() * 24) * 60;
      h.busy.push({ start, end: start + 45 });
    }
    return h;
  });
}

/** The input, and the expansion's time: the first call (zone data cold) and the median of RUNS more. */
export function buildInput(): { input: GenerateInput; expandColdMs: number; expandMs: number } {
  const expand = () => expandShifts(templates(), formatIsoDate(FIRST_DAY), formatIsoDate(FIRST_DAY + WEEKS * 7 + N));
  const t0 = performance.now();
  const shifts = expand();
  const expandColdMs = performance.now() - t0;
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t1 = performance.now();
    expand();
    samples.push(performance.now() - t1);
  }
  return { input: { shifts, hires: hires(HIRES, 42, 'm'), existing: [], shiftsPerHire: K, windowDays: N, now: NOW }, expandColdMs, expandMs: median(samples) };
}

function timed(input: GenerateInput): { ms: number; result: GenerateResult } {
  let result = generate(input);
  for (let i = 1; i < WARMUP; i++) result = generate(input);
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    result = generate(input);
    samples.push(performance.now() - t0);
  }
  return { ms: median(samples), result };
}

/** Share of hires with K shifts on K distinct weekdays and K distinct times of day (queue-local). */
export function spread(input: GenerateInput, r: GenerateResult): number {
  const byKey = new Map<string, Shift>(input.shifts.map((s) => [s.key, s]));
  const mine = new Map<string, Shift[]>();
  for (const a of r.assignments) mine.set(a.marketerId, [...(mine.get(a.marketerId) ?? []), byKey.get(a.shiftKey)!]);
  const bucket = (s: Shift) => (s.localStartMinute < 720 ? 0 : s.localStartMinute < 1020 ? 1 : 2);
  let good = 0;
  for (const list of mine.values()) {
    if (list.length === K && new Set(list.map((s) => s.weekday)).size === K && new Set(list.map(bucket)).size === K) good++;
  }
  return good / input.hires.length;
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const { input, expandColdMs, expandMs } = buildInput();
  const { ms: genMs, result } = timed(input);
  const b = result.report.balance;
  const ratios = result.report.perShift.map((s) => s.filled / s.capacity);
  const meanFill = ratios.reduce((x, y) => x + y, 0) / ratios.length;
  const unmet = result.report.unmet.reduce((n, u) => n + u.missing, 0);
  const seats = input.shifts.reduce((n, s) => n + s.capacity, 0);

  rows.push({
    area: AREA,
    case: `expand 40 templates × ${WEEKS * 7 + N + 1} days (4 zones, DST weeks)`,
    result: `median ${ms(expandMs)}, first call ${ms(expandColdMs)} (zone data cold); ${input.shifts.length} shifts, ${seats} seats`,
  });
  rows.push({
    area: AREA,
    case: `generate: ${HIRES} hires over ${WEEKS} weeks, 40 shifts/week, capacity 2-4, K=${K}, N=${N}`,
    result: `median ${ms(genMs)} (${RUNS} runs); ${result.assignments.length} assignments`,
    target: '< 1 s',
  });
  rows.push({
    area: AREA,
    case: 'balance reached',
    result:
      `shift load ${b.minShiftLoad}-${b.maxShiftLoad} (seats filled over all shifts: mean ${pct(meanFill)}, max ${pct(Math.max(...ratios))}); ` +
      `per marketer ${b.minMarketer}-${b.maxMarketer}; unmet ${unmet} shifts for ${result.report.unmet.length} hires; ` +
      `${pct(spread(input, result))} of hires on ${K} distinct weekdays and times of day`,
    target: 'every hire K; no shift far above the others',
  });

  // Regeneration: the first result confirmed, plus 30 late hires.
  const existing = result.assignments.map((a) => ({ marketerId: a.marketerId, shiftKey: a.shiftKey, confirmed: true }));
  const again: GenerateInput = { ...input, hires: [...input.hires, ...hires(LATE_HIRES, 7, 'late')], existing };
  const { ms: reMs, result: re } = timed(again);
  const before = new Set(existing.map((e) => `${e.marketerId}|${e.shiftKey}`));
  const kept = re.assignments.filter((a) => !a.isNew && before.has(`${a.marketerId}|${a.shiftKey}`)).length;
  const added = re.assignments.filter((a) => a.isNew);
  const oldGotNew = added.filter((a) => !a.marketerId.startsWith('late')).length;
  rows.push({
    area: AREA,
    case: `regenerate after ${LATE_HIRES} more hires, first result confirmed`,
    result:
      `median ${ms(reMs)}; kept ${kept}/${before.size}, added ${added.length} (${oldGotNew} to earlier hires), ` +
      `unmet ${re.report.unmet.reduce((n, u) => n + u.missing, 0)}; shift load ${re.report.balance.minShiftLoad}-${re.report.balance.maxShiftLoad}`,
    target: 'only adds',
  });
  return rows;
}
