import { type Interval, containsInterval, intersect, mergeSorted, normalize, subtract, totalMinutes, union } from './intervals.js';
import { seededRandom as random } from '../seeded-random.js';

const iv = (start: number, end: number): Interval => ({ start, end });

/** Reference: the set of covered minutes, to compare the sweeps against on random input. */
function minutes(list: readonly Interval[]): Set<number> {
  const out = new Set<number>();
  for (const i of list) for (let t = i.start; t < i.end; t++) out.add(t);
  return out;
}

function isNormalized(list: readonly Interval[]): boolean {
  return list.every((x, k) => x.end > x.start && (k === 0 || list[k - 1].end < x.start));
}

function randomList(rnd: () => number): Interval[] {
  const n = Math.floor(rnd() * 8);
  const out: Interval[] = [];
  for (let k = 0; k < n; k++) {
    const s = Math.floor(rnd() * 100);
    out.push(iv(s, s + Math.floor(rnd() * 20) - 2)); // some empty or inverted
  }
  return out;
}

describe('normalize', () => {
  it('sorts, merges overlapping and touching intervals, and drops empty ones', () => {
    expect(normalize([iv(20, 30), iv(0, 10), iv(10, 15), iv(5, 8), iv(40, 40), iv(50, 45)])).toEqual([
      iv(0, 15),
      iv(20, 30),
    ]);
  });

  it('returns [] for empty input and does not mutate its input', () => {
    const input = [iv(5, 10), iv(0, 6)];
    expect(normalize([])).toEqual([]);
    expect(normalize(input)).toEqual([iv(0, 10)]);
    expect(input).toEqual([iv(5, 10), iv(0, 6)]);
  });

  it('mergeSorted merges a start-sorted list without sorting it', () => {
    expect(mergeSorted([iv(0, 5), iv(5, 9), iv(7, 8), iv(12, 13)])).toEqual([iv(0, 9), iv(12, 13)]);
  });
});

describe('union', () => {
  it('merges touching intervals across the two lists (22:00-24:00 then 00:00-02:00)', () => {
    expect(union([iv(1320, 1440)], [iv(1440, 1560)])).toEqual([iv(1320, 1560)]);
  });

  it('keeps disjoint intervals apart and in order', () => {
    expect(union([iv(0, 10), iv(30, 40)], [iv(15, 20), iv(50, 60)])).toEqual([
      iv(0, 10),
      iv(15, 20),
      iv(30, 40),
      iv(50, 60),
    ]);
  });

  it('absorbs contained intervals and handles empty sides', () => {
    expect(union([iv(0, 100)], [iv(10, 20), iv(30, 40)])).toEqual([iv(0, 100)]);
    expect(union([], [iv(1, 2)])).toEqual([iv(1, 2)]);
    expect(union([iv(1, 2)], [])).toEqual([iv(1, 2)]);
    expect(union([], [])).toEqual([]);
  });
});

describe('intersect', () => {
  it('keeps only the overlap', () => {
    expect(intersect([iv(0, 10), iv(20, 30)], [iv(5, 25)])).toEqual([iv(5, 10), iv(20, 25)]);
  });

  it('touching intervals do not intersect', () => {
    expect(intersect([iv(0, 10)], [iv(10, 20)])).toEqual([]);
  });

  it('is empty when either side is empty', () => {
    expect(intersect([], [iv(0, 10)])).toEqual([]);
    expect(intersect([iv(0, 10)], [])).toEqual([]);
  });

  it('one long interval against many short ones', () => {
    expect(intersect([iv(0, 100)], [iv(1, 2), iv(3, 4), iv(99, 120)])).toEqual([iv(1, 2), iv(3, 4), iv(99, 100)]);
  });
});

describe('subtract', () => {
  it('punches holes', () => {
    expect(subtract([iv(0, 100)], [iv(10, 20), iv(30, 40)])).toEqual([iv(0, 10), iv(20, 30), iv(40, 100)]);
  });

  it('removing a touching interval removes nothing', () => {
    expect(subtract([iv(10, 20)], [iv(0, 10), iv(20, 30)])).toEqual([iv(10, 20)]);
  });

  it('removes everything when covered, and handles one subtrahend spanning several pieces', () => {
    expect(subtract([iv(10, 20)], [iv(5, 25)])).toEqual([]);
    expect(subtract([iv(0, 10), iv(20, 30), iv(40, 50)], [iv(5, 45)])).toEqual([iv(0, 5), iv(45, 50)]);
  });

  it('handles empty sides', () => {
    expect(subtract([], [iv(0, 10)])).toEqual([]);
    expect(subtract([iv(0, 10)], [])).toEqual([iv(0, 10)]);
  });
});

describe('containsInterval', () => {
  const list = [iv(0, 10), iv(20, 30)];
  it('is true only when the whole interval fits inside one piece', () => {
    expect(containsInterval(list, 0, 10)).toBe(true);
    expect(containsInterval(list, 22, 25)).toBe(true);
    expect(containsInterval(list, 5, 11)).toBe(false);
    expect(containsInterval(list, 10, 12)).toBe(false);
    expect(containsInterval(list, 30, 31)).toBe(false);
    expect(containsInterval([], 0, 1)).toBe(false);
  });
});

describe('sweeps on random input agree with minute sets', () => {
  it('union, intersect, subtract, normalize', () => {
    const rnd = random(42);
    for (let trial = 0; trial < 300; trial++) {
      const a = normalize(randomList(rnd));
      const b = normalize(randomList(rnd));
      const ma = minutes(a);
      const mb = minutes(b);
      const u = union(a, b);
      const x = intersect(a, b);
      const d = subtract(a, b);
      for (const r of [a, b, u, x, d]) expect(isNormalized(r)).toBe(true);
      expect(minutes(u)).toEqual(new Set([...ma, ...mb]));
      expect(minutes(x)).toEqual(new Set([...ma].filter((t) => mb.has(t))));
      expect(minutes(d)).toEqual(new Set([...ma].filter((t) => !mb.has(t))));
      expect(totalMinutes(u)).toBe(minutes(u).size);
    }
  });
});
