import { epochToLocal, formatIsoDate } from '../../common/time/local-time.js';
import { type Existing, type GenerateInput, type GenerateResult, type Hire, REPAIR_BUDGET, generate } from './assign.js';
import { RotationInputError, type Shift, type ShiftTemplate, expandShifts } from './shifts.js';
import { seededRandom as random } from '../../common/seeded-random.js';

/** ISO instant to epoch minutes, and back (compact, for readable expectations). */
const at = (iso: string): number => Date.parse(iso) / 60_000;
const utc = (t: number): string => new Date(t * 60_000).toISOString().replace(':00.000Z', 'Z');
const DAY = 1440;

function tpl(id: string, weekday: number, start: string, end: string, over: Partial<ShiftTemplate> = {}): ShiftTemplate {
  return { id, weekday, start, end, timeZone: 'UTC', queue: 'support', capacity: 10, ...over };
}
/** One template per weekday at each given start, `hours` long. */
function daily(starts: string[], over: Partial<ShiftTemplate> = {}, hours = 3): ShiftTemplate[] {
  const out: ShiftTemplate[] = [];
  for (const start of starts) {
    const end = `${String(Number(start.slice(0, 2)) + hours).padStart(2, '0')}${start.slice(2)}`;
    for (let weekday = 1; weekday <= 7; weekday++) out.push(tpl(`d${weekday}-${start}`, weekday, start, end, over));
  }
  return out;
}
function hire(marketerId: string, startedOn: string, over: Partial<Hire> = {}): Hire {
  return { marketerId, startedOn, timeZone: 'UTC', timeOff: [], busy: [], ...over };
}
/** 2026-03-02 is a Monday; NOW is the Sunday before. */
const NOW = at('2026-03-01T00:00Z');
function input(shifts: Shift[], hires: Hire[], over: Partial<GenerateInput> = {}): GenerateInput {
  return { shifts, hires, existing: [], shiftsPerHire: 3, windowDays: 30, now: NOW, ...over };
}

function shiftMap(shifts: Shift[]): Map<string, Shift> {
  return new Map(shifts.map((s) => [s.key, s]));
}
function byMarketer(r: GenerateResult): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const a of r.assignments) m.set(a.marketerId, [...(m.get(a.marketerId) ?? []), a.shiftKey]);
  return m;
}
const bucket = (s: Shift) => (s.localStartMinute < 720 ? 'morning' : s.localStartMinute < 1020 ? 'afternoon' : 'evening');

/** Every rule the generator promises, checked on any result. */
function checkInvariants(inp: GenerateInput, r: GenerateResult): void {
  const shifts = shiftMap(inp.shifts);
  const fill = new Map<string, number>();
  for (const a of r.assignments) fill.set(a.shiftKey, (fill.get(a.shiftKey) ?? 0) + 1);
  const frozen = new Set(inp.existing.filter((e) => e.confirmed || shifts.get(e.shiftKey)!.start <= inp.now).map((e) => `${e.marketerId}|${e.shiftKey}`));
  for (const [key, n] of fill) {
    const s = shifts.get(key)!;
    const kept = r.assignments.filter((a) => a.shiftKey === key && frozen.has(`${a.marketerId}|${key}`)).length;
    expect(n).toBeLessThanOrEqual(Math.max(s.capacity, kept));
  }
  for (const h of inp.hires) {
    const mine = r.assignments.filter((a) => a.marketerId === h.marketerId);
    const added = mine.filter((a) => !frozen.has(`${a.marketerId}|${a.shiftKey}`)).map((a) => shifts.get(a.shiftKey)!);
    const all = mine.map((a) => shifts.get(a.shiftKey)!);
    const days = all.map((s) => epochToLocal(h.timeZone, s.start).day);
    expect(new Set(days).size).toBe(days.length);
    const from = formatIsoDate(Date.parse(`${h.startedOn}T00:00Z`) / 86_400_000);
    for (const s of added) {
      const d = formatIsoDate(epochToLocal(h.timeZone, s.start).day);
      expect(d >= from).toBe(true);
      expect(epochToLocal(h.timeZone, s.start).day).toBeLessThan(Date.parse(`${h.startedOn}T00:00Z`) / 86_400_000 + inp.windowDays);
      expect(s.start).toBeGreaterThan(inp.now);
      for (const iv of [...h.timeOff, ...h.busy]) expect(iv.end <= s.start || s.end <= iv.start).toBe(true);
    }
    expect(mine.length).toBeLessThanOrEqual(Math.max(inp.shiftsPerHire, all.length - added.length));
  }
}

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RangeError);
    expect(e).toBeInstanceOf(RotationInputError);
    const field = (e as RotationInputError).field;
    expect((e as Error).message).toContain(field);
    return field;
  }
  throw new Error('expected a RotationInputError');
}

