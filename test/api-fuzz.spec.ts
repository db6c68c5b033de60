import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import fc from 'fast-check';
import { PAGE_CONTROLLERS } from '../src/web/page-controllers.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { fingerprint } from './support/fingerprint.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, rosterRep, type Person } from './support/fixtures.js';
import { webSession, type WebSession } from './support/web.js';

/**
 * Property-based: every operation of the OpenAPI document and every page form, sent malformed input
 * generated from its schema as each role. No answer may be a 5xx, and an answer of 4xx must leave every
 * table as it was (support/fingerprint.ts). Seeded, so CI runs the same cases every time.
 */

const SEED = 12_2026;
const RUNS_PER_OPERATION = 20;
const RUNS_PER_PAGE_FORM = 8;

// ------------------------------------------------------------------ the OpenAPI document

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  example?: unknown;
  allOf?: Schema[];
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  method: string;
  path: string;
  params: Parameter[];
  body?: Schema;
}
interface OpenApi {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components: { schemas: Record<string, Schema> };
}

function operations(doc: OpenApi): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method,
      path,
      params: op.parameters ?? [],
      // The JSON body's schema, the template the cases below mutate; an operation that takes another media type
      // (the CSV import's text/csv) gets no template, so it is sent the cases' JSON and raw bodies, which it refuses.
      body: op.requestBody?.content['application/json']?.schema,
    })),
  );
}

// ------------------------------------------------------------------ malformed values

/** Nested arrays around a value: deep enough to overflow a recursive transformer. */
const nested = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels));

const BAD_STRINGS = [
  '', ' ', 'x', 'a\u0000b', '\u0000', '\ud800@example.com', 'x\udfff', '9999-12-31', '0001-01-01', '+275760-09-13', '2026-02-30',
  '9999-12-31T23:59:59Z', '1900-01-01T00:00:00Z', '2027-03-15T13:00:00', '25:99', '24:00', 'Europe/Nowhere', 'NaN', '1e309', '-1',
  'not-a-uuid', '00000000-0000-4000-8000-000000000000', "'; DROP TABLE users; --", '<script>', 'ä'.repeat(300), 'x'.repeat(5000),
];
/** A value of the wrong type, null, or text no field should take. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom<unknown>(...BAD_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom<unknown>(null, 0, -1, 1.5, 1e308, -1e308, true, false, [], {}, [null], { a: 1 }, ['x', 'x']) },
  { weight: 1, arbitrary: fc.integer({ min: 33, max: 3000 }).map(nested) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
/** Query and path text, percent-encoded already: NUL, a UTF-8 lone surrogate, broken escapes, far dates. */
const RAW_TEXT = ['%00', 'a%00b', '%ED%A0%80', '%ED%A0%80%40example.com', '%', '%zz', '%C0%AF', '9999-10-01', '0001-01-01', '%2B275760-09-13', '2026-02-30', 'x', '', '-1', 'true', '1e309', encodeURIComponent('ä'.repeat(300))];
const RESERVED = ['__proto__', 'constructor', 'prototype'];
/** Text no field may hold: a NUL character, lone surrogates high and low. */
const POISON = ['a\u0000b', '\ud800@example.com', 'x\udfff'];
/** Date and instant fields and parameters, by name. */
const DATE_NAME = /^(from|to|date|week|startsOn|endsOn|startsAt|endsAt|startedOn)$/;
const FAR_DATES = ['9999-12-31', '0001-01-01', '9999-12-31T23:00:00Z', '0001-01-01T00:00:00Z', '+275760-09-13'];

/**
 * Whether a request input holds what must be refused before any handler sees it, judged here on its own
 * (not with the app's code): a NUL or lone surrogate in a string or key, a reserved key, nesting deeper than 32.
 */
function poisoned(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000') || /\p{Cs}/u.test(value);
  if (value === null || typeof value !== 'object') return false;
  if (depth >= 32) return true;
  return Object.entries(value).some(([k, v]) => RESERVED.includes(k) || poisoned(k) || poisoned(v, depth + 1));
}

// ------------------------------------------------------------------ plausible values, to get past the first check

/** Real ids by the path segment before them, and the ids of the fixtures the fields name. */
interface Ids {
  bySegment: Record<string, string[]>;
  rep: string;
  marketer: string;
  program: string;
  period: string;
  theme: string;
  any: string[];
}

