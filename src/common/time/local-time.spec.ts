import { DateTime, IANAZone } from 'luxon';
import {
  InvalidTimeZoneError,
  cachedOffsetAt,
  clearZoneCache,
  epochToLocal,
  formatIsoDate,
  isoWeekday,
  isValidTimeZone,
  localDateTimeToEpoch,
  localToEpoch,
  mondayOf,
  parseHHmm,
  parseIsoDate,
  zoneDay,
} from './local-time.js';

/** ISO instant to epoch minutes. */
const at = (iso: string): number => Date.parse(iso) / 60_000;
const utc = (t: number): string => new Date(t * 60_000).toISOString().replace(':00.000Z', 'Z');
const hm = (h: number, m = 0): number => h * 60 + m;
const local = (zone: string, date: string, minute: number): string => utc(localDateTimeToEpoch(zone, date, minute));

describe('parseHHmm', () => {
  it('parses HH:mm to minutes of the day', () => {
    expect(parseHHmm('09:30')).toBe(570);
    expect(parseHHmm('00:00')).toBe(0);
    expect(parseHHmm('23:59')).toBe(1439);
  });

  it('accepts 24:00 only as an end', () => {
    expect(parseHHmm('24:00', 'end')).toBe(1440);
    expect(parseHHmm('24:00')).toBeNull();
    expect(parseHHmm('24:00', 'start')).toBeNull();
    expect(parseHHmm('23:00', 'end')).toBe(1380);
  });

  it.each(['24:30', '9:5', '25:00', '9:30', '09:60', '0930', '09:30:00', '', ' 09:30', '-1:00', 'ab:cd'])(
    'rejects %p with null',
    (text) => {
      expect(parseHHmm(text, 'end')).toBeNull();
    },
  );
});

describe('calendar days', () => {
  it('parses real ISO dates and rejects others', () => {
    expect(parseIsoDate('1970-01-01')).toBe(0);
    expect(parseIsoDate('2026-03-08')).toBe(Date.UTC(2026, 2, 8) / 86_400_000);
    expect(parseIsoDate('2026-02-29')).toBeNull();
    expect(parseIsoDate('2026-3-8')).toBeNull();
    expect(parseIsoDate('2026-13-01')).toBeNull();
  });

  it('formats day numbers back and knows ISO weekdays and Mondays', () => {
    const day = parseIsoDate('2026-03-08')!;
    expect(formatIsoDate(day)).toBe('2026-03-08');
    expect(isoWeekday(day)).toBe(7); // Sunday
    expect(isoWeekday(parseIsoDate('2026-06-08')!)).toBe(1);
    expect(isoWeekday(0)).toBe(4); // 1970-01-01 was a Thursday
    expect(formatIsoDate(mondayOf(day))).toBe('2026-03-02');
    expect(isoWeekday(-1)).toBe(3);
  });
});