function shuffle<T>(list: T[], rnd: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A mid-sized instance: two zones, mixed capacity, hires over three weeks, some time off and busy time. */
function medium(): GenerateInput {
  const templates = [
    ...[1, 2, 3, 4, 5].flatMap((wd) => [
      tpl(`ny-am-${wd}`, wd, '09:00', '12:00', { timeZone: 'America/New_York', capacity: 2 }),
      tpl(`ny-pm-${wd}`, wd, '14:00', '18:00', { timeZone: 'America/New_York', capacity: 3 }),
    ]),
    ...[1, 3, 5, 6].map((wd) => tpl(`ldn-ev-${wd}`, wd, '17:00', '21:00', { timeZone: 'Europe/London', capacity: 2 })),
  ];
  const shifts = expandShifts(templates, '2026-03-01', '2026-05-15');
  const hires: Hire[] = [];
  for (let i = 0; i < 40; i++) {
    const start = Date.UTC(2026, 2, 2) / 86_400_000 + (i % 21);
    const zone = i % 3 === 0 ? 'Europe/London' : 'America/New_York';
    const h = hire(`m${String(i).padStart(2, '0')}`, formatIsoDate(start), { timeZone: zone });
    if (i % 5 === 0) h.timeOff = [{ start: start * DAY + 3 * DAY, end: start * DAY + 10 * DAY }];
    if (i % 4 === 1) h.busy = [{ start: start * DAY + DAY + 14 * 60, end: start * DAY + DAY + 20 * 60 }, { start: start * DAY + 2 * DAY, end: start * DAY + 2 * DAY + 60 }];
    hires.push(h);
  }
  return input(shifts, hires);
}

describe('generate: the onboarding rule', () => {
  it('gives each hire K shifts within the first N local days, at most one per day, spread over weekdays and times of day', () => {
    const shifts = expandShifts(daily(['09:00', '13:00', '18:00']), '2026-02-23', '2026-04-30');
    const inp = input(shifts, [hire('ana', '2026-03-02')], { windowDays: 14 });
    const r = generate(inp);
    const mine = r.assignments.map((a) => shiftMap(shifts).get(a.shiftKey)!);
    expect(mine).toHaveLength(3);
    expect(r.assignments.every((a) => a.isNew && a.marketerId === 'ana')).toBe(true);
    // Alone on empty shifts, the spreading decides: three weekdays, three times of day, as early as possible.
    expect(mine.map((s) => s.key)).toEqual(['d1-09:00@2026-03-02', 'd2-13:00@2026-03-03', 'd3-18:00@2026-03-04']);
    expect(new Set(mine.map((s) => s.weekday)).size).toBe(3);
    expect(new Set(mine.map(bucket)).size).toBe(3);
    expect(r.report.unmet).toEqual([]);
    expect(r.report.perMarketer).toEqual([{ marketerId: 'ana', count: 3 }]);
    checkInvariants(inp, r);
  });

  it('spreads K > 3 shifts evenly over the times of day and never repeats a weekday while others are free', () => {
    const shifts = expandShifts(daily(['08:00', '12:30', '19:00']), '2026-03-02', '2026-04-30');
    const r = generate(input(shifts, [hire('ana', '2026-03-02')], { shiftsPerHire: 6, windowDays: 30 }));
    const mine = r.assignments.map((a) => shiftMap(shifts).get(a.shiftKey)!);
    expect(mine).toHaveLength(6);
    expect(new Set(mine.map((s) => s.weekday)).size).toBe(6);
    const perBucket = new Map<string, number>();
    for (const s of mine) perBucket.set(bucket(s), (perBucket.get(bucket(s)) ?? 0) + 1);
    expect([...perBucket.values()]).toEqual([2, 2, 2]);
  });

  it('swaps two hires’ picks afterwards when that removes repeats and leaves the loads as they are', () => {
    // a works Monday morning already, b Monday evening. Least-loaded first gives a Thursday morning
    // (empty) and leaves b Friday evening: both repeat. Swapping fixes both at equal loads.
    const shifts = expandShifts(
      [tpl('mon-am', 1, '09:00', '12:00', { capacity: 1 }), tpl('mon-ev', 1, '18:00', '21:00', { capacity: 1 }),
        tpl('thu-am', 4, '09:00', '12:00', { capacity: 1 }), tpl('fri-ev', 5, '18:00', '21:00', { capacity: 2 })],
      '2026-03-02',
      '2026-03-08',
    );
    const existing: Existing[] = [
      { marketerId: 'a', shiftKey: 'mon-am@2026-03-02', confirmed: true },
      { marketerId: 'b', shiftKey: 'mon-ev@2026-03-02', confirmed: true },
      { marketerId: 'z', shiftKey: 'fri-ev@2026-03-06', confirmed: true },
    ];
    const inp = input(shifts, [hire('a', '2026-03-02'), hire('b', '2026-03-02')], { existing, shiftsPerHire: 2, windowDays: 7 });
    const r = generate(inp);
    checkInvariants(inp, r);
    expect(r.assignments.filter((a) => a.isNew)).toEqual([
      { marketerId: 'b', shiftKey: 'thu-am@2026-03-05', isNew: true },
      { marketerId: 'a', shiftKey: 'fri-ev@2026-03-06', isNew: true },
    ]);
  });

  it('stays inside the window and reports what it could not place: a 2-day window holds 2 shifts, not 3', () => {
    const shifts = expandShifts(daily(['09:00', '14:00']), '2026-03-02', '2026-03-31');
    const inp = input(shifts, [hire('ana', '2026-03-02')], { windowDays: 2 });
    const r = generate(inp);
    expect(r.assignments.map((a) => a.shiftKey)).toEqual(['d1-09:00@2026-03-02', 'd2-14:00@2026-03-03']);
    expect(r.report.unmet).toEqual([
      {
        marketerId: 'ana',
        missing: 1,
        reason: 'one shift per day',
        detail: '2 other shifts start in the window after now: 2 on a day (or at a time) already taken',
      },
    ]);
    checkInvariants(inp, r);
  });

  it('counts days and the window on the hire’s own calendar, not the queue’s', () => {
    // UTC shifts at 16:00Z Mon and 00:00Z Tue are both on Tuesday in Tokyo (01:00 and 09:00 JST).
    const shifts = expandShifts([tpl('late', 1, '16:00', '17:00'), tpl('early', 2, '00:00', '01:00')], '2026-03-02', '2026-03-03');
    const tokyo = hire('ken', '2026-03-03', { timeZone: 'Asia/Tokyo' });
    const london = hire('lia', '2026-03-02', { timeZone: 'Europe/London' });
    const r = generate(input(shifts, [tokyo, london], { windowDays: 1, shiftsPerHire: 2 }));
    // lia (one candidate) goes first; ken gets one of the two, the emptier: the same Tokyo day.
    expect(byMarketer(r).get('ken')).toEqual(['early@2026-03-03']);
    expect(byMarketer(r).get('lia')).toEqual(['late@2026-03-02']); // Tuesday 00:00Z is outside her one-day window
    expect(r.report.unmet.map((u) => [u.marketerId, u.missing, u.reason])).toEqual([
      ['ken', 1, 'one shift per day'],
      ['lia', 1, 'no eligible shift in window'],
    ]);
  });

  it('works in the hire’s local days across a DST change: a 23-hour first day in New York', () => {
    // 2026-03-08 in New York runs 05:00Z .. 04:00Z (next day): 03:30Z on the 9th is still the 8th (23:30 EDT).
    const shifts = [
      { key: 'a', start: at('2026-03-09T03:30Z'), hours: 0.5 },
      { key: 'b', start: at('2026-03-09T04:30Z'), hours: 0.5 },
      { key: 'c', start: at('2026-03-08T04:30Z'), hours: 0.5 },
    ].map(({ key, start, hours }): Shift => ({
      key,
      templateId: key,
      date: '2026-03-08',
      start,
      end: start + hours * 60,
      queue: 'q',
      capacity: 1,
      localStartMinute: 0,
      weekday: 7,
      timeZone: 'UTC',
    }));
    const r = generate(input(shifts, [hire('ny', '2026-03-08', { timeZone: 'America/New_York' })], { windowDays: 1, shiftsPerHire: 1 }));
    expect(r.assignments.map((a) => a.shiftKey)).toEqual(['a']);
  });

  it('assigns across DST weeks in New York and London and the shifts keep their local times', () => {
    const templates = [
      ...daily(['09:00'], { timeZone: 'America/New_York', capacity: 1 }).map((t) => ({ ...t, id: `ny-${t.id}` })),
      ...daily(['09:00'], { timeZone: 'Europe/London', capacity: 1 }).map((t) => ({ ...t, id: `ldn-${t.id}` })),
    ];
    const shifts = expandShifts(templates, '2026-03-02', '2026-04-12');
    const hires = Array.from({ length: 12 }, (_, i) =>
      hire(`h${String(i).padStart(2, '0')}`, formatIsoDate(Date.UTC(2026, 2, 5) / 86_400_000 + i * 2), { timeZone: i % 2 ? 'America/New_York' : 'Europe/London' }),
    );
    const inp = input(shifts, hires, { windowDays: 10 });
    const r = generate(inp);
    expect(r.report.unmet).toEqual([]);
    checkInvariants(inp, r);
    const map = shiftMap(shifts);
    for (const a of r.assignments) {
      const s = map.get(a.shiftKey)!;
      expect(epochToLocal(s.timeZone, s.start).minuteOfDay).toBe(540);
    }
    // Both sides of both changes are used.
    const starts = r.assignments.map((a) => map.get(a.shiftKey)!.start);
    expect(starts.some((t) => t < at('2026-03-08T07:00Z'))).toBe(true);
    expect(starts.some((t) => t > at('2026-03-29T01:00Z'))).toBe(true);
  });
});

describe('generate: capacity, time off, busy time, now', () => {
  it('never exceeds capacity and reports the shortfall as capacity full', () => {
    // One week, weekday mornings with room for 2 each: 10 seats for 6 hires × 3 = 18 wanted.
    const shifts = expandShifts([1, 2, 3, 4, 5].map((wd) => tpl(`am-${wd}`, wd, '09:00', '12:00', { capacity: 2 })), '2026-03-02', '2026-03-08');
    const hires = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => hire(id, '2026-03-02'));
    const inp = input(shifts, hires, { windowDays: 7 });
    const r = generate(inp);
    checkInvariants(inp, r);
    expect(r.report.perShift.every((s) => s.filled === 2 && s.capacity === 2)).toBe(true);
    expect(r.assignments).toHaveLength(10);
    expect(r.report.unmet.reduce((n, u) => n + u.missing, 0)).toBe(8);
    expect(new Set(r.report.unmet.map((u) => u.reason))).toEqual(new Set(['capacity full']));
    expect(r.report.unmet[0].detail).toMatch(/full/);
    // Counts differ by at most one between hires.
    const counts = r.report.perMarketer.map((p) => p.count);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(r.report.balance).toEqual({ minShiftLoad: 2, maxShiftLoad: 2, minMarketer: 1, maxMarketer: 2 });
  });

  it('skips shifts overlapping time off or busy time (touching is fine)', () => {
    const shifts = expandShifts(daily(['09:00']), '2026-03-02', '2026-03-15');
    const ana = hire('ana', '2026-03-02', {
      timeOff: [{ start: at('2026-03-02T00:00Z'), end: at('2026-03-05T00:00Z') }], // Mon-Wed off
      busy: [
        { start: at('2026-03-05T11:59Z'), end: at('2026-03-05T13:00Z') }, // overlaps Thursday's last minute
        { start: at('2026-03-06T12:00Z'), end: at('2026-03-06T13:00Z') }, // touches Friday's end: fine
      ],
    });
    const inp = input(shifts, [ana], { windowDays: 14 });
    const r = generate(inp);
    checkInvariants(inp, r);
    expect(r.assignments.map((a) => a.shiftKey)).toEqual(['d5-09:00@2026-03-06', 'd6-09:00@2026-03-07', 'd7-09:00@2026-03-08']);
  });

  it('reports time off and busy time when they leave nothing', () => {
    const shifts = expandShifts(daily(['09:00']), '2026-03-02', '2026-03-15');
    const off = hire('off', '2026-03-02', { timeOff: [{ start: at('2026-03-01T00:00Z'), end: at('2026-03-20T00:00Z') }] });
    const busy = hire('busy', '2026-03-02', { busy: shifts.map((s) => ({ start: s.start + 60, end: s.start + 90 })) });
    const r = generate(input(shifts, [off, busy], { windowDays: 7 }));
    expect(r.assignments).toEqual([]);
    expect(r.report.unmet).toEqual([
      { marketerId: 'busy', missing: 3, reason: 'busy', detail: '7 other shifts start in the window after now: 7 during busy time' },
      { marketerId: 'off', missing: 3, reason: 'time off', detail: '7 other shifts start in the window after now: 7 during time off' },
    ]);
  });

  it('assigns only shifts starting after now; a window already past has no eligible shift', () => {
    const shifts = expandShifts(daily(['09:00']), '2026-03-02', '2026-03-31');
    const now = at('2026-03-04T09:00Z'); // Wednesday's shift starts exactly now: too late
    const inp = input(shifts, [hire('late', '2026-03-02'), hire('gone', '2026-02-25')], { windowDays: 7, now });
    const r = generate(inp);
    checkInvariants(inp, r);
    expect(byMarketer(r).get('late')).toEqual(['d4-09:00@2026-03-05', 'd5-09:00@2026-03-06', 'd6-09:00@2026-03-07']);
    expect(r.report.unmet).toEqual([
      { marketerId: 'gone', missing: 3, reason: 'no eligible shift in window', detail: 'no shift starts in the window after now (2 in it started already)' },
    ]);
  });

  it('says so when the window holds fewer shifts than K', () => {
    const shifts = expandShifts([tpl('mon', 1, '09:00', '12:00')], '2026-03-02', '2026-03-31');
    const r = generate(input(shifts, [hire('ana', '2026-03-02')], { windowDays: 7 }));
    expect(r.report.unmet).toEqual([
      { marketerId: 'ana', missing: 2, reason: 'no eligible shift in window', detail: 'only 1 shift starts in the window after now, all assigned to them' },
    ]);
  });
});

