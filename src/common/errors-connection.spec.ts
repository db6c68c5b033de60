import { describe, expect, it } from '@jest/globals';
import { isConnectionFailure } from './errors.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isConnectionFailure', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08P01', '53300'])(
    'is true for code %s',
    (code) => expect(isConnectionFailure(withCode(code))).toBe(true),
  );

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
    'Cannot use a pool after calling end on the pool',
  ])('is true for the node-postgres message "%s"', (message) => expect(isConnectionFailure(new Error(message))).toBe(true));

  it('looks inside a driver error, a cause and an AggregateError', () => {
    expect(isConnectionFailure({ message: 'query failed', driverError: withCode('57P01') })).toBe(true);
    expect(isConnectionFailure(new Error('outer', { cause: withCode('ECONNRESET') }))).toBe(true);
    expect(isConnectionFailure(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], ''))).toBe(true);
  });

  it.each(['23505', '23P01', '22P02', '57014', '40001', '42P01', 'ECONNABORTED', 'ERR_HTTP_HEADERS_SENT'])('is false for code %s', (code) =>
    expect(isConnectionFailure(withCode(code))).toBe(false),
  );

  it('is false for plain errors and non-errors', () => {
    expect(isConnectionFailure(new Error('Something broke'))).toBe(false);
    expect(isConnectionFailure(new TypeError("Cannot read properties of undefined (reading 'email')"))).toBe(false);
    expect(isConnectionFailure(undefined)).toBe(false);
    expect(isConnectionFailure('ECONNREFUSED')).toBe(false);
    expect(isConnectionFailure({ type: 'request.aborted', code: 'ECONNABORTED', status: 400 })).toBe(false);
  });

  it('stops on a cycle of causes', () => {
    const a: { message: string; cause?: unknown } = { message: 'a' };
    a.cause = a;
    expect(isConnectionFailure(a)).toBe(false);
  });
});
