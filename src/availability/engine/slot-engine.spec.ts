import {
  type EngineSettings,
  type MarketerContext,
  type OpenCall,
  type RepCall,
  type RepSupply,
  type Slot,
  type SlotColumns,
  type SlotQuery,
  type WallWindow,
  type WeeklyWindow,
  DAY_RANGES_KEPT,
  InvalidEngineSettingsError,
  checkSlot,
  concatColumns,
  findSlots,
  dayRangesKept,
  findSlotsColumnar,
} from './slot-engine.js';
import { epochToLocal } from '../../common/time/local-time.js';
import { seededRandom as random } from '../../common/seeded-random.js';

/** ISO instant to epoch minutes, and back (compact, for readable expectations). */
const at = (iso: string): number => Date.parse(iso) / 60_000;
const utc = (t: number): string => new Date(t * 60_000).toISOString().replace(':00.000Z', 'Z');
const starts = (slots: Slot[]): string[] => slots.map((s) => utc(s.start));
const localHHmm = (zone: string, t: number): string => {
  const m = epochToLocal(zone, t).minuteOfDay;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

const SETTINGS: EngineSettings = {
  slotMinutes: 60,
  slotGridMinutes: 60,
  minNoticeHours: 0,
  horizonDays: 3650,
  seatsPerCall: 1,
  repWeeklyCap: 1000,
};

const everyDay = (start: string, end: string, extra: Partial<WallWindow> = {}): WeeklyWindow[] =>
  [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start, end, ...extra }));

function rep(repId: string, timeZone: string, over: Partial<RepSupply> = {}): RepSupply {
  return { repId, timeZone, weekly: everyDay('09:00', '17:00'), overrides: {}, calls: [], ...over };
}

function query(reps: RepSupply[], from: string, to: string, over: Partial<SlotQuery> = {}): SlotQuery {
  return {
    now: at('2026-01-01T00:00Z'),
    from: at(from),
    to: at(to),
    bounds: { start: at('2025-01-01T00:00Z'), end: at('2028-01-01T00:00Z') },
    settings: SETTINGS,
    reps,
    ...over,
    ...(over.settings ? { settings: { ...SETTINGS, ...over.settings } } : {}),
  };
}

/** Per local date of the zone: [first start, last start, count], as UTC. */
function firstAndLastPerLocalDay(zone: string, slots: Slot[]): [string, string, number][] {
  const byDay = new Map<number, Slot[]>();
  for (const s of slots) {
    const day = epochToLocal(zone, s.start).day;
    byDay.set(day, [...(byDay.get(day) ?? []), s]);
  }
  return [...byDay.values()].map((list) => [utc(list[0].start), utc(list[list.length - 1].start), list.length]);
}

const withSettings = (s: Partial<EngineSettings>): Partial<SlotQuery> => ({ settings: { ...SETTINGS, ...s } });

/** Slot `i` of a columnar listing as the `Slot` object `findSlots` returns for it. */
function slotAt(q: SlotQuery, c: SlotColumns, i: number): Slot {
  const slot: Slot = { repId: q.reps[c.repIndex[i]].repId, start: c.start[i], end: c.end[i], capacityLeft: c.capacityLeft[i] };
  return c.windowMeta[i] < 0 ? slot : { ...slot, ...c.meta[c.windowMeta[i]] };
}

/**
 * The listing built independently of the engine's ordering: each rep listed alone (one run, in
 * start order), concatenated in input order, then a stable comparison sort by start then repId.
 * Each entry carries the index of its rep in `q.reps`.
 */
function referenceListing(q: SlotQuery): { slot: Slot; repIndex: number }[] {
  return q.reps
    .flatMap((r, repIndex) => findSlots({ ...q, reps: [r] }).map((slot) => ({ slot, repIndex })))
    .sort((a, b) => a.slot.start - b.slot.start || (a.slot.repId < b.slot.repId ? -1 : a.slot.repId > b.slot.repId ? 1 : 0));
}

/**
 * Checks the columnar listing of `q` against `findSlots(q)` and against `referenceListing(q)`, and
 * the shape of the columns; returns the listing.
 */
function expectColumnsAgree(q: SlotQuery): { columns: SlotColumns; slots: Slot[] } {
  const c = findSlotsColumnar(q);
  const slots = findSlots(q);
  const reference = referenceListing(q);
  expect(c.count).toBe(slots.length);
  for (const column of [c.start, c.end, c.repIndex, c.capacityLeft, c.windowMeta]) {
    expect(column.length).toBeGreaterThanOrEqual(c.count);
  }
  const fromColumns = Array.from({ length: c.count }, (_, i) => slotAt(q, c, i));
  expect(fromColumns).toStrictEqual(slots);
  expect(slots).toStrictEqual(reference.map((r) => r.slot));
  expect(Array.from(c.repIndex.subarray(0, c.count))).toEqual(reference.map((r) => r.repIndex));
  // Metadata: shared objects, each used, none empty, indices in range or -1.
  const bad: number[] = [];
  const used = new Set<number>();
  for (let i = 0; i < c.count; i++) {
    const m = c.windowMeta[i];
    // An opened call (its metadata names it) lasts as long as its event; a grid slot, slotMinutes.
    const call = m >= 0 && m < c.meta.length && c.meta[m].customerCallId !== undefined;
    if ((!call && c.end[i] - c.start[i] !== q.settings.slotMinutes) || m < -1 || m >= c.meta.length) bad.push(i);
    if (m >= 0) used.add(m);
  }
  expect(bad).toEqual([]);
  expect(used.size).toBe(c.meta.length);
  expect(new Set(c.meta).size).toBe(c.meta.length);
  for (const m of c.meta) expect(m.label !== undefined || m.callType !== undefined || m.marketingSourced !== undefined || m.customerCallId !== undefined).toBe(true);
  return { columns: c, slots };
}

