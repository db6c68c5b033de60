/**
 * SCIM filters (RFC 7644 section 3.4.2.2): a parser to a small tree and an evaluator over SCIM JSON
 * resources. Pure: no Nest, no database. Attribute names ignore case; string comparisons ignore case
 * unless the attribute is case-exact (`id`, `externalId`, `meta.version`), as RFC 7643 defines them.
 */

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

/** An attribute path: optional schema URN, attribute, optional value filter, optional sub-attribute. */
export interface AttrPath {
  urn?: string;
  attr: string;
  filter?: Filter;
  sub?: string;
}

export type Filter =
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; expr: Filter }
  | { kind: 'pr'; path: AttrPath }
  | { kind: 'cmp'; op: CompareOp; path: AttrPath; value: FilterValue };

export class FilterSyntaxError extends Error {}

const COMPARE_OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
export const CORE_URNS = ['urn:ietf:params:scim:schemas:core:2.0:user', 'urn:ietf:params:scim:schemas:core:2.0:group'];

type Token =
  | { t: 'word'; v: string }
  | { t: 'str'; v: string }
  | { t: '(' | ')' | '[' | ']' };

function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      out.push({ t: c });
      i++;
    } else if (c === '"') {
      // A JSON string literal, escapes included.
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1;
      if (j >= input.length) throw new FilterSyntaxError('A string is not closed with "');
      try {
        out.push({ t: 'str', v: JSON.parse(input.slice(i, j + 1)) as string });
      } catch {
        throw new FilterSyntaxError(`The string ${input.slice(i, j + 1)} is not a valid JSON string`);
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < input.length && !' \t\r\n()[]"'.includes(input[j])) j++;
      out.push({ t: 'word', v: input.slice(i, j) });
      i = j;
    }
  }
  return out;
}

/** Splits `urn:...:User:name.givenName` into its URN and the rest; core URNs are dropped. */
export function splitUrn(text: string): { urn?: string; rest: string } {
  if (!/^urn:/i.test(text)) return { rest: text };
  const idx = text.lastIndexOf(':');
  const urn = text.slice(0, idx);
  const rest = text.slice(idx + 1);
  if (CORE_URNS.includes(urn.toLowerCase())) return { rest };
  return { urn, rest };
}

const ATTR_NAME = /^[A-Za-z$][\w$-]*$/;