describe('localToEpoch', () => {
  it('matches Luxon on ordinary times all year in many zones', () => {
    const zones = ['America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata', 'Asia/Kathmandu', 'UTC'];
    for (const zone of zones) {
      for (let d = 0; d < 365; d += 3) {
        const date = DateTime.fromObject({ year: 2026, month: 1, day: 1 }, { zone: 'UTC' }).plus({ days: d });
        for (const minute of [0, 9 * 60 + 15, 12 * 60, 17 * 60 + 45, 23 * 60 + 59]) {
          const expected = DateTime.fromObject(
            { year: date.year, month: date.month, day: date.day, hour: Math.floor(minute / 60), minute: minute % 60 },
            { zone },
          );
          // Skip the wall times that do not map to exactly one instant; those have their own tests.
          if (expected.hour * 60 + expected.minute !== minute) continue;
          if (expected.offset !== expected.minus({ hours: 1 }).offset) continue;
          if (expected.offset !== expected.plus({ hours: 1 }).offset) continue;
          expect(localDateTimeToEpoch(zone, date.toISODate()!, minute)).toBe(expected.toMillis() / 60_000);
        }
      }
    }
  });

  it('handles half-hour and 45-minute zones', () => {
    expect(local('Asia/Kolkata', '2026-06-10', hm(9))).toBe('2026-06-10T03:30Z');
    expect(local('Asia/Kathmandu', '2026-06-10', hm(9))).toBe('2026-06-10T03:15Z');
    expect(local('Asia/Kathmandu', '2026-06-10', 0)).toBe('2026-06-09T18:15Z');
  });

  it('24:00 is the next day 00:00', () => {
    expect(localDateTimeToEpoch('Europe/London', '2026-06-10', 1440)).toBe(
      localDateTimeToEpoch('Europe/London', '2026-06-11', 0),
    );
  });

  describe('America/New_York', () => {
    it('keeps 09:00-17:00 local across spring-forward (2026-03-08)', () => {
      expect(local('America/New_York', '2026-03-07', hm(9))).toBe('2026-03-07T14:00Z');
      expect(local('America/New_York', '2026-03-08', hm(9))).toBe('2026-03-08T13:00Z');
      expect(local('America/New_York', '2026-03-08', hm(17))).toBe('2026-03-08T21:00Z');
    });

    it('maps the nonexistent 02:00-02:59 to the first real instant, 03:00 EDT', () => {
      expect(local('America/New_York', '2026-03-08', hm(1, 59))).toBe('2026-03-08T06:59Z');
      expect(local('America/New_York', '2026-03-08', hm(2))).toBe('2026-03-08T07:00Z');
      expect(local('America/New_York', '2026-03-08', hm(2, 30))).toBe('2026-03-08T07:00Z');
      expect(local('America/New_York', '2026-03-08', hm(3))).toBe('2026-03-08T07:00Z');
      expect(local('America/New_York', '2026-03-08', hm(3, 30))).toBe('2026-03-08T07:30Z');
    });

    it('maps the repeated 01:00-01:59 on fall-back (2026-11-01) to the earlier instant (EDT)', () => {
      expect(local('America/New_York', '2026-11-01', hm(0, 59))).toBe('2026-11-01T04:59Z');
      expect(local('America/New_York', '2026-11-01', hm(1, 30))).toBe('2026-11-01T05:30Z');
      expect(local('America/New_York', '2026-11-01', hm(2))).toBe('2026-11-01T07:00Z');
      expect(local('America/New_York', '2026-11-01', hm(9))).toBe('2026-11-01T14:00Z');
      expect(local('America/New_York', '2026-10-31', hm(9))).toBe('2026-10-31T13:00Z');
    });

    it('describes transition days with their real length', () => {
      const spring = zoneDay('America/New_York', parseIsoDate('2026-03-08')!);
      expect(spring.end - spring.start).toBe(23 * 60);
      expect(spring.transition).toEqual({ at: at('2026-03-08T07:00Z'), offsetAfter: -240 });
      const fall = zoneDay('America/New_York', parseIsoDate('2026-11-01')!);
      expect(fall.end - fall.start).toBe(25 * 60);
      expect(fall.offset).toBe(-240);
      expect(fall.transition).toEqual({ at: at('2026-11-01T06:00Z'), offsetAfter: -300 });
      expect(zoneDay('America/New_York', parseIsoDate('2026-11-02')!).transition).toBeNull();
    });
  });

  describe('Europe/London', () => {
    it('spring-forward 2026-03-29: 01:00-01:59 does not exist', () => {
      expect(local('Europe/London', '2026-03-29', hm(0, 30))).toBe('2026-03-29T00:30Z');
      expect(local('Europe/London', '2026-03-29', hm(1, 30))).toBe('2026-03-29T01:00Z');
      expect(local('Europe/London', '2026-03-29', hm(2))).toBe('2026-03-29T01:00Z');
      expect(local('Europe/London', '2026-03-29', hm(9))).toBe('2026-03-29T08:00Z');
    });

    it('fall-back 2026-10-25: 01:00-01:59 happens twice, the earlier (BST) wins', () => {
      expect(local('Europe/London', '2026-10-25', hm(1, 30))).toBe('2026-10-25T00:30Z');
      expect(local('Europe/London', '2026-10-25', hm(2))).toBe('2026-10-25T02:00Z');
      expect(local('Europe/London', '2026-10-25', hm(9))).toBe('2026-10-25T09:00Z');
    });
  });

  describe('Australia/Sydney (southern hemisphere)', () => {
    it('fall-back 2026-04-05: 02:00-02:59 repeats; the earlier (AEDT) wins', () => {
      expect(local('Australia/Sydney', '2026-04-05', hm(2, 30))).toBe('2026-04-04T15:30Z');
      expect(local('Australia/Sydney', '2026-04-05', hm(3))).toBe('2026-04-04T17:00Z');
      expect(local('Australia/Sydney', '2026-04-04', hm(9))).toBe('2026-04-03T22:00Z');
      expect(local('Australia/Sydney', '2026-04-05', hm(9))).toBe('2026-04-04T23:00Z');
    });

    it('spring-forward 2026-10-04: 02:00-02:59 does not exist', () => {
      expect(local('Australia/Sydney', '2026-10-04', hm(2, 30))).toBe('2026-10-03T16:00Z');
      expect(local('Australia/Sydney', '2026-10-03', hm(9))).toBe('2026-10-02T23:00Z');
      expect(local('Australia/Sydney', '2026-10-04', hm(9))).toBe('2026-10-03T22:00Z');
    });
  });
});

