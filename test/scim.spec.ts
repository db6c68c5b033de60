import { randomUUID } from 'node:crypto';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { makeUser } from './support/fixtures.js';

const SCIM = 'application/scim+json';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const RA = 'urn:ridealong:params:scim:schemas:extension:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

let t: TestApp;
let token: string;

const scim = () => ({ ...bearer(token), 'Content-Type': SCIM, Accept: SCIM });
const get = (path: string) => t.http.get(`/scim/v2${path}`).set(scim());
const send = (method: 'post' | 'put' | 'patch', path: string, body: unknown) => t.http[method](`/scim/v2${path}`).set(scim()).send(JSON.stringify(body));
const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
const email = (who: string) => `${who}-${randomUUID().slice(0, 8)}@example.com`;

beforeAll(async () => {
  t = await startTestApp();
  const res = await t.http.post('/api/v1/scim-tokens').set(bearer(t.adminToken)).send({ name: 'Okta' });
  expect(res.status).toBe(201);
  token = res.body.token;
});
afterAll(() => t.close());

describe('SCIM tokens', () => {
  it('are shown once, stored hashed, and open /scim/v2 only; API tokens do not open /scim/v2', async () => {
    const list = await t.http.get('/api/v1/scim-tokens').set(bearer(t.adminToken));
    expect(list.status).toBe(200);
    expect(list.body.tokens[0]).not.toHaveProperty('token');
    expect(list.body.tokens[0]).not.toHaveProperty('tokenHash');
    const [row] = await t.db.query(`SELECT token_hash FROM scim_tokens WHERE id = $1`, [list.body.tokens[0].id]);
    expect(Buffer.from(row.token_hash).toString('utf8')).not.toContain(token);

    expect((await t.http.get('/api/v1/me').set(bearer(token))).status).toBe(401);
    const api = await t.http.get('/scim/v2/Users').set(bearer(t.adminToken));
    expect(api.status).toBe(401);
    expect(api.headers['content-type']).toContain(SCIM);
    expect(api.body).toMatchObject({ schemas: [ERROR], status: '401' });
    expect((await t.http.get('/scim/v2/Users')).status).toBe(401);
  });

  it('only the lifecycle team creates them; a revoked one stops working', async () => {
    const marketer = await makeUser(t, ['marketer']);
    expect((await t.http.post('/api/v1/scim-tokens').set(bearer(marketer.token)).send({})).status).toBe(403);
    const made = await t.http.post('/api/v1/scim-tokens').set(bearer(t.adminToken)).send({ name: 'Entra' });
    expect((await t.http.get('/scim/v2/ServiceProviderConfig').set(bearer(made.body.token))).status).toBe(200);
    expect((await t.http.delete(`/api/v1/scim-tokens/${made.body.id}`).set(bearer(t.adminToken))).status).toBe(204);
    expect((await t.http.get('/scim/v2/ServiceProviderConfig').set(bearer(made.body.token))).status).toBe(401);
    expect((await t.http.post('/api/v1/scim-tokens').set(bearer(t.adminToken)).send({ name: '' })).status).toBe(400);
  });
});