describe('findSlots', () => {
  describe('zones', () => {
    it('expands each rep in its own zone and sorts by start then repId', () => {
      const reps = [
        rep('ny', 'America/New_York', { weekly: [{ weekday: 3, start: '09:00', end: '11:00' }] }),
        rep('kol', 'Asia/Kolkata', { weekly: [{ weekday: 3, start: '18:30', end: '20:30' }] }),
        rep('ldn', 'Europe/London', { weekly: [{ weekday: 3, start: '14:00', end: '15:00' }] }),
      ];
      const slots = findSlots(query(reps, '2026-06-10T00:00Z', '2026-06-11T00:00Z', withSettings({ slotGridMinutes: 30 })));
      expect(slots.map((s) => `${utc(s.start)} ${s.repId}`)).toEqual([
        '2026-06-10T13:00Z kol', // 18:30 IST
        '2026-06-10T13:00Z ldn', // 14:00 BST
        '2026-06-10T13:00Z ny', // 09:00 EDT
        '2026-06-10T13:30Z kol',
        '2026-06-10T13:30Z ny',
        '2026-06-10T14:00Z kol', // 19:30-20:30 IST
        '2026-06-10T14:00Z ny',
      ]);
      expect(slots[0]).toEqual({ repId: 'kol', start: at('2026-06-10T13:00Z'), end: at('2026-06-10T14:00Z'), capacityLeft: 1 });
    });

    it('aligns the grid to local time in Asia/Kolkata (+05:30)', () => {
      const r = rep('kol', 'Asia/Kolkata', { weekly: [{ weekday: 3, start: '09:00', end: '12:00' }] });
      const q = query([r], '2026-06-10T00:00Z', '2026-06-11T00:00Z');
      expect(starts(findSlots(q))).toEqual(['2026-06-10T03:30Z', '2026-06-10T04:30Z', '2026-06-10T05:30Z']);
      expect(checkSlot(q, 'kol', at('2026-06-10T04:00Z'))).toEqual({ ok: false, reason: 'off_grid' });
    });

    it('aligns the grid to local time in Asia/Kathmandu (+05:45): local 09:00 is 03:15Z', () => {
      const r = rep('ktm', 'Asia/Kathmandu', { weekly: [{ weekday: 3, start: '09:00', end: '10:30' }] });
      const q = query([r], '2026-06-10T00:00Z', '2026-06-11T00:00Z', withSettings({ slotMinutes: 30, slotGridMinutes: 30 }));
      expect(starts(findSlots(q))).toEqual(['2026-06-10T03:15Z', '2026-06-10T03:45Z', '2026-06-10T04:15Z']);
      expect(checkSlot(q, 'ktm', at('2026-06-10T03:30Z'))).toEqual({ ok: false, reason: 'off_grid' });
      expect(checkSlot(q, 'ktm', at('2026-06-10T03:15Z')).ok).toBe(true);
    });
  });

  describe('America/New_York DST', () => {
    const ny = (over: Partial<RepSupply> = {}) => rep('ny', 'America/New_York', over);

    it('keeps 09:00-17:00 local on the spring-forward day (2026-03-08)', () => {
      const slots = findSlots(query([ny()], '2026-03-07T00:00Z', '2026-03-09T00:00Z'));
      expect(starts(slots).filter((s) => s.startsWith('2026-03-07'))[0]).toBe('2026-03-07T14:00Z');
      const sunday = starts(slots).filter((s) => s.startsWith('2026-03-08'));
      expect(sunday[0]).toBe('2026-03-08T13:00Z');
      expect(sunday[sunday.length - 1]).toBe('2026-03-08T20:00Z'); // 16:00-17:00 EDT
      expect(sunday).toHaveLength(8);
    });

    it('keeps 09:00-17:00 local on the fall-back day (2026-11-01)', () => {
      const slots = findSlots(query([ny()], '2026-10-31T00:00Z', '2026-11-02T00:00Z'));
      expect(starts(slots)[0]).toBe('2026-10-31T13:00Z');
      const sunday = starts(slots).filter((s) => s.startsWith('2026-11-01'));
      expect(sunday[0]).toBe('2026-11-01T14:00Z');
      expect(sunday[sunday.length - 1]).toBe('2026-11-01T21:00Z');
      expect(sunday).toHaveLength(8);
    });

    it('offers only real minutes in a 01:30-03:30 window on the spring-forward day (60 real minutes)', () => {
      const r = ny({ weekly: [], overrides: { '2026-03-08': [{ start: '01:30', end: '03:30' }] } });
      const q = query([r], '2026-03-08T00:00Z', '2026-03-09T00:00Z', withSettings({ slotMinutes: 30, slotGridMinutes: 15 }));
      const slots = findSlots(q);
      expect(starts(slots)).toEqual(['2026-03-08T06:30Z', '2026-03-08T06:45Z', '2026-03-08T07:00Z']);
      expect(slots.map((s) => localHHmm('America/New_York', s.start))).toEqual(['01:30', '01:45', '03:00']);
      const hour = query([r], '2026-03-08T00:00Z', '2026-03-09T00:00Z', withSettings({ slotMinutes: 60, slotGridMinutes: 15 }));
      expect(starts(findSlots(hour))).toEqual(['2026-03-08T06:30Z']);
      const longer = query([r], '2026-03-08T00:00Z', '2026-03-09T00:00Z', withSettings({ slotMinutes: 61, slotGridMinutes: 15 }));
      expect(findSlots(longer)).toEqual([]);
    });

    it('offers the repeated hour on the fall-back day as distinct instants, never one twice', () => {
      const r = ny({ weekly: [], overrides: { '2026-11-01': [{ start: '00:00', end: '03:00' }] } });
      const q = query([r], '2026-11-01T00:00Z', '2026-11-02T00:00Z', withSettings({ slotMinutes: 30, slotGridMinutes: 30 }));
      const slots = findSlots(q);
      expect(starts(slots)).toEqual([
        '2026-11-01T04:00Z',
        '2026-11-01T04:30Z',
        '2026-11-01T05:00Z',
        '2026-11-01T05:30Z',
        '2026-11-01T06:00Z',
        '2026-11-01T06:30Z',
        '2026-11-01T07:00Z',
        '2026-11-01T07:30Z',
      ]);
      expect(slots.map((s) => localHHmm('America/New_York', s.start))).toEqual([
        '00:00',
        '00:30',
        '01:00',
        '01:30',
        '01:00',
        '01:30',
        '02:00',
        '02:30',
      ]);
      expect(new Set(slots.map((s) => s.start)).size).toBe(slots.length);
    });
  });

  describe('a grid that does not divide the DST shift (45 minutes)', () => {
    const s45 = withSettings({ slotMinutes: 45, slotGridMinutes: 45 });
    const ny = (date: string, end: string) => rep('ny', 'America/New_York', { weekly: [], overrides: { [date]: [{ start: '00:00', end }] } });

    it('realigns to local time after the fall-back (2026-11-01)', () => {
      const slots = findSlots(query([ny('2026-11-01', '04:00')], '2026-11-01T00:00Z', '2026-11-02T00:00Z', s45));
      expect(starts(slots)).toEqual([
        '2026-11-01T04:00Z',
        '2026-11-01T04:45Z',
        '2026-11-01T05:30Z',
        '2026-11-01T06:30Z',
        '2026-11-01T07:15Z',
        '2026-11-01T08:00Z',
      ]);
      expect(slots.map((x) => localHHmm('America/New_York', x.start))).toEqual(['00:00', '00:45', '01:30', '01:30', '02:15', '03:00']);
    });

    it('realigns to local time after the spring-forward (2026-03-08)', () => {
      const slots = findSlots(query([ny('2026-03-08', '05:00')], '2026-03-08T00:00Z', '2026-03-09T00:00Z', s45));
      expect(slots.map((x) => localHHmm('America/New_York', x.start))).toEqual(['00:00', '00:45', '01:30', '03:00', '03:45']);
      expect(starts(slots)).toEqual(['2026-03-08T05:00Z', '2026-03-08T05:45Z', '2026-03-08T06:30Z', '2026-03-08T07:00Z', '2026-03-08T07:45Z']);
    });
  });

  describe('Europe/London DST', () => {
    const ldn = (over: Partial<RepSupply> = {}) => rep('ldn', 'Europe/London', over);

    it('keeps 09:00-17:00 local on 2026-03-29 and 2026-10-25', () => {
      const spring = findSlots(query([ldn()], '2026-03-28T00:00Z', '2026-03-30T00:00Z'));
      expect(firstAndLastPerLocalDay('Europe/London', spring)).toEqual([
        ['2026-03-28T09:00Z', '2026-03-28T16:00Z', 8],
        ['2026-03-29T08:00Z', '2026-03-29T15:00Z', 8],
      ]);
      const fall = findSlots(query([ldn()], '2026-10-24T00:00Z', '2026-10-26T00:00Z'));
      expect(firstAndLastPerLocalDay('Europe/London', fall)).toEqual([
        ['2026-10-24T08:00Z', '2026-10-24T15:00Z', 8],
        ['2026-10-25T09:00Z', '2026-10-25T16:00Z', 8],
      ]);
    });

    it('skips the 01:00-02:00 gap on 2026-03-29', () => {
      const r = ldn({ weekly: [], overrides: { '2026-03-29': [{ start: '00:30', end: '02:30' }] } });
      const q = query([r], '2026-03-28T00:00Z', '2026-03-30T00:00Z', withSettings({ slotMinutes: 30, slotGridMinutes: 30 }));
      expect(starts(findSlots(q))).toEqual(['2026-03-29T00:30Z', '2026-03-29T01:00Z']);
    });

    it('repeats 01:00-02:00 on 2026-10-25 as distinct instants', () => {
      const r = ldn({ weekly: [], overrides: { '2026-10-25': [{ start: '00:30', end: '02:30' }] } });
      const q = query([r], '2026-10-24T00:00Z', '2026-10-26T00:00Z', withSettings({ slotMinutes: 30, slotGridMinutes: 30 }));
      const slots = findSlots(q);
      expect(starts(slots)).toEqual([
        '2026-10-24T23:30Z',
        '2026-10-25T00:00Z',
        '2026-10-25T00:30Z',
        '2026-10-25T01:00Z',
        '2026-10-25T01:30Z',
        '2026-10-25T02:00Z',
      ]);
      expect(slots.map((s) => localHHmm('Europe/London', s.start))).toEqual(['00:30', '01:00', '01:30', '01:00', '01:30', '02:00']);
    });
  });

  describe('Australia/Sydney DST (southern hemisphere)', () => {
    const syd = (over: Partial<RepSupply> = {}) => rep('syd', 'Australia/Sydney', over);

    it('keeps 09:00-17:00 local across the April fall-back and October spring-forward', () => {
      const april = findSlots(query([syd()], '2026-04-03T12:00Z', '2026-04-05T12:00Z'));
      expect(firstAndLastPerLocalDay('Australia/Sydney', april)).toEqual([
        ['2026-04-03T22:00Z', '2026-04-04T05:00Z', 8], // Sat 4 Apr 09:00-17:00 AEDT (+11)
        ['2026-04-04T23:00Z', '2026-04-05T06:00Z', 8], // Sun 5 Apr 09:00-17:00 AEST (+10)
      ]);
      const october = findSlots(query([syd()], '2026-10-02T12:00Z', '2026-10-04T12:00Z'));
      expect(firstAndLastPerLocalDay('Australia/Sydney', october)).toEqual([
        ['2026-10-02T23:00Z', '2026-10-03T06:00Z', 8], // Sat 3 Oct AEST
        ['2026-10-03T22:00Z', '2026-10-04T05:00Z', 8], // Sun 4 Oct AEDT
      ]);
    });

    it('repeats 02:00-03:00 on 2026-04-05 and skips it on 2026-10-04', () => {
      const window = [{ start: '01:00', end: '04:00' }];
      const s60 = withSettings({ slotMinutes: 60, slotGridMinutes: 60 });
      const april = findSlots(query([syd({ weekly: [], overrides: { '2026-04-05': window } })], '2026-04-04T00:00Z', '2026-04-05T00:00Z', s60));
      expect(april.map((s) => localHHmm('Australia/Sydney', s.start))).toEqual(['01:00', '02:00', '02:00', '03:00']);
      const october = findSlots(query([syd({ weekly: [], overrides: { '2026-10-04': window } })], '2026-10-03T00:00Z', '2026-10-04T00:00Z', s60));
      expect(october.map((s) => localHHmm('Australia/Sydney', s.start))).toEqual(['01:00', '03:00']);
    });
  });

  it('a from/to range spanning a DST change keeps local 09:00 on each day', () => {
    const r = rep('ny', 'America/New_York', { weekly: everyDay('09:00', '10:00') });
    const slots = findSlots(query([r], '2026-03-06T00:00Z', '2026-03-11T00:00Z'));
    expect(starts(slots)).toEqual([
      '2026-03-06T14:00Z',
      '2026-03-07T14:00Z',
      '2026-03-08T13:00Z',
      '2026-03-09T13:00Z',
      '2026-03-10T13:00Z',
    ]);
  });

  it('joins 22:00-24:00 and 00:00-02:00 of the next day into one stretch, so a slot may cross midnight', () => {
    const r = rep('kol', 'Asia/Kolkata', {
      weekly: [
        { weekday: 5, start: '22:00', end: '24:00' },
        { weekday: 6, start: '00:00', end: '02:00' },
      ],
    });
    const q = query([r], '2026-06-12T00:00Z', '2026-06-14T00:00Z', withSettings({ slotMinutes: 60, slotGridMinutes: 30 }));
    const slots = findSlots(q);
    expect(slots.map((s) => localHHmm('Asia/Kolkata', s.start))).toEqual(['22:00', '22:30', '23:00', '23:30', '00:00', '00:30', '01:00']);
    expect(utc(slots[3].start)).toBe('2026-06-12T18:00Z'); // Fri 23:30 IST
    expect(utc(slots[3].end)).toBe('2026-06-12T19:00Z'); // Sat 00:30 IST
  });

  describe('overrides', () => {
    const weekly: WeeklyWindow[] = [{ weekday: 1, start: '09:00', end: '12:00' }];

    it('replace the weekly windows of that date and carry label, call type and lead flag', () => {
      const r = rep('ldn', 'Europe/London', {
        weekly,
        overrides: { '2026-06-08': [{ start: '14:00', end: '15:00', label: 'Renewals', callType: 'renewal', marketingSourced: true }] },
      });
      const slots = findSlots(query([r], '2026-06-08T00:00Z', '2026-06-16T00:00Z'));
      expect(slots).toEqual([
        { repId: 'ldn', start: at('2026-06-08T13:00Z'), end: at('2026-06-08T14:00Z'), capacityLeft: 1, label: 'Renewals', callType: 'renewal', marketingSourced: true },
        { repId: 'ldn', start: at('2026-06-15T08:00Z'), end: at('2026-06-15T09:00Z'), capacityLeft: 1 },
        { repId: 'ldn', start: at('2026-06-15T09:00Z'), end: at('2026-06-15T10:00Z'), capacityLeft: 1 },
        { repId: 'ldn', start: at('2026-06-15T10:00Z'), end: at('2026-06-15T11:00Z'), capacityLeft: 1 },
      ]);
    });

    it('take metadata from the window the slot starts in', () => {
      const r = rep('ldn', 'Europe/London', {
        weekly,
        overrides: {
          '2026-06-08': [
            { start: '09:00', end: '10:00', label: 'A' },
            { start: '10:00', end: '11:00', label: 'B', marketingSourced: false },
          ],
        },
      });
      const q = query([r], '2026-06-08T00:00Z', '2026-06-09T00:00Z', withSettings({ slotMinutes: 60, slotGridMinutes: 30 }));
      expect(findSlots(q).map((s) => [localHHmm('Europe/London', s.start), s.label, s.marketingSourced])).toEqual([
        ['09:00', 'A', undefined],
        ['09:30', 'A', undefined], // crosses into B's window, starts in A's
        ['10:00', 'B', false],
      ]);
    });

    it('block the date when empty', () => {
      const r = rep('ldn', 'Europe/London', { weekly, overrides: { '2026-06-08': [] } });
      const q = query([r], '2026-06-08T00:00Z', '2026-06-16T00:00Z');
      expect(starts(findSlots(q))).toEqual(['2026-06-15T08:00Z', '2026-06-15T09:00Z', '2026-06-15T10:00Z']);
      expect(checkSlot(q, 'ldn', at('2026-06-08T08:00Z'))).toEqual({ ok: false, reason: 'not_available' });
    });
  });

  describe('notice, horizon, period and range', () => {
    const r = rep('utc', 'UTC', { weekly: everyDay('00:00', '24:00') });

    it('drops slots starting before now + minNoticeHours', () => {
      const q = query([r], '2026-06-10T00:00Z', '2026-06-11T00:00Z', {
        now: at('2026-06-10T05:30Z'),
        ...withSettings({ minNoticeHours: 12 }),
      });
      expect(starts(findSlots(q))[0]).toBe('2026-06-10T18:00Z');
      expect(checkSlot(q, 'utc', at('2026-06-10T17:00Z'))).toEqual({ ok: false, reason: 'outside_notice' });
    });

    it('drops slots starting at or after now + horizonDays', () => {
      const q = query([r], '2026-06-10T00:00Z', '2026-06-20T00:00Z', {
        now: at('2026-06-10T00:00Z'),
        ...withSettings({ horizonDays: 2 }),
      });
      const slots = findSlots(q);
      expect(utc(slots[slots.length - 1].start)).toBe('2026-06-11T23:00Z');
      expect(checkSlot(q, 'utc', at('2026-06-12T00:00Z'))).toEqual({ ok: false, reason: 'outside_horizon' });
    });

    it('keeps whole slots inside the period bounds', () => {
      const q = query([r], '2026-06-01T00:00Z', '2026-06-30T00:00Z', {
        bounds: { start: at('2026-06-10T00:00Z'), end: at('2026-06-10T03:30Z') },
      });
      expect(starts(findSlots(q))).toEqual(['2026-06-10T00:00Z', '2026-06-10T01:00Z', '2026-06-10T02:00Z']);
      expect(checkSlot(q, 'utc', at('2026-06-10T03:00Z'))).toEqual({ ok: false, reason: 'outside_period' });
      expect(checkSlot(q, 'utc', at('2026-06-09T23:00Z'))).toEqual({ ok: false, reason: 'outside_period' });
    });

    it('lists only starts in [from, to)', () => {
      const q = query([r], '2026-06-10T01:00Z', '2026-06-10T03:00Z');
      expect(starts(findSlots(q))).toEqual(['2026-06-10T01:00Z', '2026-06-10T02:00Z']);
    });
  });

  describe('calls', () => {
    const call = (start: string, end: string, seatsTaken = 1): RepCall => ({ start: at(start), end: at(end), seatsTaken });

    it('offers the remaining seats of an existing call and hides a full one', () => {
      const r = rep('utc', 'UTC', {
        weekly: [{ weekday: 3, start: '09:00', end: '12:00' }],
        calls: [call('2026-06-10T09:00Z', '2026-06-10T10:00Z', 1), call('2026-06-10T10:00Z', '2026-06-10T11:00Z', 3)],
      });
      const q = query([r], '2026-06-10T00:00Z', '2026-06-11T00:00Z', withSettings({ seatsPerCall: 3 }));
      expect(findSlots(q).map((s) => [utc(s.start), s.capacityLeft])).toEqual([
        ['2026-06-10T09:00Z', 2],
        ['2026-06-10T11:00Z', 3],
      ]);
      expect(checkSlot(q, 'utc', at('2026-06-10T10:00Z'))).toEqual({ ok: false, reason: 'slot_full' });
    });

    it('hides candidates overlapping another call: the rep is busy', () => {
      const r = rep('utc', 'UTC', {
        weekly: [{ weekday: 3, start: '09:00', end: '13:00' }],
        calls: [call('2026-06-10T10:15Z', '2026-06-10T10:45Z')],
      });
      const q = query([r], '2026-06-10T00:00Z', '2026-06-11T00:00Z', withSettings({ slotGridMinutes: 30, seatsPerCall: 4 }));
      expect(starts(findSlots(q))).toEqual(['2026-06-10T09:00Z', '2026-06-10T11:00Z', '2026-06-10T11:30Z', '2026-06-10T12:00Z']);
      expect(checkSlot(q, 'utc', at('2026-06-10T10:00Z'))).toEqual({ ok: false, reason: 'rep_busy' });
      expect(checkSlot(q, 'utc', at('2026-06-10T09:30Z'))).toEqual({ ok: false, reason: 'rep_busy' });
    });

    it('a call of another length at the same start makes the rep busy, not joinable', () => {
      const r = rep('utc', 'UTC', {
        weekly: [{ weekday: 3, start: '09:00', end: '12:00' }],
        calls: [call('2026-06-10T09:00Z', '2026-06-10T09:45Z')],
      });
      const q = query([r], '2026-06-10T00:00Z', '2026-06-11T00:00Z', withSettings({ seatsPerCall: 4 }));
      expect(checkSlot(q, 'utc', at('2026-06-10T09:00Z'))).toEqual({ ok: false, reason: 'rep_busy' });
    });
  });

  describe('weekly cap', () => {
    // Australia/Sydney is +10:00 in June: the local week starts Monday 00:00 = Sunday 14:00Z.
    const sydWeekly = [{ weekday: 1, start: '09:00', end: '12:00' }];
    const calls: RepCall[] = [
      { start: at('2026-06-07T23:00Z'), end: at('2026-06-08T00:00Z'), seatsTaken: 1 }, // Mon 8 Jun 09:00 AEST
      { start: at('2026-06-10T04:00Z'), end: at('2026-06-10T05:00Z'), seatsTaken: 1 }, // Wed 10 Jun 14:00
      { start: at('2026-06-06T02:00Z'), end: at('2026-06-06T03:00Z'), seatsTaken: 1 }, // Sat 6 Jun, previous week
    ];

    it('counts calls in the local Monday-to-Monday week, not the UTC week', () => {
      const r = rep('syd', 'Australia/Sydney', { weekly: sydWeekly, calls });
      const q = query([r], '2026-05-31T00:00Z', '2026-06-16T00:00Z', withSettings({ repWeeklyCap: 2, seatsPerCall: 2 }));
      const slots = findSlots(q);
      // Mon 1 Jun (one call that week: Sat 6 Jun) is open; Mon 8 Jun only offers joining the 09:00
      // call, although 10:00 and 11:00 AEST fall on Sunday 7 Jun UTC, the UTC week before.
      expect(slots.map((s) => [utc(s.start), s.capacityLeft])).toEqual([
        ['2026-05-31T23:00Z', 2],
        ['2026-06-01T00:00Z', 2],
        ['2026-06-01T01:00Z', 2],
        ['2026-06-07T23:00Z', 1],
        ['2026-06-14T23:00Z', 2],
        ['2026-06-15T00:00Z', 2],
        ['2026-06-15T01:00Z', 2],
      ]);
      expect(checkSlot(q, 'syd', at('2026-06-08T00:00Z'))).toEqual({ ok: false, reason: 'rep_weekly_cap' });
    });

    it('does not cap below the limit', () => {
      const r = rep('syd', 'Australia/Sydney', { weekly: sydWeekly, calls });
      const q = query([r], '2026-06-07T00:00Z', '2026-06-09T00:00Z', withSettings({ repWeeklyCap: 3, seatsPerCall: 2 }));
      expect(starts(findSlots(q))).toEqual(['2026-06-07T23:00Z', '2026-06-08T00:00Z', '2026-06-08T01:00Z']);
    });
  });

  describe('marketer', () => {
    const r = rep('utc', 'UTC', {
      weekly: [{ weekday: 3, start: '09:00', end: '12:00' }],
      calls: [{ start: at('2026-06-10T09:00Z'), end: at('2026-06-10T10:00Z'), seatsTaken: 1 }],
    });
    const other = rep('other', 'UTC', { weekly: [{ weekday: 3, start: '09:00', end: '10:00' }] });

    it('hides slots overlapping the marketer busy time, including a call they already sit in', () => {
      const marketer: MarketerContext = {
        busy: [
          { start: at('2026-06-10T09:00Z'), end: at('2026-06-10T10:00Z') }, // their seat on the call
          { start: at('2026-06-10T11:30Z'), end: at('2026-06-10T11:45Z') },
        ],
        bookingsByRep: { utc: 1 },
        sameRepLimit: 4,
      };
      const q = query([r, other], '2026-06-10T00:00Z', '2026-06-11T00:00Z', { ...withSettings({ seatsPerCall: 2 }), marketer });
      expect(findSlots(q).map((s) => `${utc(s.start)} ${s.repId}`)).toEqual(['2026-06-10T10:00Z utc']);
      expect(checkSlot(q, 'utc', at('2026-06-10T09:00Z'))).toEqual({ ok: false, reason: 'marketer_conflict' });
      expect(checkSlot(q, 'other', at('2026-06-10T09:00Z'))).toEqual({ ok: false, reason: 'marketer_conflict' });
      expect(checkSlot(q, 'utc', at('2026-06-10T11:00Z'))).toEqual({ ok: false, reason: 'marketer_conflict' });
    });

    it('hides every slot of a rep the marketer has already booked sameRepLimit times', () => {
      const marketer: MarketerContext = { busy: [], bookingsByRep: { utc: 4, other: 3 }, sameRepLimit: 4 };
      const q = query([r, other], '2026-06-10T00:00Z', '2026-06-11T00:00Z', { ...withSettings({ seatsPerCall: 2 }), marketer });
      expect(findSlots(q).map((s) => s.repId)).toEqual(['other']);
      expect(checkSlot(q, 'utc', at('2026-06-10T10:00Z'))).toEqual({ ok: false, reason: 'same_rep_limit' });
    });
  });

  it('rejects a zero grid instead of looping', () => {
    const q = query([rep('utc', 'UTC')], '2026-06-10T00:00Z', '2026-06-11T00:00Z', withSettings({ slotGridMinutes: 0 }));
    expect(() => findSlots(q)).toThrow(InvalidEngineSettingsError);
  });

  it('ignores windows that do not parse or end before they start', () => {
    const r = rep('utc', 'UTC', {
      weekly: [
        { weekday: 3, start: '9:00', end: '10:00' },
        { weekday: 3, start: '12:00', end: '11:00' },
        { weekday: 3, start: '24:00', end: '24:00' },
        { weekday: 3, start: '13:00', end: '14:00' },
      ],
    });
    expect(starts(findSlots(query([r], '2026-06-10T00:00Z', '2026-06-11T00:00Z')))).toEqual(['2026-06-10T13:00Z']);
  });
});

