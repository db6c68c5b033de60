/**
 * The paging fields every list query shares (`limit`, `cursor`) and the error a bad cursor gives.
 * Responses carry `nextCursor`: the cursor of the next page, or null on the last one.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { CursorError, decodeCursor } from './cursor.js';
import { DomainError } from './errors.js';
import { Optional, validationError } from './validation.js';

/** `limit`: how many items a page holds, 1..max, `def` when absent. */
export function PageLimit(def: number, max: number, what = 'items'): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: Number, minimum: 1, maximum: max, default: def, description: `How many ${what} one page holds (1 to ${max}; default ${def})` }),
    Optional(),
    Type(() => Number),
    IsInt({ message: `limit must be a whole number from 1 to ${max}` }),
    Min(1, { message: `limit must be a whole number from 1 to ${max}` }),
    Max(max, { message: `limit must be a whole number from 1 to ${max}` }),
  );
}

/** `cursor`: the `nextCursor` of the previous page, with the same other parameters. */
export function PageCursor(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: String, description: 'The nextCursor of the previous page; repeat the other parameters unchanged. Absent: the first page.' }),
    Optional(),
    IsString({ message: 'cursor must be the nextCursor of a previous page' }),
    Length(1, 1024, { message: 'cursor must be the nextCursor of a previous page' }),
  );
}

/** The description every response's `nextCursor` carries in the OpenAPI document. */
export const NEXT_CURSOR_DOC = {
  type: String,
  nullable: true,
  description: 'Pass as `cursor` (with the same other parameters) for the next page; null on the last page.',
} as const;

/** The OpenAPI response of a paged list: `{<key>: [...], nextCursor}`. */
export function ApiPageResponse(key: string): MethodDecorator {
  return ApiOkResponse({
    schema: {
      type: 'object',
      required: [key, 'nextCursor'],
      properties: { [key]: { type: 'array', items: { type: 'object' } }, nextCursor: { ...NEXT_CURSOR_DOC, type: 'string' } },
    },
  });
}

/** `decodeCursor`, with a refusal turned into a 400 naming `cursor`. */
export function readCursor<P>(kind: string, scope: string, cursor: string | undefined, shape: (position: unknown[]) => P | undefined): P | undefined {
  if (cursor === undefined) return undefined;
  try {
    return decodeCursor(kind, scope, cursor, shape);
  } catch (e) {
    if (e instanceof CursorError) throw cursorRefused(e.message);
    throw e;
  }
}

export const cursorRefused = (problem: string): DomainError => validationError([{ field: 'cursor', problems: [problem] }]);

/** Every item of a paged listing, asking for page after page until `nextCursor` is null. */
export async function everyPage<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    all.push(...p.items);
    cursor = p.nextCursor ?? undefined;
  } while (cursor);
  return all;
}
