import { describe, expect, it } from '@jest/globals';
import { findInputProblem, MAX_INPUT_DEPTH } from './input-guard.js';

/** `levels` arrays inside each other around a value. */
const nested = (levels: number, inner: unknown = 1): unknown => {
  let v = inner;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};

describe('findInputProblem', () => {
  it('passes ordinary input', () => {
    expect(findInputProblem({ email: 'ana@example.com', roles: ['rep'], n: 1, ok: true, none: null, emoji: '😀 ä' })).toBeUndefined();
    expect(findInputProblem(undefined)).toBeUndefined();
    expect(findInputProblem('plain')).toBeUndefined();
  });

  it('names a field holding a NUL character', () => {
    expect(findInputProblem({ email: 'a\u0000@example.com' })).toEqual({ field: 'email', problem: expect.stringContaining('NUL') });
    expect(findInputProblem({ a: { b: [{ c: 'ok' }, { c: 'x\u0000' }] } })).toMatchObject({ field: 'a.b[1].c' });
    expect(findInputProblem({ from: '2026\u0000' }, 'query')).toMatchObject({ field: 'query.from' });
  });

  it('names a field holding a lone surrogate, high or low, but takes pairs', () => {
    expect(findInputProblem({ email: '\ud800@example.com' })).toEqual({ field: 'email', problem: expect.stringContaining('surrogate') });
    expect(findInputProblem({ name: 'x\udc00' })).toMatchObject({ field: 'name' });
    expect(findInputProblem({ name: '\ud83d\ude00' })).toBeUndefined();
  });

  it('checks keys as well as values', () => {
    expect(findInputProblem({ 'a\u0000': 1 })).toEqual({ field: 'a\\u0000', problem: expect.stringContaining('NUL') });
  });

  it('refuses the keys of the prototype machinery anywhere, as unknown fields', () => {
    expect(findInputProblem(JSON.parse('{"repId":"x","constructor":{}}'))).toEqual({ field: 'constructor', problem: 'should not exist' });
    expect(findInputProblem(JSON.parse('{"settings":{"__proto__":{"quota":1}}}'))).toMatchObject({ field: 'settings.__proto__' });
    expect(findInputProblem({ a: [{ prototype: 1 }] })).toMatchObject({ field: 'a[0].prototype' });
    expect(findInputProblem({ constructorName: 1, proto: 2 })).toBeUndefined();
  });

  it(`allows ${MAX_INPUT_DEPTH} levels of nesting and refuses one more, naming the body`, () => {
    expect(findInputProblem(nested(MAX_INPUT_DEPTH))).toBeUndefined();
    expect(findInputProblem(nested(MAX_INPUT_DEPTH + 1))).toEqual({ field: 'body', problem: expect.stringContaining(`${MAX_INPUT_DEPTH} levels`) });
    expect(findInputProblem(nested(MAX_INPUT_DEPTH + 1), 'query')).toMatchObject({ field: 'query' });
  });

  it('walks a body nested far beyond any stack without overflowing', () => {
    expect(findInputProblem(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)))).toMatchObject({ field: 'body' });
    expect(findInputProblem(nested(100_000), '', 200_000)).toBeUndefined();
  });
});