describe('discovery', () => {
  it('ServiceProviderConfig, ResourceTypes and Schemas (with the extension)', async () => {
    const spc = await get('/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.headers['content-type']).toContain(SCIM);
    expect(spc.body).toMatchObject({ patch: { supported: true }, filter: { supported: true }, etag: { supported: true } });
    const types = await get('/ResourceTypes');
    expect(types.body.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    const schemas = await get('/Schemas');
    expect(schemas.body.Resources.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([USER, ENT, RA]));
    const ra = await get(`/Schemas/${RA}`);
    expect(ra.body.attributes.map((a: { name: string }) => a.name)).toEqual(['startedOn']);
  });
});

describe('Okta sequence', () => {
  it('looks up, creates, finds by filter, deactivates with a pathless replace, reactivates, replaces with PUT', async () => {
    const userName = email('okta.ada');
    // Okta first looks the person up by userName
    const lookup = await get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`);
    expect(lookup.status).toBe(200);
    expect(lookup.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });

    const created = await send('post', '/Users', {
      schemas: [USER],
      userName,
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Ada Lovelace',
      locale: 'en-US',
      externalId: '00u1abcd',
      groups: [],
      password: 'not-stored',
      active: true,
      timezone: 'Europe/Berlin',
      [ENT]: { employeeNumber: '1815' },
      [RA]: { startedOn: '2026-01-05' },
    });
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toContain(SCIM);
    const id = created.body.id as string;
    expect(created.headers.location).toBe(created.body.meta.location);
    expect(created.headers.etag).toBe(created.body.meta.version);
    expect(created.body).toMatchObject({
      userName,
      displayName: 'Ada Lovelace',
      active: true,
      timezone: 'Europe/Berlin',
      externalId: '00u1abcd',
      emails: [{ value: userName, type: 'work', primary: true }],
      groups: [],
      [ENT]: { employeeNumber: '1815' },
      [RA]: { startedOn: '2026-01-05' },
      meta: { resourceType: 'User', location: expect.stringMatching(new RegExp(`/scim/v2/Users/${id}$`)) },
    });
    expect(created.body).not.toHaveProperty('password');

    // find by filter, in another letter case
    const found = await get(`/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}&startIndex=1&count=100`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(id);

    // give them an API token, then deactivate the way Okta does
    const apiToken = await t.http.post(`/api/v1/users/${id}/tokens`).set(bearer(t.adminToken)).send({});
    // (a SCIM user has no role until a group gives one, but can hold a token)
    expect(apiToken.status).toBe(201);
    const off = await send('patch', `/Users/${id}`, patchOp({ op: 'replace', value: { active: false } }));
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await t.http.get('/api/v1/me').set(bearer(apiToken.body.token))).status).toBe(401);
    const [audit] = await t.db.query(`SELECT details FROM audit_log WHERE entity_id = $1 AND action = 'user.deactivate'`, [id]);
    expect(audit.details.revoked.apiTokens).toBe(1);

    const on = await send('patch', `/Users/${id}`, patchOp({ op: 'replace', value: { active: true } }));
    expect(on.body.active).toBe(true);
    // reactivation restores sign-in ability only: the old token stays revoked
    expect((await t.http.get('/api/v1/me').set(bearer(apiToken.body.token))).status).toBe(401);

    const put = await send('put', `/Users/${id}`, {
      schemas: [USER],
      id,
      userName,
      name: { givenName: 'Augusta Ada', familyName: 'King' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Augusta Ada King',
      active: true,
      externalId: '00u1abcd',
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ displayName: 'Augusta Ada King', active: true, timezone: 'Europe/Berlin' });
    expect(put.body[ENT]).toEqual({});

    const one = await get(`/Users/${id}`);
    expect(one.status).toBe(200);
    expect(one.body.displayName).toBe('Augusta Ada King');
  });
});

describe('Okta group push', () => {
  it('finds the group by displayName, echoes its id in a pathless replace, adds and removes members', async () => {
    const made = await send('post', '/Users', { schemas: [USER], userName: email('okta.push'), name: { givenName: 'Push', familyName: 'Ed' } });
    const id = made.body.id as string;
    const found = await get(`/Groups?filter=${encodeURIComponent('displayName eq "ridealong-reps"')}&startIndex=1&count=100`);
    expect(found.body.totalResults).toBe(1);
    const gid = found.body.Resources[0].id as string;
    const renamed = await send('patch', `/Groups/${gid}`, patchOp({ op: 'replace', value: { id: gid, displayName: 'ridealong-reps' } }));
    expect(renamed.status).toBe(200);
    const added = await send('patch', `/Groups/${gid}`, patchOp({ op: 'add', path: 'members', value: [{ value: id, display: 'Push Ed' }] }));
    expect(added.body.members).toEqual(expect.arrayContaining([expect.objectContaining({ value: id })]));
    expect((await get(`/Users/${id}`)).body.groups.map((g: { value: string }) => g.value)).toEqual(['ridealong-reps']);
    const removed = await send('patch', `/Groups/${gid}`, patchOp({ op: 'remove', path: `members[value eq "${id}"]` }));
    expect(removed.body.members.map((m: { value: string }) => m.value)).not.toContain(id);
    // the group's version changes with its members, and If-Match holds a stale one off
    const stale = await t.http.patch(`/scim/v2/Groups/${gid}`).set({ ...scim(), 'If-Match': added.body.meta.version }).send(JSON.stringify(patchOp({ op: 'add', path: 'members', value: [{ value: id }] })));
    expect(stale.status).toBe(412);
  });
});

describe('Entra ID sequence', () => {
  it('probes with a random userName, creates, Replace with "False", group Add and Remove', async () => {
    const probe = await get(`/Users?filter=${encodeURIComponent(`userName eq "${randomUUID()}"`)}`);
    expect(probe.status).toBe(200);
    expect(probe.body).toMatchObject({ totalResults: 0, Resources: [] });

    const userName = email('entra.grace');
    const created = await send('post', '/Users', {
      schemas: [USER, ENT],
      externalId: 'grace',
      userName,
      active: true,
      emails: [{ primary: true, type: 'work', value: userName }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Grace Hopper', familyName: 'Hopper', givenName: 'Grace' },
      roles: [],
      title: 'Rear admiral',
      [ENT]: { employeeNumber: '1906', department: 'Navy' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ displayName: 'Grace Hopper', timezone: 'UTC', [ENT]: { employeeNumber: '1906' } });

    const byExternal = await get(`/Users?filter=${encodeURIComponent('externalId eq "grace"')}`);
    expect(byExternal.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);

    const renamed = await send(
      'patch',
      `/Users/${id}`,
      patchOp(
        { op: 'Replace', path: 'title', value: 'Commodore' },
        { op: 'Replace', path: 'name.givenName', value: 'Amazing Grace' },
        { op: 'Add', path: 'emails[type eq "work"].value', value: userName },
        { op: 'Replace', path: `${ENT}:employeeNumber`, value: '1907' },
        { op: 'Add', path: `${RA}:startedOn`, value: '2026-02-02' },
        { op: 'Replace', path: 'timezone', value: 'Asia/Kolkata' },
      ),
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ displayName: 'Amazing Grace Hopper', timezone: 'Asia/Kolkata', [ENT]: { employeeNumber: '1907' }, [RA]: { startedOn: '2026-02-02' } });

    // group membership: Entra ID adds and removes members by PATCH
    const groups = await get('/Groups');
    expect(groups.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['ridealong-reps', 'ridealong-marketers', 'ridealong-lifecycle']);
    const byName = await get(`/Groups?filter=${encodeURIComponent('displayName eq "ridealong-marketers"')}&excludedAttributes=members`);
    expect(byName.body.Resources).toEqual([expect.not.objectContaining({ members: expect.anything() })]);
    const gid = byName.body.Resources[0].id as string;
    const added = await send('patch', `/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: [{ value: id }] }));
    expect(added.status).toBe(200);
    expect(added.body.members.map((m: { value: string }) => m.value)).toContain(id);
    expect((await get(`/Users/${id}`)).body.groups).toEqual([expect.objectContaining({ value: 'ridealong-marketers' })]);
    const [row] = await t.db.query(`SELECT roles FROM users WHERE id = $1`, [id]);
    expect(row.roles).toEqual(['marketer']);

    const off = await send('patch', `/Users/${id}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }));
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const inactive = await get(`/Users?filter=${encodeURIComponent(`active eq false and userName eq "${userName}"`)}`);
    expect(inactive.body.totalResults).toBe(1);
    const on = await send('patch', `/Users/${id}`, patchOp({ op: 'Replace', path: 'active', value: 'True' }));
    expect(on.body.active).toBe(true);

    const removed = await send('patch', `/Groups/${gid}`, patchOp({ op: 'Remove', path: `members[value eq "${id}"]` }));
    expect(removed.status).toBe(200);
    expect(removed.body.members.map((m: { value: string }) => m.value)).not.toContain(id);
    const [after] = await t.db.query(`SELECT roles FROM users WHERE id = $1`, [id]);
    expect(after.roles).toEqual([]);

    // PUT replaces the members
    const put = await send('put', `/Groups/ridealong-reps`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'ridealong-reps', members: [{ value: id }] });
    expect(put.body.members.map((m: { value: string }) => m.value)).toEqual([id]);

    // DELETE deactivates
    expect((await t.http.delete(`/scim/v2/Users/${id}`).set(scim())).status).toBe(204);
    expect((await get(`/Users/${id}`)).body.active).toBe(false);
    // a PUT that leaves active out keeps the person deactivated
    const put2 = await send('put', `/Users/${id}`, { schemas: [USER], userName, displayName: 'Grace' });
    expect(put2.body).toMatchObject({ active: false, displayName: 'Grace' });
  });
});

describe('filters and paging', () => {
  const names: string[] = [];
  beforeAll(async () => {
    for (const who of ['fp.alpha', 'fp.beta', 'fp.gamma']) {
      const userName = email(who);
      names.push(userName);
      const res = await send('post', '/Users', { schemas: [USER], userName, displayName: who.replace('fp.', 'Filter ') });
      expect(res.status).toBe(201);
    }
  });

  it('eq, co, sw, pr, and/or, parentheses, emails.value, emails[type eq "work"].value', async () => {
    const q = async (f: string) => (await get(`/Users?filter=${encodeURIComponent(f)}`)).body.Resources.map((r: { userName: string }) => r.userName);
    expect(await q(`userName sw "fp.alpha"`)).toEqual([names[0]]);
    expect(await q(`displayName co "filter b"`)).toEqual([names[1]]);
    expect(await q(`emails.value eq "${names[2].toUpperCase()}"`)).toEqual([names[2]]);
    expect(await q(`emails[type eq "work"].value eq "${names[2]}"`)).toEqual([names[2]]);
    expect(await q(`(userName sw "fp.alpha" or userName sw "fp.beta") and active eq true`)).toEqual([names[0], names[1]]);
    expect(await q(`userName sw "fp." and externalId pr`)).toEqual([]);
  });

  it('startIndex and count page a ListResponse', async () => {
    const f = encodeURIComponent('userName sw "fp."');
    const page = await get(`/Users?filter=${f}&startIndex=2&count=1`);
    expect(page.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(page.body.Resources[0].userName).toBe(names[1]);
    const none = await get(`/Users?filter=${f}&count=0`);
    expect(none.body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
  });
});

describe('refusals in SCIM form', () => {
  it('a userName taken in another letter case: 409 uniqueness', async () => {
    const userName = email('dup');
    expect((await send('post', '/Users', { schemas: [USER], userName })).status).toBe(201);
    const again = await send('post', '/Users', { schemas: [USER], userName: userName.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain(SCIM);
    expect(again.body).toEqual({ schemas: [ERROR], status: '409', scimType: 'uniqueness', detail: expect.stringContaining('userName') });
  });

  it.each([
    ['a bad filter', () => get(`/Users?filter=${encodeURIComponent('userName eq')}`), 400, 'invalidFilter'],
    ['a bad time zone', () => send('post', '/Users', { schemas: [USER], userName: email('tz'), timezone: 'Mars/Olympus' }), 400, 'invalidValue'],
    ['no userName', () => send('post', '/Users', { schemas: [USER] }), 400, 'invalidValue'],
    ['an unknown group', () => send('post', '/Groups', { displayName: 'admins' }), 400, 'invalidValue'],
    ['a fixed group again', () => send('post', '/Groups', { displayName: 'ridealong-reps' }), 409, 'uniqueness'],
    ['bad JSON', () => t.http.post('/scim/v2/Users').set(scim()).send('{"userName":'), 400, 'invalidSyntax'],
    ['a PATCH without schemas', () => send('patch', '/Groups/ridealong-reps', { Operations: [{ op: 'add', path: 'members', value: [] }] }), 400, 'invalidSyntax'],
    ['a member who does not exist', () => send('patch', '/Groups/ridealong-reps', patchOp({ op: 'add', path: 'members', value: [{ value: randomUUID() }] })), 400, 'invalidValue'],
  ])('%s', async (_what, call, status, scimType) => {
    const res = await call();
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: String(status), scimType });
  });

  it('remove without a path: noTarget; unknown user: 404; deleting a fixed group is refused; If-Match: 412', async () => {
    const made = await send('post', '/Users', { schemas: [USER], userName: email('nt') });
    const id = made.body.id as string;
    const nt = await send('patch', `/Users/${id}`, patchOp({ op: 'remove' }));
    expect(nt.body).toMatchObject({ status: '400', scimType: 'noTarget' });
    expect((await get(`/Users/${randomUUID()}`)).body).toMatchObject({ schemas: [ERROR], status: '404' });
    expect((await get('/Users/not-a-uuid')).status).toBe(404);
    expect((await t.http.delete('/scim/v2/Groups/ridealong-reps').set(scim())).status).toBe(400);
    const stale = await t.http
      .patch(`/scim/v2/Users/${id}`)
      .set({ ...scim(), 'If-Match': 'W/"stale"' })
      .send(JSON.stringify(patchOp({ op: 'replace', path: 'displayName', value: 'X' })));
    expect(stale.status).toBe(412);
    const fresh = await t.http
      .patch(`/scim/v2/Users/${id}`)
      .set({ ...scim(), 'If-Match': made.body.meta.version })
      .send(JSON.stringify(patchOp({ op: 'replace', path: 'displayName', value: 'X' })));
    expect(fresh.status).toBe(200);
    expect(fresh.body.meta.version).not.toBe(made.body.meta.version);
  });
});
