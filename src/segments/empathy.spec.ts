import { describe, expect, it } from '@jest/globals';
import { buildMaps, compactSummary, compareEntries, EntryRow, SegmentRow, segmentKey } from './empathy.js';

const seg = (id: string, name: string, mode: 'behavior' | 'feedback', forms: number, observers: number, segObservers: number, segForms: number): SegmentRow => ({
  segment_id: id,
  name,
  mode,
  forms,
  observers,
  segment_observers: segObservers,
  segment_forms: segForms,
});
const entry = (id: string, mode: 'behavior' | 'feedback', quadrant: EntryRow['quadrant'], key: string, observers: number, weight: number, examples: EntryRow['examples'], forms = observers): EntryRow => ({
  segment_id: id,
  mode,
  quadrant,
  key,
  observers,
  forms,
  weight: String(weight),
  examples,
});
const ex = (text: string, authorId: string, marked: string[] = []) => ({ text, authorId, marked });
const red = (t: string, marked: string[]) => marked.reduce((acc, n) => acc.split(n).join('[name]'), t);

describe('segmentKey', () => {
  it('ignores case, spacing and punctuation', () => {
    expect(segmentKey('Mid-market')).toBe('mid market');
    expect(segmentKey('  mid   MARKET ')).toBe('mid market');
    expect(segmentKey('Mid_market!')).toBe('mid market');
    expect(segmentKey('MM')).toBe('mm');
    expect(segmentKey('Ünternehmen-Größe')).toBe('ünternehmen größe');
    expect(segmentKey(' -- ')).toBe('');
  });
});

describe('compareEntries', () => {
  it('ranks by observers, then weight per observer, then forms, then key', () => {
    const xs = [
      { key: 'b', observers: 2, weight: 0.5, forms: 9 },
      { key: 'a', observers: 3, weight: 0.2, forms: 3 },
      { key: 'c', observers: 2, weight: 1.5, forms: 2 },
      { key: 'd', observers: 2, weight: 1.5, forms: 2 },
    ];
    expect(xs.sort(compareEntries).map((x) => x.key)).toEqual(['a', 'c', 'd', 'b']);
  });
});

describe('buildMaps', () => {
  const segments = [
    seg('s1', 'Mid-market', 'behavior', 12, 3, 3, 14),
    seg('s1', 'Mid-market', 'feedback', 2, 2, 3, 14),
    seg('s2', 'Enterprise', 'behavior', 5, 1, 1, 5),
    seg('s3', 'SMB', 'feedback', 4, 2, 2, 4),
  ];
  const entries = [
    entry('s1', 'behavior', 'says', 'ask price', 2, 2, [ex('Asks about pricing', 'm1'), ex('asked about the price', 'm1'), ex('Asks Jane about pricing', 'm2', ['Jane'])]),
    entry('s1', 'behavior', 'says', 'dark mode want', 3, 0.3, [ex('Wants dark mode', 'm3')]),
    entry('s1', 'behavior', 'says', 'loud', 1, 1, [ex('Only one observer', 'm3')]),
    entry('s1', 'feedback', 'says', 'expens', 2, 2, [ex('Too expensive', 'm1'), ex('It is too expensive', 'm2')]),
    entry('s2', 'behavior', 'says', 'sso', 2, 2, [ex('SSO', 'm4')]),
  ];

  it('maps segments with two or more observers, observed and told apart, entries ranked by observers then weight', () => {
    const maps = buildMaps(segments, entries, red, { perQuadrant: 5, examples: 3 });
    expect(maps.map((m) => m.name)).toEqual(['Mid-market', 'SMB']);
    const mid = maps[0];
    expect(mid).toMatchObject({ observers: 3, forms: 14, observed: { forms: 12, observers: 3 }, told: { forms: 2, observers: 2 } });
    expect(mid.observed.quadrants.says.map((e) => e.key)).toEqual(['dark mode want', 'ask price']);
    expect(mid.told.quadrants.says.map((e) => e.key)).toEqual(['expens']);
    expect(mid.observed.quadrants.feels).toEqual([]);
    expect(maps[1].observed.forms).toBe(0);
  });

  it('keeps one example per observer, redacted, and names the entry by the first', () => {
    const [mid] = buildMaps(segments, entries, red, { perQuadrant: 5, examples: 3 });
    const price = mid.observed.quadrants.says[1];
    expect(price.examples).toEqual([
      { text: 'Asks about pricing', authorId: 'm1' },
      { text: 'Asks [name] about pricing', authorId: 'm2' },
    ]);
    expect(price.text).toBe('Asks about pricing');
    expect(price.weight).toBe(2);
  });

  it('caps entries per quadrant and examples per entry', () => {
    const [mid] = buildMaps(segments, entries, red, { perQuadrant: 1, examples: 1 });
    expect(mid.observed.quadrants.says).toHaveLength(1);
    expect(mid.observed.quadrants.says[0].examples).toHaveLength(1);
  });

  it('compacts the top segments for the rollup', () => {
    const maps = buildMaps(segments, entries, red, { perQuadrant: 5, examples: 1 });
    const s = compactSummary(maps, { segments: 1, per: 1 });
    expect(s.segments).toBe(2);
    expect(s.top).toHaveLength(1);
    expect(s.top[0].observed.quadrants.says).toEqual([{ text: 'Wants dark mode', observers: 3 }]);
    expect(s.top[0].told.quadrants.says).toEqual([{ text: 'Too expensive', observers: 2 }]);
  });
});
