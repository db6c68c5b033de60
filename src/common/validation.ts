import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateIf, type ValidationOptions } from 'class-validator';
import { DomainError } from './errors.js';
import { dateOrInstantProblem } from './time/dates.js';
import { parseWindowBound } from './time/window-bound.js';

/**
 * An optional field: it may be left out, but when it is sent it is validated like any other, so `null`
 * is refused (class-validator's `@IsOptional()` lets `null` through to a NOT NULL column). Use this,
 * not `@IsOptional()`; the lint forbids the latter.
 */
export function Optional(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined, options);
}

/**
 * An optional field for which `null` means something the service handles (no parent, no description,
 * the default guide): it may be left out or sent as null; anything else is validated.
 */
export function OptionalOrNull(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null, options);
}

interface FieldProblem {
  field: string;
  problems: string[];
}

/** Flattens nested class-validator errors into `a.b[0].c` paths. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const path = /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      out.push({ field: path, problems: Object.values(e.constraints).map((m) => m.replace(/^property /, '')) });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, path));
  }
  return out;
}

export function validationError(fields: FieldProblem[]): DomainError {
  const message = fields.map((f) => `${f.field}: ${f.problems.join(', ')}`).join('; ');
  return new DomainError('validation_failed', message, { fields });
}

/**
 * A `from`/`to` query bound read by the one parser (`common/time/window-bound.ts`): `to` as a date takes in
 * that whole day. Anything the parser refuses is a 400 naming the field.
 */
export function windowBound(value: string, zone: string, field: 'from' | 'to'): Date {
  const at = parseWindowBound(value, zone, field === 'to' ? 'end' : 'start');
  if (!at) throw validationError([{ field, problems: [dateOrInstantProblem(field)] }]);
  return at;
}

/** The one global pipe: whitelist, forbid unknown properties, transform. */
export function buildValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => validationError(flattenValidationErrors(errors)),
  });
}
