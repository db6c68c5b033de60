import { windowProblems } from './windows.js';

describe('windowProblems', () => {
  it('accepts ordered, touching and end-of-day windows', () => {
    expect(
      windowProblems(
        [
          { weekday: 1, start: '09:00', end: '12:00' },
          { weekday: 1, start: '12:00', end: '13:30' },
          { weekday: 1, start: '22:00', end: '24:00' },
          { weekday: 2, start: '00:00', end: '02:00' },
          { weekday: 2, start: '09:00', end: '12:00' },
        ],
        'weekly',
      ),
    ).toEqual([]);
  });

  it.each([
    ['24:30', '25:00', 'weekly[0].start'],
    ['9:00', '10:00', 'weekly[0].start'],
    ['09:00', '24:30', 'weekly[0].end'],
    ['24:00', '24:00', 'weekly[0].start'],
    ['09:60', '10:00', 'weekly[0].start'],
  ])('names the field for bad times %s-%s', (start, end, field) => {
    const problems = windowProblems([{ weekday: 3, start, end }], 'weekly');
    expect(problems.map((p) => p.field)).toContain(field);
  });

  it('rejects inverted and empty windows on the end field', () => {
    expect(windowProblems([{ weekday: 1, start: '12:00', end: '09:00' }], 'weekly')).toEqual([
      { field: 'weekly[0].end', problems: [expect.stringContaining('must be after start')] },
    ]);
    expect(windowProblems([{ start: '09:00', end: '09:00' }], 'windows')[0].field).toBe('windows[0].end');
  });

  it('rejects overlaps on the same weekday, naming the later window and the one it overlaps', () => {
    const problems = windowProblems(
      [
        { weekday: 2, start: '13:00', end: '15:00' },
        { weekday: 2, start: '09:00', end: '13:30' },
        { weekday: 3, start: '09:00', end: '13:30' },
      ],
      'weekly',
    );
    expect(problems).toEqual([{ field: 'weekly[0]', problems: ['overlaps weekly[1] (09:00-13:30)'] }]);
  });

  it('treats windows without a weekday (one date) as one day', () => {
    expect(windowProblems([{ start: '09:00', end: '11:00' }, { start: '10:00', end: '12:00' }], 'windows')).toHaveLength(1);
  });
});
