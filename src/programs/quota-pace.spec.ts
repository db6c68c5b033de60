import { behindPace, elapsedShare, pace } from './quota-pace.js';

describe('elapsedShare', () => {
  it('is 0 before the first day, 1 after the last, proportional between, in the program zone', () => {
    expect(elapsedShare('2026-01-01', '2026-01-10', 'UTC', new Date('2025-12-31T12:00:00Z'))).toBe(0);
    expect(elapsedShare('2026-01-01', '2026-01-10', 'UTC', new Date('2026-01-06T00:00:00Z'))).toBeCloseTo(0.5, 10);
    expect(elapsedShare('2026-01-01', '2026-01-10', 'Asia/Kathmandu', new Date('2025-12-31T18:15:00Z'))).toBe(0);
    expect(elapsedShare('2026-01-01', '2026-01-10', 'UTC', new Date('2026-02-01T00:00:00Z'))).toBe(1);
  });
});

describe('pace', () => {
  it('is quota × elapsed share in whole sessions, rounded down, and 0 without a quota', () => {
    expect(pace(20, 0.5)).toBe(10);
    expect(pace(20, 0.49)).toBe(9);
    expect(pace(3, 1 / 3)).toBe(1);
    expect(pace(20, 1.5)).toBe(20);
    expect(pace(0, 1)).toBe(0);
    expect(pace(null, 1)).toBe(0);
  });
});

describe('behindPace', () => {
  it('counts booked sessions with held ones against the pace', () => {
    expect(behindPace({ quota: 4, completed: 0, booked: 2 }, 0.55)).toEqual({ pace: 2, planned: 2, behind: false });
    expect(behindPace({ quota: 4, completed: 1, booked: 0 }, 0.55)).toEqual({ pace: 2, planned: 1, behind: true });
  });

  it('has no slack below the pace: one session short is behind (the rollup once allowed a quarter)', () => {
    // 20 × 0.5 = 10 due; 8 held was "fine" under the old 0.75 rule of the rollup email.
    expect(behindPace({ quota: 20, completed: 8, booked: 0 }, 0.5).behind).toBe(true);
    expect(behindPace({ quota: 20, completed: 8, booked: 2 }, 0.5).behind).toBe(false);
  });

  it('puts nobody behind before a whole session is due, nor without a quota', () => {
    expect(behindPace({ quota: 20, completed: 0, booked: 0 }, 0.04).behind).toBe(false);
    expect(behindPace({ quota: null, completed: 0, booked: 0 }, 1).behind).toBe(false);
    expect(behindPace({ quota: 0, completed: 0, booked: 0 }, 1).behind).toBe(false);
  });
});