describe('findSlotsColumnar', () => {
  const utcDay = (over: Partial<RepSupply> = {}) => ({ weekly: everyDay('00:00', '24:00'), ...over });

  it('lists the same slots as findSlots, as columns in start then repId order', () => {
    const reps = [
      rep('ny', 'America/New_York', { weekly: [{ weekday: 3, start: '09:00', end: '11:00' }] }),
      rep('kol', 'Asia/Kolkata', { weekly: [{ weekday: 3, start: '18:30', end: '20:30', callType: 'demo' }] }),
      rep('ldn', 'Europe/London', { weekly: [{ weekday: 3, start: '14:00', end: '15:00' }] }),
    ];
    const q = query(reps, '2026-06-10T00:00Z', '2026-06-11T00:00Z', withSettings({ slotGridMinutes: 30 }));
    const c = findSlotsColumnar(q);
    expect(c.count).toBe(7);
    expect(Array.from(c.start.subarray(0, 3), utc)).toEqual(['2026-06-10T13:00Z', '2026-06-10T13:00Z', '2026-06-10T13:00Z']);
    expect(Array.from(c.repIndex.subarray(0, c.count), (i) => reps[i].repId)).toEqual(['kol', 'ldn', 'ny', 'kol', 'ny', 'kol', 'ny']);
    expect(Array.from(c.windowMeta.subarray(0, c.count))).toEqual([0, -1, -1, 0, -1, 0, -1]);
    expect(c.meta).toEqual([{ callType: 'demo' }]);
    expect(Array.from(c.capacityLeft.subarray(0, c.count))).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expectColumnsAgree(q);
  });

  it('returns empty columns for no reps or an empty range', () => {
    for (const q of [
      query([], '2026-06-10T00:00Z', '2026-06-11T00:00Z'),
      query([rep('utc', 'UTC')], '2026-06-10T00:00Z', '2026-06-10T00:00Z'),
      query([rep('utc', 'UTC', { weekly: [] })], '2026-06-10T00:00Z', '2026-06-11T00:00Z'),
    ]) {
      const c = findSlotsColumnar(q);
      expect(c.count).toBe(0);
      expect(c.meta).toEqual([]);
    }
  });

  it('shares one metadata object per window, not one per slot', () => {
    const labelled: WeeklyWindow[] = [1, 2, 3, 4, 5].flatMap((weekday) => [
      { weekday, start: '09:00', end: '12:00', label: 'Demos', callType: 'demo' },
      { weekday, start: '13:00', end: '15:00' },
    ]);
    const q = query([rep('a', 'UTC', { weekly: labelled })], '2026-06-08T00:00Z', '2026-06-22T00:00Z');
    const { columns: c } = expectColumnsAgree(q);
    expect(c.count).toBe(10 * 5);
    // Monday to Friday are five windows of the weekly list, each used on two weeks.
    expect(c.meta).toHaveLength(5);
    expect(c.meta.every((m) => m.label === 'Demos' && m.callType === 'demo' && m.marketingSourced === undefined)).toBe(true);
    expect(Array.from(c.windowMeta.subarray(0, c.count)).filter((m) => m === -1)).toHaveLength(10 * 2);
  });

  it('orders a dense listing with ties across many reps and zones (the counting sort)', () => {
    const zones = ['UTC', 'Europe/London', 'Asia/Kathmandu', 'Asia/Kolkata'];
    const reps: RepSupply[] = [];
    for (let i = 0; i < 12; i++) {
      const zone = zones[i % zones.length];
      const id = ['m', 'c', 'x', 'a', 'k', 'b'][i % 6] + String(11 - i);
      reps.push(
        rep(id, zone, {
          ...utcDay(),
          overrides: { '2026-06-11': [{ start: '06:00', end: '18:00', label: `L${i % 3}`, marketingSourced: i % 2 === 0 }] },
          calls: [
            { start: at('2026-06-10T09:00Z'), end: at('2026-06-10T09:30Z'), seatsTaken: i % 3 },
            { start: at('2026-06-11T08:00Z'), end: at('2026-06-11T08:30Z'), seatsTaken: 1 },
          ],
        }),
      );
    }
    const q = query(reps, '2026-06-10T00:00Z', '2026-06-13T00:00Z', withSettings({ slotMinutes: 30, slotGridMinutes: 15, seatsPerCall: 3 }));
    const { columns: c, slots } = expectColumnsAgree(q);
    expect(c.count).toBeGreaterThan(2000);
    let ties = 0;
    for (let i = 1; i < slots.length; i++) if (slots[i].start === slots[i - 1].start) ties++;
    expect(ties).toBeGreaterThan(1000);
    expect(new Set(slots.map((s) => s.capacityLeft))).toEqual(new Set([1, 2, 3]));
    expect(c.meta.length).toBeGreaterThan(0);
  });

  it('orders a sparse listing over a long range (the k-way merge)', () => {
    const weekly = (start: string, end: string, label?: string): WeeklyWindow[] => [{ weekday: 2, start, end, ...(label ? { label } : {}) }];
    const reps = [
      rep('r3', 'UTC', { weekly: weekly('09:00', '10:00') }),
      rep('r1', 'Europe/London', { weekly: weekly('10:00', '11:00', 'one') }), // 09:00Z in summer: ties with r3
      rep('r2', 'UTC', { weekly: weekly('09:00', '11:00', 'two'), calls: [{ start: at('2026-06-16T09:00Z'), end: at('2026-06-16T10:00Z'), seatsTaken: 1 }] }),
      rep('r0', 'Asia/Kathmandu', { weekly: [] }),
    ];
    const q = query(reps, '2026-01-01T00:00Z', '2026-12-31T00:00Z', withSettings({ seatsPerCall: 2 }));
    const { columns: c, slots } = expectColumnsAgree(q);
    expect(c.count).toBeGreaterThan(52 * 3);
    expect(c.count).toBeLessThan(52 * 5);
    expect(slots.filter((s) => s.start === at('2026-06-16T09:00Z')).map((s) => [s.repId, s.capacityLeft, s.label])).toEqual([
      ['r1', 2, 'one'],
      ['r2', 1, 'two'],
      ['r3', 2, undefined],
    ]);
  });

  it('keeps the input order among reps with the same id', () => {
    const reps = [
      rep('dup', 'UTC', { weekly: everyDay('09:00', '10:00', { label: 'first' }) }),
      rep('aaa', 'UTC', { weekly: everyDay('09:00', '10:00') }),
      rep('dup', 'UTC', { weekly: everyDay('09:00', '10:00', { label: 'second' }) }),
    ];
    const { slots } = expectColumnsAgree(query(reps, '2026-06-10T00:00Z', '2026-06-11T00:00Z'));
    expect(slots.map((s) => `${s.repId} ${s.label ?? ''}`)).toEqual(['aaa ', 'dup first', 'dup second']);
  });

  it('keeps minutes beyond the int32 range exact (after the year 6053)', () => {
    const reps = [rep('b', 'Europe/London'), rep('a', 'UTC')];
    const q = query(reps, '7000-06-10T00:00Z', '7000-06-11T00:00Z', { now: at('7000-06-01T00:00Z'), bounds: { start: at('7000-01-01T00:00Z'), end: at('7001-01-01T00:00Z') } });
    expect(q.from).toBeGreaterThan(2 ** 31);
    const { slots } = expectColumnsAgree(q);
    expect(slots).toHaveLength(16);
    expect(slots.slice(0, 2).map((s) => [utc(s.start), utc(s.end), s.repId])).toEqual([
      ['7000-06-10T08:00Z', '7000-06-10T09:00Z', 'b'],
      ['7000-06-10T09:00Z', '7000-06-10T10:00Z', 'a'],
    ]);
    for (const s of slots) expect(checkSlot(q, s.repId, s.start)).toEqual({ ok: true, slot: s });
  });

  it('rejects a zero grid like findSlots', () => {
    const q = query([rep('utc', 'UTC')], '2026-06-10T00:00Z', '2026-06-11T00:00Z', withSettings({ slotGridMinutes: 0 }));
    expect(() => findSlotsColumnar(q)).toThrow(InvalidEngineSettingsError);
  });
});

