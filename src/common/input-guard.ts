import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { validationError } from './validation.js';

/** How deep objects and arrays may nest in a body; the API's own shapes use fewer than five levels. */
export const MAX_INPUT_DEPTH = 32;

/** Keys that name the prototype machinery of JavaScript objects: never a field of this API. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface InputProblem {
  /** `email`, `answers.quotes[0].text`, `query.from`, `path`; `body` when the body as a whole is refused. */
  field: string;
  problem: string;
}

/** With the u flag a surrogate pair reads as one code point, so only a lone half matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Text PostgreSQL and the validators can take: no NUL character and no lone UTF-16 surrogate. */
function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode text (it holds a lone UTF-16 surrogate)';
  return undefined;
}

const join = (prefix: string, key: string, inArray: boolean) => (inArray ? `${prefix}[${key}]` : prefix ? `${prefix}.${key}` : key);

/**
 * The first thing in a parsed request input (a body, the query, the path parameters) that no handler
 * should see: a string or key holding NUL or a lone surrogate, a reserved key, or nesting deeper than
 * `maxDepth`. Walks with its own stack, so a body nested thousands of levels cannot overflow it.
 * `root` prefixes the field paths (`query` gives `query.from`); '' names body fields as the API does.
 */
export function findInputProblem(value: unknown, root = '', maxDepth = MAX_INPUT_DEPTH): InputProblem | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (stack.length) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { field: path || 'body', problem };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return { field: root || 'body', problem: `must not nest objects and arrays deeper than ${maxDepth} levels` };
    const inArray = Array.isArray(v);
    for (const key of Object.keys(v)) {
      const field = join(path, key, inArray);
      const keyProblem = textProblem(key);
      if (keyProblem) return { field: join(path, JSON.stringify(key).slice(1, -1), inArray), problem: `name ${keyProblem}` };
      if (!inArray && RESERVED_KEYS.has(key)) return { field, problem: 'should not exist' };
      stack.push({ value: (v as Record<string, unknown>)[key], path: field, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * The first gate of every route, before the guards of the controllers and before any pipe or validator:
 * gives handlers an object body when none was sent (a form POST without a body), and refuses input no
 * handler should see (see findInputProblem) with 400 `validation_failed` naming the field.
 */
@Injectable()
export class InputGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    if (req.body === undefined || req.body === null) req.body = {};
    const problem =
      findInputProblem(req.params, 'path') ?? findInputProblem(req.query, 'query') ?? findInputProblem(req.body, '');
    if (problem) throw validationError([{ field: problem.field, problems: [`${problem.field} ${problem.problem}`] }]);
    return true;
  }
}
