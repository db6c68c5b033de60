import { currentPeriod, nextPeriod, nextPeriodDue, periodStatusOn } from './period-cadence.js';

describe('nextPeriod', () => {
  it.each([
    ['quarter', '2026-12-31', { startsOn: '2027-01-01', endsOn: '2027-03-31' }],
    ['quarter', '2026-03-31', { startsOn: '2026-04-01', endsOn: '2026-06-30' }],
    ['quarter', '2026-11-15', { startsOn: '2026-11-16', endsOn: '2026-12-31' }],
    ['month', '2027-01-31', { startsOn: '2027-02-01', endsOn: '2027-02-28' }],
    ['month', '2028-01-31', { startsOn: '2028-02-01', endsOn: '2028-02-29' }],
    ['month', '2026-11-30', { startsOn: '2026-12-01', endsOn: '2026-12-31' }],
  ] as const)('%s after %s', (cadence, last, expected) => {
    expect(nextPeriod(cadence, last)).toEqual(expected);
  });

  it('has none for cadence none', () => {
    expect(nextPeriod('none', '2026-12-31')).toBeNull();
  });
});

describe('currentPeriod', () => {
  it('is the calendar quarter or month holding today', () => {
    expect(currentPeriod('quarter', '2026-11-22')).toEqual({ startsOn: '2026-10-01', endsOn: '2026-12-31' });
    expect(currentPeriod('month', '2026-11-22')).toEqual({ startsOn: '2026-11-01', endsOn: '2026-11-30' });
    expect(currentPeriod('none', '2026-11-22')).toBeNull();
  });
});

describe('nextPeriodDue', () => {
  it('is due once the last period ends within the lead time', () => {
    expect(nextPeriodDue('2026-12-31', '2026-11-22', 28)).toBe(false);
    expect(nextPeriodDue('2026-12-31', '2026-12-04', 28)).toBe(true);
    expect(nextPeriodDue('2026-12-31', '2027-01-05', 28)).toBe(true);
  });
});

describe('periodStatusOn', () => {
  const q = { startsOn: '2026-10-01', endsOn: '2026-12-31' };
  it('moves planned → open → closed with the dates, and leaves rolled_up alone', () => {
    expect(periodStatusOn(q, '2026-09-30', 'planned')).toBe('planned');
    expect(periodStatusOn(q, '2026-10-01', 'planned')).toBe('open');
    expect(periodStatusOn(q, '2026-12-31', 'open')).toBe('open');
    expect(periodStatusOn(q, '2027-01-01', 'open')).toBe('closed');
    expect(periodStatusOn(q, '2027-01-01', 'rolled_up')).toBe('rolled_up');
  });

  it('gives a new period the status of its dates at once', () => {
    expect(periodStatusOn(q, '2026-11-15', 'planned')).toBe('open');
    expect(periodStatusOn(q, '2027-02-01', 'planned')).toBe('closed');
  });

  it('is rolled_up once the period has ended and its rollup is built, whichever comes first', () => {
    expect(periodStatusOn(q, '2027-01-01', 'closed', true)).toBe('rolled_up');
    expect(periodStatusOn(q, '2027-01-01', 'open', true)).toBe('rolled_up');
    expect(periodStatusOn(q, '2026-12-31', 'open', true)).toBe('open'); // not before the period has ended
    expect(periodStatusOn(q, '2027-01-01', 'closed', false)).toBe('closed');
  });
});
