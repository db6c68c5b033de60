import { DataSource } from 'typeorm';
import { bearer, startTestApp, TestApp } from './support/app.js';

/** Row counts of every table a people call could write, to prove error paths change nothing. */
async function counts(db: DataSource) {
  const [row] = await db.query(
    `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM api_tokens)::int AS tokens,
            (SELECT count(*) FROM audit_log)::int AS audit`,
  );
  return row as { users: number; tokens: number; audit: number };
}

describe('people and access (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  const tokens: Record<'lifecycle' | 'rep' | 'marketer', string> = { lifecycle: '', rep: '', marketer: '' };
  const ids: Record<'lifecycle' | 'rep' | 'marketer', string> = { lifecycle: '', rep: '', marketer: '' };

  function createUser(body: Record<string, unknown>, token = t.adminToken) {
    return t.http.post('/api/v1/users').set(bearer(token)).send(body);
  }

  beforeAll(async () => {
    t = await startTestApp();
    const me = await t.http.get('/api/v1/me').set(bearer(t.adminToken)).expect(200);
    ids.lifecycle = me.body.id;
    tokens.lifecycle = t.adminToken;
    for (const role of ['rep', 'marketer'] as const) {
      const res = await createUser({ email: `${role}@example.com`, name: `A ${role}`, timeZone: 'America/New_York', roles: [role] }).expect(201);
      ids[role] = res.body.id;
      const tok = await t.http.post(`/api/v1/users/${res.body.id}/tokens`).set(bearer(t.adminToken)).send({ name: 'test' }).expect(201);
      tokens[role] = tok.body.token;
    }
  });

  afterAll(() => t.close());

  describe('bootstrap', () => {
    it('created the lifecycle admin from ADMIN_EMAIL with the ADMIN_TOKEN', async () => {
      const res = await t.http.get('/api/v1/me').set(bearer(t.adminToken)).expect(200);
      expect(res.body).toMatchObject({ email: 'lifecycle-admin@example.com', roles: ['lifecycle'], active: true });
    });

    it('stores only a hash of the token', async () => {
      const rows: { token_hash: Buffer; prefix: string }[] = await t.db.query(`SELECT token_hash, prefix FROM api_tokens`);
      for (const r of rows) {
        expect(r.token_hash).toHaveLength(32);
        expect(r.token_hash.toString('latin1')).not.toContain(t.adminToken);
      }
      expect(JSON.stringify(rows)).not.toContain(t.adminToken);
    });
  });

  describe('authentication', () => {
    it('answers 401 without a token, with a malformed header, and with an unknown token', async () => {
      for (const headers of [{}, { Authorization: 'Basic abc' }, bearer('ra_unknown-token-value')]) {
        const res = await t.http.get('/api/v1/me').set(headers).expect(401);
        expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'unauthenticated' });
        expect(res.body.message).toEqual(expect.any(String));
      }
    });

    it('shows each user themself at /me', async () => {
      for (const role of ['rep', 'marketer'] as const) {
        const res = await t.http.get('/api/v1/me').set(bearer(tokens[role])).expect(200);
        expect(res.body).toMatchObject({ id: ids[role], roles: [role], timeZone: 'America/New_York' });
      }
    });

    it('stops a revoked token at once, and keeps the user’s other tokens working', async () => {
      const a = await t.http.post(`/api/v1/users/${ids.rep}/tokens`).set(bearer(tokens.rep)).send({ name: 'a' }).expect(201);
      const b = await t.http.post(`/api/v1/users/${ids.rep}/tokens`).set(bearer(tokens.rep)).send({ name: 'b' }).expect(201);
      await t.http.get('/api/v1/me').set(bearer(a.body.token)).expect(200);
      await t.http.delete(`/api/v1/users/${ids.rep}/tokens/${a.body.id}`).set(bearer(tokens.rep)).expect(204);
      await t.http.get('/api/v1/me').set(bearer(a.body.token)).expect(401);
      await t.http.get('/api/v1/me').set(bearer(b.body.token)).expect(200);
      const list = await t.http.get(`/api/v1/users/${ids.rep}/tokens`).set(bearer(tokens.rep)).expect(200);
      const revoked = list.body.tokens.find((x: { id: string }) => x.id === a.body.id);
      expect(revoked.revokedAt).toEqual(expect.any(String));
      expect(JSON.stringify(list.body)).not.toContain(b.body.token); // secrets are shown once, never listed
    });

    it('revokes every token of a deactivated user for good: reactivation brings none back', async () => {
      const u = await createUser({ email: 'leaving@example.com', name: 'Leaving', timeZone: 'Europe/London', roles: ['marketer'] }).expect(201);
      const tok = await t.http.post(`/api/v1/users/${u.body.id}/tokens`).set(bearer(t.adminToken)).send({}).expect(201);
      await t.http.get('/api/v1/me').set(bearer(tok.body.token)).expect(200);
      await t.http.patch(`/api/v1/users/${u.body.id}`).set(bearer(t.adminToken)).send({ active: false }).expect(200);
      await t.http.get('/api/v1/me').set(bearer(tok.body.token)).expect(401);
      await t.http.post(`/api/v1/users/${u.body.id}/tokens`).set(bearer(t.adminToken)).send({}).expect(409);
      await t.http.patch(`/api/v1/users/${u.body.id}`).set(bearer(t.adminToken)).send({ active: true }).expect(200);
      await t.http.get('/api/v1/me').set(bearer(tok.body.token)).expect(401);
      const fresh = await t.http.post(`/api/v1/users/${u.body.id}/tokens`).set(bearer(t.adminToken)).send({}).expect(201);
      await t.http.get('/api/v1/me').set(bearer(fresh.body.token)).expect(200);
    });
  });

  describe('authorisation per role', () => {
    const body = (email: string) => ({ email, name: 'New person', timeZone: 'Asia/Kolkata', roles: ['marketer'] });

    it('lets only the lifecycle team create and list users', async () => {
      await createUser(body('by-lifecycle@example.com'), tokens.lifecycle).expect(201);
      for (const role of ['rep', 'marketer'] as const) {
        const before = await counts(t.db);
        const res = await createUser(body(`by-${role}@example.com`), tokens[role]).expect(403);
        expect(res.body).toMatchObject({ code: 'forbidden' });
        expect(await counts(t.db)).toEqual(before);
        await t.http.get('/api/v1/users').set(bearer(tokens[role])).expect(403);
      }
      const list = await t.http.get('/api/v1/users?role=marketer&active=true').set(bearer(tokens.lifecycle)).expect(200);
      expect(list.body.users.map((u: { email: string }) => u.email)).toContain('by-lifecycle@example.com');
      expect(list.body.users.every((u: { roles: string[] }) => u.roles.includes('marketer'))).toBe(true);
    });

    it('lets a user read and rename themself but not another user', async () => {
      await t.http.get(`/api/v1/users/${ids.rep}`).set(bearer(tokens.rep)).expect(200);
      await t.http.get(`/api/v1/users/${ids.marketer}`).set(bearer(tokens.rep)).expect(403);
      await t.http.get(`/api/v1/users/${ids.rep}`).set(bearer(tokens.lifecycle)).expect(200);
      const renamed = await t.http.patch(`/api/v1/users/${ids.rep}`).set(bearer(tokens.rep)).send({ name: 'Renamed Rep', timeZone: 'Europe/Paris' }).expect(200);
      expect(renamed.body).toMatchObject({ name: 'Renamed Rep', timeZone: 'Europe/Paris' });
      const before = await counts(t.db);
      await t.http.patch(`/api/v1/users/${ids.marketer}`).set(bearer(tokens.rep)).send({ name: 'Hijack' }).expect(403);
      expect(await counts(t.db)).toEqual(before);
    });

    it('keeps roles, active and startedOn for the lifecycle team', async () => {
      const before = await counts(t.db);
      const res = await t.http.patch(`/api/v1/users/${ids.marketer}`).set(bearer(tokens.marketer)).send({ roles: ['lifecycle'] }).expect(403);
      expect(res.body.details.fields).toEqual(['roles']);
      await t.http.patch(`/api/v1/users/${ids.marketer}`).set(bearer(tokens.marketer)).send({ active: false }).expect(403);
      expect(await counts(t.db)).toEqual(before);
      const me = await t.http.get('/api/v1/me').set(bearer(tokens.marketer)).expect(200);
      expect(me.body.roles).toEqual(['marketer']);
      const ok = await t.http.patch(`/api/v1/users/${ids.marketer}`).set(bearer(tokens.lifecycle)).send({ startedOn: '2026-11-02' }).expect(200);
      expect(ok.body.startedOn).toBe('2026-11-02');
    });

    it('lets a user manage only their own tokens; the lifecycle team manages anyone’s', async () => {
      await t.http.post(`/api/v1/users/${ids.marketer}/tokens`).set(bearer(tokens.marketer)).send({}).expect(201);
      const before = await counts(t.db);
      await t.http.post(`/api/v1/users/${ids.marketer}/tokens`).set(bearer(tokens.rep)).send({}).expect(403);
      await t.http.get(`/api/v1/users/${ids.marketer}/tokens`).set(bearer(tokens.rep)).expect(403);
      const mine = await t.http.get(`/api/v1/users/${ids.marketer}/tokens`).set(bearer(tokens.marketer)).expect(200);
      await t.http.delete(`/api/v1/users/${ids.marketer}/tokens/${mine.body.tokens[0].id}`).set(bearer(tokens.rep)).expect(403);
      expect(await counts(t.db)).toEqual(before);
      await t.http.post(`/api/v1/users/${ids.rep}/tokens`).set(bearer(tokens.lifecycle)).send({}).expect(201);
      await t.http.get(`/api/v1/users/${ids.rep}/tokens`).set(bearer(tokens.lifecycle)).expect(200);
    });

    it('refuses to deactivate or demote the last active lifecycle user', async () => {
      const before = await counts(t.db);
      const res = await t.http.patch(`/api/v1/users/${ids.lifecycle}`).set(bearer(tokens.lifecycle)).send({ active: false }).expect(409);
      expect(res.body).toMatchObject({ code: 'last_lifecycle_user', details: { field: 'active' } });
      await t.http.patch(`/api/v1/users/${ids.lifecycle}`).set(bearer(tokens.lifecycle)).send({ roles: ['rep'] }).expect(409);
      expect(await counts(t.db)).toEqual(before);
      await t.http.get('/api/v1/me').set(bearer(tokens.lifecycle)).expect(200);
    });

    it('lets only the lifecycle team read the audit log', async () => {
      await t.http.get('/api/v1/audit').set(bearer(tokens.rep)).expect(403);
      await t.http.get('/api/v1/audit').set(bearer(tokens.marketer)).expect(403);
      await t.http.get('/api/v1/audit').set(bearer(tokens.lifecycle)).expect(200);
    });
  });

  describe('bad input', () => {
    const valid = { email: 'valid@example.com', name: 'Valid', timeZone: 'Asia/Kathmandu', roles: ['rep'] };

    it.each([
      ['an unknown property', { ...valid, isAdmin: true }, 'isAdmin'],
      ['a wrong type', { ...valid, name: 42 }, 'name'],
      ['roles not a list', { ...valid, roles: 'rep' }, 'roles'],
      ['an unknown role', { ...valid, roles: ['boss'] }, 'roles'],
      ['no roles', { ...valid, roles: [] }, 'roles'],
      ['an invalid time zone', { ...valid, timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
      ['an offset instead of a zone', { ...valid, timeZone: '+05:30' }, 'timeZone'],
      ['a bad email', { ...valid, email: 'not-an-email' }, 'email'],
      ['a missing name', { email: valid.email, timeZone: valid.timeZone, roles: valid.roles }, 'name'],
      ['an impossible date', { ...valid, startedOn: '2026-02-30' }, 'startedOn'],
    ])('answers 400 naming the field for %s, and writes nothing', async (_, body, field) => {
      const before = await counts(t.db);
      const res = await createUser(body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'validation_failed' });
      expect(res.body.message).toContain(field);
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(await counts(t.db)).toEqual(before);
    });

    it('answers 409 for a duplicate email in any letter case, and writes nothing', async () => {
      await createUser({ ...valid, email: 'Dup.Person@Example.com' }).expect(201);
      const before = await counts(t.db);
      for (const email of ['Dup.Person@Example.com', 'dup.person@example.com', 'DUP.PERSON@EXAMPLE.COM']) {
        const res = await createUser({ ...valid, email }).expect(409);
        expect(res.body).toMatchObject({ code: 'email_taken', details: { field: 'email' } });
      }
      expect(await counts(t.db)).toEqual(before);
    });

    it('answers exactly one 201 when the same new email is created concurrently', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => createUser({ ...valid, email: i % 2 ? 'race@example.com' : 'RACE@example.com' })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE lower(email) = 'race@example.com'`);
      expect(n).toBe(1);
    });

    it('answers 413 naming the body for an oversize body, and writes nothing', async () => {
      const before = await counts(t.db);
      const res = await createUser({ ...valid, name: 'x'.repeat(200_000) }).expect(413);
      expect(res.body).toMatchObject({ statusCode: 413, code: 'payload_too_large', details: { field: 'body' } });
      expect(await counts(t.db)).toEqual(before);
    });

    it('answers 400 for malformed JSON', async () => {
      const res = await t.http.post('/api/v1/users').set(bearer(t.adminToken)).set('Content-Type', 'application/json').send('{"email": ').expect(400);
      expect(res.body).toMatchObject({ code: 'invalid_json', details: { field: 'body' } });
    });

    it('answers 400 naming the parameter for a malformed id, and 404 for an unknown one', async () => {
      const bad = await t.http.get('/api/v1/users/not-a-uuid').set(bearer(t.adminToken)).expect(400);
      expect(bad.body.message).toContain('id');
      const missing = await t.http.get('/api/v1/users/00000000-0000-4000-8000-000000000000').set(bearer(t.adminToken)).expect(404);
      expect(missing.body).toMatchObject({ code: 'not_found' });
      await t.http.delete(`/api/v1/users/${ids.rep}/tokens/zzz`).set(bearer(t.adminToken)).expect(400);
    });

    it('answers 400 for bad query parameters', async () => {
      const res = await t.http.get('/api/v1/users?limit=abc').set(bearer(t.adminToken)).expect(400);
      expect(res.body.message).toContain('limit');
      await t.http.get('/api/v1/users?role=king').set(bearer(t.adminToken)).expect(400);
    });
  });

  describe('audit log', () => {
    it('records who changed what, when, with the request id', async () => {
      const res = await createUser({ email: 'audited@example.com', name: 'Audited', timeZone: 'UTC', roles: ['rep'] })
        .set('X-Request-Id', 'req-audit-1')
        .expect(201);
      await t.http.patch(`/api/v1/users/${res.body.id}`).set(bearer(t.adminToken)).send({ name: 'Audited Twice' }).expect(200);
      await t.http.patch(`/api/v1/users/${res.body.id}`).set(bearer(t.adminToken)).send({ active: false }).expect(200);
      const log = await t.http.get(`/api/v1/audit?entity=user&entityId=${res.body.id}`).set(bearer(t.adminToken)).expect(200);
      const actions = log.body.entries.map((e: { action: string }) => e.action).reverse();
      expect(actions).toEqual(['user.create', 'user.update', 'user.deactivate']);
      const created = log.body.entries.at(-1);
      expect(created).toMatchObject({ actorId: ids.lifecycle, requestId: 'req-audit-1', entity: 'user', entityId: res.body.id });
      expect(Date.now() - new Date(created.at).getTime()).toBeLessThan(60_000);
      expect(log.body.entries[1].details).toMatchObject({ before: { name: 'Audited' }, changes: { name: 'Audited Twice' } });
    });
  });
});
