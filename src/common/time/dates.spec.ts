import { describe, expect, it } from '@jest/globals';
import { validate } from 'class-validator';
import { DateTime } from 'luxon';
import { inSaneRange, isDateOrInstant, IsDateOrInstant, isInstant, IsIsoDate, isIsoDate, isSaneIso } from './dates.js';

describe('isIsoDate', () => {
  it('takes real dates from 2000 to 2200', () => {
    for (const d of ['2000-01-01', '2026-11-02', '2028-02-29', '2200-12-31']) expect(isIsoDate(d)).toBe(true);
  });
  it('refuses dates outside the years, impossible dates and other shapes', () => {
    for (const d of ['1999-12-31', '2201-01-01', '9999-10-01', '0001-01-01', '2026-02-30', '2026-1-1', '20261102', '', 20261102, null]) {
      expect(isIsoDate(d)).toBe(false);
    }
  });
});

describe('isInstant', () => {
  it('takes instants with an offset in the years', () => {
    for (const v of ['2027-03-15T13:00:00Z', '2027-03-15T13:00Z', '2027-03-15T13:00:00.123+05:30', '2200-12-31T23:59:59Z']) expect(isInstant(v)).toBe(true);
  });
  it('refuses far instants, those whose UTC time leaves the years, and local times', () => {
    for (const v of ['9999-10-01T00:00:00Z', '1970-01-01T00:00:00Z', '2200-12-31T23:00:00-05:00', '1999-12-31T23:30:00Z', '2027-03-15T13:00:00']) {
      expect(isInstant(v)).toBe(false);
    }
  });
});

describe('isDateOrInstant', () => {
  it('takes a date or a date-time with an offset written either way', () => {
    for (const v of ['2027-03-08', '2027-03-08T09:00:00-05:00', '2027-03-08T09:00-0500', '2027-03-08T09:00:00Z']) expect(isDateOrInstant(v)).toBe(true);
  });
  it('refuses the far future and past', () => {
    for (const v of ['9999-10-01', '1000-01-01', '9999-10-01T00:00:00Z', '2027-03-08T09:00', 'x']) expect(isDateOrInstant(v)).toBe(false);
  });
});

describe('isSaneIso', () => {
  it('bounds what ISO 8601 allows and leaves unreadable text to the shape check', () => {
    expect(isSaneIso('2026-W10')).toBe(true);
    expect(isSaneIso('2026-10-01T10:00')).toBe(true);
    expect(isSaneIso('9999-10-01')).toBe(false);
    expect(isSaneIso('+275760-09-13')).toBe(false);
    expect(isSaneIso('not a date')).toBe(true);
  });
});

describe('inSaneRange', () => {
  it('is false for an invalid DateTime', () => expect(inSaneRange(DateTime.invalid('x'))).toBe(false));
});

describe('the decorators', () => {
  class Dto {
    @IsIsoDate() on!: unknown;
    @IsDateOrInstant({ message: 'From must be a date' }) from!: unknown;
  }
  const problems = async (on: unknown, from: unknown) => {
    const errors = await validate(Object.assign(new Dto(), { on, from }));
    return Object.fromEntries(errors.map((e) => [e.property, Object.values(e.constraints ?? {})]));
  };

  it('give one problem for a wrong shape, with the given message', async () => {
    expect(await problems('2026-02-30', 'x')).toEqual({ on: ['on must be a date like 2026-11-02'], from: ['From must be a date'] });
  });
  it('give one problem naming the years for a date out of range', async () => {
    expect(await problems('9999-10-01', '1900-01-01')).toEqual({ on: ['on must be between 2000-01-01 and 2200-12-31'], from: ['from must be between 2000-01-01 and 2200-12-31'] });
  });
  it('pass good values', async () => expect(await problems('2026-11-02', '2026-11-02T09:00:00Z')).toEqual({}));
});
