import { fromReps, noticesSummary, perRepAverage, splitActions, stretchWeights, trendOf, trendWindows, type ActionRow } from './loop.js';

const action = (o: Partial<ActionRow>): ActionRow => ({
  id: o.id ?? 'a',
  title: o.title ?? 'Title',
  kind: o.kind ?? 'info_for_sales',
  status: o.status ?? 'open',
  ownerName: 'Lee',
  dueOn: o.dueOn ?? null,
  doneAt: o.doneAt ?? null,
  createdAt: o.createdAt ?? new Date('2027-01-01T00:00:00Z'),
  themes: [],
});

describe('what became of earlier actions', () => {
  it('splits done since the last rollup, overdue and still open, overdue first by due date; dropped and older done ones left out', () => {
    const since = new Date('2027-02-01T00:00:00Z');
    const s = splitActions(
      [
        action({ id: 'done-new', status: 'done', doneAt: new Date('2027-02-03T00:00:00Z') }),
        action({ id: 'done-old', status: 'done', doneAt: new Date('2027-01-20T00:00:00Z') }),
        action({ id: 'late-2', status: 'in_progress', dueOn: '2027-02-05' }),
        action({ id: 'late-1', status: 'open', dueOn: '2027-02-01' }),
        action({ id: 'due-today', status: 'open', dueOn: '2027-02-10' }),
        action({ id: 'no-date', status: 'open' }),
        action({ id: 'dropped', status: 'dropped', dueOn: '2027-01-01' }),
      ],
      since,
      '2027-02-10',
    );
    expect(s.doneSinceLast.map((a) => a.id)).toEqual(['done-new']);
    expect(s.overdue.map((a) => a.id)).toEqual(['late-1', 'late-2']);
    expect(s.open.map((a) => a.id)).toEqual(['due-today', 'no-date']);
    expect(s.counts).toEqual({ doneSinceLast: 1, overdue: 2, open: 2 });
  });

  it('caps each list but keeps the count', () => {
    const rows = Array.from({ length: 200 }, (_, i) => action({ id: `a${i}`, dueOn: '2027-01-01' }));
    const s = splitActions(rows, new Date('2027-02-01T00:00:00Z'), '2027-02-10');
    expect(s.overdue).toHaveLength(50);
    expect(s.counts.overdue).toBe(200);
  });

  it('calls a theme risen or fallen only by a quarter of an observer and a quarter of itself', () => {
    expect(trendOf(1, 1.2)).toBe('held');
    expect(trendOf(1, 1.5)).toBe('rose');
    expect(trendOf(2, 1.2)).toBe('fell');
    expect(trendOf(0, 0)).toBe('held');
    expect(trendOf(0, 0.5)).toBe('rose');
  });

  it('compares the stretch after the action with as long a stretch before it', () => {
    const from = new Date('2027-03-01T00:00:00Z');
    const to = new Date('2027-04-01T00:00:00Z');
    const inside = trendWindows(new Date('2027-03-21T00:00:00Z'), from, to);
    expect(inside.after).toEqual({ from: new Date('2027-03-21T00:00:00Z'), to });
    expect(inside.before).toEqual({ from: new Date('2027-03-10T00:00:00Z'), to: new Date('2027-03-21T00:00:00Z') });
    const earlier = trendWindows(new Date('2027-02-20T00:00:00Z'), from, to);
    expect(earlier.after.from).toEqual(from);
    expect(earlier.before.to).toEqual(new Date('2027-02-20T00:00:00Z'));
  });
});

describe('from the reps', () => {
  it('keeps one wish per rep (the latest that says something) and averages per rep, so a loud rep is one voice', () => {
    const loud = Array.from({ length: 10 }, (_, i) => ({ repId: 'loud', wish: `Loud wish ${i}`, usefulness: 1, submittedAt: new Date(Date.UTC(2027, 0, 1 + i)) }));
    const quiet = [
      { repId: 'q1', wish: 'Tell us the campaign', usefulness: 5, submittedAt: new Date('2027-01-05T00:00:00Z') },
      { repId: 'q2', wish: '  ', usefulness: 5, submittedAt: new Date('2027-01-06T00:00:00Z') },
    ];
    const f = fromReps([...loud, ...quiet], [{ repId: 'q1', wish: null, usefulness: 2, submittedAt: new Date('2026-12-01T00:00:00Z') }]);
    expect(f.notes).toBe(12);
    expect(f.reps).toBe(3);
    expect(f.wishes).toEqual([
      { text: 'Loud wish 9', repId: 'loud' },
      { text: 'Tell us the campaign', repId: 'q1' },
    ]);
    expect(f.usefulness).toEqual({ average: 3.67, reps: 3, previousAverage: 2, trend: 'up' });
  });

  it('has no average or trend without ratings', () => {
    expect(perRepAverage([{ repId: 'a', usefulness: null }])).toEqual({ average: null, reps: 0 });
    expect(fromReps([], []).usefulness).toEqual({ average: null, reps: 0, previousAverage: null, trend: null });
  });

  it('sums notices and keeps the distinct reps', () => {
    const s = noticesSummary([{ id: 'n', kind: 'rep_alert', subject: 'S', sentAt: new Date('2027-01-01T00:00:00Z'), recipients: 52, acknowledged: 41 }], { reps: 52, acknowledged: 41 });
    expect(s).toMatchObject({ count: 1, recipients: 52, acknowledged: 41 });
  });
});

describe('stretch weights', () => {
  it('weighs a theme per observer inside each stretch: one unit per observer, shared by their forms', () => {
    const t = (iso: string) => new Date(iso).getTime() / 1000;
    const all = [
      { authorId: 'a', times: [t('2027-01-01T00:00:00Z'), t('2027-01-02T00:00:00Z'), t('2027-01-10T00:00:00Z')] },
      { authorId: 'b', times: [t('2027-01-02T00:00:00Z'), t('2027-01-11T00:00:00Z')] },
    ];
    const tagged = [
      { authorId: 'a', themeId: 'x', times: [t('2027-01-02T00:00:00Z'), t('2027-01-10T00:00:00Z')] },
      { authorId: 'b', themeId: 'x', times: [t('2027-01-11T00:00:00Z')] },
    ];
    const [before, after, none] = stretchWeights(
      [
        { themeId: 'x', from: new Date('2027-01-01T00:00:00Z'), to: new Date('2027-01-05T00:00:00Z') },
        { themeId: 'x', from: new Date('2027-01-05T00:00:00Z'), to: new Date('2027-01-12T00:00:00Z') },
        { themeId: 'y', from: new Date('2027-01-01T00:00:00Z'), to: new Date('2027-01-12T00:00:00Z') },
      ],
      all,
      tagged,
    );
    expect(before).toBeCloseTo(0.5); // a: 1 of 2 forms; b: 0 of 1
    expect(after).toBeCloseTo(2); // a: 1 of 1; b: 1 of 1
    expect(none).toBe(0);
  });
});
