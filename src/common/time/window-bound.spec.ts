import { describe, expect, it } from '@jest/globals';
import { isDateOrInstant } from './dates.js';
import { parseWindowBound } from './window-bound.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('parseWindowBound', () => {
  it('reads a date as 00:00 in the zone at the start, and as the next 00:00 at the end (to is inclusive of that day)', () => {
    expect(iso(parseWindowBound('2027-03-08', 'Europe/Berlin', 'start'))).toBe('2027-03-07T23:00:00.000Z');
    expect(iso(parseWindowBound('2027-03-08', 'Europe/Berlin', 'end'))).toBe('2027-03-08T23:00:00.000Z');
    expect(iso(parseWindowBound('2027-03-08', 'UTC', 'end'))).toBe('2027-03-09T00:00:00.000Z');
  });

  it('ends a day on the next local midnight across a DST change (a 23-hour day stays 23 hours)', () => {
    const start = parseWindowBound('2026-03-08', 'America/New_York', 'start')!;
    const end = parseWindowBound('2026-03-08', 'America/New_York', 'end')!;
    expect(iso(start)).toBe('2026-03-08T05:00:00.000Z');
    expect(end.getTime() - start.getTime()).toBe(23 * 3_600_000);
  });

  it('reads an instant as written, whatever the zone and the edge', () => {
    for (const zone of ['UTC', 'Asia/Kathmandu']) {
      for (const edge of ['start', 'end'] as const) {
        expect(iso(parseWindowBound('2027-03-08T09:00:00Z', zone, edge))).toBe('2027-03-08T09:00:00.000Z');
        expect(iso(parseWindowBound('2027-03-08T09:00:00+01:00', zone, edge))).toBe('2027-03-08T08:00:00.000Z');
        expect(iso(parseWindowBound('2027-03-08T09:00+0100', zone, edge))).toBe('2027-03-08T08:00:00.000Z');
        expect(iso(parseWindowBound('2027-03-08T09:00:00.250-05:00', zone, edge))).toBe('2027-03-08T14:00:00.250Z');
      }
    }
  });

  it('takes +0100 and +01:00 as the same instant', () => {
    expect(iso(parseWindowBound('2027-03-08T09:00:00+0100', 'UTC', 'start'))).toBe(iso(parseWindowBound('2027-03-08T09:00:00+01:00', 'UTC', 'start')));
  });

  it('takes the years 2000 to 2200 and nothing outside them', () => {
    expect(iso(parseWindowBound('2000-01-01', 'UTC', 'start'))).toBe('2000-01-01T00:00:00.000Z');
    expect(iso(parseWindowBound('2200-12-31', 'UTC', 'end'))).toBe('2201-01-01T00:00:00.000Z');
    expect(iso(parseWindowBound('2200-12-31T23:59:59Z', 'UTC', 'end'))).toBe('2200-12-31T23:59:59.000Z');
    for (const v of ['1999-12-31', '2201-01-01', '0001-01-01', '9999-10-01', '1999-12-31T23:59:59Z', '2201-01-01T00:00:00Z', '2200-12-31T23:00:00-05:00']) {
      expect(parseWindowBound(v, 'UTC', 'start')).toBeNull();
      expect(parseWindowBound(v, 'UTC', 'end')).toBeNull();
    }
  });

  it('refuses other shapes: local date-times, impossible dates, week dates, words', () => {
    for (const v of ['2027-03-08T09:00', '2027-03-08T09:00:00', '2027-02-30', '2027-3-8', '2027-W10', '20270308', 'yesterday', '', '2027-03-08T09:00:00+1']) {
      expect(parseWindowBound(v, 'UTC', 'start')).toBeNull();
    }
  });

  it('refuses a date in an unknown zone', () => {
    expect(parseWindowBound('2027-03-08', 'Moon/Base', 'start')).toBeNull();
  });

  it('accepts exactly what the DTO check @IsDateOrInstant lets through (for a known zone)', () => {
    const samples = [
      '2027-03-08', '2027-03-08T09:00:00-05:00', '2027-03-08T09:00-0500', '2027-03-08T09:00:00Z', '2027-03-08T09:00:00.1+14:00',
      '2027-03-08T09:00', '2027-02-29', '1999-12-31', '2201-01-01T00:00:00Z', 'x', '2027-03-08T25:00:00Z', '2027-03-08T09:00:00+2500',
    ];
    for (const v of samples) expect([v, parseWindowBound(v, 'Europe/Berlin', 'start') !== null]).toEqual([v, isDateOrInstant(v)]);
  });
});