describe('generate: fairness', () => {
  it('balances shift load within one and gives every hire K when a fair answer exists', () => {
    // 8 shifts of capacity 4, 8 hires × 2 = 16: the fair answer is 2 on every shift.
    const shifts = expandShifts(
      [tpl('mon-am', 1, '09:00', '12:00'), tpl('mon-pm', 1, '14:00', '17:00'), tpl('tue-am', 2, '09:00', '12:00'), tpl('wed-ev', 3, '18:00', '21:00'),
        tpl('thu-am', 4, '09:00', '12:00'), tpl('thu-pm', 4, '13:00', '16:00'), tpl('fri-am', 5, '08:00', '11:00'), tpl('sat-pm', 6, '12:00', '15:00')].map((t) => ({ ...t, capacity: 4 })),
      '2026-03-02',
      '2026-03-08',
    );
    const hires = 'abcdefgh'.split('').map((id) => hire(id, '2026-03-02'));
    const inp = input(shifts, hires, { shiftsPerHire: 2, windowDays: 7 });
    const r = generate(inp);
    checkInvariants(inp, r);
    const loads = r.report.perShift.map((s) => s.filled);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    expect(loads).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
    expect(r.report.perMarketer.every((p) => p.count === 2)).toBe(true);
    expect(r.report.balance).toEqual({ minShiftLoad: 2, maxShiftLoad: 2, minMarketer: 2, maxMarketer: 2 });
  });

  it('reaches max - min load <= 1 and K for everyone on 200 random instances that have such an answer', () => {
    // Each template on its own weekday, identical hires, demand within capacity: hire j taking shifts
    // jK .. jK+K-1 (mod T) is a fair answer, so the generator must find one as good.
    const starts = ['08:00', '10:00', '13:00', '15:00', '18:00'];
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = random(seed);
      const T = 3 + Math.floor(rnd() * 5);
      const capacity = 1 + Math.floor(rnd() * 4);
      const templates = Array.from({ length: T }, (_, i) => {
        const start = starts[Math.floor(rnd() * starts.length)];
        return tpl(`t${i}`, i + 1, start, `${String(Number(start.slice(0, 2)) + 2).padStart(2, '0')}:00`, { capacity });
      });
      const K = Math.min(T, 1 + Math.floor(rnd() * 3));
      const H = Math.max(1, Math.floor((T * capacity) / K / (1 + rnd())));
      const hires = Array.from({ length: H }, (_, i) => hire(`h${String(i).padStart(2, '0')}`, '2026-03-02'));
      const inp = input(expandShifts(templates, '2026-03-02', '2026-03-08'), hires, { shiftsPerHire: K, windowDays: 7 });
      const r = generate(inp);
      const loads = r.report.perShift.map((s) => s.filled);
      expect({ seed, unmet: r.report.unmet, spread: Math.max(...loads) - Math.min(...loads) <= 1 }).toEqual({ seed, unmet: [], spread: true });
    }
  });

  it('balances a larger instance: no shift and no hire far above the others', () => {
    const inp = medium();
    const r = generate(inp);
    checkInvariants(inp, r);
    expect(r.report.unmet).toEqual([]);
    expect(r.report.balance.minMarketer).toBe(3);
    expect(r.report.balance.maxMarketer).toBe(3);
    // Fill ratio of the shifts some hire could reach: the busiest is at most one seat above the idlest ratio.
    const ratios = r.report.perShift.filter((s) => s.filled > 0).map((s) => s.filled / s.capacity);
    expect(Math.max(...ratios)).toBeLessThanOrEqual(1);
    expect(r.report.balance.maxShiftLoad).toBeLessThanOrEqual(2);
  });

  it('serves the most constrained hire first', () => {
    // Five weekday mornings of capacity 1; zed can only do Friday. Without constraint-first ordering
    // the others would take Friday before zed.
    const shifts = expandShifts([1, 2, 3, 4, 5].map((wd) => tpl(`am-${wd}`, wd, '09:00', '12:00', { capacity: 1 })), '2026-03-02', '2026-03-06');
    const others = ['a', 'b', 'c', 'd'].map((id) => hire(id, '2026-03-02'));
    const zed = hire('zed', '2026-03-02', { timeOff: [{ start: at('2026-03-02T00:00Z'), end: at('2026-03-06T00:00Z') }] });
    const r = generate(input(shifts, [...others, zed], { shiftsPerHire: 1, windowDays: 7 }));
    expect(r.report.unmet).toEqual([]);
    expect(byMarketer(r).get('zed')).toEqual(['am-5@2026-03-06']);
  });

  it('repairs a greedy dead end by moving another hire to a free shift', () => {
    // Daily 09:00 shifts of capacity 1, Mon..Fri (S1..S5). a: {S1,S2}; b: {S1,S4,S5}; c: {S4}; d: {S5}.
    // Greedy: c→S4, d→S5, a→S1 (earliest), b stuck; repair moves a to S2 and gives b S1.
    const shifts = expandShifts([1, 2, 3, 4, 5].map((wd) => tpl(`s${wd}`, wd, '09:00', '10:00', { capacity: 1 })), '2026-03-02', '2026-03-06');
    const day = (d: number) => ({ start: at(`2026-03-0${d + 1}T00:00Z`), end: at(`2026-03-0${d + 2}T00:00Z`) });
    const hires = [
      hire('a', '2026-03-02', { busy: [day(3), day(4), day(5)] }),
      hire('b', '2026-03-02', { busy: [day(2), day(3)] }),
      hire('c', '2026-03-02', { busy: [day(1), day(2), day(3), day(5)] }),
      hire('d', '2026-03-02', { busy: [day(1), day(2), day(3), day(4)] }),
    ];
    const inp = input(shifts, hires, { shiftsPerHire: 1, windowDays: 7 });
    const r = generate(inp);
    checkInvariants(inp, r);
    expect(r.report.unmet).toEqual([]);
    expect(Object.fromEntries(byMarketer(r))).toEqual({ a: ['s2@2026-03-03'], b: ['s1@2026-03-02'], c: ['s4@2026-03-05'], d: ['s5@2026-03-06'] });
    expect(REPAIR_BUDGET).toBeGreaterThan(0);
  });
});

