import { registerDecorator, ValidationOptions } from 'class-validator';
import { IANAZone } from 'luxon';

/** True for a real IANA zone name (Europe/Berlin, Asia/Kathmandu, UTC), false for offsets and made-up names. */
const known = new Set<string>();

export function isIanaZone(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (known.has(value)) return true; // Luxon builds an Intl formatter to check; zones do not stop being valid
  const ok = value.length <= 64 && /^[A-Za-z]/.test(value) && IANAZone.isValidZone(value);
  if (ok && known.size < 1000) known.add(value);
  return ok;
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