function plausible(schema: Schema | undefined, name: string, ids: Ids, doc: OpenApi, depth = 0): unknown {
  const s = resolve(schema, doc);
  if (!s || depth > 6) return undefined;
  if (s.enum?.length) return s.enum[0];
  if (s.type === 'array') return [plausible(s.items, name, ids, doc, depth + 1)];
  if (s.properties) {
    const out: Record<string, unknown> = {};
    for (const key of s.required ?? []) out[key] = plausible(s.properties[key], key, ids, doc, depth + 1);
    return out;
  }
  if (s.type === 'integer' || s.type === 'number') return s.minimum ?? 1;
  if (s.type === 'boolean') return true;
  if (s.type === 'object') return {};
  if (/^(rep)Id$/.test(name)) return ids.rep;
  if (/^marketerId$/.test(name)) return ids.marketer;
  if (/^periodId$/.test(name)) return ids.period;
  if (/^programId$/.test(name)) return ids.program;
  if (/^(intoId|parentId)$/.test(name)) return ids.theme;
  if (/Id$/.test(name) || s.format === 'uuid') return ids.any[0];
  if (name === 'email') return `fuzz-${Math.random().toString(36).slice(2, 10)}@example.com`;
  if (name === 'timeZone') return 'UTC';
  if (/^(starts|ends)At$/.test(name)) return `${daysFromNow(name === 'startsAt' ? 3 : 4)}T10:00:00Z`;
  if (/(On|^from|^to|date)$/.test(name)) return daysFromNow(name === 'to' || name === 'endsOn' ? 10 : 2);
  if (name === 'start') return '09:00';
  if (name === 'end') return '12:00';
  return typeof s.example === 'string' ? s.example : 'x';
}

function resolve(schema: Schema | undefined, doc: OpenApi): Schema | undefined {
  let s = schema;
  for (let i = 0; s?.$ref && i < 10; i++) s = doc.components.schemas[s.$ref.replace('#/components/schemas/', '')];
  if (s?.allOf) return Object.assign({}, ...s.allOf.map((x) => resolve(x, doc)));
  return s;
}

/** Every property path of a body schema (`settings.quota`, `weekly[0].start`), to aim a bad value at. */
function fieldPaths(schema: Schema | undefined, doc: OpenApi, prefix: (string | number)[] = [], depth = 0): (string | number)[][] {
  const s = resolve(schema, doc);
  if (!s || depth > 4) return [];
  if (s.type === 'array') return fieldPaths(s.items, doc, [...prefix, 0], depth + 1);
  return Object.entries(s.properties ?? {}).flatMap(([k, v]) => [[...prefix, k], ...fieldPaths(v, doc, [...prefix, k], depth + 1)]);
}

/** Sets (or with `undefined`, deletes) a value at a path, making the objects and arrays on the way. */
function setPath(root: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let cur: Record<string | number, unknown> = root;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      if (value === undefined) delete cur[key];
      else cur[key] = value;
      return;
    }
    const next = cur[key];
    cur[key] = next !== null && typeof next === 'object' ? next : typeof path[i + 1] === 'number' ? [] : {};
    cur = cur[key] as Record<string | number, unknown>;
  });
}

// ------------------------------------------------------------------ one generated request

type Role = 'rep' | 'marketer' | 'lifecycle' | 'none';
const ROLES: Role[] = ['rep', 'marketer', 'lifecycle', 'none'];

type BodyCase =
  | { kind: 'plausible' }
  | { kind: 'field'; at: number; value: unknown }
  | { kind: 'null'; at: number }
  | { kind: 'poison'; at: number; text: string }
  | { kind: 'drop'; at: number }
  | { kind: 'extra'; key: string; value: unknown; at: number }
  | { kind: 'raw'; text: string }
  | { kind: 'content-type'; type: string }
  | { kind: 'none' };
type ParamCase =
  | { kind: 'plausible' }
  | { kind: 'raw'; at: number; text: string }
  | { kind: 'far'; from: string; to: string }
  | { kind: 'repeat'; at: number }
  | { kind: 'extra'; key: string };
type PathCase = { kind: 'real' } | { kind: 'uuid'; id: string } | { kind: 'raw'; text: string };

