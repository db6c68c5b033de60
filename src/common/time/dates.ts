import { ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';
import { DateTime } from 'luxon';

/**
 * The years any date or instant the API accepts must fall in. PostgreSQL's `date` and `timestamptz`
 * reach far further, but arithmetic on them (a period's end plus a day, a horizon of weeks) overflows near
 * their edges (22008, 22009); no program plans further than this.
 */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2200;
const RANGE = `between ${MIN_YEAR}-01-01 and ${MAX_YEAR}-12-31`;

/** Whether a valid DateTime lies in the accepted years, both in its own zone and in UTC. */
export function inSaneRange(d: DateTime): boolean {
  if (!d.isValid) return false;
  const utc = d.toUTC();
  return d.year >= MIN_YEAR && d.year <= MAX_YEAR && utc.year >= MIN_YEAR && utc.year <= MAX_YEAR;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A date written yyyy-MM-dd that is a real calendar date (2026-02-30 is not one), in any year. */
function isDateShape(value: unknown): value is string {
  return typeof value === 'string' && DATE.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** A real calendar date written yyyy-MM-dd (2026-02-30 is not one) in the accepted years. */
export function isIsoDate(value: unknown): value is string {
  return isDateShape(value) && inSaneRange(DateTime.fromISO(value, { zone: 'UTC' }));
}

/**
 * Registers a shape check (with the caller's message) and a range check (with its own message) under one
 * decorator. The range check passes whatever fails the shape, so a value gets one problem, not two.
 */
function shapeAndRange(
  name: string,
  shape: (v: unknown) => boolean,
  inRange: (v: unknown) => boolean,
  message: (property: string) => string,
  options?: ValidationOptions,
) {
  return (object: object, propertyName: string) => {
    registerDecorator({
      name,
      target: object.constructor,
      propertyName,
      options: { message: message(propertyName), ...options },
      validator: { validate: shape },
    });
    registerDecorator({
      name: `${name}InRange`,
      target: object.constructor,
      propertyName,
      options: { message: (a: ValidationArguments) => `${a.property} must be ${RANGE}`, each: options?.each, groups: options?.groups },
      validator: { validate: (v: unknown) => !shape(v) || inRange(v) },
    });
  };
}

export function IsIsoDate(options?: ValidationOptions) {
  return shapeAndRange('isIsoDate', isDateShape, isIsoDate, (p) => `${p} must be a date like 2026-11-02`, options);
}

/** Today's date in a zone. */
export function todayIn(zone: string, now: Date): string {
  return DateTime.fromJSDate(now, { zone }).toISODate()!;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function isInstantShape(value: unknown): value is string {
  return typeof value === 'string' && INSTANT.test(value) && DateTime.fromISO(value, { setZone: true }).isValid;
}

/** An instant: a date-time with a UTC offset (or Z), e.g. 2027-03-15T13:00:00Z, in the accepted years. */
export function isInstant(value: unknown): value is string {
  return isInstantShape(value) && inSaneRange(DateTime.fromISO(value, { setZone: true }));
}

export function IsInstant(options?: ValidationOptions) {
  return shapeAndRange(
    'isInstant',
    isInstantShape,
    isInstant,
    (p) => `${p} must be an instant with an offset, like 2027-03-15T13:00:00Z`,
    options,
  );
}

/**
 * A query bound: a date or a date-time with an offset (2027-03-08, 2027-03-08T09:00:00-05:00 or -0500),
 * in the accepted years. The services read dates in a zone; this only decides what is acceptable.
 */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;

function isDateOrInstantShape(value: unknown): value is string {
  return isDateShape(value) || (typeof value === 'string' && DATE_TIME.test(value) && DateTime.fromISO(value, { setZone: true }).isValid);
}

export function isDateOrInstant(value: unknown): value is string {
  return isDateOrInstantShape(value) && inSaneRange(DateTime.fromISO(value, { setZone: true, zone: 'UTC' }));
}

/** The problem a value `isDateOrInstant` refuses gets (the decorator's, and the window-bound parser's). */
export const dateOrInstantProblem = (field: string): string =>
  `${field} must be a date (2027-03-08) or a date-time with an offset (2027-03-08T09:00:00-05:00)`;

export function IsDateOrInstant(options?: ValidationOptions) {
  return shapeAndRange('isDateOrInstant', isDateOrInstantShape, isDateOrInstant, dateOrInstantProblem, options);
}

/**
 * Pairs with `@IsISO8601`, which checks the shape: ISO 8601 text luxon reads (week dates, ordinal dates,
 * local date-times, signed years) must lie in the accepted years. Text it cannot read is left to the
 * shape check, so a value gets one problem, not two.
 */
export function isSaneIso(value: unknown): boolean {
  if (typeof value !== 'string') return true;
  const d = DateTime.fromISO(value, { setZone: true, zone: 'UTC' });
  return !d.isValid || inSaneRange(d);
}

export function IsSaneIso(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isSaneIso',
      target: object.constructor,
      propertyName,
      options: { message: (a: ValidationArguments) => `${a.property} must be ${RANGE}`, ...options },
      validator: { validate: isSaneIso },
    });
}
