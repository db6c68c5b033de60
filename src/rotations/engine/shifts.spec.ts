import { epochToLocal, formatIsoDate } from '../../common/time/local-time.js';
import { MAX_EXPANSION_DAYS, RotationInputError, type ShiftTemplate, expandShifts } from './shifts.js';

/** ISO instant to epoch minutes, and back (compact, for readable expectations). */
const at = (iso: string): number => Date.parse(iso) / 60_000;
const utc = (t: number): string => new Date(t * 60_000).toISOString().replace(':00.000Z', 'Z');
const localHHmm = (zone: string, t: number): string => {
  const m = epochToLocal(zone, t).minuteOfDay;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

function tpl(id: string, weekday: number, start: string, end: string, over: Partial<ShiftTemplate> = {}): ShiftTemplate {
  return { id, weekday, start, end, timeZone: 'UTC', queue: 'support', capacity: 2, ...over };
}
const everyDay = (id: string, start: string, end: string, timeZone: string): ShiftTemplate[] =>
  [1, 2, 3, 4, 5, 6, 7].map((weekday) => tpl(`${id}-${weekday}`, weekday, start, end, { timeZone }));

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RangeError);
    expect(e).toBeInstanceOf(RotationInputError);
    const field = (e as RotationInputError).field;
    expect((e as Error).message).toContain(field);
    return field;
  }
  throw new Error('expected a RotationInputError');
}