const bodyCase: fc.Arbitrary<BodyCase> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<BodyCase>({ kind: 'plausible' }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('field' as const), at: fc.nat(), value: badValue }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('null' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('poison' as const), at: fc.nat(), text: fc.constantFrom(...POISON) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('extra' as const), key: fc.constantFrom('extra', 'a\u0000', '\ud800', ...RESERVED), value: badValue, at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      text: fc.constantFrom('', 'null', '[]', '"x"', '1', '{', '{"a":', '{"a":"\\u0000"}', '{"a":"\\ud800"}', `{"a":${'['.repeat(3000)}${']'.repeat(3000)}}`, '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('content-type' as const), type: fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1') }) },
  { weight: 1, arbitrary: fc.constant<BodyCase>({ kind: 'none' }) },
);
const paramCase: fc.Arbitrary<ParamCase> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<ParamCase>({ kind: 'plausible' }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('raw' as const), at: fc.nat(), text: fc.constantFrom(...RAW_TEXT) }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(['9999-10-01', '9999-10-08'], ['0001-01-01', '0001-01-08'], ['%2B275760-09-01', '%2B275760-09-08'], ['9999-10-01T00:00:00Z', '9999-10-08T00:00:00Z']).map(([from, to]) => ({ kind: 'far' as const, from, to })),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('repeat' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extra' as const), key: fc.constantFrom('extra', ...RESERVED, 'a%00') }) },
);
const pathCase: fc.Arbitrary<PathCase> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<PathCase>({ kind: 'real' }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('uuid' as const), id: fc.uuid() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('raw' as const), text: fc.constantFrom('x', '0', 'null', '%00', '%ED%A0%80', '%', 'a'.repeat(300), '9999-12-31', '2026-02-30', 'rc_%00.ics', '..%2F..') }) },
);
/** The lifecycle team may do the most, so its requests reach the furthest: it is drawn most often. */
const role = fc.oneof({ weight: 3, arbitrary: fc.constant<Role>('lifecycle') }, { weight: 3, arbitrary: fc.constantFrom<Role>('rep', 'marketer', 'none') });
const requestCase = fc.record({ role, body: bodyCase, params: paramCase, path: pathCase });

// ------------------------------------------------------------------ page forms (as test/web-fuzz.spec.ts finds them)

const pageControllers = PAGE_CONTROLLERS;
const pageForms = pageControllers
  .flatMap((c) =>
    Object.getOwnPropertyNames(c.prototype)
      .map((name) => (c.prototype as unknown as Record<string, object>)[name])
      .filter((h) => Reflect.getMetadata(PATH_METADATA, h) !== undefined && Reflect.getMetadata(METHOD_METADATA, h) === RequestMethod.POST)
      .map((h) => String(Reflect.getMetadata(PATH_METADATA, h)).replace(/^\/?/, '/')),
  )
  .filter((p) => p !== '/sign-out'); // it would end the session the rest runs in
const FORM_FIELDS = ['status', 'reason', 'outcome', 'startsAt', 'repId', 'periodId', 'slot', 'timeZone', 'date', 'w1_1_start', 'o_1_start', 'name', 'email', 'roles', 'startsOn', 'endsOn', 'focus', 'from', 'to', 'quota', 'kind', 'marketerId', 'parentId', 'intoId', 'id', 'week', 'next', 'quotes_1_text', 'description', 'toShiftKey'];
const formCase = fc.record({
  role: fc.constantFrom<Role>('rep', 'marketer', 'lifecycle'),
  path: pathCase,
  body: fc.oneof(
    { weight: 1, arbitrary: fc.constant<null>(null) }, // no body at all, the CSRF token in its header
    {
      weight: 6,
      arbitrary: fc.array(fc.tuple(fc.constantFrom(...FORM_FIELDS, ...RESERVED, 'extra', 'a%00'), fc.constantFrom(...RAW_TEXT)), { minLength: 1, maxLength: 6 }),
    },
  ),
});

// ------------------------------------------------------------------ the test

