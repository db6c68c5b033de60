import { findSlots, findSlotsColumnar, type SlotQuery } from './engine/slot-engine.js';
import { localIso, utcIso } from './local-format.js';
import { slotsJson } from './slots-json.js';

const day = Date.UTC(2027, 2, 8) / 60_000; // a Monday, the day before New York's offset is steady again

function query(): SlotQuery {
  return {
    now: day - 1440,
    from: day,
    to: day + 14 * 1440,
    bounds: { start: day - 30 * 1440, end: day + 60 * 1440 },
    settings: { slotMinutes: 45, slotGridMinutes: 15, minNoticeHours: 0, horizonDays: 60, seatsPerCall: 2, repWeeklyCap: 5 },
    reps: [
      {
        repId: 'rep-"quoted"-é',
        timeZone: 'America/New_York',
        weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '12:00' })),
        overrides: { '2027-03-10': [{ start: '13:00', end: '15:00', label: 'Renewals "Q2"\n', callType: 'renewal', marketingSourced: true }] },
        calls: [{ start: day + 14 * 60, end: day + 14 * 60 + 45, seatsTaken: 1 }],
        // Opened customer calls: off the grid, one lasting three days (its end differs from start + slotMinutes).
        openCalls: [
          { id: 'call-1', start: day + 2 * 1440 + 23 * 60 + 7, end: day + 2 * 1440 + 23 * 60 + 52, label: 'Acme', callType: 'demo', marketingSourced: false },
          { id: 'call-2', start: day + 6 * 1440 + 3, end: day + 9 * 1440 + 3 },
        ],
      },
      { repId: 'b', timeZone: 'Asia/Kathmandu', weekly: [{ weekday: 2, start: '09:00', end: '11:00', callType: 'demo' }], overrides: {}, calls: [] },
    ],
  };
}

const expected = (q: SlotQuery, zone: string) =>
  findSlots(q).map((s) => ({
    repId: s.repId,
    startsAt: utcIso(s.start),
    endsAt: utcIso(s.end),
    localStart: localIso(s.start, zone),
    capacityLeft: s.capacityLeft,
    ...(s.label !== undefined ? { label: s.label } : {}),
    ...(s.callType !== undefined ? { callType: s.callType } : {}),
    ...(s.marketingSourced !== undefined ? { marketingSourced: s.marketingSourced } : {}),
    ...(s.customerCallId !== undefined ? { customerCallId: s.customerCallId } : {}),
  }));

describe('slotsJson', () => {
  it('writes exactly what JSON.stringify writes for the contract objects, escaping user text', () => {
    const q = query();
    const cols = findSlotsColumnar(q);
    const out = slotsJson(cols, q.reps.map((r) => r.repId), 'Europe/Berlin');
    const want = expected(q, 'Europe/Berlin');
    expect(want.length).toBeGreaterThan(50);
    expect(out.count).toBe(want.length);
    expect(out.json.toString('utf8')).toBe(JSON.stringify(want));
    expect(JSON.parse(out.json.toString()).find((s: { label?: string }) => s.label)?.label).toBe('Renewals "Q2"\n');
    expect(want.filter((s) => s.customerCallId).map((s) => [s.customerCallId, s.startsAt, s.endsAt])).toEqual([
      ['call-1', '2027-03-10T23:07:00.000Z', '2027-03-10T23:52:00.000Z'],
      ['call-2', '2027-03-14T00:03:00.000Z', '2027-03-17T00:03:00.000Z'],
    ]);
  });

  it('filters by call type and by the marketing-sourced flag', () => {
    const q = query();
    const cols = findSlotsColumnar(q);
    const ids = q.reps.map((r) => r.repId);
    const want = expected(q, 'UTC');
    expect(JSON.parse(slotsJson(cols, ids, 'UTC', { callType: 'demo' }).json.toString())).toEqual(want.filter((s) => s.callType === 'demo'));
    expect(JSON.parse(slotsJson(cols, ids, 'UTC', { marketingSourced: true }).json.toString())).toEqual(want.filter((s) => s.marketingSourced === true));
    expect(JSON.parse(slotsJson(cols, ids, 'UTC', { marketingSourced: false }).json.toString())).toEqual(want.filter((s) => !s.marketingSourced));
  });

  it('writes an empty array for no slots', () => {
    const q = { ...query(), reps: [] };
    const out = slotsJson(findSlotsColumnar(q), [], 'UTC');
    expect([out.json.toString(), out.count]).toEqual(['[]', 0]);
  });

  describe('pages', () => {
    // Three reps, two with the same windows, so many starts are shared and the rep decides the order.
    const tied = (): SlotQuery => {
      const q = query();
      return { ...q, reps: [...q.reps, { ...q.reps[0], repId: 'a-twin', calls: [] }] };
    };
    const pages = (q: SlotQuery, filter: Parameters<typeof slotsJson>[3], limit: number) => {
      const cols = findSlotsColumnar(q);
      const ids = q.reps.map((r) => r.repId);
      const out: unknown[][] = [];
      let after: { start: number; repId: string } | undefined;
      for (;;) {
        const page = slotsJson(cols, ids, 'UTC', filter, { after, limit });
        const list = JSON.parse(page.json.toString()) as unknown[];
        expect(list.length).toBe(page.count);
        expect(page.count).toBeLessThanOrEqual(limit);
        out.push(list);
        if (!page.more) return out;
        expect(page.count).toBe(limit);
        after = page.last;
      }
    };

    it.each([1, 2, 7, 50, 10_000])('of %i slots join up to the whole listing, with no slot twice and none left out', (limit) => {
      const q = tied();
      const whole = JSON.parse(slotsJson(findSlotsColumnar(q), q.reps.map((r) => r.repId), 'UTC').json.toString()) as unknown[];
      expect(whole.length).toBeGreaterThan(100);
      const got = pages(q, {}, limit);
      expect(got.flat()).toEqual(whole);
      expect(got.length).toBe(Math.max(1, Math.ceil(whole.length / limit)));
    });

    it('page the filtered listing, and the last page says no more when nothing after it passes the filter', () => {
      const q = tied();
      const whole = expected(q, 'UTC').filter((s) => s.marketingSourced === true);
      expect(whole.length).toBeGreaterThan(3);
      const got = pages(q, { marketingSourced: true }, 3);
      expect(got.flat()).toEqual(whole);
      expect(got.at(-1)!.length).toBeGreaterThan(0);
    });

    it('start after a position that is no longer a slot (the slot was booked meanwhile) at the next one', () => {
      const q = tied();
      const cols = findSlotsColumnar(q);
      const ids = q.reps.map((r) => r.repId);
      const whole = expected(q, 'UTC');
      const tenth = whole[10];
      const start = Date.parse(tenth.startsAt) / 60_000;
      // A position between two reps of one start, and one in a gap of the listing.
      const mid = slotsJson(cols, ids, 'UTC', {}, { after: { start, repId: `${tenth.repId}!` }, limit: 1 });
      expect(JSON.parse(mid.json.toString())).toEqual([whole[11]]);
      const gap = slotsJson(cols, ids, 'UTC', {}, { after: { start: start - 1, repId: '' }, limit: 1 });
      expect(JSON.parse(gap.json.toString())).toEqual([whole.find((s) => Date.parse(s.startsAt) / 60_000 >= start - 1)]);
      const end = slotsJson(cols, ids, 'UTC', {}, { after: { start: day + 100 * 1440, repId: '' }, limit: 5 });
      expect([end.json.toString(), end.count, end.more, end.last]).toEqual(['[]', 0, false, undefined]);
    });
  });
});
