/**
 * Opaque page cursors for keyset paging: a cursor names the position of the last item a page held
 * and the query it came from, so the next page starts right after it (no gaps, no duplicates) and a
 * cursor cannot be replayed against other query parameters.
 *
 * Format: `<base64url(JSON [kind, scope, ...position])>.<base64url(check)>`, where `scope` is a short
 * digest of the query's parameters and `check` a digest of the whole payload. The check catches a
 * cursor that was cut, altered or made up by hand; it is not a secret (a forged position only moves
 * where the next page starts: every query still applies its own access rules). Pure: no clock, no I/O.
 */
import { createHash } from 'node:crypto';

export type CursorPosition = readonly (string | number)[];

/** Why a cursor was refused; callers turn it into a 400 naming the `cursor` field. */
export class CursorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CursorError';
  }
}

const MAX_CURSOR_LENGTH = 1024;
const SHAPE = /^[A-Za-z0-9_-]{4,1000}\.[A-Za-z0-9_-]{16}$/;

const digest = (text: string, bytes: number) => createHash('sha256').update(text).digest().subarray(0, bytes);

/** A short digest of a query's parameters; property order does not matter, absent and undefined are the same. */
export function cursorScope(params: Record<string, unknown>): string {
  const canonical = Object.keys(params)
    .filter((k) => params[k] !== undefined && params[k] !== null && params[k] !== '')
    .sort()
    .map((k) => [k, params[k]]);
  return digest(JSON.stringify(canonical), 9).toString('base64url');
}

function check(payload: string): string {
  return digest(`ridealong-cursor\u0000${payload}`, 12).toString('base64url');
}

/** The cursor for the position after which the next page of `kind` starts, for the query with this scope. */
export function encodeCursor(kind: string, scope: string, position: CursorPosition): string {
  const payload = Buffer.from(JSON.stringify([kind, scope, ...position]), 'utf8').toString('base64url');
  return `${payload}.${check(payload)}`;
}

/**
 * The position a cursor names, after checking that it is intact, of this `kind` and made for the query
 * with this `scope`; `shape` checks the position's values (types, formats) and returns it typed.
 * Throws a CursorError otherwise.
 */
export function decodeCursor<P>(kind: string, scope: string, cursor: string, shape: (position: unknown[]) => P | undefined): P {
  if (cursor.length > MAX_CURSOR_LENGTH || !SHAPE.test(cursor)) throw new CursorError('cursor is not one this service gave out');
  const [payload, mac] = cursor.split('.');
  if (check(payload) !== mac) throw new CursorError('cursor is not one this service gave out (it was altered or cut)');
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('cursor is not one this service gave out');
  }
  if (!Array.isArray(parts) || parts.length < 2 || parts[0] !== kind) throw new CursorError(`cursor does not belong to this list (${kind})`);
  if (parts[1] !== scope) throw new CursorError('cursor was made for other query parameters: repeat the first request with the same parameters');
  const position = shape(parts.slice(2));
  if (position === undefined) throw new CursorError('cursor is not one this service gave out');
  return position;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Position shapes the lists use. */
export const positions = {
  /** `[instant, uuid]`: an instant to the microsecond, `2027-03-08T09:00:00.000000Z` (what a repository reads with to_char), and a row id. */
  instantAndId(p: unknown[]): { at: string; id: string } | undefined {
    const [at, id] = p;
    return p.length === 2 && typeof at === 'string' && INSTANT.test(at) && typeof id === 'string' && UUID.test(id) ? { at, id } : undefined;
  },
  /** `[epoch minute, uuid]`: a slot (start, rep). */
  minuteAndId(p: unknown[]): { minute: number; id: string } | undefined {
    const [minute, id] = p;
    return p.length === 2 && Number.isSafeInteger(minute) && typeof id === 'string' && UUID.test(id) ? { minute: minute as number, id } : undefined;
  },
  /** `[bigint id as digits]`. */
  serial(p: unknown[]): { id: string } | undefined {
    const [id] = p;
    return p.length === 1 && typeof id === 'string' && /^[1-9]\d{0,18}$/.test(id) ? { id } : undefined;
  },
};