describe('no malformed input is a 5xx or changes anything (property-based, every operation and page form)', () => {
  let t: TestApp;
  let doc: OpenApi;
  let ops: Operation[];
  let ids: Ids;
  const people: Partial<Record<Role, Person>> = {};
  const sessions: Partial<Record<Role, WebSession>> = {};
  const failures: string[] = [];
  const statuses: Record<number, number> = {};
  let baseline: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp();
    people.rep = await makeUser(t, ['rep']);
    people.marketer = await makeUser(t, ['marketer']);
    people.lifecycle = await makeUser(t, ['lifecycle']);
    // Rows for the ids in paths; a user of their own, so no request can deactivate the ones sending.
    const target = await makeUser(t, ['rep', 'marketer']);
    const program = await makeProgram(t);
    const period = await makePeriod(t, program, daysFromNow(-5), daysFromNow(40));
    await rosterRep(t, period, people.rep);
    await rosterRep(t, period, target);
    await enrol(t, period, people.marketer);
    await enrol(t, period, target);
    const rotation = await makeProgram(t, {}, 'UTC', 'support_rotation');
    await makePeriod(t, rotation, daysFromNow(-3), daysFromNow(30));
    await t.http.post(`/api/v1/programs/${rotation}/shift-templates`).set(bearer(t.adminToken)).send({ weekday: 3, start: '09:00', end: '12:00', timeZone: 'UTC', queue: 'billing', capacity: 2 });
    const booked = `${daysFromNow(6)}T10:00:00.000Z`;
    await insertBooking(t, { periodId: period, repId: target.id, marketerId: people.marketer.id, startsAt: booked, endsAt: `${daysFromNow(6)}T10:45:00.000Z` });
    await insertBooking(t, { periodId: period, repId: people.rep.id, marketerId: target.id, startsAt: `${daysFromNow(-2)}T10:00:00.000Z`, endsAt: `${daysFromNow(-2)}T10:45:00.000Z`, status: 'completed' });
    const theme = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: 'Fuzz theme' })).body.id as string;
    for (const p of [people.rep, people.marketer, people.lifecycle]) sessions[ROLES.find((r) => people[r] === p)!] = await webSession(t, p.id);

    const idsOf = async (table: string) => ((await t.db.query(`SELECT id::text AS id FROM ${table} LIMIT 5`)) as { id: string }[]).map((r) => r.id);
    const bySegment: Record<string, string[]> = {
      users: [target.id],
      reps: [people.rep.id, target.id],
      tokens: await t.db.query(`SELECT id::text AS id FROM api_tokens WHERE user_id = $1`, [target.id]).then((r: { id: string }[]) => r.map((x) => x.id)),
      programs: await idsOf('programs'),
      periods: await idsOf('periods'),
      roster: await idsOf('roster_entries'),
      enrollments: await idsOf('enrollments'),
      bookings: await idsOf('bookings'),
      themes: await idsOf('themes'),
      observations: await idsOf('observations'),
      waitlist: await idsOf('waitlist_entries'),
      'shift-assignments': await idsOf('shift_assignments'),
      rollups: await idsOf('rollups'),
      overrides: [daysFromNow(3)],
    };
    ids = { bySegment, rep: people.rep.id, marketer: people.marketer.id, program, period, theme, any: Object.values(bySegment).flat() };

    doc = (await t.http.get('/docs-json').expect(200)).body as OpenApi;
    ops = operations(doc);
    baseline = await fingerprint(t.db);
  });
  afterAll(async () => t.close());

  /** A real id (or date) for the path parameter after `segment`, else any real one. */
  const realFor = (segment: string, name: string): string => {
    const pool = (name === 'tokenId' ? ids.bySegment.tokens : name === 'repId' ? ids.bySegment.reps : ids.bySegment[segment]) ?? [];
    if (name === 'date') return daysFromNow(3);
    if (name === 'file') return 'rc_0123456789abcdef.ics';
    return pool[0] ?? ids.any[0];
  };

  function fillPath(template: string, c: PathCase, pick: number): string {
    const parts = template.split('/');
    const params = parts.map((p, i) => (/^[{:]/.test(p) ? i : -1)).filter((i) => i >= 0);
    const chosen = params.length ? params[pick % params.length] : -1;
    return parts
      .map((p, i) => {
        if (!/^[{:]/.test(p)) return p;
        const name = p.replace(/[{}:]/g, '');
        const real = encodeURIComponent(realFor(parts[i - 1], name));
        if (i !== chosen || c.kind === 'real') return real;
        return c.kind === 'uuid' ? c.id : c.text;
      })
      .join('/');
  }

  /**
   * Sends one request and records a 5xx, or a 4xx after which the tables differ. A `poisoned` request (see
   * poisoned()) must be refused before any handler runs: 400, the 401/403 of authentication that comes first, or the
   * body parser's 415 for a charset it does not read (it runs before the guard).
   */
  async function check(what: string, send: () => Promise<{ status: number; text: string }>, poison = false): Promise<void> {
    let res: { status: number; text: string };
    try {
      res = await send();
    } catch (e) {
      failures.push(`${what} → the request failed: ${(e as Error).message}`);
      return;
    }
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    const after = await fingerprint(t.db);
    if (res.status >= 500) failures.push(`${what} → ${res.status} ${res.text.slice(0, 200)}`);
    else if (poison && ![400, 401, 403, 415].includes(res.status)) failures.push(`${what} → ${res.status}: the input reached the handler ${res.text.slice(0, 160)}`);
    else if (res.status >= 400 && res.status < 500) {
      const changed = Object.keys(after).filter((k) => after[k] !== baseline[k]);
      if (changed.length) failures.push(`${what} → ${res.status}, yet changed ${changed.join(', ')}`);
    }
    baseline = after;
  }

  it('finds the operations and the page forms', () => {
    expect(ops.length).toBeGreaterThan(60);
    expect(pageForms.length).toBeGreaterThan(30);
  });

  it('sweeps every field of every body and every date parameter: null, a NUL, a lone surrogate, far dates, as each role', async () => {
    const send = (op: Operation, url: string, who: Role) =>
      (t.http as unknown as Record<string, (u: string) => import('supertest').Test>)[op.method](url).set(bearer(people[who]!.token));
    for (const op of ops) {
      const url = fillPath(op.path, { kind: 'real' }, 0);
      const fields = Object.keys(resolve(op.body, doc)?.properties ?? {});
      for (const field of fields) {
        for (const value of [null, ...POISON.slice(0, 2), ...(DATE_NAME.test(field) ? FAR_DATES : [])]) {
          for (const who of ['lifecycle', 'rep', 'marketer'] as Role[]) {
            const body = { ...((plausible(op.body, '', ids, doc) ?? {}) as Record<string, unknown>), [field]: value };
            await check(`${op.method.toUpperCase()} ${url} as ${who} [${field}: ${JSON.stringify(value)}]`, () => send(op, url, who).send(body), poisoned(body));
          }
        }
      }
      const dates = op.params.filter((p) => p.in === 'query' && DATE_NAME.test(p.name));
      for (const far of dates.length ? ['9999-10-01', '0001-01-01', '%2B275760-09-13', '9999-10-01T00:00:00Z'] : []) {
        const pairs = op.params
          .filter((p) => p.in === 'query' && (p.required || p.name === 'periodId' || dates.includes(p)))
          .map((p) => `${p.name}=${dates.includes(p) ? far : encodeURIComponent(String(plausible(p.schema, p.name, ids, doc)))}`);
        for (const who of ['lifecycle', 'rep', 'marketer'] as Role[]) {
          await check(`${op.method.toUpperCase()} ${url}?${pairs.join('&')} as ${who}`, () => send(op, `${url}?${pairs.join('&')}`, who));
        }
      }
    }
    expect(failures).toEqual([]);
  }, 180_000);

  it('answers every operation of /docs-json, with malformed input as every role, with less than 500 and changes nothing when it refuses', async () => {
    const before = failures.length;
    for (const op of ops) {
      const seed = SEED + [...`${op.method} ${op.path}`].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) | 0, 0);
      await fc.assert(
        fc.asyncProperty(requestCase, fc.nat(), async (c, pick) => {
          const url = fillPath(op.path, c.path, pick);
          // Query: the plausible value of each parameter, then one of them malformed.
          const query = op.params.filter((p) => p.in === 'query');
          const pairs: [string, string][] = query
            .filter((p) => p.required || ['from', 'to', 'periodId'].includes(p.name))
            .map((p) => [p.name, encodeURIComponent(String(plausible(p.schema, p.name, ids, doc)))]);
          if (query.length && c.params.kind === 'raw') {
            const target = query[c.params.at % query.length].name;
            const i = pairs.findIndex(([k]) => k === target);
            if (i >= 0) pairs[i] = [target, c.params.text];
            else pairs.push([target, c.params.text]);
          } else if (c.params.kind === 'far') {
            for (const pair of pairs) if (DATE_NAME.test(pair[0])) pair[1] = pair[0] === 'to' ? c.params.to : c.params.from;
          } else if (pairs.length && c.params.kind === 'repeat') pairs.push(pairs[c.params.at % pairs.length]);
          else if (c.params.kind === 'extra') pairs.push([c.params.key, 'x']);
          const qs = pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : '';

          let req = (t.http as unknown as Record<string, (u: string) => import('supertest').Test>)[op.method](url + qs);
          if (c.role !== 'none') req = req.set(bearer(people[c.role]!.token));
          for (const h of op.params.filter((p) => p.in === 'header')) req = req.set(h.name, `fuzz-${pick}`);
          let described: string = c.body.kind;
          let poison = c.path.kind !== 'raw' && pairs.some(([k, v]) => v.includes('%00') || k.includes('%00') || RESERVED.includes(k));
          if (op.body || c.body.kind === 'raw' || c.body.kind === 'content-type') {
            const body = (plausible(op.body, '', ids, doc) ?? {}) as Record<string, unknown>;
            const paths = fieldPaths(op.body, doc);
            if (c.body.kind === 'field' && paths.length) setPath(body, paths[c.body.at % paths.length], c.body.value);
            if (c.body.kind === 'null' && paths.length) setPath(body, paths[c.body.at % paths.length], null);
            if (c.body.kind === 'poison' && paths.length) setPath(body, paths[c.body.at % paths.length], c.body.text);
            if (c.body.kind === 'drop') {
              const required = resolve(op.body, doc)?.required ?? [];
              if (required.length) delete body[required[c.body.at % required.length]];
            }
            if (c.body.kind === 'extra') {
              // defineProperty, so __proto__ is an own key that JSON.stringify writes out; at the top or one level in
              const inner = Object.values(body).find((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v));
              const holder = inner && c.body.at % 2 ? inner : body;
              Object.defineProperty(holder, c.body.key, { value: c.body.value, enumerable: true, configurable: true, writable: true });
            }
            const json = JSON.stringify(body);
            if (c.path.kind !== 'raw' && c.body.kind !== 'content-type' && c.body.kind !== 'none') {
              let sent: unknown = body;
              if (c.body.kind === 'raw') {
                try {
                  sent = JSON.parse(c.body.text);
                } catch {
                  sent = undefined;
                }
              }
              poison ||= poisoned(sent);
            }
            if (c.body.kind === 'raw') req = req.set('Content-Type', 'application/json').send(c.body.text);
            else if (c.body.kind === 'content-type') req = req.set('Content-Type', c.body.type).send(c.body.type.includes('form') ? new URLSearchParams({ data: json }).toString() : json);
            else if (c.body.kind !== 'none') req = req.set('Content-Type', 'application/json').send(json);
            described = `${c.body.kind} ${(c.body.kind === 'raw' ? c.body.text : json).slice(0, 160)}`;
          }
          await check(`${op.method.toUpperCase()} ${url}${qs.slice(0, 200)} as ${c.role} [${described}]`, () => req, poison);
        }),
        { seed, numRuns: RUNS_PER_OPERATION, endOnFailure: true },
      );
    }
    // The generated input reached the handlers: refusals of several kinds, and some requests that worked.
    expect(Object.keys(statuses).map(Number)).toEqual(expect.arrayContaining([200, 400, 401, 403, 404]));
    expect(failures.slice(before)).toEqual([]);
  }, 240_000);

  it('answers every page form POST, with malformed fields or no body at all, with less than 500 and changes nothing when it refuses', async () => {
    const before = failures.length;
    for (const form of pageForms) {
      const seed = SEED + [...form].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) | 0, 0);
      await fc.assert(
        fc.asyncProperty(formCase, fc.nat(), async (c, pick) => {
          const s = sessions[c.role]!;
          const url = fillPath(form, c.path, pick);
          const req = t.http.post(url).set('Cookie', s.cookie).set('Accept', 'text/html');
          if (c.body === null) {
            await check(`POST ${url} as ${c.role} [no body]`, () => req.set('X-CSRF-Token', s.csrf));
          } else {
            const raw = [`_csrf=${encodeURIComponent(s.csrf)}`, ...c.body.map(([k, v]) => `${k}=${v}`)].join('&');
            await check(`POST ${url} as ${c.role} [${raw.slice(raw.indexOf('&') + 1, 200)}]`, () => req.type('form').send(raw));
          }
        }),
        { seed, numRuns: RUNS_PER_PAGE_FORM, endOnFailure: true },
      );
    }
    expect(failures.slice(before)).toEqual([]);
    // Still signed in: the requests ran as the users, not as strangers sent to the sign-in page.
    expect((await sessions.lifecycle!.get('/')).header.location).toBe('/lifecycle');
  }, 180_000);
});