describe('checkSlot', () => {
  const call = (start: string, seatsTaken: number): RepCall => ({ start: at(start), end: at(start) + 60, seatsTaken });
  const r = rep('utc', 'UTC', {
    weekly: [{ weekday: 3, start: '09:00', end: '13:00' }],
    overrides: { '2026-06-17': [{ start: '09:00', end: '10:00', label: 'Churn calls' }] },
    calls: [call('2026-06-10T09:00Z', 1), call('2026-06-10T10:00Z', 2)],
  });
  const base = query([r], '2026-06-01T00:00Z', '2026-07-01T00:00Z', {
    now: at('2026-06-09T00:00Z'),
    bounds: { start: at('2026-06-01T00:00Z'), end: at('2026-06-30T00:00Z') },
    ...withSettings({ seatsPerCall: 2, minNoticeHours: 12, horizonDays: 14, repWeeklyCap: 2 }),
    marketer: { busy: [{ start: at('2026-06-17T09:00Z'), end: at('2026-06-17T09:30Z') }], bookingsByRep: {}, sameRepLimit: 4 },
  });

  it('returns the slot when bookable, with the seats left and metadata', () => {
    expect(checkSlot(base, 'utc', at('2026-06-10T09:00Z'))).toEqual({
      ok: true,
      slot: { repId: 'utc', start: at('2026-06-10T09:00Z'), end: at('2026-06-10T10:00Z'), capacityLeft: 1 },
    });
    const labelled = { ...base, marketer: undefined };
    expect(checkSlot(labelled, 'utc', at('2026-06-17T09:00Z'))).toEqual({
      ok: true,
      slot: { repId: 'utc', start: at('2026-06-17T09:00Z'), end: at('2026-06-17T10:00Z'), capacityLeft: 2, label: 'Churn calls' },
    });
  });

  it.each<[string, string, string]>([
    ['outside_period', '2026-06-30T09:00Z', 'starts after the period'],
    ['outside_notice', '2026-06-09T09:00Z', 'is less than 12 hours away'],
    ['outside_horizon', '2026-06-24T09:00Z', 'is 14 days away or more'],
    ['not_available', '2026-06-10T15:00Z', 'is outside the windows'],
    ['not_available', '2026-06-10T12:30Z', 'runs past the window end'],
    ['off_grid', '2026-06-10T09:30Z', 'is not on the local grid'],
    ['slot_full', '2026-06-10T10:00Z', 'is a call with no seat left'],
    ['rep_busy', '2026-06-10T09:15Z', 'overlaps a call'],
    ['rep_weekly_cap', '2026-06-10T11:00Z', 'would be a third call in the week'],
    ['marketer_conflict', '2026-06-17T09:00Z', 'overlaps the marketer'],
  ])('refuses with %s when the start %s', (reason, start) => {
    // rep_busy needs a grid-aligned start overlapping a call: use a 15-minute grid for that case.
    const q = reason === 'rep_busy' ? { ...base, settings: { ...base.settings, slotGridMinutes: 15 } } : base;
    expect(checkSlot(q, 'utc', at(start))).toEqual({ ok: false, reason });
  });

  it('refuses with same_rep_limit, and not_available for an unknown rep', () => {
    const q = { ...base, marketer: { busy: [], bookingsByRep: { utc: 4 }, sameRepLimit: 4 } };
    expect(checkSlot(q, 'utc', at('2026-06-17T09:00Z'))).toEqual({ ok: false, reason: 'same_rep_limit' });
    expect(checkSlot(base, 'nobody', at('2026-06-17T09:00Z'))).toEqual({ ok: false, reason: 'not_available' });
  });

  it('reports the first reason in the documented order', () => {
    // Full call, in the marketer's busy time, rep limit reached: slot_full comes first.
    const q = { ...base, marketer: { busy: [{ start: at('2026-06-10T10:00Z'), end: at('2026-06-10T11:00Z') }], bookingsByRep: { utc: 9 }, sameRepLimit: 4 } };
    expect(checkSlot(q, 'utc', at('2026-06-10T10:00Z'))).toEqual({ ok: false, reason: 'slot_full' });
    // Weekly cap before same-rep limit before marketer conflict.
    expect(checkSlot(q, 'utc', at('2026-06-10T11:00Z'))).toEqual({ ok: false, reason: 'rep_weekly_cap' });
    expect(checkSlot(q, 'utc', at('2026-06-17T09:00Z'))).toEqual({ ok: false, reason: 'same_rep_limit' });
    // Notice before availability; period before notice.
    expect(checkSlot(q, 'utc', at('2026-06-09T03:00Z'))).toEqual({ ok: false, reason: 'outside_notice' });
    expect(checkSlot({ ...q, bounds: { start: at('2026-06-12T00:00Z'), end: at('2026-06-30T00:00Z') } }, 'utc', at('2026-06-09T03:00Z'))).toEqual({
      ok: false,
      reason: 'outside_period',
    });
  });
});

