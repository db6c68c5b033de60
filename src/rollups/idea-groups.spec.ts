import { capPerGroup, groupIdeas, jaccard, rankIdeaGroups, type ExactIdeas } from './idea-groups.js';
import { rollupEmail, rollupPage } from './render.js';
import type { RollupReport } from './rollup.types.js';

function exact(category: string, lexemes: string[], text: string, authors: [string, number][], count = authors.reduce((s, [, f]) => s + f, 0)): ExactIdeas {
  return { category, lexemes, text, authorId: authors[0][0], marked: [], count, authors: authors.map(([authorId, forms]) => ({ authorId, forms })) };
}

describe('jaccard', () => {
  it('is shared lexemes over all lexemes, and 0 for an empty set', () => {
    expect(jaccard(['dark', 'mode'], ['dark', 'mode', 'pleas'])).toBeCloseTo(2 / 3);
    expect(jaccard(['a', 'b', 'c'], ['a', 'b', 'd'])).toBe(0.5);
    expect(jaccard([], [])).toBe(0);
  });
});

describe('groupIdeas', () => {
  const forms = new Map([['loud', 15], ['q1', 2], ['q2', 1], ['q3', 4]]);

  it("puts one marketer's near-identical ideas in one group with one observer, ranked below three quiet marketers' shared idea", () => {
    const out = groupIdeas(
      [
        exact('other', ['dark', 'mode'], 'More dark mode', [['loud', 10]]),
        exact('other', ['dark', 'mode', 'pleas'], 'Dark mode please', [['loud', 3]]),
        exact('other', ['add', 'dark', 'mode'], 'Add a dark mode', [['loud', 2]]),
        exact('other', ['export', 'csv'], 'CSV export', [['q1', 1], ['q2', 1]]),
        exact('other', ['csv', 'export', 'report'], 'Export reports to CSV', [['q3', 1]]),
      ],
      forms,
    );
    expect(out.map((g) => [g.text, g.observers, g.count])).toEqual([
      ['CSV export', 3, 3],
      ['More dark mode', 1, 15],
    ]);
    // q1: 1 of 2 forms, q2: 1 of 1, q3: 1 of 4; the loud marketer's 15 forms are one unit at most.
    expect(out[0].weight).toBe(1.75);
    expect(out[1].weight).toBe(1);
    expect(out[1].variants.map((v) => v.text)).toEqual(['Dark mode please', 'Add a dark mode']);
  });

  it('keeps categories apart and does not chain rewordings away from the leader', () => {
    const out = groupIdeas(
      [
        exact('content', ['dark', 'mode'], 'Dark mode', [['q1', 1]]),
        exact('product', ['dark', 'mode'], 'Dark mode', [['q2', 1]]),
        exact('product', ['dark', 'mode', 'theme'], 'Dark mode theme', [['q3', 1]]),
        exact('product', ['mode', 'theme', 'ui'], 'Theme mode ui', [['q1', 1]]),
        exact('rep_alerts', [], 'More!', [['q1', 1]]),
      ],
      forms,
    );
    expect(out.map((g) => [g.group, g.category, g.text, g.observers])).toEqual([
      ['rep_alerts', 'rep_alerts', 'More!', 1],
      ['other', 'product', 'Dark mode', 2],
      ['other', 'content', 'Dark mode', 1],
      ['other', 'product', 'Theme mode ui', 1],
    ]);
  });

  it('ranks by observers, then weight, within each heading in the rollup order', () => {
    const g = (group: 'info_to_sales' | 'other', observers: number, weight: number, text: string) => ({ group, observers, weight, count: 1, text });
    expect(rankIdeaGroups([g('other', 5, 1, 'a'), g('info_to_sales', 1, 0.1, 'b'), g('info_to_sales', 2, 0.2, 'c'), g('info_to_sales', 2, 0.9, 'd')]).map((x) => x.text)).toEqual([
      'd',
      'c',
      'b',
      'a',
    ]);
    expect(capPerGroup([g('other', 5, 1, 'a'), g('other', 4, 1, 'b'), g('info_to_sales', 1, 1, 'c')], 1).map((x) => x.text)).toEqual(['a', 'c']);
  });
});

describe('rendering grouped ideas', () => {
  function report(ideas: RollupReport['ideas']): RollupReport {
    return {
      program: { id: 'p1', name: 'Rep Life', timeZone: 'UTC' },
      window: { from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' },
      period: null,
      generatedAt: '2026-11-01T05:00:00.000Z',
      empty: false,
      coverage: { booked: 1, held: 1, cancelled: 0, lateCancelled: 0, noShows: { rep: 0, marketer: 0, customer: 0 }, forms: { onTime: 1, late: 0, missing: 0, open: 0 }, marketers: [], reps: [] },
      themes: [],
      emerging: [],
      changes: [],
      ideas,
      leads: { marketingSourced: 0, followUps: [], lacked: [] },
      byMode: { behavior: 1, feedback: 0 },
      moments: { peaks: [], ends: [], peakAverage: null, endAverage: null },
      negativeFeedback: [],
      focusFindings: [],
      intros: [],
    };
  }

  it('shows each group once with its observers and ideas in the page, email and text', () => {
    const r = report([
      { category: 'product', group: 'other', text: 'CSV export', authorId: 'q1', observers: 3, count: 3, weight: 1.75, variants: [{ text: 'Export reports to <CSV>', authorId: 'q3' }] },
      { category: 'product', group: 'other', text: 'More dark mode', authorId: 'loud', observers: 1, count: 15, weight: 1, variants: [] },
    ]);
    const m = rollupEmail(r, 'UTC', 'https://ridealong.example/rollups/r1');
    expect(m.text).toContain('Other ideas (2):\n- Product: CSV export (3 observers, 3 ideas)\n- Product: More dark mode (1 observer, 15 ideas)');
    expect(m.html).toContain('Product: CSV export (3 observers, 3 ideas)');
    expect(m.html.indexOf('CSV export')).toBeLessThan(m.html.indexOf('More dark mode'));
    const page = rollupPage(r, 'UTC');
    expect(page).toContain('Product: CSV export (3 observers, 3 ideas); also written as “Export reports to &lt;CSV&gt;”');
    expect(page).toContain('Product: More dark mode (1 observer, 15 ideas)');
  });

  it('shows a rollup stored before grouping as written, without counts', () => {
    const r = report([{ category: 'info_to_sales', group: 'info_to_sales', text: 'Send reps the plan matrix', authorId: 'm1' }]);
    const m = rollupEmail(r, 'UTC', 'https://ridealong.example/rollups/r1');
    expect(m.text).toContain('Information for Sales (1):\n- Send reps the plan matrix\n');
    expect(m.text.slice(m.text.indexOf('IMPROVEMENT IDEAS'), m.text.indexOf('MARKETING-SOURCED'))).not.toMatch(/observer|Near-duplicate/);
    expect(rollupPage(r, 'UTC')).not.toContain('Near-duplicate');
  });
});
