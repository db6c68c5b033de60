import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { toErrorBody } from '../src/common/error.filter.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { fingerprint } from './support/fingerprint.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, type Person } from './support/fixtures.js';
import { webSession, type WebSession } from './support/web.js';

/** Bad input is a 4xx naming the field, and changes nothing (issue 12, "Bad input is a 4xx, always"). */
describe('bad input is a 4xx, always', () => {
  let t: TestApp;
  let lifecycle: Person;
  let rep: Person;
  let s: WebSession;
  let programId: string;
  let periodId: string;

  beforeAll(async () => {
    t = await startTestApp();
    lifecycle = await makeUser(t, ['lifecycle', 'marketer']);
    rep = await makeUser(t, ['rep']);
    programId = await makeProgram(t);
    periodId = await makePeriod(t, programId, daysFromNow(-5), daysFromNow(40));
    await enrol(t, periodId, lifecycle);
    s = await webSession(t, lifecycle.id);
  });
  afterAll(async () => t.close());

  const admin = () => bearer(t.adminToken);
  /** The field problems of a validation_failed body, by field. */
  const fieldsOf = (body: { details?: { fields?: { field: string; problems: string[] }[] } }) =>
    Object.fromEntries((body.details?.fields ?? []).map((f) => [f.field, f.problems.join('; ')]));

  /** Runs `send` and checks it answered `status` and left every table as it was. */
  async function unchanged<T>(send: () => Promise<T>): Promise<T> {
    const before = await fingerprint(t.db);
    const res = await send();
    expect(await fingerprint(t.db)).toEqual(before);
    return res;
  }

  describe('a POST without a body', () => {
    it('is the sign-in page’s own answer, not a TypeError', async () => {
      // curl -X POST /sign-in: no cookie, no body, so no CSRF token either: the page's "form had expired"
      const res = await unchanged(() => t.http.post('/sign-in').set('Accept', 'text/html'));
      expect(res.status).toBe(403);
      expect(res.text).toContain('The form had expired');
    });

    it('is a 400 for a signed-in page form with a valid CSRF header', async () => {
      const res = await unchanged(() => t.http.post('/lifecycle/programs').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf).set('Accept', 'text/html'));
      expect(res.status).toBe(400);
      expect(res.text).toContain('field-error');
    });

    it('is a 400 naming the missing fields for the API', async () => {
      const res = await unchanged(() => t.http.post('/api/v1/users').set(admin()));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(Object.keys(fieldsOf(res.body))).toEqual(expect.arrayContaining(['email', 'name', 'timeZone', 'roles']));
    });
  });

  describe('NUL characters and lone surrogates are refused before any validator runs', () => {
    it('in a JSON body, naming the field', async () => {
      const res = await unchanged(() => t.http.post('/api/v1/users').set(admin()).send({ email: 'nul@example.com', name: 'A\u0000B', timeZone: 'UTC', roles: ['rep'] }));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'validation_failed' });
      expect(fieldsOf(res.body)).toEqual({ name: expect.stringContaining('NUL') });
    });

    it('in a nested JSON field, naming its path', async () => {
      const res = await unchanged(() =>
        t.http.post('/api/v1/programs').set(admin()).send({ name: 'P', kind: 'call_shadowing', timeZone: 'UTC', settings: { rollupRecipients: ['a@example.com', 'b\u0000@example.com'] } }),
      );
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual({ 'settings.rollupRecipients[1]': expect.stringContaining('NUL') });
    });

    it('a lone surrogate in an email is a 400, not a URIError', async () => {
      const raw = '{"email":"\\ud800@example.com","name":"Sur","timeZone":"UTC","roles":["rep"]}';
      const res = await unchanged(() => t.http.post('/api/v1/users').set(admin()).set('Content-Type', 'application/json').send(raw));
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual({ email: expect.stringContaining('surrogate') });
    });

    it('in a form body', async () => {
      const res = await unchanged(() => t.http.post('/sign-in').set('Accept', 'text/html').type('form').send('email=a%00%40example.com'));
      expect(res.status).toBe(400);
      expect(res.text).toContain('email must not contain a NUL character');
    });

    it('in a query string, naming query.<name>', async () => {
      const res = await unchanged(() => t.http.get(`/api/v1/slots?periodId=${periodId}&from=2027-03-08%00&to=2027-03-10`).set(bearer(lifecycle.token)));
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual({ 'query.from': expect.stringContaining('NUL') });
    });

    it('in a path parameter, naming path.<name>', async () => {
      const res = await unchanged(() => t.http.get('/sign-in/sl_abc%00def').set('Accept', 'application/json'));
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual({ 'path.token': expect.stringContaining('NUL') });
    });

    it('a path parameter that is not UTF-8 once decoded stays a 400 (the router refuses it; this held before too)', async () => {
      const res = await unchanged(() => t.http.get('/api/v1/users/%ED%A0%80').set(admin()));
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('decode');
    });
  });

  it('JSON nested 3,000 levels deep (18 KB) is a 400 naming the body, not a stack overflow', async () => {
    const deep = `{"name":"Deep","kind":"call_shadowing","timeZone":"UTC","settings":${'['.repeat(3000)}${']'.repeat(3000)}}`;
    expect(deep.length).toBeGreaterThan(6000);
    const res = await unchanged(() => t.http.post('/api/v1/programs').set(admin()).set('Content-Type', 'application/json').send(deep));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(fieldsOf(res.body)).toEqual({ body: expect.stringContaining('32 levels') });
  });

  describe('__proto__, constructor and prototype are unknown fields', () => {
    it('constructor beside a valid roster invitation does not reach the service', async () => {
      const raw = JSON.stringify({ repId: rep.id, constructor: { name: 'x' } });
      const res = await unchanged(() => t.http.post(`/api/v1/periods/${periodId}/roster`).set(admin()).set('Content-Type', 'application/json').send(raw));
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual({ constructor: 'constructor should not exist' });
    });

    it('__proto__ in a JSON body, at any depth', async () => {
      const raw = '{"name":"Proto","kind":"call_shadowing","timeZone":"UTC","settings":{"__proto__":{"quota":1}}}';
      const res = await unchanged(() => t.http.post('/api/v1/programs').set(admin()).set('Content-Type', 'application/json').send(raw));
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual({ 'settings.__proto__': 'settings.__proto__ should not exist' });
    });

    it('prototype in a form body', async () => {
      const res = await unchanged(() => s.post('/lifecycle/themes', { name: 'Proto theme', prototype: 'x' }).set('Accept', 'application/json'));
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual({ prototype: 'prototype should not exist' });
    });
  });

  describe('optional means absent, not null', () => {
    it.each([['name'], ['timeZone'], ['roles'], ['active']])('PATCH a user with %s: null is a 400 naming it', async (field) => {
      const res = await unchanged(() => t.http.patch(`/api/v1/users/${rep.id}`).set(admin()).send({ [field]: null }));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(Object.keys(fieldsOf(res.body))).toEqual([field]);
    });

    it.each([['timeZone'], ['name'], ['settings']])('PATCH a program with %s: null is a 400 naming it', async (field) => {
      const res = await unchanged(() => t.http.patch(`/api/v1/programs/${programId}`).set(admin()).send({ [field]: null }));
      expect(res.status).toBe(400);
      expect(Object.keys(fieldsOf(res.body))).toEqual([field]);
    });

    it('null inside settings is a 400 too', async () => {
      const res = await unchanged(() => t.http.patch(`/api/v1/programs/${programId}`).set(admin()).send({ settings: { quota: null } }));
      expect(res.status).toBe(400);
      expect(Object.keys(fieldsOf(res.body))).toEqual(['settings.quota']);
    });

    it('null still clears where it means something: a theme’s parent, a period’s focus, a start date, the preparation note', async () => {
      const parent = await t.http.post('/api/v1/themes').set(admin()).send({ name: 'Parent theme' });
      const child = await t.http.post('/api/v1/themes').set(admin()).send({ name: 'Child theme', parentId: parent.body.id, description: 'd' });
      expect(child.status).toBe(201);
      const moved = await t.http.patch(`/api/v1/themes/${child.body.id}`).set(admin()).send({ parentId: null, description: null });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ parentId: null, description: null });

      expect((await t.http.patch(`/api/v1/periods/${periodId}`).set(admin()).send({ focus: 'Pricing' })).body.focus).toBe('Pricing');
      expect((await t.http.patch(`/api/v1/periods/${periodId}`).set(admin()).send({ focus: null })).body.focus).toBeNull();

      await t.http.patch(`/api/v1/users/${rep.id}`).set(admin()).send({ startedOn: '2026-01-05' }).expect(200);
      expect((await t.http.patch(`/api/v1/users/${rep.id}`).set(admin()).send({ startedOn: null }).expect(200)).body.startedOn).toBeNull();

      await t.http.patch(`/api/v1/programs/${programId}`).set(admin()).send({ preparationNote: 'Bring questions' }).expect(200);
      expect((await t.http.patch(`/api/v1/programs/${programId}`).set(admin()).send({ preparationNote: null }).expect(200)).body.preparationNote).toBeNull();
    });
  });

  describe('dates are bounded to the years 2000 to 2200', () => {
    it('GET /slots?from=9999-10-01 is a 400 naming from', async () => {
      const res = await unchanged(() => t.http.get(`/api/v1/slots?periodId=${periodId}&from=9999-10-01&to=9999-10-08`).set(bearer(lifecycle.token)));
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toMatchObject({ from: 'from must be between 2000-01-01 and 2200-12-31' });
    });

    it('a period in the year 9999 or 1900 is a 400 naming the date', async () => {
      const far = await unchanged(() => t.http.post(`/api/v1/programs/${programId}/periods`).set(admin()).send({ startsOn: '9999-01-01', endsOn: '9999-12-31' }));
      expect(far.status).toBe(400);
      expect(Object.keys(fieldsOf(far.body)).sort()).toEqual(['endsOn', 'startsOn']);
      const old = await unchanged(() => t.http.post(`/api/v1/programs/${programId}/periods`).set(admin()).send({ startsOn: '1900-01-01', endsOn: '2026-01-31' }));
      expect(fieldsOf(old.body)).toEqual({ startsOn: 'startsOn must be between 2000-01-01 and 2200-12-31' });
    });

    it('a booking at an instant of the year 9999 is a 400 naming startsAt', async () => {
      const res = await unchanged(() => t.http.post('/api/v1/bookings').set(bearer(lifecycle.token)).send({ periodId, repId: rep.id, startsAt: '9999-12-31T23:00:00Z' }));
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual({ startsAt: 'startsAt must be between 2000-01-01 and 2200-12-31' });
    });

    it('list and rollup bounds, and a start date, are bounded too', async () => {
      const list = await t.http.get('/api/v1/bookings?from=%2B275760-09-13&mine=false').set(admin());
      expect(list.status).toBe(400);
      expect(Object.keys(fieldsOf(list.body))).toEqual(['from']);
      const rollup = await unchanged(() => t.http.post('/api/v1/rollups').set(admin()).send({ programId, from: '0001-01-01', to: '2026-12-31' }));
      expect(rollup.status).toBe(400);
      expect(Object.keys(fieldsOf(rollup.body))).toEqual(['from']);
      const user = await unchanged(() => t.http.patch(`/api/v1/users/${rep.id}`).set(admin()).send({ startedOn: '9999-01-01' }));
      expect(fieldsOf(user.body)).toEqual({ startedOn: 'startedOn must be between 2000-01-01 and 2200-12-31' });
    });

    it('the marketer week of 9999 is refused on the page, not a 500', async () => {
      const res = await s.get(`/marketer/slots?periodId=${periodId}&week=9999-10-01`);
      expect(res.status).toBe(400);
      expect(res.text).toContain('Week of must be a date');
    });
  });

  describe('the error filter maps what PostgreSQL refuses as data to 400', () => {
    const pgFailure = async (sql: string): Promise<unknown> => t.db.query(sql).then(() => expect('the query to fail').toBe(''), (e: unknown) => e);

    it('a data exception out of class 22 that was a 500 (22021, 22009, 22P05) is a 400 invalid_value', async () => {
      for (const sql of [
        `SELECT convert_from('\\x00ff'::bytea, 'UTF8')`, // 22021
        `SELECT '2026-01-01 00:00:00+99:00'::timestamptz`, // 22009
        `SELECT '"\\u0000"'::jsonb`, // 22P05
      ]) {
        const e = await pgFailure(sql);
        expect(e).toBeInstanceOf(QueryFailedError);
        expect(toErrorBody(e)).toMatchObject({ statusCode: 400, code: 'invalid_value' });
      }
    });

    it('a not-null violation is a 400 naming the column', async () => {
      const e = await pgFailure(`INSERT INTO programs (name, kind, settings) VALUES ('x', 'call_shadowing', '{}')`);
      expect(toErrorBody(e)).toMatchObject({ statusCode: 400, code: 'invalid_value', details: { field: 'time_zone' } });
    });
  });
});