describe('calendar busy time and opened customer calls', () => {
  const iv = (start: string, end: string) => ({ start: at(start), end: at(end) });
  const open = (id: string, start: string, end: string, extra: Partial<OpenCall> = {}): OpenCall => ({ id, start: at(start), end: at(end), ...extra });
  const booking = (start: string, end: string, seatsTaken = 1): RepCall => ({ start: at(start), end: at(end), seatsTaken });
  const day = (over: Partial<SlotQuery> = {}) => ['2026-06-10T00:00Z', '2026-06-11T00:00Z', over] as const;
  // Wednesday 10 June 2026, 09:00-13:00 UTC, 60-minute slots on a 30-minute grid.
  const wed = (over: Partial<RepSupply> = {}) => rep('utc', 'UTC', { weekly: [{ weekday: 3, start: '09:00', end: '13:00' }], ...over });
  const grid30 = withSettings({ slotGridMinutes: 30, seatsPerCall: 2 });
  const listed = (q: SlotQuery) => findSlots(q).map((s) => `${utc(s.start)}-${utc(s.end).slice(11)} ${s.repId}${s.customerCallId ? ` ${s.customerCallId}` : ''}`);

  describe('busy time', () => {
    it('refuses every candidate a busy event overlaps, even partly, and keeps those it only touches', () => {
      const q = query([wed({ busy: [iv('2026-06-10T10:15Z', '2026-06-10T10:45Z'), iv('2026-06-10T12:00Z', '2026-06-10T13:00Z')] })], ...day(grid30));
      // 09:30-10:30, 10:00-11:00 and 10:30-11:30 overlap 10:15-10:45; 11:30 and 12:00 overlap 12:00-13:00.
      expect(starts(findSlots(q))).toEqual(['2026-06-10T09:00Z', '2026-06-10T11:00Z']);
      expect(checkSlot(q, 'utc', at('2026-06-10T10:30Z'))).toEqual({ ok: false, reason: 'rep_busy' });
      expect(checkSlot(q, 'utc', at('2026-06-10T11:30Z'))).toEqual({ ok: false, reason: 'rep_busy' });
      expect(checkSlot(q, 'utc', at('2026-06-10T11:00Z')).ok).toBe(true);
      expectColumnsAgree(q);
    });

    it('takes busy events in any order, overlapping or touching each other', () => {
      const busy = [iv('2026-06-10T11:50Z', '2026-06-10T12:10Z'), iv('2026-06-10T09:00Z', '2026-06-10T09:20Z'), iv('2026-06-10T09:10Z', '2026-06-10T09:40Z'), iv('2026-06-10T09:40Z', '2026-06-10T10:00Z')];
      const q = query([wed({ busy })], ...day(grid30));
      expect(starts(findSlots(q))).toEqual(['2026-06-10T10:00Z', '2026-06-10T10:30Z']);
      expectColumnsAgree(q);
    });

    it('takes busy time as flat start/end pairs (sorted: one merge pass; out of order; with `busy` too) with the same verdicts', () => {
      const busy = [iv('2026-06-10T11:50Z', '2026-06-10T12:10Z'), iv('2026-06-10T09:00Z', '2026-06-10T09:20Z'), iv('2026-06-10T09:10Z', '2026-06-10T09:40Z'), iv('2026-06-10T09:40Z', '2026-06-10T10:00Z')];
      const want = ['2026-06-10T10:00Z', '2026-06-10T10:30Z'];
      const sorted = [...busy].sort((a, b) => a.start - b.start).flatMap((i) => [i.start, i.end]);
      const unsorted = busy.flatMap((i) => [i.start, i.end]);
      for (const busyPairs of [sorted, unsorted, Int32Array.from(sorted)]) {
        const q = query([wed({ busyPairs })], ...day(grid30));
        expect(starts(findSlots(q))).toEqual(want);
        expect(checkSlot(q, 'utc', at('2026-06-10T11:30Z'))).toEqual({ ok: false, reason: 'rep_busy' });
        expectColumnsAgree(q);
      }
      // Half in `busy`, half as pairs; an empty pair (end = start) is no busy time.
      const mixed = query([wed({ busy: busy.slice(0, 2), busyPairs: [...busy.slice(2).flatMap((i) => [i.start, i.end]), at('2026-06-10T10:30Z'), at('2026-06-10T10:30Z')] })], ...day(grid30));
      expect(starts(findSlots(mixed))).toEqual(want);
      // Without the pairs the rep is free at 09:00.
      expect(starts(findSlots(query([wed({ busy: busy.slice(0, 1) })], ...day(grid30))))).toContain('2026-06-10T10:00Z');
    });

    it('the same with busy time that is not whole minutes, or very long (the general merge)', () => {
      const fraction = [iv('2026-06-10T11:00Z', '2026-06-10T11:30Z'), { start: at('2026-06-10T09:59Z') + 0.5, end: at('2026-06-10T09:59Z') + 0.75 }];
      expect(starts(findSlots(query([wed({ busy: fraction })], ...day(grid30))))).toEqual(['2026-06-10T10:00Z', '2026-06-10T11:30Z', '2026-06-10T12:00Z']);
      const long = [iv('2026-06-10T11:00Z', '2026-06-10T11:30Z'), iv('2010-01-01T00:00Z', '2026-06-10T09:30Z')];
      expect(starts(findSlots(query([wed({ busy: long })], ...day(grid30))))).toEqual(['2026-06-10T09:30Z', '2026-06-10T10:00Z', '2026-06-10T11:30Z', '2026-06-10T12:00Z']);
    });

    it('joining a booked call is refused too when a busy event overlaps it (the rep is elsewhere)', () => {
      const q = query([wed({ calls: [booking('2026-06-10T09:00Z', '2026-06-10T10:00Z')], busy: [iv('2026-06-10T09:30Z', '2026-06-10T09:45Z')] })], ...day(grid30));
      expect(checkSlot(q, 'utc', at('2026-06-10T09:00Z'))).toEqual({ ok: false, reason: 'rep_busy' });
    });

    it('subtracts busy time by instant across a DST change (America/New_York, 8 March 2026)', () => {
      const ny = rep('ny', 'America/New_York', {
        // 09:00-10:00 EDT on Sunday 8 March (13:00Z) and 09:00-10:00 EST on Saturday 7 March (14:00Z).
        busy: [iv('2026-03-08T13:00Z', '2026-03-08T14:00Z'), iv('2026-03-07T14:00Z', '2026-03-07T15:00Z')],
      });
      const q = query([ny], '2026-03-07T00:00Z', '2026-03-09T12:00Z');
      expect(firstAndLastPerLocalDay('America/New_York', findSlots(q))).toEqual([
        ['2026-03-07T15:00Z', '2026-03-07T21:00Z', 7],
        ['2026-03-08T14:00Z', '2026-03-08T20:00Z', 7],
      ]);
      expect(checkSlot(q, 'ny', at('2026-03-08T13:00Z'))).toEqual({ ok: false, reason: 'rep_busy' });
      expectColumnsAgree(q);
    });
  });

  describe('opened calls', () => {
    const meta = { label: 'Acme renewal', callType: 'renewal', marketingSourced: true };

    it('offers an opened call outside the weekly windows with its exact start and end and its metadata', () => {
      const q = query([wed({ openCalls: [open('ev1', '2026-06-10T17:10Z', '2026-06-10T17:55Z', meta)] })], ...day(grid30));
      const slots = findSlots(q);
      expect(slots[slots.length - 1]).toEqual({ repId: 'utc', start: at('2026-06-10T17:10Z'), end: at('2026-06-10T17:55Z'), capacityLeft: 2, customerCallId: 'ev1', ...meta });
      expect(checkSlot(q, 'utc', at('2026-06-10T17:10Z'))).toEqual({ ok: true, slot: slots[slots.length - 1] });
      // Only its start books it: a minute later is nothing.
      expect(checkSlot(q, 'utc', at('2026-06-10T17:11Z'))).toEqual({ ok: false, reason: 'not_available' });
      const { columns } = expectColumnsAgree(q);
      const i = columns.count - 1;
      expect([utc(columns.start[i]), utc(columns.end[i]), columns.meta[columns.windowMeta[i]]]).toEqual(['2026-06-10T17:10Z', '2026-06-10T17:55Z', { ...meta, customerCallId: 'ev1' }]);
    });

    it('offers a call for a rep with no windows at all (only a connected calendar)', () => {
      const q = query([rep('cal', 'Europe/Berlin', { weekly: [], openCalls: [open('ev1', '2026-06-10T07:05Z', '2026-06-10T07:35Z')] })], ...day());
      expect(listed(q)).toEqual(['2026-06-10T07:05Z-07:35Z cal ev1']);
      expectColumnsAgree(q);
    });

    it('an off-grid call inside the windows refuses the grid candidates it overlaps, and is ordered among them', () => {
      const a = rep('a', 'UTC', { weekly: [{ weekday: 3, start: '09:00', end: '12:00' }] });
      const b = wed({ repId: 'b', openCalls: [open('ev1', '2026-06-10T10:20Z', '2026-06-10T11:05Z')] });
      const q = query([b, a], ...day(withSettings({ seatsPerCall: 2 })));
      expect(listed(q)).toEqual([
        '2026-06-10T09:00Z-10:00Z a',
        '2026-06-10T09:00Z-10:00Z b',
        '2026-06-10T10:00Z-11:00Z a',
        '2026-06-10T10:20Z-11:05Z b ev1',
        '2026-06-10T11:00Z-12:00Z a',
        '2026-06-10T12:00Z-13:00Z b',
      ]);
      expect(checkSlot(q, 'b', at('2026-06-10T10:00Z'))).toEqual({ ok: false, reason: 'rep_busy' });
      expect(checkSlot(q, 'b', at('2026-06-10T11:00Z'))).toEqual({ ok: false, reason: 'rep_busy' });
      expectColumnsAgree(q);
    });

    it('a call starting on a grid start replaces that candidate, and ties keep repId order', () => {
      const a = rep('a', 'UTC', { weekly: [{ weekday: 3, start: '09:00', end: '12:00' }], openCalls: [open('ev-a', '2026-06-10T10:00Z', '2026-06-10T10:30Z')] });
      const b = rep('b', 'UTC', { weekly: [{ weekday: 3, start: '09:00', end: '12:00' }] });
      const q = query([b, a], ...day(withSettings({ seatsPerCall: 2 })));
      expect(listed(q)).toEqual([
        '2026-06-10T09:00Z-10:00Z a',
        '2026-06-10T09:00Z-10:00Z b',
        '2026-06-10T10:00Z-10:30Z a ev-a',
        '2026-06-10T10:00Z-11:00Z b',
        '2026-06-10T11:00Z-12:00Z a',
        '2026-06-10T11:00Z-12:00Z b',
      ]);
      expect(checkSlot(q, 'a', at('2026-06-10T10:00Z'))).toMatchObject({ ok: true, slot: { end: at('2026-06-10T10:30Z'), customerCallId: 'ev-a' } });
      expectColumnsAgree(q);
    });

    it('bookings with exactly its interval take its seats; a full call is slot_full', () => {
      const c = open('ev1', '2026-06-10T17:10Z', '2026-06-10T17:55Z');
      const one = query([wed({ weekly: [], openCalls: [c], calls: [booking('2026-06-10T17:10Z', '2026-06-10T17:55Z', 1)] })], ...day(grid30));
      expect(findSlots(one).map((s) => [s.customerCallId, s.capacityLeft])).toEqual([['ev1', 1]]);
      const full = query([wed({ weekly: [], openCalls: [c], calls: [booking('2026-06-10T17:10Z', '2026-06-10T17:55Z', 2)] })], ...day(grid30));
      expect(findSlots(full)).toEqual([]);
      expect(checkSlot(full, 'utc', c.start)).toEqual({ ok: false, reason: 'slot_full' });
    });

    it('another booking, a busy event or another opened call overlapping it makes the rep busy (touching does not)', () => {
      const c = open('ev1', '2026-06-10T17:10Z', '2026-06-10T17:55Z');
      const cases: [Partial<RepSupply>, boolean][] = [
        [{ calls: [booking('2026-06-10T17:50Z', '2026-06-10T18:20Z')] }, false],
        [{ calls: [booking('2026-06-10T17:10Z', '2026-06-10T17:40Z')] }, false], // same start, another length
        [{ busy: [iv('2026-06-10T17:00Z', '2026-06-10T17:11Z')] }, false],
        [{ openCalls: [c, open('ev2', '2026-06-10T17:54Z', '2026-06-10T18:30Z')] }, false],
        [{ calls: [booking('2026-06-10T17:55Z', '2026-06-10T18:25Z')], busy: [iv('2026-06-10T16:00Z', '2026-06-10T17:10Z')] }, true],
        [{ openCalls: [c, open('ev2', '2026-06-10T17:55Z', '2026-06-10T18:30Z')] }, true],
      ];
      for (const [over, ok] of cases) {
        const q = query([wed({ weekly: [], openCalls: [c], ...over })], ...day(grid30));
        expect([over, checkSlot(q, 'utc', c.start).ok]).toEqual([over, ok]);
        if (!ok) expect(checkSlot(q, 'utc', c.start)).toEqual({ ok: false, reason: 'rep_busy' });
        expect(findSlots(q).some((s) => s.customerCallId === 'ev1')).toBe(ok);
        expectColumnsAgree(q);
      }
    });

    it('counts as a new call for the weekly cap unless it already has a booking', () => {
      const c = open('ev1', '2026-06-10T17:10Z', '2026-06-10T17:55Z');
      const other = booking('2026-06-08T09:00Z', '2026-06-08T10:00Z'); // Monday of the same week
      const capped = query([wed({ openCalls: [c], calls: [other] })], ...day(withSettings({ repWeeklyCap: 1, seatsPerCall: 2 })));
      expect(checkSlot(capped, 'utc', c.start)).toEqual({ ok: false, reason: 'rep_weekly_cap' });
      expect(findSlots(capped)).toEqual([]);
      const joined = query([wed({ openCalls: [c], calls: [booking('2026-06-10T17:10Z', '2026-06-10T17:55Z')] })], ...day(withSettings({ repWeeklyCap: 1, seatsPerCall: 2 })));
      expect(findSlots(joined).map((s) => [utc(s.start), s.capacityLeft])).toEqual([['2026-06-10T17:10Z', 1]]);
    });

    it('applies the same-rep limit and the marketer conflict over its whole length', () => {
      const c = open('ev1', '2026-06-10T17:10Z', '2026-06-10T17:55Z');
      const r = wed({ weekly: [], openCalls: [c] });
      const limit = query([r], ...day({ ...grid30, marketer: { busy: [], bookingsByRep: { utc: 2 }, sameRepLimit: 2 } }));
      expect(checkSlot(limit, 'utc', c.start)).toEqual({ ok: false, reason: 'same_rep_limit' });
      const late = query([r], ...day({ ...grid30, marketer: { busy: [iv('2026-06-10T17:50Z', '2026-06-10T18:30Z')], bookingsByRep: {}, sameRepLimit: 4 } }));
      expect(checkSlot(late, 'utc', c.start)).toEqual({ ok: false, reason: 'marketer_conflict' });
      expect(findSlots(late)).toEqual([]);
      const after = query([r], ...day({ ...grid30, marketer: { busy: [iv('2026-06-10T17:55Z', '2026-06-10T18:30Z')], bookingsByRep: {}, sameRepLimit: 4 } }));
      expect(checkSlot(after, 'utc', c.start).ok).toBe(true);
    });

    it('keeps notice, horizon, the range and the period (the call must end inside it)', () => {
      const r = (c: OpenCall) => wed({ weekly: [], openCalls: [c] });
      const base = { ...withSettings({ minNoticeHours: 2, horizonDays: 1 }), now: at('2026-06-10T08:00Z'), bounds: iv('2026-06-01T00:00Z', '2026-06-10T18:00Z') };
      const soon = open('soon', '2026-06-10T09:59Z', '2026-06-10T10:30Z');
      expect(checkSlot(query([r(soon)], ...day(base)), 'utc', soon.start)).toEqual({ ok: false, reason: 'outside_notice' });
      const far = open('far', '2026-06-11T08:00Z', '2026-06-11T08:30Z');
      expect(checkSlot(query([r(far)], '2026-06-10T00:00Z', '2026-06-12T00:00Z', { ...base, bounds: iv('2026-06-01T00:00Z', '2026-06-30T00:00Z') }), 'utc', far.start)).toEqual({ ok: false, reason: 'outside_horizon' });
      const past = open('past', '2026-06-10T17:40Z', '2026-06-10T18:01Z');
      expect(checkSlot(query([r(past)], ...day(base)), 'utc', past.start)).toEqual({ ok: false, reason: 'outside_period' });
      expect(findSlots(query([r(past)], ...day(base)))).toEqual([]);
      // Shorter than a slot, at the period's very end: start + slotMinutes would not fit, the call does.
      const short = open('short', '2026-06-10T17:40Z', '2026-06-10T18:00Z');
      const q = query([r(short)], ...day(base));
      expect(listed(q)).toEqual(['2026-06-10T17:40Z-18:00Z utc short']);
      expect(checkSlot(q, 'utc', short.start).ok).toBe(true);
      expectColumnsAgree(q);
      // The range filters the listing by start.
      expect(findSlots(query([r(short)], '2026-06-10T17:41Z', '2026-06-11T00:00Z', base))).toEqual([]);
      expect(findSlots(query([r(short)], '2026-06-10T00:00Z', '2026-06-10T17:40Z', base))).toEqual([]);
    });

    it('ignores calls that are empty or not on whole minutes', () => {
      const q = query([wed({ weekly: [], openCalls: [open('e', '2026-06-10T17:00Z', '2026-06-10T17:00Z'), { id: 'f', start: at('2026-06-10T17:00Z') + 0.5, end: at('2026-06-10T18:00Z') }] })], ...day());
      expect(findSlots(q)).toEqual([]);
    });

    it('lists calls longer than a day (metadata, ends and order in both orderings)', () => {
      const r = (id: string, i: number) =>
        rep(id, 'UTC', { weekly: everyDay('09:00', '10:00'), openCalls: [open(`${id}-c`, '2026-06-10T20:00Z', '2026-06-12T20:00Z'), open(`${id}-d`, `2026-06-2${i}T03:17Z`, `2026-06-2${i}T03:47Z`)] });
      for (const [from, to] of [
        ['2026-06-10T00:00Z', '2026-06-30T00:00Z'],
        ['2026-06-10T00:00Z', '2026-09-30T00:00Z'],
      ]) {
        const q = query([r('b', 1), r('a', 2), r('c', 3)], from, to, withSettings({ horizonDays: 200 }));
        const { slots } = expectColumnsAgree(q);
        expect(slots.filter((s) => s.customerCallId).map((s) => `${utc(s.start)}-${utc(s.end)} ${s.customerCallId}`)).toEqual([
          '2026-06-10T20:00Z-2026-06-12T20:00Z a-c',
          '2026-06-10T20:00Z-2026-06-12T20:00Z b-c',
          '2026-06-10T20:00Z-2026-06-12T20:00Z c-c',
          '2026-06-21T03:17Z-2026-06-21T03:47Z b-d',
          '2026-06-22T03:17Z-2026-06-22T03:47Z a-d',
          '2026-06-23T03:17Z-2026-06-23T03:47Z c-d',
        ]);
        // 11 and 12 June 09:00 fall inside the two-day calls.
        expect(slots.some((s) => s.start === at('2026-06-11T09:00Z'))).toBe(false);
      }
    });
  });
});