describe('expandShifts', () => {
  it('expands weekly templates per local date, both ends included, sorted by start then key', () => {
    // 2026-03-02 is a Monday.
    const shifts = expandShifts(
      [tpl('wed-pm', 3, '13:00', '17:00'), tpl('mon-am', 1, '09:00', '12:00', { capacity: 3, queue: 'billing' }), tpl('wed-am', 3, '09:00', '12:00')],
      '2026-03-02',
      '2026-03-09',
    );
    expect(shifts.map((s) => s.key)).toEqual(['mon-am@2026-03-02', 'wed-am@2026-03-04', 'wed-pm@2026-03-04', 'mon-am@2026-03-09']);
    expect(shifts[0]).toEqual({
      key: 'mon-am@2026-03-02',
      templateId: 'mon-am',
      date: '2026-03-02',
      start: at('2026-03-02T09:00Z'),
      end: at('2026-03-02T12:00Z'),
      queue: 'billing',
      capacity: 3,
      localStartMinute: 540,
      weekday: 1,
      timeZone: 'UTC',
    });
  });

  it('uses each template zone for its dates and weekdays', () => {
    // Monday 08:00 in Auckland (UTC+13 in March) is Sunday 19:00Z.
    const [s] = expandShifts([tpl('akl', 1, '08:00', '10:00', { timeZone: 'Pacific/Auckland' })], '2026-03-02', '2026-03-02');
    expect(s.date).toBe('2026-03-02');
    expect(utc(s.start)).toBe('2026-03-01T19:00Z');
    expect(s.weekday).toBe(1);
  });

  it('keeps 09:00 local through the spring-forward and fall-back weeks of New York (the instants move)', () => {
    const zone = 'America/New_York';
    const spring = expandShifts(everyDay('ny', '09:00', '13:00', zone), '2026-03-05', '2026-03-11');
    expect(spring.map((s) => utc(s.start))).toEqual([
      '2026-03-05T14:00Z',
      '2026-03-06T14:00Z',
      '2026-03-07T14:00Z',
      '2026-03-08T13:00Z', // DST starts at 02:00 that Sunday
      '2026-03-09T13:00Z',
      '2026-03-10T13:00Z',
      '2026-03-11T13:00Z',
    ]);
    for (const s of spring) {
      expect(localHHmm(zone, s.start)).toBe('09:00');
      expect(localHHmm(zone, s.end)).toBe('13:00');
      expect(s.end - s.start).toBe(240);
      expect(formatIsoDate(epochToLocal(zone, s.start).day)).toBe(s.date);
    }
    const fall = expandShifts(everyDay('ny', '09:00', '13:00', zone), '2026-10-29', '2026-11-04');
    expect(fall.map((s) => utc(s.start))).toEqual([
      '2026-10-29T13:00Z',
      '2026-10-30T13:00Z',
      '2026-10-31T13:00Z',
      '2026-11-01T14:00Z', // DST ends at 02:00 that Sunday
      '2026-11-02T14:00Z',
      '2026-11-03T14:00Z',
      '2026-11-04T14:00Z',
    ]);
    for (const s of fall) expect(localHHmm(zone, s.start)).toBe('09:00');
  });

  it('keeps 09:00 local through the London spring-forward and fall-back weeks', () => {
    const zone = 'Europe/London';
    const spring = expandShifts(everyDay('ldn', '09:00', '17:00', zone), '2026-03-28', '2026-03-30');
    expect(spring.map((s) => utc(s.start))).toEqual(['2026-03-28T09:00Z', '2026-03-29T08:00Z', '2026-03-30T08:00Z']);
    const fall = expandShifts(everyDay('ldn', '09:00', '17:00', zone), '2026-10-24', '2026-10-26');
    expect(fall.map((s) => utc(s.start))).toEqual(['2026-10-24T08:00Z', '2026-10-25T09:00Z', '2026-10-26T09:00Z']);
    for (const s of [...spring, ...fall]) expect([localHHmm(zone, s.start), localHHmm(zone, s.end)]).toEqual(['09:00', '17:00']);
  });

  it('follows the gap rule on a spring-forward night: 01:30-02:30 ends at 03:00 EDT, a shift inside the gap does not exist', () => {
    const zone = 'America/New_York';
    const shifts = expandShifts(
      [tpl('night', 7, '01:30', '02:30', { timeZone: zone }), tpl('gap', 7, '02:00', '02:30', { timeZone: zone }), tpl('after', 7, '02:30', '04:00', { timeZone: zone })],
      '2026-03-08',
      '2026-03-08',
    );
    expect(shifts.map((s) => [s.key, utc(s.start), utc(s.end)])).toEqual([
      ['night@2026-03-08', '2026-03-08T06:30Z', '2026-03-08T07:00Z'], // 01:30 EST .. 03:00 EDT: 30 real minutes
      ['after@2026-03-08', '2026-03-08T07:00Z', '2026-03-08T08:00Z'], // 02:30 does not exist: from 03:00 EDT
    ]);
    expect(shifts[0].localStartMinute).toBe(90);
    // The same template a week later is an ordinary hour.
    const [next] = expandShifts([tpl('night', 7, '01:30', '02:30', { timeZone: zone })], '2026-03-15', '2026-03-15');
    expect([utc(next.start), utc(next.end)]).toEqual(['2026-03-15T05:30Z', '2026-03-15T06:30Z']);
  });

  it('takes the earlier instant for an ambiguous fall-back time: 01:00-02:00 lasts two real hours', () => {
    const [s] = expandShifts([tpl('night', 7, '01:00', '02:00', { timeZone: 'America/New_York' })], '2026-11-01', '2026-11-01');
    expect([utc(s.start), utc(s.end)]).toEqual(['2026-11-01T05:00Z', '2026-11-01T07:00Z']);
  });

  it('accepts 24:00 as an end (the next local midnight) and handles half-hour zones', () => {
    const [s] = expandShifts([tpl('late', 1, '18:30', '24:00', { timeZone: 'Asia/Kolkata' })], '2026-03-02', '2026-03-02');
    expect([utc(s.start), utc(s.end)]).toEqual(['2026-03-02T13:00Z', '2026-03-02T18:30Z']);
  });

  it('refuses bad templates with a RangeError naming the field', () => {
    const ok = tpl('a', 1, '09:00', '12:00');
    const expand = (t: Partial<ShiftTemplate>) => () => expandShifts([ok, { ...ok, id: 'b', ...t }], '2026-03-02', '2026-03-08');
    expect(fieldOf(expand({ capacity: 0 }))).toBe('templates[1].capacity');
    expect(fieldOf(expand({ capacity: 1.5 }))).toBe('templates[1].capacity');
    expect(fieldOf(expand({ end: '09:00' }))).toBe('templates[1].end');
    expect(fieldOf(expand({ end: '08:00' }))).toBe('templates[1].end');
    expect(fieldOf(expand({ end: '24:30' }))).toBe('templates[1].end');
    expect(fieldOf(expand({ start: '9:00' }))).toBe('templates[1].start');
    expect(fieldOf(expand({ start: '24:00' }))).toBe('templates[1].start');
    expect(fieldOf(expand({ timeZone: 'Mars/Olympus_Mons' }))).toBe('templates[1].timeZone');
    expect(fieldOf(expand({ weekday: 0 }))).toBe('templates[1].weekday');
    expect(fieldOf(expand({ weekday: 8 }))).toBe('templates[1].weekday');
    expect(fieldOf(expand({ queue: ' ' }))).toBe('templates[1].queue');
    expect(fieldOf(expand({ id: '' }))).toBe('templates[1].id');
    expect(fieldOf(expand({ id: 'a' }))).toBe('templates[1].id');
    expect(() => expand({ timeZone: 'Nowhere/City' })()).toThrow(/templates\[1\]\.timeZone .*Nowhere\/City/);
  });

  it('refuses bad date ranges with a RangeError naming the field', () => {
    const t = [tpl('a', 1, '09:00', '12:00')];
    expect(fieldOf(() => expandShifts(t, '2026-02-30', '2026-03-08'))).toBe('fromDate');
    expect(fieldOf(() => expandShifts(t, '2026-03-02', '03/08/2026'))).toBe('toDate');
    expect(fieldOf(() => expandShifts(t, '2026-03-09', '2026-03-08'))).toBe('toDate');
    expect(fieldOf(() => expandShifts(t, '2000-01-01', '2026-03-08'))).toBe('toDate');
    expect(expandShifts(t, '2026-01-01', formatIsoDate(Date.UTC(2026, 0, 1) / 86_400_000 + MAX_EXPANSION_DAYS - 1))).toHaveLength(523);
    expect(expandShifts([], '2026-03-02', '2026-03-08')).toEqual([]);
  });
});