describe('generate: determinism and stability', () => {
  it('gives identical output for the same input, and for the same input in any order', () => {
    const inp = medium();
    const first = generate(inp);
    expect(generate(inp)).toEqual(first);
    const rnd = random(7);
    for (let k = 0; k < 3; k++) {
      const shuffled: GenerateInput = {
        ...inp,
        shifts: shuffle(inp.shifts, rnd),
        hires: shuffle(inp.hires, rnd).map((h) => ({ ...h, timeOff: shuffle(h.timeOff, rnd), busy: shuffle(h.busy, rnd) })),
      };
      expect(generate(shuffled)).toEqual(first);
    }
  });

  it('only adds after new hires join: confirmed assignments stay, old hires get nothing new', () => {
    const inp = medium();
    const first = generate(inp);
    const existing: Existing[] = first.assignments.map((a) => ({ marketerId: a.marketerId, shiftKey: a.shiftKey, confirmed: true }));
    const newHires = Array.from({ length: 15 }, (_, i) => hire(`n${String(i).padStart(2, '0')}`, formatIsoDate(Date.UTC(2026, 2, 4) / 86_400_000 + i), { timeZone: 'America/New_York' }));
    const inp2: GenerateInput = { ...inp, hires: shuffle([...inp.hires, ...newHires], random(3)), existing: shuffle(existing, random(4)) };
    const second = generate(inp2);
    checkInvariants(inp2, second);
    const kept = second.assignments.filter((a) => !a.isNew).map((a) => `${a.marketerId}|${a.shiftKey}`);
    expect(new Set(kept)).toEqual(new Set(existing.map((e) => `${e.marketerId}|${e.shiftKey}`)));
    const added = second.assignments.filter((a) => a.isNew);
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((a) => a.marketerId.startsWith('n'))).toBe(true);
    expect(second.released).toEqual([]);
    // Again with nothing new: nothing changes.
    const third = generate({ ...inp2, existing: second.assignments.map((a) => ({ ...a, confirmed: true })) });
    expect(third.assignments.every((a) => !a.isNew)).toBe(true);
    expect(third.assignments.map((a) => a.shiftKey)).toEqual(second.assignments.map((a) => a.shiftKey));
  });

  it('re-plans unconfirmed assignments: same input gives the same plan, marked as not new', () => {
    const inp = medium();
    const first = generate(inp);
    const drafts = first.assignments.map((a) => ({ marketerId: a.marketerId, shiftKey: a.shiftKey, confirmed: false }));
    const again = generate({ ...inp, existing: drafts });
    expect(again.assignments).toEqual(first.assignments.map((a) => ({ ...a, isNew: false })));
    expect(again.released).toEqual([]);
  });

  it('releases unconfirmed drafts the plan no longer wants, and keeps confirmed ones as they are', () => {
    const shifts = expandShifts(daily(['09:00', '14:00'], { capacity: 1 }), '2026-03-02', '2026-03-31');
    const ana = hire('ana', '2026-03-02', { timeOff: [{ start: at('2026-03-10T00:00Z'), end: at('2026-03-11T00:00Z') }] });
    const existing: Existing[] = [
      { marketerId: 'ana', shiftKey: 'd2-09:00@2026-03-10', confirmed: true }, // now during time off: kept anyway
      { marketerId: 'ana', shiftKey: 'd7-14:00@2026-03-29', confirmed: false }, // a draft the plan does not pick
      { marketerId: 'bob', shiftKey: 'd1-09:00@2026-03-02', confirmed: true }, // not a hire of this run: kept, fills the shift
    ];
    const r = generate(input(shifts, [ana], { existing }));
    expect(r.assignments.filter((a) => !a.isNew)).toEqual([
      { marketerId: 'bob', shiftKey: 'd1-09:00@2026-03-02', isNew: false },
      { marketerId: 'ana', shiftKey: 'd2-09:00@2026-03-10', isNew: false },
    ]);
    // The confirmed Tuesday counts toward K: two more, on other weekdays and not Tuesday 10th; Monday 09:00 is full.
    const added = r.assignments.filter((a) => a.isNew).map((a) => a.shiftKey);
    expect(added).toEqual(['d1-14:00@2026-03-02', 'd3-09:00@2026-03-04']);
    expect(r.released).toEqual([{ marketerId: 'ana', shiftKey: 'd7-14:00@2026-03-29' }]);
    expect(r.report.perMarketer).toEqual([{ marketerId: 'ana', count: 3 }]);
  });

  it('keeps existing assignments on shifts already started, confirmed or not', () => {
    const shifts = expandShifts(daily(['09:00']), '2026-03-02', '2026-03-31');
    const now = at('2026-03-05T00:00Z');
    const existing: Existing[] = [{ marketerId: 'ana', shiftKey: 'd1-09:00@2026-03-02', confirmed: false }];
    const r = generate(input(shifts, [hire('ana', '2026-03-02')], { existing, now }));
    expect(r.assignments.map((a) => [a.shiftKey, a.isNew])).toEqual([
      ['d1-09:00@2026-03-02', false],
      ['d4-09:00@2026-03-05', true],
      ['d5-09:00@2026-03-06', true],
    ]);
    expect(r.released).toEqual([]);
  });

  it('never adds when confirmed assignments already reach K', () => {
    const shifts = expandShifts(daily(['09:00']), '2026-03-02', '2026-03-31');
    const existing: Existing[] = ['d1-09:00@2026-03-02', 'd2-09:00@2026-03-03', 'd3-09:00@2026-03-04'].map((shiftKey) => ({ marketerId: 'ana', shiftKey, confirmed: true }));
    const r = generate(input(shifts, [hire('ana', '2026-03-02')], { existing }));
    expect(r.assignments.every((a) => !a.isNew)).toBe(true);
    expect(r.assignments).toHaveLength(3);
  });
});

