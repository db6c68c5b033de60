import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { OpenAPIV3 } from 'openapi-types';
import type { Response } from 'supertest';
import { errorBody } from '../src/common/errors.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';

/**
 * The OpenAPI document at /docs-json, as a generated client reads it: valid (swagger-parser: the OpenAPI 3 schema,
 * the spec's rules, every $ref resolving), every operation named once, with a schema for its success and the
 * shared Error body for each error it can give; and real answers, good and bad, as the document says.
 */

type Doc = OpenAPIV3.Document;
type Op = OpenAPIV3.OperationObject;
type Schema = OpenAPIV3.SchemaObject;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const ERROR_REF = '#/components/schemas/Error';

interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  op: Op;
}

const operations = (doc: Doc): Operation[] =>
  Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item?.[m]).map((method) => ({ method, path, op: item![method]! })));

/**
 * @apidevtools/swagger-parser, run by Node itself: it is CommonJS requiring an ES module (its ref parser), which
 * Node 20.19+ does and Jest's module runtime does not. It validates the document (the OpenAPI 3.0 JSON schema,
 * then the spec's rules: unique operationIds, path parameters declared, ...; every $ref resolving) and answers
 * it dereferenced, or the validator's error.
 */
function swaggerParser(doc: Doc): { error?: string; dereferenced?: Doc } {
  const script = `
    const SwaggerParser = require('@apidevtools/swagger-parser');
    let input = '';
    process.stdin.on('data', (c) => (input += c)).on('end', async () => {
      try {
        await SwaggerParser.validate(JSON.parse(input));
        const dereferenced = await SwaggerParser.dereference(JSON.parse(input), { dereference: { circular: 'ignore' } });
        process.stdout.write(JSON.stringify({ dereferenced }));
      } catch (e) {
        process.stdout.write(JSON.stringify({ error: String(e && e.message || e) }));
      }
    });`;
  const out = execFileSync(process.execPath, ['--input-type=commonjs', '-e', script], {
    input: JSON.stringify(doc),
    env: { ...process.env, NODE_OPTIONS: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8'));
}

/**
 * Operations whose controllers are being changed by others in this round (src/health, src/web): their success
 * schema is theirs to add (`@ApiOkResponse({ schema: ... })` on GET /health; `@ApiProduces('text/html')` and a
 * string schema on GET /rollups/:id). Everything else about them is checked like any other operation.
 */
const LEFT_TO_THEIR_OWNERS: string[] = [];

const isRef = (x: unknown): x is OpenAPIV3.ReferenceObject => typeof x === 'object' && x !== null && '$ref' in x;

/** Where `value` differs from `schema` (a dereferenced schema): types, nullability, required and undocumented fields, enums, formats. */
function mismatches(schema: Schema | undefined, value: unknown, path = '$'): string[] {
  if (!schema || Object.keys(schema).length === 0) return [];
  if (schema.allOf) {
    const parts = schema.allOf as Schema[];
    const merged: Schema = { type: 'object', required: parts.flatMap((p) => p.required ?? []), properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})) };
    return mismatches(merged, value, path);
  }
  if (schema.oneOf || schema.anyOf) {
    const options = (schema.oneOf ?? schema.anyOf) as Schema[];
    return options.some((s) => mismatches(s, value, path).length === 0) ? [] : [`${path}: matches none of its alternatives`];
  }
  if (value === null) return schema.nullable ? [] : [`${path}: null, but not nullable`];
  const out: string[] = [];
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: not an object`];
      const obj = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (!(key in obj)) out.push(`${path}.${key}: required, missing`);
      if (schema.properties && schema.additionalProperties === undefined) {
        for (const key of Object.keys(obj)) if (!(key in schema.properties)) out.push(`${path}.${key}: not documented`);
      }
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        if (key in obj && obj[key] !== undefined) out.push(...mismatches(sub as Schema, obj[key], `${path}.${key}`));
      }
      break;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${path}: not an array`];
      value.slice(0, 20).forEach((v, i) => out.push(...mismatches(schema.items as Schema, v, `${path}[${i}]`)));
      break;
    case 'string':
      if (typeof value !== 'string') return [`${path}: not a string (${JSON.stringify(value)})`];
      if (schema.format === 'date-time' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) out.push(`${path}: not a date-time (${value})`);
      if (schema.format === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) out.push(`${path}: not a date (${value})`);
      if (schema.format === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) out.push(`${path}: not a uuid (${value})`);
      break;
    case 'integer':
      if (!Number.isInteger(value)) out.push(`${path}: not an integer (${JSON.stringify(value)})`);
      break;
    case 'number':
      if (typeof value !== 'number') out.push(`${path}: not a number (${JSON.stringify(value)})`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(`${path}: not a boolean (${JSON.stringify(value)})`);
      break;
  }
  if (schema.enum && !schema.enum.includes(value)) out.push(`${path}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  return out;
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Doc; // as served
  let deref: Doc; // every $ref replaced by what it points at
  let validated: { error?: string; dereferenced?: Doc };
  let rep: Person;
  let marketer: Person;

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http.get('/docs-json').expect(200)).body as Doc;
    validated = swaggerParser(doc);
    deref = validated.dereferenced!;
    rep = await makeUser(t, ['rep']);
    marketer = await makeUser(t, ['marketer']);
  });
  afterAll(() => t.close());

  /** The documented schema of `res`'s answer to the operation at `path` (a document path such as /api/v1/users/{id}). */
  function documented(method: Operation['method'], path: string, status: number): Schema | undefined {
    const op = deref.paths[path]?.[method];
    if (!op) throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
    const response = op.responses[String(status)] as OpenAPIV3.ResponseObject | undefined;
    if (!response) throw new Error(`${method.toUpperCase()} ${path} does not document ${status}`);
    return response.content?.['application/json']?.schema as Schema | undefined;
  }

  /** Where real answers differ from their documented schemas (all collected, then asserted at once). */
  const differences: string[] = [];
  let checked = 0;
  function expectAsDocumented(method: Operation['method'], path: string, res: Response): void {
    const schema = documented(method, path, res.status);
    const where = `${method.toUpperCase()} ${path} ${res.status}`;
    checked++;
    if (!schema) differences.push(`${where}: no JSON schema`);
    else differences.push(...mismatches(schema, res.body).map((m) => `${where} ${m}`));
  }

  it('is a valid OpenAPI 3 document (schema, spec rules, every $ref resolves)', () => {
    expect(validated.error).toBeUndefined();
    expect(doc.openapi).toMatch(/^3\./);
    expect(operations(doc).length).toBeGreaterThan(100);
  });

  it('has the shared Error schema, the shape every error body has', () => {
    const schema = doc.components!.schemas!.Error as Schema;
    expect([...(schema.required ?? [])].sort()).toEqual(Object.keys(errorBody(409, 'conflict', 'x')).sort());
    expect(mismatches(deref.components!.schemas!.Error as Schema, errorBody(409, 'slot_unavailable', 'Taken', { repId: 'r' }))).toEqual([]);
  });

  it('names every operation once', () => {
    const ids = operations(doc).map((o) => o.op.operationId);
    expect(ids.filter((id) => !id)).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('gives every operation a success response with a schema (or no body where it answers none)', () => {
    const problems: string[] = [];
    for (const { method, path, op } of operations(doc)) {
      if (LEFT_TO_THEIR_OWNERS.includes(op.operationId!)) continue;
      const success = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
      if (!success.length) problems.push(`${method} ${path}: no 2xx response`);
      for (const [status, r] of success) {
        const content = (r as OpenAPIV3.ResponseObject).content;
        if (!content) {
          if (status !== '204') problems.push(`${method} ${path} ${status}: no content (only 204 answers without a body)`);
          continue;
        }
        for (const [media, { schema }] of Object.entries(content)) {
          if (!schema) problems.push(`${method} ${path} ${status} ${media}: no schema`);
          else if (media === 'application/json' && !isRef(schema) && !schema.type && !schema.allOf && !schema.oneOf) problems.push(`${method} ${path} ${status}: JSON of no type`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("documents the errors each operation's inputs, token, roles and ids imply, each with the Error body", () => {
    const problems: string[] = [];
    for (const { method, path, op } of operations(doc)) {
      const has = (status: number) => String(status) in op.responses;
      const where = `${method.toUpperCase()} ${path}`;
      if ((op.requestBody || op.parameters?.length) && !has(400)) problems.push(`${where}: takes input, no 400`);
      if (op.security?.length && !has(401)) problems.push(`${where}: needs a token, no 401`);
      if (op.parameters?.some((p) => !isRef(p) && p.in === 'path') && !has(404)) problems.push(`${where}: has an id, no 404`);
      if (!has(503)) problems.push(`${where}: no 503 (database away, draining)`);
      for (const [status, r] of Object.entries(op.responses)) {
        if (!/^[45]/.test(status)) continue;
        const schema = (r as OpenAPIV3.ResponseObject).content?.['application/json']?.schema;
        if (!isRef(schema) || schema.$ref !== ERROR_REF) problems.push(`${where} ${status}: not the Error schema`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('documents the refusals the code makes (409, 422, 415) where it makes them', () => {
    const expected: [string, string, number[]][] = [
      ['post', '/api/v1/bookings', [403, 409, 422]],
      ['post', '/api/v1/bookings/{id}/reschedule', [409]],
      ['post', '/api/v1/bookings/{id}/cancel', [409]],
      ['post', '/api/v1/users', [403, 409]],
      ['patch', '/api/v1/users/{id}', [409]],
      ['post', '/api/v1/programs/{id}/periods', [409]],
      ['post', '/api/v1/periods/{id}/roster', [409]],
      ['post', '/api/v1/waitlist', [409]],
      ['post', '/api/v1/themes', [409]],
      ['post', '/api/v1/themes/{id}/merge', [409]],
      ['post', '/api/v1/me/calendar-connections', [409, 422]],
      ['post', '/api/v1/imports/people', [415, 422]],
      ['post', '/api/v1/notices', [422]],
      ['post', '/api/v1/observations/{id}/submit', [409]],
      ['post', '/api/v1/periods/{id}/rotation/generate', [409, 422]],
      ['post', '/api/v1/webhooks', [409]],
      ['patch', '/api/v1/actions/{id}', [409]],
    ];
    const missing = expected.flatMap(([method, path, statuses]) =>
      statuses.filter((s) => !(String(s) in (doc.paths[path]?.[method as Operation['method']]?.responses ?? {}))).map((s) => `${method} ${path} ${s}`),
    );
    expect(missing).toEqual([]);
  });

  it('documents the CSV import body as text/csv', () => {
    const body = doc.paths['/api/v1/imports/people']?.post?.requestBody as OpenAPIV3.RequestBodyObject | undefined;
    expect(Object.keys(body?.content ?? {})).toEqual(['text/csv']);
    expect(body?.content['text/csv'].schema).toMatchObject({ type: 'string' });
    expect(String((body?.content['text/csv'].schema as OpenAPIV3.SchemaObject).example).split('\n')[0]).toMatch(/^email,name,roles,timeZone/);
  });

  it('answers every operation, without a token, as a rep, as a marketer and with unknown ids, only with statuses it documents', async () => {
    const problems: string[] = [];
    const url = (path: string) =>
      path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'date' ? '2031-01-06' : name === 'file' ? 'rc_nosuchfeedtokenxxxxxxxxxx.ics' : randomUUID()));
    for (const { method, path, op } of operations(doc)) {
      for (const who of ['nobody', 'rep', 'marketer', 'lifecycle'] as const) {
        let req = t.http[method](url(path));
        if (who !== 'nobody') req = req.set(bearer(who === 'rep' ? rep.token : who === 'marketer' ? marketer.token : t.adminToken));
        const res = await (op.requestBody ? req.send({}) : req);
        const where = `${method.toUpperCase()} ${path} as ${who}: ${res.status}`;
        if (!(String(res.status) in op.responses)) problems.push(`${where} is not documented (${res.body?.code ?? ''})`);
        else if (res.status >= 400 && res.type === 'application/json') {
          problems.push(...mismatches(deref.components!.schemas!.Error as Schema, res.body).map((m) => `${where}: ${m}`));
        }
        if (res.status >= 500) problems.push(`${where}: a server error`);
      }
    }
    expect(problems).toEqual([]);
  }, 300_000); // about 500 requests, one after another, on a machine shared with other test runs

  it('answers real requests of representative operations as their schemas say', async () => {
    const admin = bearer(t.adminToken);
    // people
    const me = await t.http.get('/api/v1/me').set(admin).expect(200);
    expectAsDocumented('get', '/api/v1/me', me);
    const created = await t.http.post('/api/v1/users').set(admin).send({ email: `doc-${randomUUID()}@example.com`, name: 'Doc', timeZone: 'Asia/Kathmandu', roles: ['marketer'] }).expect(201);
    expectAsDocumented('post', '/api/v1/users', created);
    expectAsDocumented('get', '/api/v1/users', await t.http.get('/api/v1/users').set(admin).expect(200));
    expectAsDocumented('post', '/api/v1/users/{id}/tokens', await t.http.post(`/api/v1/users/${created.body.id}/tokens`).set(admin).send({ name: 'cli' }).expect(201));
    expectAsDocumented('get', '/api/v1/users/{id}/tokens', await t.http.get(`/api/v1/users/${created.body.id}/tokens`).set(admin).expect(200));
    const taken = await t.http.post('/api/v1/users').set(admin).send({ email: created.body.email, name: 'Again', timeZone: 'UTC', roles: ['rep'] }).expect(409);
    expectAsDocumented('post', '/api/v1/users', taken);

    // a program, a period, a roster, availability, slots, a booking
    const programId = await makeProgram(t, {}, 'Australia/Adelaide');
    expectAsDocumented('get', '/api/v1/programs/{id}', await t.http.get(`/api/v1/programs/${programId}`).set(admin).expect(200));
    expectAsDocumented('get', '/api/v1/programs', await t.http.get('/api/v1/programs').set(bearer(marketer.token)).expect(200));
    const periodId = await makePeriod(t, programId, daysFromNow(1), daysFromNow(20));
    expectAsDocumented('get', '/api/v1/periods/{id}', await t.http.get(`/api/v1/periods/${periodId}`).set(admin).expect(200));
    await rosterRep(t, periodId, rep);
    await enrol(t, periodId, marketer);
    expectAsDocumented('get', '/api/v1/periods/{id}/roster', await t.http.get(`/api/v1/periods/${periodId}/roster`).set(admin).expect(200));
    expectAsDocumented('get', '/api/v1/periods/{id}/enrollments', await t.http.get(`/api/v1/periods/${periodId}/enrollments`).set(admin).expect(200));
    const weekly = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '12:00' }));
    expectAsDocumented('put', '/api/v1/reps/{repId}/availability', await t.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'UTC', weekly }).expect(200));
    const slots = await t.http.get('/api/v1/slots').query({ periodId, from: daysFromNow(2), to: daysFromNow(4), repId: rep.id }).set(bearer(marketer.token)).expect(200);
    expectAsDocumented('get', '/api/v1/slots', slots);
    expect(slots.body.slots.length).toBeGreaterThan(0);
    const booked = await t.http.post('/api/v1/bookings').set(bearer(marketer.token)).send({ periodId, repId: rep.id, startsAt: slots.body.slots[0].startsAt }).expect(201);
    expectAsDocumented('post', '/api/v1/bookings', booked);
    expectAsDocumented('post', '/api/v1/bookings', await t.http.post('/api/v1/bookings').set(bearer(marketer.token)).send({ periodId, repId: rep.id, startsAt: slots.body.slots[0].startsAt }).expect(409));
    expectAsDocumented('get', '/api/v1/bookings/{id}', await t.http.get(`/api/v1/bookings/${booked.body.id}`).set(bearer(rep.token)).expect(200));
    expectAsDocumented('get', '/api/v1/bookings', await t.http.get('/api/v1/bookings').query({ mine: 'true' }).set(bearer(marketer.token)).expect(200));
    expectAsDocumented('post', '/api/v1/bookings/{id}/cancel', await t.http.post(`/api/v1/bookings/${booked.body.id}/cancel`).set(bearer(marketer.token)).send({ reason: 'Moved' }).expect(200));

    // themes, actions, webhooks, audit
    const theme = await t.http.post('/api/v1/themes').set(admin).send({ name: `Pricing ${randomUUID().slice(0, 6)}` }).expect(201);
    expectAsDocumented('post', '/api/v1/themes', theme);
    expectAsDocumented('get', '/api/v1/themes', await t.http.get('/api/v1/themes').set(bearer(marketer.token)).expect(200));
    expectAsDocumented('get', '/api/v1/themes/{id}/history', await t.http.get(`/api/v1/themes/${theme.body.id}/history`).set(admin).expect(200));
    const action = await t.http.post('/api/v1/actions').set(admin).send({ programId, kind: 'info_for_sales', title: 'Tell sales about pricing', themeIds: [theme.body.id], ownerId: me.body.id, dueOn: daysFromNow(7) });
    expect(action.status).toBe(201);
    expectAsDocumented('post', '/api/v1/actions', action);
    expectAsDocumented('get', '/api/v1/actions/{id}', await t.http.get(`/api/v1/actions/${action.body.id}`).set(admin).expect(200));
    expectAsDocumented('get', '/api/v1/actions', await t.http.get('/api/v1/actions').set(admin).expect(200));
    expectAsDocumented('get', '/api/v1/observations', await t.http.get('/api/v1/observations').query({ mine: 'true' }).set(bearer(marketer.token)).expect(200));
    expectAsDocumented('get', '/api/v1/audit', await t.http.get('/api/v1/audit').set(admin).expect(200));
    expectAsDocumented('get', '/api/v1/organisation', await t.http.get('/api/v1/organisation').set(admin).expect(200));
    expect(checked).toBeGreaterThanOrEqual(27);
    expect(differences).toEqual([]);
  });
});
