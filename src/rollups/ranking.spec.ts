import { changes, ideaGroup, splitRanking } from './ranking.js';

const stat = (id: string, weight: number, observers: number, mentions = observers) => ({ theme_id: id, name: id.toUpperCase(), weight, mentions, observers, reps: 1, accounts: 1, without_account: 0 });

describe('splitRanking', () => {
  it('ranks by weight and moves single-observer themes to emerging', () => {
    const { ranked, emerging } = splitRanking([stat('a', 1.5, 3), stat('b', 3, 4), stat('solo', 9, 1, 40)]);
    expect(ranked.map((r) => r.theme_id)).toEqual(['b', 'a']);
    expect(emerging.map((r) => r.theme_id)).toEqual(['solo']);
  });
});

describe('changes', () => {
  it('labels new, rising, falling and steady, and lists themes that vanished', () => {
    const out = changes([stat('new', 1, 2), stat('up', 2, 3), stat('down', 0.5, 2), stat('same', 1.1, 2)], [stat('up', 1, 2), stat('down', 1.5, 3), stat('same', 1, 2), stat('gone', 0.8, 2)]);
    const by = Object.fromEntries(out.map((c) => [c.themeId, c]));
    expect(by.new).toMatchObject({ change: 'new', previousWeight: 0, weight: 1 });
    expect(by.up).toMatchObject({ change: 'rising', previousWeight: 1, weight: 2 });
    expect(by.down).toMatchObject({ change: 'falling', previousWeight: 1.5, weight: 0.5 });
    expect(by.same.change).toBe('steady');
    expect(by.gone).toMatchObject({ change: 'falling', weight: 0, previousWeight: 0.8 });
  });
});

describe('ideaGroup', () => {
  it('groups the three headline categories and puts the rest under other', () => {
    expect(['info_to_sales', 'rep_alerts', 'campaign_notifications', 'content', 'product', 'other'].map(ideaGroup)).toEqual([
      'info_to_sales', 'rep_alerts', 'campaign_notifications', 'other', 'other', 'other',
    ]);
  });
});
