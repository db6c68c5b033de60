import { canMove, compareActions, diff, isOverdue, nextStatuses } from './action-status.js';

describe('action status', () => {
  it('moves open -> in_progress -> done | dropped, open straight to done or dropped, and reopens done or dropped', () => {
    expect(nextStatuses('open')).toEqual(['in_progress', 'done', 'dropped']);
    expect(canMove('in_progress', 'done')).toBe(true);
    expect(canMove('in_progress', 'dropped')).toBe(true);
    expect(canMove('done', 'open')).toBe(true);
    expect(canMove('dropped', 'open')).toBe(true);
  });

  it('refuses every other step', () => {
    expect(canMove('in_progress', 'open')).toBe(false);
    expect(canMove('done', 'dropped')).toBe(false);
    expect(canMove('done', 'in_progress')).toBe(false);
    expect(canMove('dropped', 'done')).toBe(false);
    expect(canMove('open', 'open')).toBe(false);
  });

  it('is overdue only while still to do and after its due date', () => {
    expect(isOverdue({ status: 'open', dueOn: '2026-12-03' }, '2026-12-04')).toBe(true);
    expect(isOverdue({ status: 'in_progress', dueOn: '2026-12-03' }, '2026-12-04')).toBe(true);
    expect(isOverdue({ status: 'open', dueOn: '2026-12-04' }, '2026-12-04')).toBe(false);
    expect(isOverdue({ status: 'done', dueOn: '2026-12-01' }, '2026-12-04')).toBe(false);
    expect(isOverdue({ status: 'dropped', dueOn: '2026-12-01' }, '2026-12-04')).toBe(false);
    expect(isOverdue({ status: 'open', dueOn: null }, '2026-12-04')).toBe(false);
  });

  it('orders overdue first, then by due date with none last, then oldest first', () => {
    const at = (s: string) => new Date(s);
    const rows = [
      { id: 'e', overdue: false, dueOn: null, createdAt: at('2026-01-01') },
      { id: 'd', overdue: false, dueOn: '2026-12-20', createdAt: at('2026-01-02') },
      { id: 'c', overdue: false, dueOn: '2026-12-10', createdAt: at('2026-01-03') },
      { id: 'b', overdue: true, dueOn: '2026-12-02', createdAt: at('2026-01-04') },
      { id: 'a', overdue: true, dueOn: '2026-12-01', createdAt: at('2026-01-05') },
      { id: 'f', overdue: false, dueOn: null, createdAt: at('2025-01-01') },
    ];
    expect([...rows].sort(compareActions).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd', 'f', 'e']);
  });

  it('diffs only what changed, arrays as sets', () => {
    expect(diff({ title: 'A', dueOn: '2026-12-01', themeIds: ['x', 'y'], detail: null }, { title: 'A', dueOn: null, themeIds: ['y', 'x'], detail: undefined })).toEqual({
      dueOn: { from: '2026-12-01', to: null },
    });
    expect(diff({ status: 'open' }, { status: 'done' })).toEqual({ status: { from: 'open', to: 'done' } });
  });
});
