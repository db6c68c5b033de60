import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { DomainError, ErrorBody, errorBody, fromPostgresError, isConnectionFailure, RETRY_AFTER_SECONDS } from './errors.js';

/** Mirrors the limit app.ts gives the JSON body parser. */
export const JSON_BODY_LIMIT = '100kb';

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
};

/** Turns anything thrown into the single error shape from DESIGN.md. */
export function toErrorBody(exception: unknown): ErrorBody | undefined {
  if (exception instanceof DomainError) {
    return errorBody(exception.status, exception.code, exception.message, exception.details);
  }
  if (exception instanceof QueryFailedError) {
    if (isConnectionFailure(exception)) return unavailableBody();
    const mapped = fromPostgresError(exception.driverError as { code?: string });
    return mapped ? errorBody(mapped.status, mapped.code, mapped.message, mapped.details) : undefined;
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const cause = exception.cause as { type?: string } | undefined;
    if (status === 413) {
      return errorBody(413, 'payload_too_large', `The request body is larger than the limit of ${JSON_BODY_LIMIT}`, {
        field: 'body',
        limit: JSON_BODY_LIMIT,
      });
    }
    if (status === 400 && (cause?.type === 'entity.parse.failed' || cause instanceof SyntaxError)) {
      return errorBody(400, 'invalid_json', `The request body is not valid JSON: ${exception.message}`, { field: 'body' });
    }
    const res = exception.getResponse();
    const message =
      typeof res === 'string' ? res : Array.isArray((res as { message?: unknown }).message)
        ? ((res as { message: string[] }).message).join('; ')
        : String((res as { message?: unknown }).message ?? exception.message);
    return errorBody(status, HTTP_CODES[status] ?? 'error', message);
  }
  // body-parser errors carry `type` and `status`
  const e = exception as { type?: string; status?: number; limit?: number };
  if (e && typeof e === 'object' && typeof e.type === 'string') {
    if (e.type === 'entity.too.large') {
      return errorBody(413, 'payload_too_large', `The request body is larger than the limit of ${e.limit} bytes`, {
        field: 'body',
        limit: e.limit,
      });
    }
    if (e.type === 'entity.parse.failed') {
      return errorBody(400, 'invalid_json', 'The request body is not valid JSON', { field: 'body' });
    }
    if (e.status && e.status >= 400 && e.status < 500) {
      return errorBody(e.status, HTTP_CODES[e.status] ?? 'bad_request', `The request body could not be read (${e.type})`, {
        field: 'body',
      });
    }
  }
  if (isConnectionFailure(exception)) return unavailableBody();
  return undefined;
}

/** The database (or another connection the request needs) cannot be reached: 503, try again shortly. */
function unavailableBody(): ErrorBody {
  return errorBody(503, 'unavailable', 'The service cannot reach its database right now; try again in a few seconds', {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
}

/** Headers an error response carries besides its body: `Retry-After` on every 503. */
export function errorHeaders(body: ErrorBody): Record<string, string> {
  return body.statusCode === 503 ? { 'Retry-After': String(RETRY_AFTER_SECONDS) } : {};
}

const errorLogger = new Logger('Errors');

/** The error body for anything thrown; server faults (unknown errors and 5xx) are logged here, once. */
export function errorBodyLogged(exception: unknown): ErrorBody {
  const body = toErrorBody(exception);
  if (!body) {
    errorLogger.error({ err: exception }, 'Unhandled error');
    return errorBody(500, 'internal', 'Something went wrong on our side; it has been logged');
  }
  if (body.code === 'unavailable') errorLogger.warn({ err: exception }, body.message);
  else if (body.statusCode >= 500) errorLogger.error({ err: exception }, body.message);
  return body;
}

@Catch()
export class AllErrorsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = errorBodyLogged(exception);
    if (res.headersSent) return;
    res.set(errorHeaders(body)).status(body.statusCode).json(body);
  }
}
