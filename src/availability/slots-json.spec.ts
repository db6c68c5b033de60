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
});
