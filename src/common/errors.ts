/**
 * Domain errors carry a code; one table maps every code to its HTTP status.
 * Adding a code without a status fails to compile (`satisfies Record<ErrorCode, number>`).
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  invalid_value: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  email_taken: 409,
  last_lifecycle_user: 409,
  slot_unavailable: 409,
  marketer_conflict: 409,
  rep_weekly_cap: 409,
  same_rep_limit: 409,
  outside_notice: 409,
  not_on_roster: 409,
  not_enrolled: 409,
  quota_reached: 409,
  outside_horizon: 409,
  slot_available: 409,
  period_overlap: 409,
  invalid_state: 409,
  shift_full: 409,
  time_off: 409,
  one_shift_per_day: 409,
  shift_started: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_mismatch: 422,
  calendar_unreadable: 422,
  unprocessable: 422,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string, id?: string) =>
  new DomainError('not_found', id ? `${what} ${id} was not found` : `${what} was not found`, id ? { id } : {});

export const forbidden = (message = 'You may not do this') => new DomainError('forbidden', message);

/** The one error body every failing response carries. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  details: Record<string, unknown>;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function errorBody(statusCode: number, code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { statusCode, error: REASONS[statusCode] ?? 'Error', code, message, details };
}

/** Seconds a client is asked to wait (`Retry-After`) when the service answers 503 `unavailable`. */
export const RETRY_AFTER_SECONDS = 5;

/** Socket errors of a database connection that is refused, cut or silent. */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** SQLSTATEs of a server that is going away or not taking connections (class 08 is matched by prefix). */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** What node-postgres and pg-pool say when a connection ends, times out or cannot be used. */
const CONNECTION_MESSAGES = [
  /^Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /^Query read timeout$/i,
  /Client has encountered a connection error and is not queryable/i,
  /^Client was closed and is not queryable$/i,
  /^Cannot use a pool after calling end on the pool$/i,
];

/**
 * Whether an error (or the driver error inside it, or an AggregateError's parts) means the database cannot be
 * reached: refused, reset, timed out, shutting down or starting up. Such a request answers 503 `unavailable`.
 */
export function isConnectionFailure(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (CONNECTION_ERRNOS.has(e.code) || UNAVAILABLE_SQLSTATES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code))) {
    return true;
  }
  if (typeof e.message === 'string' && CONNECTION_MESSAGES.some((re) => re.test(e.message as string))) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isConnectionFailure(x, depth + 1))) return true;
  return isConnectionFailure(e.driverError, depth + 1) || isConnectionFailure(e.cause, depth + 1);
}

/** Maps a PostgreSQL error (by SQLSTATE) to a client error, or undefined for a server fault. */
export function fromPostgresError(err: { code?: string; detail?: string; constraint?: string; column?: string }): DomainError | undefined {
  switch (err.code) {
    case '23505':
      return new DomainError('conflict', `Already exists${err.constraint ? ` (${err.constraint})` : ''}`, {
        constraint: err.constraint,
      });
    case '23P01':
      return new DomainError('conflict', `Conflicts with an existing row${err.constraint ? ` (${err.constraint})` : ''}`, {
        constraint: err.constraint,
      });
    case '23502':
      // not_null_violation: a value the request left null or out reached a column that needs one
      return new DomainError('invalid_value', `${err.column ?? 'A value'} must not be null`, err.column ? { field: err.column } : {});
    case '23503':
      return new DomainError('not_found', 'A referenced row does not exist', { constraint: err.constraint });
    case '23514':
      return new DomainError('invalid_value', `A value breaks a rule${err.constraint ? ` (${err.constraint})` : ''}`, {
        constraint: err.constraint,
      });
    default:
      // Class 22, data exception (22P02 bad text, 22007/22008 bad or overflowing date-time, 22003 number out
      // of range, 22021/22P05 NUL and bad encoding, ...): the request carried a value PostgreSQL cannot take.
      if (err.code?.startsWith('22')) {
        return new DomainError('invalid_value', 'A value has the wrong form or is out of range', {
          detail: err.detail,
          ...(err.column ? { field: err.column } : {}),
        });
      }
      return undefined;
  }
}
