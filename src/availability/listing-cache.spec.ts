import type { SlotColumns, SlotQuery } from './engine/slot-engine.js';
import { type Listing, ListingCache, listingKey } from './listing-cache.js';

const listing = (count: number, done = 100): Listing => ({ cols: cols(count), done });
const cols = (count: number): SlotColumns => ({
  count,
  start: new Float64Array(count),
  end: new Float64Array(count),
  repIndex: new Int32Array(count),
  capacityLeft: new Int32Array(count),
  windowMeta: new Int32Array(count).fill(-1),
  meta: [],
});

const query: SlotQuery = {
  now: 29_000_000,
  from: 29_001_000,
  to: 29_041_320,
  bounds: { start: 29_000_000, end: 29_100_000 },
  settings: { slotMinutes: 30, slotGridMinutes: 30, minNoticeHours: 24, horizonDays: 60, seatsPerCall: 1, repWeeklyCap: 5 },
  reps: [],
};
const snapshot = 'r1 3 UTC\nr2 0 Europe/Berlin\n';

describe('ListingCache', () => {
  it('gives back what was kept under a key, counts hits and misses, and forgets the oldest past its bound of listings', () => {
    const c = new ListingCache(2, 1_000);
    const a = listing(10);
    c.set('a', a);
    expect(c.get('a')).toBe(a);
    expect(c.get('b')).toBeUndefined();
    c.set('b', listing(10));
    c.set('c', listing(10));
    expect(c.size).toBe(2);
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBeDefined();
    expect(c.get('c')).toBeDefined();
    expect([c.hits, c.misses]).toEqual([3, 2]);
  });

  it('keeps at most its bound of slots in all, and never a listing larger than the bound', () => {
    const c = new ListingCache(10, 100);
    c.set('a', listing(60, 1));
    c.set('b', listing(30, 1));
    c.set('c', listing(30, 1)); // 120 > 100: the oldest goes
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBeDefined();
    c.set('huge', listing(101));
    expect(c.get('huge')).toBeUndefined();
    expect(c.get('c')).toBeDefined();
    c.set('c', listing(70, 2)); // replaced: 30 + 70 = 100 fits
    expect(c.size).toBe(2);
    expect(c.get('c')?.cols.count).toBe(70);
    c.set('b', listing(101, 2)); // a part too large for the bound: the key holds nothing (its old part is not served as more)
    expect(c.get('b')).toBeUndefined();
  });

  it('keeps the listing that went further when two requests computed the same one', () => {
    const c = new ListingCache();
    const whole = listing(50, 900);
    c.set('k', listing(10, 300));
    c.set('k', whole);
    expect(c.get('k')).toBe(whole);
    c.set('k', listing(10, 300)); // a first page's part, finished after the whole was kept
    expect(c.get('k')).toBe(whole);
  });

  it('refuses bounds below one', () => {
    expect(() => new ListingCache(0)).toThrow(/at least 1/);
    expect(() => new ListingCache(1, 0)).toThrow(/at least 1/);
  });
});

describe('listingKey', () => {
  const key = listingKey(query, snapshot, 1, 2);
  it('is the same for the same query, supplies and range', () => {
    expect(listingKey({ ...query, reps: [] }, snapshot, 1, 2)).toBe(key);
  });
  it.each<[string, () => string]>([
    ['a later minute as now', () => listingKey({ ...query, now: query.now + 1 }, snapshot, 1, 2)],
    ['another start', () => listingKey({ ...query, from: query.from + 30 }, snapshot, 1, 2)],
    ['another end', () => listingKey({ ...query, to: query.to - 30 }, snapshot, 1, 2)],
    ["another period's bounds", () => listingKey({ ...query, bounds: { start: 29_000_000, end: 29_100_001 } }, snapshot, 1, 2)],
    ["a program's rule", () => listingKey({ ...query, settings: { ...query.settings, minNoticeHours: 12 } }, snapshot, 1, 2)],
    ["a rep's supply version", () => listingKey(query, 'r1 4 UTC\nr2 0 Europe/Berlin\n', 1, 2)],
    ["a rep's zone", () => listingKey(query, 'r1 3 UTC\nr2 0 Europe/Paris\n', 1, 2)],
    ['a rep fewer on the roster', () => listingKey(query, 'r1 3 UTC\n', 1, 2)],
    ['a marketer', () => listingKey({ ...query, marketer: { busy: [], bookingsByRep: {}, sameRepLimit: 2 } }, snapshot, 1, 2)],
    ['the range the supplies were read for', () => listingKey(query, snapshot, 1, 3)],
  ])('differs for %s', (_what, other) => {
    expect(other()).not.toBe(key);
  });
  it("differs by the marketer's commitments", () => {
    const m = { busy: [{ start: 29_001_100, end: 29_001_130 }], bookingsByRep: { r1: 1 }, sameRepLimit: 2 };
    const k = listingKey({ ...query, marketer: m }, snapshot, 1, 2);
    expect(listingKey({ ...query, marketer: { ...m, busy: [] } }, snapshot, 1, 2)).not.toBe(k);
    expect(listingKey({ ...query, marketer: { ...m, bookingsByRep: { r1: 2 } } }, snapshot, 1, 2)).not.toBe(k);
    expect(listingKey({ ...query, marketer: { ...m, sameRepLimit: 3 } }, snapshot, 1, 2)).not.toBe(k);
  });
});
