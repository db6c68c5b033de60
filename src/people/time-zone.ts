import { registerDecorator, ValidationOptions } from 'class-validator';
import { IANAZone } from 'luxon';

/** True for a real IANA zone name (Europe/Berlin, Asia/Kathmandu, UTC), false for offsets and made-up names. */
export function isIanaZone(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && /^[A-Za-z]/.test(value) && IANAZone.isValidZone(value);
}

export function IsIanaZone(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isIanaZone',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be an IANA time zone such as Europe/Berlin`, ...options },
      validator: { validate: isIanaZone },
    });
}
