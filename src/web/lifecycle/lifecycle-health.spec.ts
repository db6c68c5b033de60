import { assess, defaultPeriod, elapsedShare, lateBy, pace, shareText } from './lifecycle-health.js';

describe('elapsedShare', () => {
  it('is 0 before the first day, 1 after the last, and proportional in between (program zone, last day inclusive)', () => {
    expect(elapsedShare('2026-01-01', '2026-01-10', 'UTC', new Date('2025-12-31T12:00:00Z'))).toBe(0);
    expect(elapsedShare('2026-01-01', '2026-01-10', 'UTC', new Date('2026-01-06T00:00:00Z'))).toBeCloseTo(0.5, 10);
    expect(elapsedShare('2026-01-01', '2026-01-10', 'UTC', new Date('2026-01-11T00:00:01Z'))).toBe(1);
  });

  it('reads the dates in the program zone', () => {
    // Midnight 1 January in Kathmandu (+05:45) is 18:15 UTC on 31 December: the period has just begun.
    expect(elapsedShare('2026-01-01', '2026-01-10', 'Asia/Kathmandu', new Date('2025-12-31T18:15:00Z'))).toBe(0);
    expect(elapsedShare('2026-01-01', '2026-01-10', 'Asia/Kathmandu', new Date('2026-01-05T18:15:00Z'))).toBeCloseTo(0.5, 10);
  });
});

describe('pace', () => {
  it('is quota × elapsed share in whole sessions, rounded down', () => {
    expect(pace(20, 0.5)).toBe(10);
    expect(pace(20, 0.49)).toBe(9);
    expect(pace(20, 0.04)).toBe(0);
    expect(pace(3, 1 / 3)).toBe(1);
    expect(pace(20, 1)).toBe(20);
    expect(pace(0, 0.9)).toBe(0);
    expect(pace(20, 1.5)).toBe(20);
  });
});

describe('assess', () => {
  it('is at risk when done + booked is behind the pace, saying the numbers', () => {
    const a = assess({ quota: 20, completed: 3, booked: 2, formsOverdue: 0 }, 0.5);
    expect(a).toEqual({ pace: 10, atRisk: true, reasons: ['Behind pace: 5 sessions done or booked, 10 expected by now for a quota of 20'] });
  });

  it('is not at risk exactly on pace, and booked sessions count', () => {
    expect(assess({ quota: 20, completed: 4, booked: 6, formsOverdue: 0 }, 0.5)).toEqual({ pace: 10, atRisk: false, reasons: [] });
    expect(assess({ quota: 20, completed: 0, booked: 0, formsOverdue: 0 }, 0.04).atRisk).toBe(false);
  });

  it('is at risk with overdue forms even when on pace, and lists both reasons when both hold', () => {
    expect(assess({ quota: 4, completed: 4, booked: 0, formsOverdue: 1 }, 0.5)).toEqual({ pace: 2, atRisk: true, reasons: ['1 form overdue'] });
    expect(assess({ quota: 10, completed: 1, booked: 0, formsOverdue: 2 }, 0.5).reasons).toEqual([
      'Behind pace: 1 session done or booked, 5 expected by now for a quota of 10',
      '2 forms overdue',
    ]);
  });

  it('never puts a marketer with a zero quota behind pace', () => {
    expect(assess({ quota: 0, completed: 0, booked: 0, formsOverdue: 0 }, 1).atRisk).toBe(false);
  });
});

describe('defaultPeriod', () => {
  const periods = [
    { id: 'q1', startsOn: '2026-01-01', endsOn: '2026-03-31' },
    { id: 'q2', startsOn: '2026-04-01', endsOn: '2026-06-30' },
    { id: 'q4', startsOn: '2026-10-01', endsOn: '2026-12-31' },
  ];

  it('takes the period running today, first and last days included', () => {
    expect(defaultPeriod(periods, '2026-04-01')?.id).toBe('q2');
    expect(defaultPeriod(periods, '2026-03-31')?.id).toBe('q1');
  });

  it('else the latest one that started, else the first to come, else none', () => {
    expect(defaultPeriod(periods, '2026-08-15')?.id).toBe('q2');
    expect(defaultPeriod(periods, '2027-02-01')?.id).toBe('q4');
    expect(defaultPeriod(periods, '2025-06-01')?.id).toBe('q1');
    expect(defaultPeriod([], '2026-01-01')).toBeNull();
  });
});

describe('lateBy', () => {
  const due = new Date('2026-05-01T10:00:00Z');
  it('says days and hours, hours, or minutes', () => {
    expect(lateBy(due, new Date('2026-05-03T13:30:00Z'))).toBe('2 days 3 hours');
    expect(lateBy(due, new Date('2026-05-02T10:10:00Z'))).toBe('1 day');
    expect(lateBy(due, new Date('2026-05-01T15:59:00Z'))).toBe('5 hours');
    expect(lateBy(due, new Date('2026-05-01T10:40:00Z'))).toBe('40 minutes');
    expect(lateBy(due, new Date('2026-05-01T10:00:20Z'))).toBe('1 minute');
  });
});

describe('shareText', () => {
  it('gives a count and a rounded percentage', () => {
    expect(shareText(3, 4)).toBe('3 of 4 (75%)');
    expect(shareText(1, 3)).toBe('1 of 3 (33%)');
    expect(shareText(0, 0)).toBe('0 of 0');
  });
});