describe('findSlots and checkSlot agree (property)', () => {
  const zones = ['America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata', 'Asia/Kathmandu', 'UTC'];
  const hhmm = (m: number) => (m === 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);

  function randomQuery(rnd: () => number): SlotQuery {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const grid = pick([5, 10, 15, 20, 30, 45, 60]);
    const settings: EngineSettings = {
      slotMinutes: pick([15, 30, 45, 60, 90]),
      slotGridMinutes: grid,
      minNoticeHours: int(0, 24),
      horizonDays: int(1, 10),
      seatsPerCall: int(1, 3),
      repWeeklyCap: int(0, 6),
    };
    // Around DST days on purpose: 2026-03-08, 03-29, 04-05, 10-04, 10-25, 11-01.
    const anchor = at(pick(['2026-03-06T00:00Z', '2026-03-27T00:00Z', '2026-04-03T00:00Z', '2026-10-02T00:00Z', '2026-10-23T00:00Z', '2026-10-30T00:00Z']));
    const now = anchor + int(-1440, 1440);
    const window = (): WallWindow => {
      const s = int(0, 95) * 15;
      const e = Math.min(1440, s + int(1, 24) * 15);
      const w: WallWindow = { start: hhmm(s), end: hhmm(e) };
      if (rnd() < 0.3) w.label = pick(['x', 'y']);
      return w;
    };
    const reps: RepSupply[] = [];
    for (let k = int(1, 4); k > 0; k--) {
      const weekly: WeeklyWindow[] = [];
      for (let n = int(0, 10); n > 0; n--) weekly.push({ weekday: int(1, 7), ...window() });
      const overrides: Record<string, WallWindow[]> = {};
      for (let n = int(0, 3); n > 0; n--) {
        const date = new Date((anchor + int(-1, 6) * 1440) * 60_000).toISOString().slice(0, 10);
        overrides[date] = Array.from({ length: int(0, 3) }, window);
      }
      const calls: RepCall[] = [];
      for (let n = int(0, 12); n > 0; n--) {
        const start = anchor + int(-2, 10) * 1440 + int(0, 96) * 15;
        const len = rnd() < 0.6 ? settings.slotMinutes : int(1, 8) * 15;
        calls.push({ start, end: start + len, seatsTaken: int(1, settings.seatsPerCall + 1) });
      }
      reps.push({ repId: `rep${k}`, timeZone: pick(zones), weekly, overrides, calls });
    }
    const marketer: MarketerContext | undefined =
      rnd() < 0.6
        ? {
            busy: Array.from({ length: int(0, 5) }, () => {
              const s = anchor + int(0, 8 * 96) * 15;
              return { start: s, end: s + int(1, 12) * 15 };
            }),
            bookingsByRep: { rep1: int(0, 3), rep2: int(0, 3) },
            sameRepLimit: int(1, 3),
          }
        : undefined;
    return {
      now,
      from: anchor + int(0, 2880),
      to: anchor + int(2880, 8 * 1440),
      bounds: { start: anchor + int(0, 1440), end: anchor + int(5 * 1440, 9 * 1440) },
      settings,
      reps,
      marketer,
    };
  }

  it('every listed slot passes checkSlot, and every start checkSlot accepts is listed', () => {
    const rnd = random(20260308);
    let listed = 0;
    const reasons = new Set<string>();
    const mismatches: unknown[] = [];
    for (let trial = 0; trial < 60; trial++) {
      const q = randomQuery(rnd);
      const slots = findSlots(q);
      listed += slots.length;
      for (let i = 1; i < slots.length; i++) {
        const a = slots[i - 1];
        const b = slots[i];
        expect(a.start < b.start || (a.start === b.start && a.repId < b.repId)).toBe(true);
      }
      const key = (repId: string, start: number) => `${repId}@${start}`;
      const byKey = new Map(slots.map((s) => [key(s.repId, s.start), s]));
      for (const s of slots) expect(checkSlot(q, s.repId, s.start)).toEqual({ ok: true, slot: s });
      // Every 5th minute of the listing range (grids and zone offsets are multiples of 5, so
      // every possible slot start is among them) plus random minutes, for every rep.
      const until = Math.min(q.to, q.from + 3 * 1440);
      const probes: number[] = [];
      for (let t = Math.ceil(q.from / 5) * 5; t < until; t += 5) probes.push(t);
      for (let n = 0; n < 50; n++) probes.push(q.from + Math.floor(rnd() * (until - q.from)));
      for (const r of q.reps) {
        for (const t of probes) {
          const res = checkSlot(q, r.repId, t);
          const listedSlot = byKey.get(key(r.repId, t));
          if (res.ok ? JSON.stringify(listedSlot) !== JSON.stringify(res.slot) : listedSlot !== undefined) {
            mismatches.push({ trial, repId: r.repId, start: t, check: res, listed: listedSlot });
          }
          if (!res.ok) reasons.add(res.reason);
        }
      }
    }
    expect(mismatches.slice(0, 3)).toEqual([]);
    // The generator does produce slots, and refusals of every kind.
    expect(listed).toBeGreaterThan(100);
    expect([...reasons].sort()).toEqual(
      ['marketer_conflict', 'not_available', 'off_grid', 'outside_horizon', 'outside_notice', 'outside_period', 'rep_busy', 'rep_weekly_cap', 'same_rep_limit', 'slot_full'].sort(),
    );
  });

  /**
   * `randomQuery` plus the rep's calendars: busy events and opened customer calls at any minute (not
   * on the grid, inside or outside the windows, overlapping each other or not), some with bookings.
   */
  function withCalendars(base: SlotQuery, rnd: () => number): SlotQuery {
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const anchor = Math.floor(base.from / 1440) * 1440;
    let n = 0;
    const reps = base.reps.map((r) => {
      const busy = Array.from({ length: int(0, 6) }, () => {
        const start = anchor + int(-1440, 6 * 1440);
        return { start, end: start + int(1, 180) };
      });
      const openCalls: OpenCall[] = Array.from({ length: int(0, 5) }, () => {
        const start = anchor + int(-1440, 6 * 1440);
        return { id: `call-${n++}`, start, end: start + int(5, 150), ...(rnd() < 0.5 ? { label: 'Customer', callType: 'demo' } : {}) };
      });
      const calls = [...r.calls];
      for (const c of openCalls) if (rnd() < 0.3) calls.push({ start: c.start, end: c.end, seatsTaken: int(1, base.settings.seatsPerCall) });
      return { ...r, busy, openCalls, calls };
    });
    return { ...base, reps };
  }

  it('with busy time and opened calls: listings agree, and checkSlot agrees with the listing at every start', () => {
    const rnd = random(20261204);
    let calls = 0;
    const reasons = new Set<string>();
    const mismatches: unknown[] = [];
    for (let trial = 0; trial < 50; trial++) {
      const q = withCalendars(randomQuery(rnd), rnd);
      const { slots } = expectColumnsAgree(q);
      const byKey = new Map(slots.map((s) => [`${s.repId}@${s.start}`, s]));
      for (const s of slots) {
        if (s.customerCallId) calls++;
        expect(checkSlot(q, s.repId, s.start)).toEqual({ ok: true, slot: s });
      }
      const until = Math.min(q.to, q.from + 3 * 1440);
      for (const r of q.reps) {
        const probes: number[] = [];
        for (let t = Math.ceil(q.from / 5) * 5; t < until; t += 5) probes.push(t);
        for (const c of r.openCalls ?? []) probes.push(c.start);
        for (const t of probes) {
          const res = checkSlot(q, r.repId, t);
          const listedSlot = byKey.get(`${r.repId}@${t}`);
          const inRange = t >= q.from && t < q.to;
          if (inRange && (res.ok ? JSON.stringify(listedSlot) !== JSON.stringify(res.slot) : listedSlot !== undefined)) {
            mismatches.push({ trial, repId: r.repId, start: t, check: res, listed: listedSlot });
          }
          if (!res.ok && r.openCalls?.some((c) => c.start === t)) reasons.add(res.reason);
        }
      }
    }
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(calls).toBeGreaterThan(20);
    // Opened calls are refused for every reason a call can be.
    for (const reason of ['rep_busy', 'slot_full', 'outside_notice', 'marketer_conflict']) expect([...reasons]).toContain(reason);
  });

  /**
   * `randomQuery` plus what the listings' ordering and columns must survive: clones of reps (same
   * zone and windows, so the same starts, with their own calls) under ids that interleave with the
   * originals, now and then a duplicate id, call types and lead flags besides labels, and a
   * shuffled rep order. `long` stretches the range to weeks and thins the windows, so that the
   * output is sparse next to the range.
   */
  function withTiesAndMeta(base: SlotQuery, rnd: () => number, long: boolean): SlotQuery {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const decorate = <W extends WallWindow>(w: W): W => ({
      ...w,
      ...(rnd() < 0.3 ? { callType: pick(['demo', 'renewal']) } : {}),
      ...(rnd() < 0.3 ? { marketingSourced: rnd() < 0.5 } : {}),
    });
    const reps: RepSupply[] = base.reps.map((r) => ({
      ...r,
      weekly: (long ? r.weekly.slice(0, 2) : r.weekly).map(decorate),
      overrides: Object.fromEntries(Object.entries(r.overrides).map(([date, list]) => [date, list.map(decorate)])),
    }));
    for (const r of [...reps]) {
      for (let n = int(0, 2); n > 0; n--) {
        const repId = rnd() < 0.1 ? r.repId : pick([`${r.repId}x`, `a${r.repId}`, `zz${r.repId}`, `rep${int(0, 9)}`]);
        reps.push({ ...r, repId, calls: r.calls.filter(() => rnd() < 0.5) });
      }
    }
    for (let i = reps.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [reps[i], reps[j]] = [reps[j], reps[i]];
    }
    const q: SlotQuery = { ...base, reps };
    if (long) {
      q.settings = { ...q.settings, horizonDays: int(30, 120) };
      q.to = q.from + int(30, 120) * 1440;
      q.bounds = { start: q.bounds.start, end: q.bounds.start + 130 * 1440 };
    }
    return q;
  }

  it('day ranges whose days fold to one key (2^17 days apart) never answer for each other', () => {
    const far = 0x20000 * 1440; // 2^17 days in minutes
    const r = rep('r1', 'Europe/Berlin', { weekly: [{ weekday: 1, start: '09:00', end: '12:00' }] });
    const near: SlotQuery = {
      ...query([r], '2027-03-01T00:00Z', '2027-03-08T00:00Z'),
      bounds: { start: at('2026-01-01T00:00Z'), end: at('2028-01-01T00:00Z') + far },
      settings: { ...SETTINGS, horizonDays: 0x20000 + 800 },
    };
    const later: SlotQuery = { ...near, from: near.from + far, to: near.to + far };
    const list = (q: SlotQuery) => starts(findSlots(q));
    // A fresh copy is prepared anew, so its day ranges are its own: the reference for each.
    const expected = new Map([near, later].map((q) => [q, list({ ...q, reps: structuredClone(q.reps) })]));
    expect(expected.get(near)).toStrictEqual(['2027-03-01T08:00Z', '2027-03-01T09:00Z', '2027-03-01T10:00Z']);
    expect(expected.get(later)).toHaveLength(3);
    for (const q of [near, later, near, later]) expect(list(q)).toStrictEqual(expected.get(q));
  });

  it('keeps at most DAY_RANGES_KEPT day ranges across all reps, and a range pushed out lists the same when asked again', () => {
    const reps = Array.from({ length: 1200 }, (_, i) => rep(`r${i}`, i % 2 ? 'America/New_York' : 'Asia/Kolkata'));
    const q = query(reps, '2027-03-01T00:00Z', '2027-03-05T00:00Z');
    const list = (c: SlotColumns) => Array.from({ length: c.count }, (_, i) => slotAt(q, c, i));
    const first = list(findSlotsColumnar(q));
    expect(first.length).toBeGreaterThan(1200);
    // 1,200 reps × 5 ranges: more than the bound.
    for (let week = 1; week <= 4; week++) findSlotsColumnar({ ...q, from: q.from + week * 7 * 1440, to: q.to + week * 7 * 1440 });
    expect(dayRangesKept()).toBe(DAY_RANGES_KEPT);
    expect(list(findSlotsColumnar(q))).toStrictEqual(first);
    expect(list(findSlotsColumnar({ ...q, reps: structuredClone(reps) }))).toStrictEqual(first);
  });

  it.each([
    ['a few days', false],
    ['weeks, sparse', true],
  ])('findSlotsColumnar and findSlots agree on random inputs over %s, with ties, metadata and capacity', (_, long) => {
    const rnd = random(long ? 20261101 : 20260329);
    let listed = 0;
    let ties = 0;
    let withMeta = 0;
    const capacities = new Set<number>();
    const metaKeys = new Set<string>();
    for (let trial = 0; trial < 60; trial++) {
      const q = withTiesAndMeta(randomQuery(rnd), rnd, long);
      const { columns: c, slots } = expectColumnsAgree(q);
      listed += c.count;
      for (let i = 1; i < slots.length; i++) if (slots[i].start === slots[i - 1].start) ties++;
      for (let i = 0; i < c.count; i++) {
        capacities.add(c.capacityLeft[i]);
        if (c.windowMeta[i] >= 0) withMeta++;
      }
      for (const m of c.meta) metaKeys.add(Object.keys(m).sort().join('+'));
    }
    // The generator does produce what the columns must carry.
    expect(listed).toBeGreaterThan(1000);
    expect(ties).toBeGreaterThan(100);
    expect(withMeta).toBeGreaterThan(100);
    expect([...capacities].sort()).toEqual([1, 2, 3]);
    for (const k of ['label', 'callType', 'marketingSourced']) expect([...metaKeys].some((x) => x.includes(k))).toBe(true);
  });

  it('a supply listed again (its preparation and day ranges kept by the engine) lists as a fresh copy of it does', () => {
    const rnd = random(20261207);
    for (let trial = 0; trial < 20; trial++) {
      const q = withTiesAndMeta(randomQuery(rnd), rnd, true);
      // Several day ranges, each asked twice, out of order.
      const ranges = Array.from({ length: 7 }, () => {
        const from = q.from + Math.floor(rnd() * (q.to - q.from));
        return [from, from + Math.floor(rnd() * (q.to - from)) + 1];
      });
      for (const [from, to] of [...ranges, ...ranges.reverse()]) {
        const kept = findSlotsColumnar({ ...q, from, to });
        const fresh = findSlotsColumnar({ ...q, from, to, reps: structuredClone(q.reps) });
        const list = (c: SlotColumns) => Array.from({ length: c.count }, (_, i) => slotAt(q, c, i));
        expect(list(kept)).toStrictEqual(list(fresh));
        expect(checkSlot({ ...q, from, to }, q.reps[0].repId, from)).toStrictEqual(checkSlot({ ...q, from, to, reps: structuredClone(q.reps) }, q.reps[0].repId, from));
      }
    }
  });

  it.each([
    ['a few days', false],
    ['weeks, sparse', true],
  ])('listings of consecutive ranges, concatenated, are the listing of their union (%s), asked in any order of the same supplies', (_, long) => {
    const rnd = random(long ? 20261205 : 20261206);
    let cut = 0;
    let shared = 0;
    for (let trial = 0; trial < 120; trial++) {
      const q = withTiesAndMeta(randomQuery(rnd), rnd, long);
      // Two or three parts, split anywhere (on or off the grid); the supplies are the same objects in every part.
      const cuts = Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => q.from + Math.floor(rnd() * (q.to - q.from))).sort((a, b) => a - b);
      const bounds = [q.from, ...cuts, q.to];
      const parts = bounds.slice(1).map((to, k) => findSlotsColumnar({ ...q, from: bounds[k], to }));
      const whole = findSlotsColumnar(q);
      const joined = concatColumns(parts);
      expect(joined.count).toBe(whole.count);
      const list = (c: SlotColumns) => Array.from({ length: c.count }, (_, i) => slotAt(q, c, i));
      expect(list(joined)).toStrictEqual(list(whole));
      expect(new Set(joined.meta).size).toBe(joined.meta.length);
      if (parts.filter((p) => p.count > 0).length > 1) cut++;
      if (parts.some((p, k) => k > 0 && p.meta.some((m) => parts[0].meta.includes(m)))) shared++;
    }
    expect(cut).toBeGreaterThan(25); // the splits do fall between slots
    expect(shared).toBeGreaterThan(6); // and parts do share window metadata, which is listed once
  });
});
