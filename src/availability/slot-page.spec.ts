import { findSlots, findSlotsColumnar, type SlotQuery } from './engine/slot-engine.js';
import { localIso, utcIso } from './local-format.js';
import { noSlots, pageOf, slotObjects } from './slot-page.js';
import { writeSlots } from './slots-json.js';

const day = Date.UTC(2027, 2, 8) / 60_000; // a Monday

function query(): SlotQuery {
  return {
    now: day - 1440,
    from: day,
    to: day + 14 * 1440,
    bounds: { start: day - 30 * 1440, end: day + 60 * 1440 },
    settings: { slotMinutes: 45, slotGridMinutes: 15, minNoticeHours: 0, horizonDays: 60, seatsPerCall: 2, repWeeklyCap: 5 },
    reps: [
      {
        repId: 'rep-a',
        timeZone: 'America/New_York',
        weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '12:00' })),
        overrides: { '2027-03-10': [{ start: '13:00', end: '15:00', label: 'Renewals "Q2"', callType: 'renewal', marketingSourced: true }] },
        calls: [{ start: day + 14 * 60, end: day + 14 * 60 + 45, seatsTaken: 1 }],
      },
      {
        repId: 'rep-b',
        timeZone: 'Asia/Kathmandu',
        weekly: [{ weekday: 2, start: '09:00', end: '11:00', callType: 'demo', marketingSourced: false }],
        overrides: {},
        calls: [],
        openCalls: [{ id: 'call-1', start: day + 1440 + 17 * 60 + 5, end: day + 1440 + 18 * 60, label: 'Acme', callType: 'demo' }],
      },
    ],
  };
}

describe('slotObjects', () => {
  it('gives the objects the API writes for the same page (the week view reads them instead of parsing JSON)', () => {
    const q = query();
    const cols = findSlotsColumnar(q);
    const ids = q.reps.map((r) => r.repId);
    for (const [filter, page] of [
      [{}, {}],
      [{ callType: 'demo' }, {}],
      [{ marketingSourced: true }, { limit: 3 }],
      [{}, { after: { start: day + 2 * 1440, repId: 'rep-a' }, limit: 20 }],
    ] as const) {
      const { list } = pageOf(cols, ids, 'Europe/Berlin', filter, page);
      expect(list.rows.length).toBeGreaterThan(0);
      expect(slotObjects(list)).toEqual(JSON.parse(writeSlots(list).toString()));
    }
  });

  it('gives every field of every slot of the engine, in its order', () => {
    const q = query();
    const { list } = pageOf(findSlotsColumnar(q), q.reps.map((r) => r.repId), 'UTC');
    expect(slotObjects(list)).toEqual(
      findSlots(q).map((s) => ({
        repId: s.repId,
        startsAt: utcIso(s.start),
        endsAt: utcIso(s.end),
        localStart: localIso(s.start, 'UTC'),
        capacityLeft: s.capacityLeft,
        ...(s.label !== undefined ? { label: s.label } : {}),
        ...(s.callType !== undefined ? { callType: s.callType } : {}),
        ...(s.marketingSourced !== undefined ? { marketingSourced: s.marketingSourced } : {}),
        ...(s.customerCallId !== undefined ? { customerCallId: s.customerCallId } : {}),
      })),
    );
    expect(slotObjects(list).filter((s) => s.customerCallId)).toEqual([
      { repId: 'rep-b', startsAt: '2027-03-09T17:05:00.000Z', endsAt: '2027-03-09T18:00:00.000Z', localStart: '2027-03-09T17:05:00Z', capacityLeft: 2, label: 'Acme', callType: 'demo', customerCallId: 'call-1' },
    ]);
  });

  it('gives nothing for no slots', () => {
    expect(slotObjects(noSlots('UTC'))).toEqual([]);
    expect(writeSlots(noSlots('UTC')).toString()).toBe('[]');
  });
});

describe('pageOf', () => {
  it('names the last slot of a full page and says more follow; the last page says none do', () => {
    const q = query();
    const cols = findSlotsColumnar(q);
    const ids = q.reps.map((r) => r.repId);
    const first = pageOf(cols, ids, 'UTC', {}, { limit: 2 });
    expect(first.more).toBe(true);
    expect(first.last).toEqual({ start: cols.start[first.list.rows[1]], repId: ids[cols.repIndex[first.list.rows[1]]] });
    const rest = pageOf(cols, ids, 'UTC', {}, { after: first.last });
    expect(rest.more).toBe(false);
    expect(first.list.rows.length + rest.list.rows.length).toBe(cols.count);
  });
});
