import { DateTime } from 'luxon';
import { localIso, utcIso } from './local-format.js';

describe('localIso', () => {
  const zones = ['America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'UTC'];
  it('writes the same local time and offset as Luxon, across a year of DST changes', () => {
    const start = Date.UTC(2026, 10, 22) / 60_000;
    for (const zone of zones) {
      for (let t = start; t < start + 400 * 1440; t += 97) {
        const expected = DateTime.fromMillis(t * 60_000, { zone }).toISO({ suppressMilliseconds: true, includeOffset: true })!;
        expect(localIso(t, zone)).toBe(expected);
      }
    }
  });

  it('gives known examples', () => {
    const t = Date.UTC(2027, 2, 14, 13, 0) / 60_000; // 2027-03-14 13:00Z, New York just sprang forward
    expect(localIso(t, 'America/New_York')).toBe('2027-03-14T09:00:00-04:00');
    expect(localIso(t, 'Asia/Kathmandu')).toBe('2027-03-14T18:45:00+05:45');
    expect(utcIso(t)).toBe('2027-03-14T13:00:00.000Z');
  });
});