describe('epochToLocal', () => {
  it('inverts localToEpoch, including both passes of a repeated hour', () => {
    const zone = 'America/New_York';
    const day = parseIsoDate('2026-11-01')!;
    expect(epochToLocal(zone, at('2026-11-01T05:30Z'))).toEqual({ day, minuteOfDay: hm(1, 30) });
    expect(epochToLocal(zone, at('2026-11-01T06:30Z'))).toEqual({ day, minuteOfDay: hm(1, 30) });
    expect(epochToLocal('Asia/Kathmandu', at('2026-06-09T18:15Z'))).toEqual({
      day: parseIsoDate('2026-06-10')!,
      minuteOfDay: 0,
    });
    expect(cachedOffsetAt(zone, at('2026-11-01T05:59Z'))).toBe(-240);
    expect(cachedOffsetAt(zone, at('2026-11-01T06:00Z'))).toBe(-300);
  });
});

describe('zone day cache', () => {
  it('does not call Luxon again for a cached day', () => {
    clearZoneCache();
    const original = IANAZone.prototype.offset;
    let calls = 0;
    IANAZone.prototype.offset = function (this: IANAZone, ts: number) {
      calls++;
      return original.call(this, ts);
    };
    try {
      const day = parseIsoDate('2026-06-10')!;
      localToEpoch('Europe/London', day, hm(9));
      const afterMiss = calls;
      expect(afterMiss).toBeGreaterThan(0);
      for (let m = 0; m <= 1440; m += 15) localToEpoch('Europe/London', day, m);
      expect(calls).toBe(afterMiss);
      const fall = parseIsoDate('2026-10-25')!;
      localToEpoch('Europe/London', fall, 0);
      const afterTransitionMiss = calls;
      for (let m = 0; m <= 1440; m += 15) localToEpoch('Europe/London', fall, m);
      expect(calls).toBe(afterTransitionMiss);
      expect(afterTransitionMiss).toBeGreaterThan(afterMiss);
    } finally {
      IANAZone.prototype.offset = original;
    }
  });

  it('rejects unknown zones with a typed error', () => {
    expect(() => localToEpoch('Mars/Olympus_Mons', 0, 0)).toThrow(InvalidTimeZoneError);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('Asia/Kathmandu')).toBe(true);
    expect(() => localDateTimeToEpoch('UTC', '2026-02-30', 0)).toThrow(RangeError);
  });
});
