import type { RepSupply } from './engine/slot-engine.js';
import { SupplyCache, type SupplyRange } from './supply-cache.js';

const DAY = 86_400_000;
const T0 = Date.parse('2027-03-01T00:00:00Z');

/** The range a search of [from, to) asks (as SlotsService does: a week and a day around it). */
function range(fromDay: number, toDay: number): SupplyRange {
  const from = new Date(T0 + fromDay * DAY);
  const to = new Date(T0 + toDay * DAY);
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  return {
    fromDate: iso(from.getTime() - 8 * DAY),
    toDate: iso(to.getTime() + 8 * DAY),
    from: new Date(from.getTime() - 8 * DAY),
    to: new Date(to.getTime() + 8 * DAY),
    eventsFrom: new Date(from.getTime() - DAY),
    eventsTo: new Date(to.getTime() + DAY),
  };
}

const minute = (day: number, hour: number) => (T0 + day * DAY) / 60_000 + hour * 60;

function supply(): RepSupply {
  return {
    repId: 'rep-1',
    timeZone: 'Europe/Berlin',
    weekly: [{ weekday: 1, start: '09:00', end: '12:00' }],
    overrides: { '2027-03-02': [{ start: '10:00', end: '11:00' }], '2027-04-01': [] },
    // One call a day for six weeks.
    calls: Array.from({ length: 42 }, (_, d) => ({ start: minute(d - 8, 10), end: minute(d - 8, 11), seatsTaken: 1 })),
  };
}

describe('SupplyCache', () => {
  it('hands out one object per range and zone asked, so the engine prepares each supply once', () => {
    const cache = new SupplyCache();
    const whole = range(0, 28);
    const s = supply();
    cache.set('rep-1', '7', whole, s);
    expect(cache.get('rep-1', '7', range(0, 28), 'Europe/Berlin')).toBe(s);

    const later = cache.get('rep-1', '7', range(10, 28), 'Europe/Berlin')!;
    expect(later).not.toBe(s);
    // Cut as the query would have read it: calls overlapping the range, overrides on its dates.
    expect(later.calls.every((c) => c.start < range(10, 28).to.getTime() / 60_000 && c.end > range(10, 28).from.getTime() / 60_000)).toBe(true);
    expect(later.calls.length).toBeLessThan(s.calls.length);
    expect(Object.keys(later.overrides)).toEqual(['2027-04-01']);
    // Asked again with an equal range (a new object, as every request makes): the same cut.
    expect(cache.get('rep-1', '7', range(10, 28), 'Europe/Berlin')).toBe(later);
    // Another zone is another supply.
    const inLondon = cache.get('rep-1', '7', range(10, 28), 'Europe/London')!;
    expect(inLondon).not.toBe(later);
    expect(inLondon.timeZone).toBe('Europe/London');
    expect(cache.get('rep-1', '7', range(0, 28), 'Europe/London')).toEqual({ ...s, timeZone: 'Europe/London' });
  });

  it('keeps the last few cuts of an entry, and none across versions', () => {
    const cache = new SupplyCache();
    cache.set('rep-1', '7', range(0, 28), supply());
    const first = cache.get('rep-1', '7', range(1, 28), 'Europe/Berlin');
    for (let d = 2; d < 8; d++) cache.get('rep-1', '7', range(d, 28), 'Europe/Berlin');
    // Pushed out by newer cuts: made again (equal, not the same object).
    const again = cache.get('rep-1', '7', range(1, 28), 'Europe/Berlin');
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    expect(cache.get('rep-1', '7', range(1, 28), 'Europe/Berlin')).toBe(again);

    // A new version replaces the entry with its cuts; the old version is never served.
    const changed = { ...supply(), weekly: [{ weekday: 2, start: '09:00', end: '10:00' }] };
    cache.set('rep-1', '8', range(0, 28), changed);
    expect(cache.get('rep-1', '7', range(1, 28), 'Europe/Berlin')).toBeUndefined();
    expect(cache.get('rep-1', '8', range(1, 28), 'Europe/Berlin')!.weekly).toEqual(changed.weekly);
  });

  it('keeps at most its limit of reps, pushing out the least recently used first', () => {
    const cache = new SupplyCache(8);
    const berlin = (rep: string) => cache.get(rep, '1', range(0, 28), 'Europe/Berlin');
    for (let i = 0; i < 8; i++) cache.set(`rep-${i}`, '1', range(0, 28), supply());
    expect(berlin('rep-0')).toBeDefined();
    for (let i = 8; i < 12; i++) cache.set(`rep-${i}`, '1', range(0, 28), supply());
    expect(cache.size).toBe(8);
    // rep-0 was used after rep-1 to rep-4 were stored: they went first.
    for (const gone of ['rep-1', 'rep-2', 'rep-3', 'rep-4']) expect(berlin(gone)).toBeUndefined();
    for (const kept of ['rep-0', 'rep-5', 'rep-6', 'rep-7', 'rep-8', 'rep-9', 'rep-10', 'rep-11']) expect(berlin(kept)).toBeDefined();
  });

  it('misses a range the entry does not cover', () => {
    const cache = new SupplyCache();
    cache.set('rep-1', '7', range(0, 28), supply());
    expect(cache.get('rep-1', '7', range(-1, 28), 'Europe/Berlin')).toBeUndefined();
    expect(cache.get('rep-1', '7', range(0, 29), 'Europe/Berlin')).toBeUndefined();
  });
});
