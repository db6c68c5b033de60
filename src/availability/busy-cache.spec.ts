import { BusyCache } from './busy-cache.js';

describe('BusyCache', () => {
  const pairs = (...n: number[]) => Int32Array.from(n);

  it('gives the pairs only at the version they were stored with', () => {
    const c = new BusyCache();
    c.set('a', '7', pairs(1, 2));
    expect(c.get('a', '7')).toEqual(pairs(1, 2));
    expect(c.get('a', '8')).toBeUndefined();
    expect(c.get('b', '7')).toBeUndefined();
    c.set('a', '8', pairs(3, 4));
    expect(c.get('a', '7')).toBeUndefined();
    expect(c.get('a', '8')).toEqual(pairs(3, 4));
    expect(c.size).toBe(1);
    c.delete('a');
    expect(c.get('a', '8')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('keeps at most `limit` reps, dropping the least recently used', () => {
    const c = new BusyCache(3);
    c.set('a', '1', pairs(1, 2));
    c.set('b', '1', pairs(1, 2));
    c.set('c', '1', pairs(1, 2));
    expect(c.get('a', '1')).toBeDefined(); // a is now the most recent
    c.set('d', '1', pairs(1, 2)); // b goes
    expect(c.size).toBe(3);
    expect(c.get('b', '1')).toBeUndefined();
    expect(c.get('a', '1')).toBeDefined();
    expect(c.get('c', '1')).toBeDefined();
    expect(c.get('d', '1')).toBeDefined();
    c.set('c', '2', pairs(5, 6)); // a new version of a held rep takes no extra entry
    expect(c.size).toBe(3);
    expect(c.get('c', '2')).toEqual(pairs(5, 6));
  });

  it('refuses a limit under one', () => {
    expect(() => new BusyCache(0)).toThrow();
  });
});
