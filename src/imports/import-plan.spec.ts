import { planImport, type ExistingPerson, type PlanInput } from './import-plan.js';
import { parsePeopleCsv } from './people-csv.js';

const P1 = '11111111-1111-4111-8111-111111111111';
const ana: ExistingPerson = { id: 'u-ana', email: 'Ana@example.com', name: 'Ana', timeZone: 'UTC', roles: ['rep'], active: true, startedOn: '2026-01-05' };
const boss: ExistingPerson = { id: 'u-boss', email: 'boss@example.com', name: 'Boss', timeZone: 'UTC', roles: ['lifecycle'], active: true, startedOn: null };

function input(csv: string, extra: Partial<PlanInput> = {}): PlanInput {
  return {
    rows: parsePeopleCsv(csv),
    people: new Map([['ana@example.com', ana], ['boss@example.com', boss]]),
    periods: new Map([[P1, { defaultQuota: 20 }]]),
    roster: new Map(),
    enrolments: new Map(),
    activeLifecycleIds: ['u-boss'],
    ...extra,
  };
}

describe('planImport', () => {
  it('leaves a person unchanged when the row says what is stored (an empty startedOn keeps the date)', () => {
    const plan = planImport(input('email,name,roles,timeZone,startedOn\nana@EXAMPLE.com,Ana,rep,UTC,\n'));
    expect(plan.rows[0]).toMatchObject({ outcome: 'unchanged', errors: [] });
    expect(plan.writes.updatePeople).toEqual([]);
  });

  it('creates, updates, and invites or re-invites by the roster rules', () => {
    const plan = planImport(
      input(`email,name,roles,timeZone,rosterPeriodId\nana@example.com,Ana,rep,Europe/Rome,${P1}\nnew@example.com,New,rep,UTC,${P1}\n`, {
        roster: new Map([[`${P1}:u-ana`, { id: 'r1', status: 'declined' }]]),
      }),
    );
    expect(plan.rows.map((r) => [r.outcome, r.roster?.outcome])).toEqual([['update', 'reinvite'], ['create', 'invite']]);
    expect(plan.writes.rosterReinvites).toEqual(['r1']);
    expect(plan.writes.rosterInserts).toEqual([{ periodId: P1, email: 'new@example.com' }]);
    expect(plan.totals).toMatchObject({ create: 1, update: 1, rosterInvites: 2 });
  });

  it('leaves an invited or active rep and an enrolment with the same quota as they are', () => {
    const plan = planImport(
      input(`email,name,roles,timeZone,rosterPeriodId,enrolPeriodId,quota\nana@example.com,Ana,rep;marketer,UTC,${P1},${P1},\n`, {
        people: new Map([['ana@example.com', { ...ana, roles: ['rep', 'marketer'] }]]),
        roster: new Map([[`${P1}:u-ana`, { id: 'r1', status: 'active' }]]),
        enrolments: new Map([[`${P1}:u-ana`, { id: 'e1', quota: 5 }]]),
      }),
    );
    expect(plan.rows[0]).toMatchObject({ outcome: 'unchanged', roster: { outcome: 'unchanged', status: 'active' }, enrolment: { outcome: 'unchanged', quota: 5 } });
  });

  it('refuses to take the lifecycle role from the last active lifecycle user, and unknown periods', () => {
    const plan = planImport(input(`email,name,roles,timeZone,enrolPeriodId\nboss@example.com,Boss,marketer,UTC,22222222-2222-4222-8222-222222222222\n`));
    expect(plan.rows[0]!.errors.map((e) => e.column)).toEqual(['roles', 'enrolPeriodId']);
    expect(plan.totals.error).toBe(1);
  });
});
