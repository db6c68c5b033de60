import { assignedMail, dueLabel, dueMail } from './action-messages.js';

const facts = {
  actionId: '00000000-0000-4000-8000-000000000001',
  kind: 'info_for_sales' as const,
  title: 'Pricing one-pager <for> reps',
  programName: 'Rep Life',
  dueOn: '2026-12-11',
  owner: { name: 'Olga Owner', email: 'olga@example.com', timeZone: 'Asia/Tokyo' },
  publicUrl: 'https://ridealong.example',
};

describe('action emails', () => {
  it('assignment: who, when in the owner zone, due date, one link, escaped title, no images', () => {
    const m = assignedMail({ ...facts, assignedBy: 'Lena Lifecycle', assignedAt: new Date('2026-12-04T20:30:00Z') });
    expect(m.to).toEqual({ name: 'Olga Owner', email: 'olga@example.com' });
    expect(m.subject).toBe('Action for you: Pricing one-pager <for> reps');
    expect(m.text).toContain('Lena Lifecycle gave you an action of Rep Life on Saturday 5 December 2026, 05:30 (Asia/Tokyo):');
    expect(m.text).toContain('Due: Friday 11 December 2026');
    expect(m.text).toContain('Kind: Information for Sales');
    expect(m.text).toContain('https://ridealong.example/lifecycle/actions/00000000-0000-4000-8000-000000000001');
    expect(m.html).toContain('Pricing one-pager &lt;for&gt; reps');
    expect(m.html).not.toMatch(/<img|src=/i);
    expect([...m.html.matchAll(/href="([^"]+)"/g)].map((x) => x[1])).toEqual(['https://ridealong.example/lifecycle/actions/00000000-0000-4000-8000-000000000001']);
  });

  it('assignment without a due date says so', () => {
    expect(assignedMail({ ...facts, dueOn: null, assignedBy: 'L', assignedAt: new Date() }).text).toContain('Due: no due date');
  });

  it('due reminder names the date, the owner zone and the state', () => {
    const m = dueMail({ ...facts, status: 'in_progress' });
    expect(m.subject).toBe('Action due Friday 11 December 2026: Pricing one-pager <for> reps');
    expect(m.text).toContain('is due Friday 11 December 2026 (Asia/Tokyo) and still in progress');
    expect(dueLabel('2026-03-29')).toBe('Sunday 29 March 2026');
  });
});
