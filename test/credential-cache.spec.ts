import { createHash, randomBytes } from 'node:crypto';
import { CredentialCache } from '../src/people/credential-cache.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { createTestDatabase, TestDatabase } from './support/database.js';

const SCIM = 'application/scim+json';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Polls `check` until it holds, for at most `ms`; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Two instances of the service on one database, each caching credentials for seconds: a change made
 * through one is refused at once by it and within a second by the other (PostgreSQL NOTIFY on commit).
 */
describe('credential cache across instances', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let n = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await startTestApp({}, database);
    b = await startTestApp({}, database);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await database?.drop();
  });

  /** A new person with `roles` and an API token of theirs. */
  async function person(roles: string[]): Promise<{ id: string; token: string }> {
    n += 1;
    const user = await a.http
      .post('/api/v1/users')
      .set(bearer(a.adminToken))
      .send({ email: `cached-${n}@example.com`, name: `Cached ${n}`, timeZone: 'Europe/Berlin', roles });
    expect(user.status).toBe(201);
    const issued = await a.http.post(`/api/v1/users/${user.body.id}/tokens`).set(bearer(a.adminToken)).send({ name: 'test' });
    expect(issued.status).toBe(201);
    return { id: user.body.id, token: issued.body.token };
  }

  const status = async (t: TestApp, path: string, token: string) => (await t.http.get(path).set(bearer(token))).status;

  /** Uses the token on both instances, so both hold it in memory. */
  async function cachedOnBoth(token: string): Promise<void> {
    for (const t of [a, b]) {
      expect(await status(t, '/api/v1/me', token)).toBe(200);
      expect(await status(t, '/api/v1/me', token)).toBe(200);
      expect(t.app.get(CredentialCache).size.tokens).toBeGreaterThan(0);
    }
  }

  it('answers a token from memory: no query after the first request', async () => {
    const { token } = await person(['rep']);
    await cachedOnBoth(token);
    // With the token's row gone from under the cache (no trigger: the replica role skips them), B still
    // answers from memory, which proves the second request read no row.
    await b.db.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`UPDATE api_tokens SET revoked_at = now() WHERE token_hash = $1`, [createHash('sha256').update(token).digest()]);
    });
    expect(await status(b, '/api/v1/me', token)).toBe(200);
  });

  it('a token revoked through instance A is refused by A at once and by B within a second', async () => {
    const { id, token } = await person(['rep']);
    await cachedOnBoth(token);
    const tokens = await a.http.get(`/api/v1/users/${id}/tokens`).set(bearer(a.adminToken));
    const revoked = await a.http.delete(`/api/v1/users/${id}/tokens/${tokens.body.tokens[0].id}`).set(bearer(a.adminToken));
    expect(revoked.status).toBeLessThan(300);
    expect(await status(a, '/api/v1/me', token)).toBe(401);
    await within(1_000, async () => (await status(b, '/api/v1/me', token)) === 401);
  });

  it('a person deactivated through the users API on A is refused by A at once and by B within a second', async () => {
    const { id, token } = await person(['rep']);
    await cachedOnBoth(token);
    const res = await a.http.patch(`/api/v1/users/${id}`).set(bearer(a.adminToken)).send({ active: false });
    expect(res.status).toBe(200);
    expect(await status(a, '/api/v1/me', token)).toBe(401);
    await within(1_000, async () => (await status(b, '/api/v1/me', token)) === 401);
  });

  it('a person deactivated through SCIM on A is refused by A at once and by B within a second', async () => {
    const scimToken = (await a.http.post('/api/v1/scim-tokens').set(bearer(a.adminToken)).send({})).body.token as string;
    const { id, token } = await person(['rep']);
    await cachedOnBoth(token);
    const res = await a.http
      .patch(`/scim/v2/Users/${id}`)
      .set({ ...bearer(scimToken), 'Content-Type': SCIM })
      .send(JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }));
    expect(res.status).toBe(200);
    expect(await status(a, '/api/v1/me', token)).toBe(401);
    await within(1_000, async () => (await status(b, '/api/v1/me', token)) === 401);
  });

  it('a role removed on A takes effect on A at once and on B within a second; the name and time zone too', async () => {
    const { id, token } = await person(['rep', 'lifecycle']);
    for (const t of [a, b]) {
      expect(await status(t, '/api/v1/users', token)).toBe(200);
      expect(await status(t, '/api/v1/users', token)).toBe(200);
    }
    const res = await a.http.patch(`/api/v1/users/${id}`).set(bearer(a.adminToken)).send({ roles: ['rep'], timeZone: 'Asia/Tokyo', name: 'Renamed' });
    expect(res.status).toBe(200);
    expect(await status(a, '/api/v1/users', token)).toBe(403);
    await within(1_000, async () => (await status(b, '/api/v1/users', token)) === 403);
    const me = await b.http.get('/api/v1/me').set(bearer(token));
    expect(me.body).toMatchObject({ roles: ['rep'], timeZone: 'Asia/Tokyo', name: 'Renamed' });
  });

  it('a role removed by a people import on A takes effect on A at once and on B within a second', async () => {
    const { token } = await person(['rep', 'lifecycle']);
    for (const t of [a, b]) {
      expect(await status(t, '/api/v1/users', token)).toBe(200);
      expect(await status(t, '/api/v1/users', token)).toBe(200);
    }
    const csv = `email,name,roles,timeZone\ncached-${n}@example.com,Imported,rep,UTC\n`;
    const res = await a.http.post('/api/v1/imports/people?dryRun=false').set(bearer(a.adminToken)).set('Content-Type', 'text/csv').send(csv);
    expect(res.status).toBe(200);
    expect(res.body.applied).toBe(true);
    expect(await status(a, '/api/v1/users', token)).toBe(403);
    await within(1_000, async () => (await status(b, '/api/v1/users', token)) === 403);
  });

  it('a session signed out on A stops working on A at once and on B within a second; a new session works at once', async () => {
    const { id } = await person(['rep']);
    const cookie = 'ss_' + randomBytes(32).toString('base64url');
    const headers = { cookie: `ra_session=${cookie}` };
    const page = async (t: TestApp) => (await t.http.get('/').set(headers)).status; // 303 to the role's home when signed in
    // Unknown first, then created: nothing negative was kept.
    expect(await page(b)).toBe(401);
    await a.db.query(`INSERT INTO web_sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, 'csrf-secret', now() + interval '1 day')`, [
      createHash('sha256').update(cookie).digest(),
      id,
    ]);
    for (const t of [a, b]) {
      expect(await page(t)).toBe(303);
      expect(await page(t)).toBe(303);
      expect(t.app.get(CredentialCache).size.sessions).toBeGreaterThan(0);
    }
    const out = await a.http.post('/sign-out').set(headers).type('form').send({ _csrf: 'csrf-secret' });
    expect(out.status).toBe(303);
    expect(out.headers.location).toContain('signedOut');
    expect(await page(a)).toBe(401);
    await within(1_000, async () => (await page(b)) === 401);
  });

  it('a session expiring is refused from memory too', async () => {
    const { id } = await person(['rep']);
    const cookie = 'ss_' + randomBytes(32).toString('base64url');
    await a.db.query(`INSERT INTO web_sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, 'x', now() + interval '1500 milliseconds')`, [
      createHash('sha256').update(cookie).digest(),
      id,
    ]);
    expect((await a.http.get('/').set({ cookie: `ra_session=${cookie}` })).status).toBe(303);
    await new Promise((r) => setTimeout(r, 1_600));
    expect((await a.http.get('/').set({ cookie: `ra_session=${cookie}` })).status).toBe(401);
  });
});