describe('generate: report and bad input', () => {
  it('reports per-shift fill, per-marketer counts and the balance over reachable shifts', () => {
    const shifts = expandShifts([tpl('mon', 1, '09:00', '12:00', { capacity: 2 }), tpl('tue', 2, '09:00', '12:00', { capacity: 3 })], '2026-03-02', '2026-03-10');
    const r = generate(input(shifts, [hire('a', '2026-03-02'), hire('b', '2026-03-02')], { windowDays: 2 }));
    expect(r.report.perShift).toEqual([
      { shiftKey: 'mon@2026-03-02', filled: 2, capacity: 2 },
      { shiftKey: 'tue@2026-03-03', filled: 2, capacity: 3 },
      { shiftKey: 'mon@2026-03-09', filled: 0, capacity: 2 },
      { shiftKey: 'tue@2026-03-10', filled: 0, capacity: 3 },
    ]);
    expect(r.report.perMarketer).toEqual([
      { marketerId: 'a', count: 2 },
      { marketerId: 'b', count: 2 },
    ]);
    expect(r.report.unmet.map((u) => [u.marketerId, u.missing, u.reason])).toEqual([
      ['a', 1, 'no eligible shift in window'],
      ['b', 1, 'no eligible shift in window'],
    ]);
    // The balance looks at the shifts inside some hire's window only: the second week is out of reach.
    expect(r.report.balance).toEqual({ minShiftLoad: 2, maxShiftLoad: 2, minMarketer: 2, maxMarketer: 2 });
  });

  it('handles empty input', () => {
    expect(generate(input([], []))).toEqual({
      assignments: [],
      released: [],
      report: { perShift: [], perMarketer: [], balance: { minShiftLoad: 0, maxShiftLoad: 0, minMarketer: 0, maxMarketer: 0 }, unmet: [] },
    });
  });

  it('refuses bad input with a RangeError naming the field', () => {
    const shifts = expandShifts(daily(['09:00']), '2026-03-02', '2026-03-08');
    const base = input(shifts, [hire('ana', '2026-03-02'), hire('bob', '2026-03-02')]);
    const withShift = (i: number, over: Partial<Shift>) => () => generate({ ...base, shifts: base.shifts.map((s, j) => (j === i ? { ...s, ...over } : s)) });
    const withHire = (i: number, over: Partial<Hire>) => () => generate({ ...base, hires: base.hires.map((h, j) => (j === i ? { ...h, ...over } : h)) });
    expect(fieldOf(withShift(2, { capacity: 0 }))).toBe('shifts[2].capacity');
    expect(fieldOf(withShift(2, { end: shifts[2].start }))).toBe('shifts[2].end');
    expect(fieldOf(withShift(3, { key: shifts[1].key }))).toMatch(/^shifts\[[13]\]\.key$/);
    expect(fieldOf(withShift(0, { weekday: 9 }))).toBe('shifts[0].weekday');
    expect(fieldOf(withHire(1, { timeZone: 'Mars/Olympus_Mons' }))).toBe('hires[1].timeZone');
    expect(fieldOf(withHire(1, { startedOn: '2026-02-30' }))).toBe('hires[1].startedOn');
    expect(fieldOf(withHire(1, { marketerId: 'ana' }))).toBe('hires[1].marketerId');
    expect(fieldOf(withHire(0, { timeOff: [{ start: 10, end: 10 }] }))).toBe('hires[0].timeOff[0].end');
    expect(fieldOf(withHire(0, { busy: [{ start: Number.NaN, end: 10 }] }))).toBe('hires[0].busy[0]');
    expect(fieldOf(() => generate({ ...base, shiftsPerHire: -1 }))).toBe('shiftsPerHire');
    expect(fieldOf(() => generate({ ...base, shiftsPerHire: 1.5 }))).toBe('shiftsPerHire');
    expect(fieldOf(() => generate({ ...base, windowDays: 0 }))).toBe('windowDays');
    expect(fieldOf(() => generate({ ...base, now: Number.NaN }))).toBe('now');
    expect(fieldOf(() => generate({ ...base, existing: [{ marketerId: 'ana', shiftKey: 'nope', confirmed: true }] }))).toBe('existing[0].shiftKey');
    const dup = { marketerId: 'ana', shiftKey: shifts[0].key, confirmed: true };
    expect(fieldOf(() => generate({ ...base, existing: [dup, dup] }))).toBe('existing[1]');
    expect(fieldOf(() => generate({ ...base, hires: null as unknown as Hire[] }))).toBe('hires');
  });
});

// Keep `utc` for debugging failed expectations.
void utc;
