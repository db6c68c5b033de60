import { type RotationReport } from './assign.js';
import { type PeriodRunInput, type RunAssignment, heldTemplateIds, periodRunInput, periodRunReport, toEpochMinute } from './period-run.js';
import { type ShiftTemplate } from './shifts.js';

/** One template per weekday, 09:00-12:00 UTC, capacity 2. */
const daily = (prefix: string, active = true): (ShiftTemplate & { active: boolean })[] =>
  Array.from({ length: 7 }, (_, i) => ({ id: `${prefix}${i + 1}`, weekday: i + 1, start: '09:00', end: '12:00', timeZone: 'UTC', queue: 'support', capacity: 2, active }));

const NOW = new Date('2026-03-01T00:00:00Z');
function run(over: Partial<PeriodRunInput> = {}): PeriodRunInput {
  return {
    period: { startsOn: '2026-03-01', endsOn: '2026-03-31' },
    people: [],
    timeOff: [],
    busy: [],
    existing: [],
    templates: daily('t'),
    shiftsPerHire: 3,
    windowDays: 5,
    now: NOW,
    ...over,
  };
}
const dates = (r: ReturnType<typeof periodRunInput>) => [...new Set(r.input.shifts.map((s) => s.date))].sort();
const held = (marketerId: string, templateId: string, shiftDate: string): RunAssignment => ({ marketerId, templateId, shiftKey: `${templateId}@${shiftDate}`, shiftDate });

describe('periodRunInput', () => {
  it('expands the templates over each hire’s window with a day either side, and passes K, N and now as epoch minutes', () => {
    const r = periodRunInput(run({ people: [{ id: 'm1', timeZone: 'Europe/Berlin', startedOn: '2026-03-10' }] }));
    expect(dates(r)).toEqual(['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15']);
    expect(r.input.hires).toEqual([{ marketerId: 'm1', startedOn: '2026-03-10', timeZone: 'Europe/Berlin', timeOff: [], busy: [] }]);
    expect(r.input).toMatchObject({ shiftsPerHire: 3, windowDays: 5, now: Date.parse('2026-03-01T00:00:00Z') / 60_000, existing: [] });
    expect(r.noStart).toEqual([]);
  });

  it('clips the dates to the period', () => {
    const r = periodRunInput(run({ people: [{ id: 'm1', timeZone: 'UTC', startedOn: '2026-03-29' }, { id: 'm2', timeZone: 'UTC', startedOn: '2026-02-27' }] }));
    const d = dates(r);
    expect(d[0]).toBe('2026-03-01');
    expect(d.at(-1)).toBe('2026-03-31');
  });

  it('leaves a marketer without a start date out of the hires and reports them missing all K', () => {
    const r = periodRunInput(run({ people: [{ id: 'm1', timeZone: 'UTC', startedOn: null }] }));
    expect(r.input.hires).toEqual([]);
    expect(r.input.shifts).toEqual([]);
    expect(r.noStart).toEqual([{ marketerId: 'm1', missing: 3, reason: 'no start date', detail: 'the user has no startedOn (first day at the company)' }]);
  });

  it('expands nothing with no hires and no assignments, or no templates', () => {
    expect(periodRunInput(run()).input.shifts).toEqual([]);
    expect(periodRunInput(run({ templates: [], people: [{ id: 'm1', timeZone: 'UTC', startedOn: '2026-03-10' }] })).input.shifts).toEqual([]);
  });

  it('includes the dates of existing assignments, each kept as confirmed', () => {
    const r = periodRunInput(run({ existing: [held('m9', 't3', '2026-03-25')] }));
    expect(dates(r)).toEqual(['2026-03-25']);
    expect(r.input.existing).toEqual([{ marketerId: 'm9', shiftKey: 't3@2026-03-25', confirmed: true }]);
  });

  it('keeps an inactive template’s shift only where an assignment holds it, and drops an assignment whose shift does not expand', () => {
    const templates = [...daily('t'), ...daily('old', false)];
    const existing = [held('m9', 'old3', '2026-03-11'), held('m8', 'gone', '2026-03-11')];
    const r = periodRunInput(run({ templates, existing, people: [{ id: 'm1', timeZone: 'UTC', startedOn: '2026-03-10' }] }));
    const keys = r.input.shifts.map((s) => s.key);
    expect(keys).toContain('old3@2026-03-11');
    expect(keys.filter((k) => k.startsWith('old'))).toEqual(['old3@2026-03-11']);
    expect(keys).toContain('t3@2026-03-11');
    expect(r.input.existing).toEqual([{ marketerId: 'm9', shiftKey: 'old3@2026-03-11', confirmed: true }]);
  });

  it('turns time off and busy time into epoch-minute intervals per hire, rounding an end up to the minute', () => {
    const r = periodRunInput(
      run({
        people: [{ id: 'm1', timeZone: 'UTC', startedOn: '2026-03-10' }, { id: 'm2', timeZone: 'UTC', startedOn: '2026-03-10' }],
        timeOff: [{ userId: 'm1', startsAt: new Date('2026-03-11T08:00:30Z'), endsAt: new Date('2026-03-11T17:00:30Z') }],
        busy: [{ userId: 'm2', startsAt: new Date('2026-03-12T10:00:00Z'), endsAt: new Date('2026-03-12T10:45:00Z') }],
      }),
    );
    const m = (iso: string) => Date.parse(iso) / 60_000;
    expect(r.input.hires.find((h) => h.marketerId === 'm1')).toMatchObject({ timeOff: [{ start: m('2026-03-11T08:00Z'), end: m('2026-03-11T17:01Z') }], busy: [] });
    expect(r.input.hires.find((h) => h.marketerId === 'm2')).toMatchObject({ timeOff: [], busy: [{ start: m('2026-03-12T10:00Z'), end: m('2026-03-12T10:45Z') }] });
  });
});

describe('heldTemplateIds', () => {
  it('names each template an assignment holds that is not active, once', () => {
    expect(heldTemplateIds(['a', 'b'], [{ templateId: 'a' }, { templateId: 'c' }, { templateId: 'c' }, { templateId: 'd' }])).toEqual(['c', 'd']);
    expect(heldTemplateIds(['a'], [])).toEqual([]);
  });
});

describe('periodRunReport', () => {
  it('merges the marketers without a start date into the unmet, by marketerId, and adds the counts', () => {
    const report: RotationReport = {
      perShift: [],
      perMarketer: [],
      balance: { minShiftLoad: 0, maxShiftLoad: 0, minMarketer: 0, maxMarketer: 0 },
      unmet: [{ marketerId: 'c', missing: 1, reason: 'capacity full', detail: 'x' }],
    };
    const noStart = [
      { marketerId: 'd', missing: 3, reason: 'no start date' as const, detail: 'y' },
      { marketerId: 'a', missing: 3, reason: 'no start date' as const, detail: 'y' },
    ];
    const r = periodRunReport(report, noStart, 4, 2);
    expect(r.unmet.map((u) => u.marketerId)).toEqual(['a', 'c', 'd']);
    expect(r).toMatchObject({ added: 4, kept: 2, perShift: [], balance: report.balance });
  });
});

describe('toEpochMinute', () => {
  it('rounds a start down and an end up', () => {
    const d = new Date('2026-03-01T00:00:30Z');
    expect(toEpochMinute(d)).toBe(Date.parse('2026-03-01T00:00Z') / 60_000);
    expect(toEpochMinute(d, true)).toBe(Date.parse('2026-03-01T00:01Z') / 60_000);
  });
});
