import { describe, expect, it } from '@jest/globals';
import { candidatesFor, openShifts, type PeriodShiftSpace } from './shifts-candidates.js';

const T = '11111111-1111-4111-8111-111111111111';
// Every day 09:00–10:00 UTC, two places.
const space: PeriodShiftSpace = {
  startsOn: '2030-01-01',
  endsOn: '2030-01-10',
  templates: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ id: `${T.slice(0, -1)}${weekday}`, weekday, start: '09:00', end: '10:00', timeZone: 'UTC', queue: 'billing', capacity: 2 })),
};
const keyOn = (date: string) => {
  const wd = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
  return `${T.slice(0, -1)}${wd}@${date}`;
};

describe('openShifts', () => {
  it('lists the period’s shifts that have not started and have a free place, earliest first', () => {
    const now = new Date('2030-01-03T09:30:00Z'); // the 3 Jan shift has started
    const taken = new Map([
      [keyOn('2030-01-04'), 2],
      [keyOn('2030-01-05'), 1],
    ]);
    const open = openShifts(space, now, taken);
    expect(open.map((s) => s.key)).toEqual(['2030-01-05', '2030-01-06', '2030-01-07', '2030-01-08', '2030-01-09', '2030-01-10'].map(keyOn));
    expect(open[0]).toMatchObject({ free: 1, capacity: 2, queue: 'billing', startsAt: new Date('2030-01-05T09:00:00Z'), endsAt: new Date('2030-01-05T10:00:00Z') });
  });

  it('stays inside the period and is empty once it is over', () => {
    expect(openShifts(space, new Date('2029-12-01T00:00:00Z'), new Map())[0].key).toBe(keyOn('2030-01-01'));
    expect(openShifts(space, new Date('2030-02-01T00:00:00Z'), new Map())).toEqual([]);
    expect(openShifts({ ...space, templates: [] }, new Date('2030-01-01T00:00:00Z'), new Map())).toEqual([]);
  });
});

describe('candidatesFor', () => {
  it('leaves out the assignment’s own shift and the local days of the marketer’s other shifts', () => {
    const open = openShifts(space, new Date('2029-12-31T00:00:00Z'), new Map());
    const own = { id: 'a', shiftKey: keyOn('2030-01-02') };
    // Another shift on 5 Jan 09:00 UTC: 5 Jan in New York too (04:00), 5 Jan in Kolkata (14:30).
    const others = [
      { id: 'a', startsAt: new Date('2030-01-02T09:00:00Z') },
      { id: 'b', startsAt: new Date('2030-01-05T09:00:00Z') },
    ];
    const keys = candidatesFor(open, own, others, 'America/New_York').map((s) => s.key);
    expect(keys).not.toContain(keyOn('2030-01-02'));
    expect(keys).not.toContain(keyOn('2030-01-05'));
    expect(keys).toContain(keyOn('2030-01-03'));
    expect(keys).toHaveLength(8);
    // A shift late in the evening in New York is the next day in Kolkata.
    const late = [{ id: 'b', startsAt: new Date('2030-01-04T20:00:00Z') }];
    expect(candidatesFor(open, own, late, 'Asia/Kolkata').map((s) => s.key)).not.toContain(keyOn('2030-01-05'));
    expect(candidatesFor(open, own, late, 'America/New_York').map((s) => s.key)).not.toContain(keyOn('2030-01-04'));
  });
});
