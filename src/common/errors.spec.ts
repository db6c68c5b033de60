import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { toErrorBody } from './error.filter.js';
import { DomainError, ERROR_STATUS, fromPostgresError } from './errors.js';

const pgError = (code: string, extra: Record<string, string> = {}) => new QueryFailedError('SELECT 1', [], Object.assign(new Error('pg'), { code, ...extra }));

describe('database errors', () => {
  it('maps unique and exclusion violations to 409 and bad text representations to 400', () => {
    expect(fromPostgresError({ code: '23505', constraint: 'users_email_lower_key' })).toMatchObject({ code: 'conflict', status: 409, details: { constraint: 'users_email_lower_key' } });
    expect(fromPostgresError({ code: '23P01', constraint: 'periods_no_overlap' })).toMatchObject({ code: 'conflict', status: 409 });
    expect(fromPostgresError({ code: '22P02' })).toMatchObject({ code: 'invalid_value', status: 400 });
    expect(fromPostgresError({ code: '22007' })?.status).toBe(400);
    expect(fromPostgresError({ code: '40001' })).toBeUndefined();
  });

  it('maps every data exception (class 22) and a not-null violation to 400, naming the column when PostgreSQL gives it', () => {
    for (const code of ['22008', '22009', '22021', '22P05', '22001', '22023', '2200G']) {
      expect(fromPostgresError({ code })).toMatchObject({ code: 'invalid_value', status: 400 });
    }
    expect(fromPostgresError({ code: '23502', column: 'time_zone' })).toMatchObject({ code: 'invalid_value', status: 400, details: { field: 'time_zone' }, message: 'time_zone must not be null' });
    expect(fromPostgresError({ code: '23502' })?.status).toBe(400);
    expect(fromPostgresError({ code: '21000' })).toBeUndefined();
  });

  it('turns a QueryFailedError into the error shape, and leaves unknown ones to the 500 path', () => {
    expect(toErrorBody(pgError('23505'))).toMatchObject({ statusCode: 409, error: 'Conflict', code: 'conflict' });
    expect(toErrorBody(pgError('22P02'))).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'invalid_value' });
    expect(toErrorBody(pgError('57014'))).toBeUndefined();
  });
});

describe('toErrorBody', () => {
  it('keeps a domain error’s code and details', () => {
    expect(toErrorBody(new DomainError('slot_unavailable', 'taken', { reason: 'slot_full' }))).toEqual({
      statusCode: 409,
      error: 'Conflict',
      code: 'slot_unavailable',
      message: 'taken',
      details: { reason: 'slot_full' },
    });
  });

  it('names the body for an oversize or malformed body', () => {
    expect(toErrorBody(new PayloadTooLargeException())).toMatchObject({ statusCode: 413, code: 'payload_too_large', details: { field: 'body' } });
    expect(toErrorBody(new BadRequestException('Unexpected token', { cause: new SyntaxError('x') }))).toMatchObject({ statusCode: 400, code: 'invalid_json' });
  });

  it('has an HTTP status for every code', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) expect(toErrorBody(new DomainError(code as keyof typeof ERROR_STATUS, 'x'))?.statusCode).toBe(status);
  });
});
