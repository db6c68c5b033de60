import { ThemesRepository } from '../src/themes/themes.repository.js';
import { ThemesService } from '../src/themes/themes.service.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { makeUser, Person } from './support/fixtures.js';

const NO_SUCH = '00000000-0000-4000-8000-000000000000';

interface ThemeBody {
  id: string;
  name: string;
  description: string | null;
  parentId: string | null;
  status: string;
  mergedInto: string | null;
  children?: ThemeBody[];
}

let seq = 0;
/** Names unique to one test, so tests share one database without stepping on each other. */
const uniq = (name: string) => `${name} ${++seq}-${Math.random().toString(36).slice(2, 7)}`;

async function counts(t: TestApp) {
  const [row] = await t.db.query(
    `SELECT (SELECT count(*) FROM themes)::int AS themes, (SELECT count(*) FROM theme_history)::int AS history,
            (SELECT count(*) FROM audit_log)::int AS audit`,
  );
  return row as { themes: number; history: number; audit: number };
}

describe('themes (HTTP and service)', () => {
  let t: TestApp;
  let rep: Person;
  let marketer: Person;
  let lifecycle: Person;
  let svc: ThemesService;

  const admin = () => bearer(t.adminToken);

  async function create(body: Record<string, unknown>, token = t.adminToken): Promise<ThemeBody> {
    const res = await t.http.post('/api/v1/themes').set(bearer(token)).send(body);
    if (res.status !== 201) throw new Error(`create theme: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  const get = async (id: string): Promise<ThemeBody> => (await t.http.get(`/api/v1/themes/${id}`).set(admin()).expect(200)).body;
  const history = async (id: string) =>
    (await t.http.get(`/api/v1/themes/${id}/history`).set(admin()).expect(200)).body.history as { action: string; details: Record<string, unknown>; actorId: string }[];
  const propose = (names: string[], actorId = marketer.id) => t.db.transaction((m) => svc.propose(m, names, actorId));

  beforeAll(async () => {
    t = await startTestApp();
    rep = await makeUser(t, ['rep']);
    marketer = await makeUser(t, ['marketer']);
    lifecycle = await makeUser(t, ['lifecycle']);
    svc = t.app.get(ThemesService);
  });
  afterAll(() => t.close());

  it('creates an active theme, trimmed, with a history row and an audit row', async () => {
    const name = uniq('Pricing confusion');
    const theme = await create({ name: `  ${name}  `, description: 'Prospects cannot tell the plans apart' }, lifecycle.token);
    expect(theme).toMatchObject({ name, description: 'Prospects cannot tell the plans apart', parentId: null, status: 'active', mergedInto: null, createdBy: lifecycle.id });
    const rows = await history(theme.id);
    expect(rows).toEqual([expect.objectContaining({ action: 'create', actorId: lifecycle.id, details: expect.objectContaining({ name }) })]);
    const audit = await t.db.query(`SELECT action, actor_id FROM audit_log WHERE entity = 'theme' AND entity_id = $1`, [theme.id]);
    expect(audit).toEqual([{ action: 'theme.create', actor_id: lifecycle.id }]);
    expect(await get(theme.id)).toMatchObject({ id: theme.id, name });
  });

  it('renames (even only the case) and describes, each with its history row', async () => {
    const old = uniq('onboarding friction');
    const theme = await create({ name: old });
    const renamed = await t.http.patch(`/api/v1/themes/${theme.id}`).set(admin()).send({ name: old.toUpperCase(), description: 'Setup takes weeks' }).expect(200);
    expect(renamed.body).toMatchObject({ name: old.toUpperCase(), description: 'Setup takes weeks' });
    const cleared = await t.http.patch(`/api/v1/themes/${theme.id}`).set(admin()).send({ description: null }).expect(200);
    expect(cleared.body.description).toBeNull();
    // Nothing changed: no history row.
    await t.http.patch(`/api/v1/themes/${theme.id}`).set(admin()).send({ name: old.toUpperCase() }).expect(200);
    const rows = await history(theme.id);
    expect(rows.map((r) => r.action)).toEqual(['create', 'rename', 'describe', 'describe']);
    expect(rows[1].details).toEqual({ oldName: old, newName: old.toUpperCase() });
    expect(rows[3].details).toEqual({ oldDescription: 'Setup takes weeks', newDescription: null });
  });

  it('nests, moves and un-nests themes, and lists active ones as a tree', async () => {
    const root = await create({ name: uniq('Sales handoff') });
    const other = await create({ name: uniq('Lead quality') });
    const child = await create({ name: uniq('Slow follow-up'), parentId: root.id });
    expect(child.parentId).toBe(root.id);
    const grandchild = await create({ name: uniq('Missed calls'), parentId: child.id });

    let tree = (await t.http.get('/api/v1/themes?tree=true').set(admin()).expect(200)).body.themes as ThemeBody[];
    const rootNode = tree.find((n) => n.id === root.id)!;
    expect(rootNode.children!.map((c) => c.id)).toEqual([child.id]);
    expect(rootNode.children![0].children!.map((c) => c.id)).toEqual([grandchild.id]);
    expect(tree.find((n) => n.id === child.id)).toBeUndefined();

    await t.http.patch(`/api/v1/themes/${child.id}`).set(admin()).send({ parentId: other.id }).expect(200);
    const unNested = await t.http.patch(`/api/v1/themes/${child.id}`).set(admin()).send({ parentId: null }).expect(200);
    expect(unNested.body.parentId).toBeNull();
    tree = (await t.http.get('/api/v1/themes?tree=true').set(admin()).expect(200)).body.themes;
    expect(tree.find((n) => n.id === child.id)!.children!.map((c) => c.id)).toEqual([grandchild.id]);
    expect(tree.find((n) => n.id === root.id)!.children).toEqual([]);

    const moves = (await history(child.id)).filter((r) => r.action === 'move').map((r) => r.details);
    expect(moves).toEqual([
      { oldParentId: root.id, newParentId: other.id },
      { oldParentId: other.id, newParentId: null },
    ]);
  });

  it('refuses a parent that is the theme itself or one of its descendants (400 naming parentId), writing nothing', async () => {
    const a = await create({ name: uniq('Churn') });
    const b = await create({ name: uniq('Churn after renewal'), parentId: a.id });
    const c = await create({ name: uniq('Churn after price rise'), parentId: b.id });
    const before = await counts(t);
    for (const parentId of [a.id, b.id, c.id]) {
      const res = await t.http.patch(`/api/v1/themes/${a.id}`).set(admin()).send({ parentId }).expect(400);
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toEqual(['parentId']);
    }
    expect(await counts(t)).toEqual(before);
    expect((await get(a.id)).parentId).toBeNull();
  });

  it('refuses a missing (404) or non-active (409) parent, naming parentId', async () => {
    const before = await counts(t);
    const missing = await t.http.post('/api/v1/themes').set(admin()).send({ name: uniq('Orphan'), parentId: NO_SUCH }).expect(404);
    expect(missing.body.details.field).toBe('parentId');
    const [proposedId] = await propose([uniq('Proposed parent')]);
    const mid = await counts(t);
    const notActive = await t.http.post('/api/v1/themes').set(admin()).send({ name: uniq('Orphan'), parentId: proposedId }).expect(409);
    expect(notActive.body).toMatchObject({ code: 'invalid_state', details: { field: 'parentId' } });
    expect(before.themes + 1).toBe(mid.themes);
    expect(await counts(t)).toEqual(mid);
  });

  it('keeps active and proposed names unique ignoring case: 409 conflict naming name, writing nothing', async () => {
    const name = uniq('Integrations');
    const first = await create({ name });
    const other = await create({ name: uniq('Reporting') });
    const before = await counts(t);
    for (const variant of [name, name.toUpperCase(), ` ${name.toLowerCase()} `]) {
      const res = await t.http.post('/api/v1/themes').set(admin()).send({ name: variant }).expect(409);
      expect(res.body).toMatchObject({ code: 'conflict', details: { field: 'name', themeId: first.id } });
    }
    const rename = await t.http.patch(`/api/v1/themes/${other.id}`).set(admin()).send({ name: name.toLowerCase() }).expect(409);
    expect(rename.body).toMatchObject({ code: 'conflict', details: { field: 'name' } });
    // A proposed theme holds its name too.
    const proposedName = uniq('Proposed name');
    await propose([proposedName]);
    const mid = await counts(t);
    await t.http.post('/api/v1/themes').set(admin()).send({ name: proposedName.toUpperCase() }).expect(409);
    expect(mid.themes).toBe(before.themes + 1);
    expect(await counts(t)).toEqual(mid);
  });

  it('holds name uniqueness under concurrent creates', async () => {
    const name = uniq('Race');
    const results = await Promise.all([name, name.toLowerCase(), name.toUpperCase(), name].map((n) => t.http.post('/api/v1/themes').set(admin()).send({ name: n })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.details.field === 'name')).toBe(true);
  });

  it('answers 409 naming name when a create loses the race to a proposal in flight', async () => {
    const name = uniq('In flight');
    const qr = t.db.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    try {
      await svc.propose(qr.manager, [name], marketer.id);
      const pending = t.http.post('/api/v1/themes').set(admin()).send({ name: name.toUpperCase() }).then((r) => r);
      await new Promise((r) => setTimeout(r, 200));
      await qr.commitTransaction();
      const res = await pending;
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'conflict', details: { field: 'name' } });
    } finally {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      await qr.release();
    }
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM themes WHERE lower(name) = lower($1)`, [name]);
    expect(n).toBe(1);
  });

  it('never builds a cycle from concurrent crossing moves', async () => {
    const a = await create({ name: uniq('Cross A') });
    const b = await create({ name: uniq('Cross B') });
    const [ra, rb] = await Promise.all([
      t.http.patch(`/api/v1/themes/${a.id}`).set(admin()).send({ parentId: b.id }),
      t.http.patch(`/api/v1/themes/${b.id}`).set(admin()).send({ parentId: a.id }),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([200, 400]);
    const [x, y] = [await get(a.id), await get(b.id)];
    expect(x.parentId === b.id && y.parentId === a.id).toBe(false);
  });

  it('merges: the theme becomes merged, its children move, earlier merges are re-pointed, history is kept', async () => {
    const a = await create({ name: uniq('Pricing too high') });
    const b = await create({ name: uniq('Price objections') });
    const c = await create({ name: uniq('Pricing') });
    const kid = await create({ name: uniq('Discount requests'), parentId: b.id });
    const [proposedKid] = await propose([uniq('Annual billing')]);
    await t.http.patch(`/api/v1/themes/${proposedKid}`).set(admin()).send({ parentId: b.id }).expect(200);

    const ab = await t.http.post(`/api/v1/themes/${a.id}/merge`).set(admin()).send({ intoId: b.id }).expect(200);
    expect(ab.body).toMatchObject({ id: a.id, status: 'merged', mergedInto: b.id });

    const bc = await t.http.post(`/api/v1/themes/${b.id}/merge`).set(admin()).send({ intoId: c.id }).expect(200);
    expect(bc.body).toMatchObject({ id: b.id, status: 'merged', mergedInto: c.id });
    // One hop from A reaches the canonical theme.
    expect((await get(a.id)).mergedInto).toBe(c.id);
    expect((await get(kid.id)).parentId).toBe(c.id);
    expect((await get(proposedKid)).parentId).toBe(c.id);

    const list = (await t.http.get('/api/v1/themes?status=merged').set(admin()).expect(200)).body.themes as ThemeBody[];
    expect(list.filter((x) => [a.id, b.id].includes(x.id)).map((x) => x.mergedInto)).toEqual([c.id, c.id]);
    const tree = (await t.http.get('/api/v1/themes?tree=true').set(admin()).expect(200)).body.themes as ThemeBody[];
    expect(tree.find((n) => n.id === c.id)!.children!.map((n) => n.id)).toEqual([kid.id]);
    expect(tree.find((n) => n.id === b.id)).toBeUndefined();

    expect((await history(a.id)).map((r) => [r.action, r.details])).toEqual([
      ['create', expect.anything()],
      ['merge', expect.objectContaining({ intoId: b.id })],
      ['merge', { oldIntoId: b.id, intoId: c.id, reason: 'repoint' }],
    ]);
    expect((await history(b.id)).map((r) => r.action)).toEqual(['create', 'merge', 'merge']);
    expect((await history(b.id))[2].details).toMatchObject({ intoId: c.id, movedChildren: [kid.id, proposedKid].sort(), repointed: [a.id] });
    expect((await history(c.id)).map((r) => [r.action, r.details.mergedId])).toEqual([
      ['create', undefined],
      ['merge', b.id],
    ]);
    expect((await history(kid.id)).at(-1)).toMatchObject({ action: 'move', details: { oldParentId: b.id, newParentId: c.id, reason: 'merge' } });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'theme.merge' AND entity_id = ANY($1)`, [[a.id, b.id]]);
    expect(n).toBe(2);

    // The merged name is free again.
    await create({ name: b.name });
    // A merged theme is history: it cannot be renamed or moved.
    const frozen = await t.http.patch(`/api/v1/themes/${a.id}`).set(admin()).send({ name: uniq('Revived') }).expect(409);
    expect(frozen.body.code).toBe('invalid_state');
  });

  it('merging into one of its own descendants lifts that descendant into its place first', async () => {
    const top = await create({ name: uniq('Top') });
    const p = await create({ name: uniq('Parent'), parentId: top.id });
    const mid = await create({ name: uniq('Middle'), parentId: p.id });
    const leaf = await create({ name: uniq('Leaf'), parentId: mid.id });
    await t.http.post(`/api/v1/themes/${p.id}/merge`).set(admin()).send({ intoId: leaf.id }).expect(200);
    expect((await get(leaf.id)).parentId).toBe(top.id);
    expect((await get(mid.id)).parentId).toBe(leaf.id);
    expect((await history(leaf.id)).map((r) => r.action)).toEqual(['create', 'move', 'merge']);
  });

  it('refuses merging into itself, into a non-active theme, or a non-active theme (409 invalid_state), writing nothing', async () => {
    const live = await create({ name: uniq('Live') });
    const target = await create({ name: uniq('Target') });
    const merged = await create({ name: uniq('Gone') });
    await t.http.post(`/api/v1/themes/${merged.id}/merge`).set(admin()).send({ intoId: target.id }).expect(200);
    const [proposedId] = await propose([uniq('Maybe')]);
    const [rejectedId] = await propose([uniq('Nope')]);
    await t.http.post(`/api/v1/themes/${rejectedId}/reject`).set(admin()).expect(200);

    const before = await counts(t);
    const cases: [string, string, string][] = [
      [live.id, live.id, 'intoId'],
      [live.id, merged.id, 'intoId'],
      [live.id, proposedId, 'intoId'],
      [live.id, rejectedId, 'intoId'],
      [merged.id, live.id, 'id'],
      [proposedId, live.id, 'id'],
      [rejectedId, live.id, 'id'],
    ];
    for (const [id, intoId, field] of cases) {
      const res = await t.http.post(`/api/v1/themes/${id}/merge`).set(admin()).send({ intoId }).expect(409);
      expect(res.body).toMatchObject({ code: 'invalid_state', details: { field } });
    }
    const missing = await t.http.post(`/api/v1/themes/${live.id}/merge`).set(admin()).send({ intoId: NO_SUCH }).expect(404);
    expect(missing.body.details.field).toBe('intoId');
    await t.http.post(`/api/v1/themes/${NO_SUCH}/merge`).set(admin()).send({ intoId: live.id }).expect(404);
    expect(await counts(t)).toEqual(before);
    expect((await get(live.id)).status).toBe('active');
  });

  it('proposes through the service (deduped ignoring case, reusing existing themes), then accepts and rejects over HTTP', async () => {
    const existing = await create({ name: uniq('Existing') });
    const n1 = uniq('Contract length');
    const n2 = uniq('Security review');
    const before = await counts(t);
    const ids = await propose([n1, ` ${n1.toUpperCase()} `, n2, existing.name.toLowerCase()]);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(ids[3]).toBe(existing.id);
    const after = await counts(t);
    expect(after.themes - before.themes).toBe(2);
    expect(after.history - before.history).toBe(2);
    expect(after.audit - before.audit).toBe(2);
    const p1 = await get(ids[0]);
    expect(p1).toMatchObject({ name: n1, status: 'proposed', proposedBy: marketer.id, parentId: null });
    expect(await history(ids[0])).toEqual([expect.objectContaining({ action: 'propose', actorId: marketer.id, details: { name: n1 } })]);

    // Proposing again finds the proposal rather than creating another.
    expect(await propose([n1.toLowerCase()], rep.id)).toEqual([ids[0]]);
    expect((await counts(t)).themes).toBe(after.themes);

    const accepted = await t.http.post(`/api/v1/themes/${ids[0]}/accept`).set(admin()).expect(200);
    expect(accepted.body).toMatchObject({ status: 'active' });
    const rejected = await t.http.post(`/api/v1/themes/${ids[2]}/reject`).set(admin()).expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected' });
    expect((await history(ids[0])).map((r) => r.action)).toEqual(['propose', 'accept']);
    expect((await history(ids[2])).map((r) => r.action)).toEqual(['propose', 'reject']);

    // Only a proposed theme can be accepted or rejected.
    const mid = await counts(t);
    for (const [id, verb] of [[ids[0], 'accept'], [ids[0], 'reject'], [ids[2], 'accept'], [existing.id, 'reject']]) {
      const res = await t.http.post(`/api/v1/themes/${id}/${verb}`).set(admin()).expect(409);
      expect(res.body.code).toBe('invalid_state');
    }
    await t.http.post(`/api/v1/themes/${NO_SUCH}/accept`).set(admin()).expect(404);
    expect(await counts(t)).toEqual(mid);

    // A rejected name is not proposed again; a merged name finds the merged theme.
    expect(await propose([n2])).toEqual([ids[2]]);
    const gone = await create({ name: uniq('Merged away') });
    await t.http.post(`/api/v1/themes/${gone.id}/merge`).set(admin()).send({ intoId: existing.id }).expect(200);
    expect(await propose([gone.name])).toEqual([gone.id]);
    expect((await counts(t)).themes).toBe(mid.themes + 1);
  });

  it('refuses blank or over-long proposals naming the entry, writing nothing', async () => {
    const before = await counts(t);
    await expect(propose([uniq('Fine'), '   '])).rejects.toMatchObject({ code: 'validation_failed', details: { fields: [{ field: 'proposedThemes[1]' }] } });
    await expect(propose(['x'.repeat(121)])).rejects.toMatchObject({ code: 'validation_failed' });
    expect(await counts(t)).toEqual(before);
    expect(await propose([])).toEqual([]);
  });

  it('resolves canonical ids in one query: merged to its target, active to itself, anything else to null', async () => {
    const a = await create({ name: uniq('Canon A') });
    const b = await create({ name: uniq('Canon B') });
    const c = await create({ name: uniq('Canon C') });
    await t.http.post(`/api/v1/themes/${a.id}/merge`).set(admin()).send({ intoId: b.id }).expect(200);
    await t.http.post(`/api/v1/themes/${b.id}/merge`).set(admin()).send({ intoId: c.id }).expect(200);
    const [proposedId, rejectedId] = await propose([uniq('Canon P'), uniq('Canon R')]);
    await t.http.post(`/api/v1/themes/${rejectedId}/reject`).set(admin()).expect(200);

    const ids = [a.id, b.id, c.id, proposedId, rejectedId, NO_SUCH, 'not-a-uuid', c.id.toUpperCase()];
    const queries: string[] = [];
    const map = await t.db.transaction(async (m) => {
      const runner = m.queryRunner!;
      const original = runner.query.bind(runner);
      runner.query = ((q: string, ...rest: unknown[]) => (queries.push(q), (original as (...a: unknown[]) => unknown)(q, ...rest))) as typeof runner.query;
      try {
        return await svc.canonicalIds(m, ids);
      } finally {
        runner.query = original;
      }
    });
    expect(queries).toHaveLength(1);
    expect([...map.entries()]).toEqual([
      [a.id, c.id],
      [b.id, c.id],
      [c.id, c.id],
      [proposedId, null],
      [rejectedId, null],
      [NO_SUCH, null],
      ['not-a-uuid', null],
      [c.id.toUpperCase(), c.id],
    ]);
    expect(await t.app.get(ThemesRepository).canonicalIds(t.db.manager, [])).toEqual(new Map());

    const view: { theme_id: string; canonical_id: string }[] = await t.db.query(`SELECT theme_id, canonical_id FROM theme_canonical WHERE theme_id = ANY($1)`, [
      [a.id, b.id, c.id, proposedId, rejectedId],
    ]);
    expect(new Map(view.map((r) => [r.theme_id, r.canonical_id]))).toEqual(new Map([a.id, b.id, c.id].map((id) => [id, c.id])));
  });

  it('lets only the lifecycle team write; reps and marketers read active themes only', async () => {
    const active = await create({ name: uniq('Visible') });
    const other = await create({ name: uniq('Other') });
    const [proposedId] = await propose([uniq('Hidden proposal')]);
    const before = await counts(t);
    for (const who of [rep, marketer]) {
      const auth = bearer(who.token);
      await t.http.post('/api/v1/themes').set(auth).send({ name: uniq('Mine') }).expect(403);
      await t.http.patch(`/api/v1/themes/${active.id}`).set(auth).send({ name: uniq('Mine') }).expect(403);
      await t.http.post(`/api/v1/themes/${active.id}/merge`).set(auth).send({ intoId: other.id }).expect(403);
      await t.http.post(`/api/v1/themes/${proposedId}/accept`).set(auth).expect(403);
      await t.http.post(`/api/v1/themes/${proposedId}/reject`).set(auth).expect(403);
      await t.http.get(`/api/v1/themes/${active.id}/history`).set(auth).expect(403);

      const listed = (await t.http.get('/api/v1/themes').set(auth).expect(200)).body.themes as ThemeBody[];
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every((x) => x.status === 'active')).toBe(true);
      expect(listed.some((x) => x.id === active.id)).toBe(true);
      expect(listed.some((x) => x.id === proposedId)).toBe(false);
      const tree = (await t.http.get('/api/v1/themes?tree=true').set(auth).expect(200)).body.themes as ThemeBody[];
      expect(tree.every((x) => x.status === 'active')).toBe(true);
      expect((await t.http.get('/api/v1/themes?status=active').set(auth).expect(200)).body.themes.length).toBe(listed.length);
      for (const status of ['proposed', 'merged', 'rejected']) {
        const res = await t.http.get(`/api/v1/themes?status=${status}`).set(auth).expect(403);
        expect(res.body.details.field).toBe('status');
      }
      await t.http.get(`/api/v1/themes/${active.id}`).set(auth).expect(200);
      await t.http.get(`/api/v1/themes/${proposedId}`).set(auth).expect(404);
    }
    await t.http.get('/api/v1/themes').expect(401);
    expect(await counts(t)).toEqual(before);

    // The lifecycle team sees every status.
    const all = (await t.http.get('/api/v1/themes').set(admin()).expect(200)).body.themes as ThemeBody[];
    expect(all.some((x) => x.id === proposedId)).toBe(true);
    const proposed = (await t.http.get('/api/v1/themes?status=proposed').set(admin()).expect(200)).body.themes as ThemeBody[];
    expect(proposed.every((x) => x.status === 'proposed') && proposed.some((x) => x.id === proposedId)).toBe(true);
  });

  describe('bad input: 400 naming the field, and nothing written', () => {
    let theme: ThemeBody;
    beforeAll(async () => {
      theme = await create({ name: uniq('Target of bad input') });
    });

    it.each([
      ['no name', {}, 'name'],
      ['empty name', { name: '' }, 'name'],
      ['blank name', { name: '    ' }, 'name'],
      ['name of 121 characters', { name: 'x'.repeat(121) }, 'name'],
      ['numeric name', { name: 42 }, 'name'],
      ['numeric description', { name: 'Fine', description: 7 }, 'description'],
      ['description of 2001 characters', { name: 'Fine', description: 'x'.repeat(2001) }, 'description'],
      ['parentId not a UUID', { name: 'Fine', parentId: 'not-a-uuid' }, 'parentId'],
      ['unknown field', { name: 'Fine', colour: 'red' }, 'colour'],
    ])('POST /themes: %s', async (_label, body, field) => {
      const before = await counts(t);
      const res = await t.http.post('/api/v1/themes').set(admin()).send(body).expect(400);
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(await counts(t)).toEqual(before);
    });

    it.each([
      ['null name', { name: null }, 'name'],
      ['empty name', { name: '' }, 'name'],
      ['name of 121 characters', { name: 'y'.repeat(121) }, 'name'],
      ['numeric parentId', { parentId: 12 }, 'parentId'],
      ['status (not editable)', { status: 'active' }, 'status'],
    ])('PATCH /themes/:id: %s', async (_label, body, field) => {
      const before = await counts(t);
      const res = await t.http.patch(`/api/v1/themes/${theme.id}`).set(admin()).send(body).expect(400);
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(await counts(t)).toEqual(before);
    });

    it('elsewhere', async () => {
      const before = await counts(t);
      const fields = async (req: Promise<{ body: { details: { fields: { field: string }[] } } }>) => (await req).body.details.fields.map((f) => f.field);
      expect(await fields(t.http.post(`/api/v1/themes/${theme.id}/merge`).set(admin()).send({}).expect(400))).toContain('intoId');
      expect(await fields(t.http.post(`/api/v1/themes/${theme.id}/merge`).set(admin()).send({ intoId: 'nope' }).expect(400))).toContain('intoId');
      expect(await fields(t.http.post('/api/v1/themes/nope/merge').set(admin()).send({ intoId: theme.id }).expect(400))).toEqual(['id']);
      expect(await fields(t.http.patch('/api/v1/themes/nope').set(admin()).send({ name: 'x' }).expect(400))).toEqual(['id']);
      expect(await fields(t.http.post('/api/v1/themes/nope/accept').set(admin()).expect(400))).toEqual(['id']);
      expect(await fields(t.http.get('/api/v1/themes/nope/history').set(admin()).expect(400))).toEqual(['id']);
      expect(await fields(t.http.get('/api/v1/themes?status=gone').set(admin()).expect(400))).toContain('status');
      expect(await fields(t.http.get('/api/v1/themes?tree=yes').set(admin()).expect(400))).toContain('tree');
      expect(await fields(t.http.get('/api/v1/themes?tree=true&status=merged').set(admin()).expect(400))).toContain('tree');
      await t.http.patch(`/api/v1/themes/${NO_SUCH}`).set(admin()).send({ name: uniq('Ghost') }).expect(404);
      await t.http.get(`/api/v1/themes/${NO_SUCH}/history`).set(admin()).expect(404);
      expect(await counts(t)).toEqual(before);
    });
  });
});
