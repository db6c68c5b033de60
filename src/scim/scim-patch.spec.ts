import { applyPatch, PatchError, readPatchBody } from './scim-patch.js';

const OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const RA = 'urn:ridealong:params:scim:schemas:extension:2.0:User';
const user = () => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'u1',
  userName: 'ada@example.com',
  active: true,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
});
const patch = (doc: Record<string, unknown>, ...Operations: unknown[]) => applyPatch(doc, readPatchBody({ schemas: [OP], Operations }));

describe('readPatchBody', () => {
  it('takes op names in any case (Entra ID sends "Replace", "Add")', () => {
    expect(readPatchBody({ schemas: [OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })).toEqual([
      { op: 'replace', path: 'active', value: 'False' },
    ]);
  });
  it.each([
    [{ Operations: [{ op: 'add', value: {} }] }, 'invalidSyntax'],
    [{ schemas: [OP], Operations: [] }, 'invalidSyntax'],
    [{ schemas: [OP], Operations: [{ op: 'move', path: 'a' }] }, 'invalidSyntax'],
    [{ schemas: [OP], Operations: [{ op: 'add', path: 5, value: 1 }] }, 'invalidPath'],
    ['text', 'invalidSyntax'],
  ])('refuses %j as %s', (body, scimType) => {
    expect(() => readPatchBody(body)).toThrow(expect.objectContaining({ scimType }) as Error);
  });
});

describe('applyPatch', () => {
  it("Okta: replace without a path, value {active:false}", () => {
    expect(patch(user(), { op: 'replace', value: { active: false } }).active).toBe(false);
  });

  it('Entra ID: Replace active with the string "False" (the caller coerces), path given', () => {
    expect(patch(user(), { op: 'Replace', path: 'active', value: 'False' }).active).toBe('False');
  });

  it('replace a sub-attribute, add merges into a complex attribute', () => {
    const a = patch(user(), { op: 'replace', path: 'name.familyName', value: 'Byron' });
    expect(a.name).toEqual({ givenName: 'Ada', familyName: 'Byron' });
    const b = patch(user(), { op: 'add', path: 'name', value: { formatted: 'Ada L.' } });
    expect(b.name).toEqual({ givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada L.' });
  });

  it('pathless keys may be paths or schema URNs (Entra ID)', () => {
    const r = patch(user(), {
      op: 'Add',
      value: { 'name.givenName': 'Augusta', [`${ENT}:employeeNumber`]: '7', [RA]: { startedOn: '2026-01-05' } },
    });
    expect((r.name as { givenName: string }).givenName).toBe('Augusta');
    expect(r[ENT]).toEqual({ employeeNumber: '7' });
    expect(r[RA]).toEqual({ startedOn: '2026-01-05' });
  });

  it('value filters: replace emails[type eq "work"].value', () => {
    const r = patch(user(), { op: 'replace', path: 'emails[type eq "work"].value', value: 'ada@new.example' });
    expect(r.emails).toEqual([{ value: 'ada@new.example', type: 'work', primary: true }]);
  });

  it('add through a filter that matches nothing creates the element (Entra ID)', () => {
    const doc = { ...user(), emails: [] };
    const r = patch(doc, { op: 'Add', path: 'emails[type eq "work"].value', value: 'x@example.com' });
    expect(r.emails).toEqual([{ type: 'work', value: 'x@example.com' }]);
  });

  it('a filter that cannot seed an element and matches nothing: noTarget', () => {
    expect(() => patch(user(), { op: 'replace', path: 'emails[value co "zzz"].type', value: 'home' })).toThrow(
      expect.objectContaining({ scimType: 'noTarget' }) as Error,
    );
  });

  it('remove needs a path (noTarget); remove an attribute; remove filtered elements', () => {
    expect(() => patch(user(), { op: 'remove' })).toThrow(expect.objectContaining({ scimType: 'noTarget' }) as Error);
    expect(patch(user(), { op: 'remove', path: 'name' }).name).toBeUndefined();
    expect(patch(user(), { op: 'remove', path: 'emails[type eq "work"]' }).emails).toEqual([]);
  });

  it('group members: Add a list, Remove by filter, Remove by value list, no duplicates', () => {
    const g = { displayName: 'ridealong-reps', members: [{ value: 'a' }] };
    const added = patch(g, { op: 'Add', path: 'members', value: [{ value: 'b' }, { value: 'a' }] });
    expect(added.members).toEqual([{ value: 'a' }, { value: 'b' }]);
    expect(patch(added, { op: 'Remove', path: 'members[value eq "a"]' }).members).toEqual([{ value: 'b' }]);
    expect(patch(added, { op: 'Remove', path: 'members', value: [{ value: 'b' }] }).members).toEqual([{ value: 'a' }]);
    expect(patch(added, { op: 'replace', path: 'members', value: [{ value: 'c' }] }).members).toEqual([{ value: 'c' }]);
  });

  it('id cannot change; meta and schemas are ignored', () => {
    expect(() => patch(user(), { op: 'replace', path: 'id', value: 'x' })).toThrow(PatchError);
    expect(patch(user(), { op: 'replace', value: { id: 'u1', displayName: 'Ada' } }).displayName).toBe('Ada'); // Okta echoes the id
    expect(patch(user(), { op: 'replace', value: { schemas: ['x'], meta: {} } }).schemas).toEqual(user().schemas);
  });

  it('a bad path is invalidPath; the input document is not changed', () => {
    expect(() => patch(user(), { op: 'replace', path: 'emails[type eq', value: 1 })).toThrow(
      expect.objectContaining({ scimType: 'invalidPath' }) as Error,
    );
    const doc = user();
    patch(doc, { op: 'replace', path: 'userName', value: 'b@example.com' });
    expect(doc.userName).toBe('ada@example.com');
  });
});