function parseAttrWord(word: string): AttrPath {
  const { urn, rest } = splitUrn(word);
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((p) => ATTR_NAME.test(p))) throw new FilterSyntaxError(`"${word}" is not an attribute path`);
  return { ...(urn ? { urn } : {}), attr: parts[0], ...(parts[1] ? { sub: parts[1] } : {}) };
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parseAll(): Filter {
    const f = this.parseOr();
    if (this.pos < this.tokens.length) throw new FilterSyntaxError(`Unexpected ${this.describe(this.tokens[this.pos])}`);
    return f;
  }

  private describe(tok: Token | undefined): string {
    if (!tok) return 'end of filter';
    return tok.t === 'word' || tok.t === 'str' ? `"${tok.v}"` : `"${tok.t}"`;
  }

  private peekWord(): string | undefined {
    const tok = this.tokens[this.pos];
    return tok?.t === 'word' ? tok.v.toLowerCase() : undefined;
  }

  private parseOr(): Filter {
    let left = this.parseAnd();
    while (this.peekWord() === 'or') {
      this.pos++;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Filter {
    let left = this.parseUnary();
    while (this.peekWord() === 'and') {
      this.pos++;
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private expect(t: '(' | ')' | '[' | ']'): void {
    const tok = this.tokens[this.pos];
    if (tok?.t !== t) throw new FilterSyntaxError(`Expected "${t}" but found ${this.describe(tok)}`);
    this.pos++;
  }

  private parseUnary(): Filter {
    const tok = this.tokens[this.pos];
    if (tok?.t === '(') {
      this.pos++;
      const f = this.parseOr();
      this.expect(')');
      return f;
    }
    if (this.peekWord() === 'not') {
      this.pos++;
      this.expect('(');
      const expr = this.parseOr();
      this.expect(')');
      return { kind: 'not', expr };
    }
    return this.parseAttrExpr();
  }

  private parseAttrExpr(): Filter {
    const tok = this.tokens[this.pos];
    if (tok?.t !== 'word') throw new FilterSyntaxError(`Expected an attribute but found ${this.describe(tok)}`);
    this.pos++;
    let path: AttrPath;
    if (this.tokens[this.pos]?.t === '[') {
      // valuePath: emails[type eq "work"] optionally followed by .value as the next word
      const base = parseAttrWord(tok.v);
      if (base.sub) throw new FilterSyntaxError(`"${tok.v}" cannot take a [filter]`);
      this.pos++;
      const filter = this.parseOr();
      this.expect(']');
      path = { ...base, filter };
      const next = this.tokens[this.pos];
      if (next?.t === 'word' && next.v.startsWith('.')) {
        this.pos++;
        const sub = next.v.slice(1);
        if (!ATTR_NAME.test(sub)) throw new FilterSyntaxError(`".${sub}" is not a sub-attribute`);
        path.sub = sub;
      } else if (!next || next.t !== 'word' || (!COMPARE_OPS.has(next.v.toLowerCase()) && next.v.toLowerCase() !== 'pr')) {
        return valuePathOnly(path);
      }
    } else {
      path = parseAttrWord(tok.v);
    }
    const opTok = this.tokens[this.pos];
    if (opTok?.t !== 'word') throw new FilterSyntaxError(`Expected an operator after "${tok.v}" but found ${this.describe(opTok)}`);
    const op = opTok.v.toLowerCase();
    this.pos++;
    if (op === 'pr') return { kind: 'pr', path };
    if (!COMPARE_OPS.has(op)) throw new FilterSyntaxError(`"${opTok.v}" is not a filter operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)`);
    const valTok = this.tokens[this.pos];
    if (!valTok) throw new FilterSyntaxError(`"${opTok.v}" needs a value`);
    this.pos++;
    let value: FilterValue;
    if (valTok.t === 'str') value = valTok.v;
    else if (valTok.t === 'word') {
      const w = valTok.v.toLowerCase();
      if (w === 'true') value = true;
      else if (w === 'false') value = false;
      else if (w === 'null') value = null;
      else if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(valTok.v)) value = Number(valTok.v);
      else throw new FilterSyntaxError(`${valTok.v} is not a value: quote strings with "`);
    } else throw new FilterSyntaxError(`Expected a value but found "${valTok.t}"`);
    return { kind: 'cmp', op: op as CompareOp, path, value };
  }
}

/** `emails[type eq "work"]` on its own: true when some element matches. */
function valuePathOnly(path: AttrPath): Filter {
  return { kind: 'pr', path };
}

/** Parses a filter; throws FilterSyntaxError with a message fit for the client. */
export function parseFilter(text: string): Filter {
  if (text.length > 4096) throw new FilterSyntaxError('The filter is longer than 4096 characters');
  const tokens = tokenize(text);
  if (!tokens.length) throw new FilterSyntaxError('The filter is empty');
  return new Parser(tokens).parseAll();
}

/** Parses a PATCH path (`emails[type eq "work"].value`, `members[value eq "x"]`, `urn:...:employeeNumber`). */
export function parsePath(text: string): AttrPath {
  const trimmed = text.trim();
  if (!trimmed.includes('[')) return parseAttrWord(trimmed);
  const m = /^([^[\]]+)\[(.*)\](?:\.([A-Za-z$][\w$-]*))?$/s.exec(trimmed);
  if (!m) throw new FilterSyntaxError(`"${text}" is not an attribute path`);
  const base = parseAttrWord(m[1]);
  if (base.sub) throw new FilterSyntaxError(`"${m[1]}" cannot take a [filter]`);
  return { ...base, filter: parseFilter(m[2]), ...(m[3] ? { sub: m[3] } : {}) };
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation

const CASE_EXACT = new Set(['id', 'externalid', 'version']);

/** Looks a key up ignoring case. */
export function getKey(obj: Record<string, unknown>, key: string): string | undefined {
  const lower = key.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

export function getCI(obj: unknown, key: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const k = getKey(obj as Record<string, unknown>, key);
  return k === undefined ? undefined : (obj as Record<string, unknown>)[k];
}

/** The values a path reaches in a resource, flattened over multi-valued attributes. */
export function valuesAt(resource: Record<string, unknown>, path: AttrPath): unknown[] {
  const container = path.urn ? getCI(resource, path.urn) : resource;
  const top = getCI(container, path.attr);
  if (top === undefined || top === null) return [];
  let items = Array.isArray(top) ? top : [top];
  if (path.filter) items = items.filter((el) => el && typeof el === 'object' && evaluate(path.filter!, el as Record<string, unknown>));
  if (!path.sub) return items;
  const out: unknown[] = [];
  for (const el of items) {
    const v = getCI(el, path.sub);
    if (Array.isArray(v)) out.push(...v);
    else if (v !== undefined && v !== null) out.push(v);
  }
  return out;
}

function comparable(v: unknown, caseExact: boolean): string | number | boolean | null | undefined {
  if (typeof v === 'string') return caseExact ? v : v.toLowerCase();
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  return undefined;
}

function compareOne(op: CompareOp, actual: unknown, expected: FilterValue, caseExact: boolean): boolean {
  // a complex element compared directly stands for its `value` (RFC 7644: "emails co ..." )
  if (actual && typeof actual === 'object' && !Array.isArray(actual)) actual = getCI(actual, 'value');
  // booleans sent as strings ("True") compare as booleans
  if (typeof actual === 'boolean' && typeof expected === 'string' && /^(true|false)$/i.test(expected)) expected = expected.toLowerCase() === 'true';
  const a = comparable(actual, caseExact);
  const e = comparable(expected, caseExact);
  if (a === undefined) return false;
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'co':
      return typeof a === 'string' && typeof e === 'string' && a.includes(e);
    case 'sw':
      return typeof a === 'string' && typeof e === 'string' && a.startsWith(e);
    case 'ew':
      return typeof a === 'string' && typeof e === 'string' && a.endsWith(e);
    case 'gt':
      return ordered(a, e, (x, y) => x > y);
    case 'ge':
      return ordered(a, e, (x, y) => x >= y);
    case 'lt':
      return ordered(a, e, (x, y) => x < y);
    case 'le':
      return ordered(a, e, (x, y) => x <= y);
  }
}

function ordered(a: unknown, e: unknown, test: (x: string | number, y: string | number) => boolean): boolean {
  if (typeof a === 'string' && typeof e === 'string') return test(a, e);
  if (typeof a === 'number' && typeof e === 'number') return test(a, e);
  return false;
}

/** Whether a SCIM resource (or, inside a value filter, one element of a multi-valued attribute) matches. */
export function evaluate(filter: Filter, resource: Record<string, unknown>): boolean {
  switch (filter.kind) {
    case 'and':
      return evaluate(filter.left, resource) && evaluate(filter.right, resource);
    case 'or':
      return evaluate(filter.left, resource) || evaluate(filter.right, resource);
    case 'not':
      return !evaluate(filter.expr, resource);
    case 'pr':
      return valuesAt(resource, filter.path).some((v) => v !== '' && !(Array.isArray(v) && v.length === 0));
    case 'cmp': {
      const caseExact = CASE_EXACT.has((filter.path.sub ?? filter.path.attr).toLowerCase());
      const values = valuesAt(resource, filter.path);
      if (filter.op === 'ne') return !values.some((v) => compareOne('eq', v, filter.value, caseExact));
      if (filter.op === 'eq' && filter.value === null) return values.length === 0;
      return values.some((v) => compareOne(filter.op, v, filter.value, caseExact));
    }
  }
}
