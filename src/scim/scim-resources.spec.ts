import { nameParts, readMembers, readPaging, readUserDoc, scimBoolean, ScimError } from './scim-resources.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const RA = 'urn:ridealong:params:scim:schemas:extension:2.0:User';

describe('readUserDoc', () => {
  it('takes the name from displayName, else name.formatted, else given + family, else the email', () => {
    expect(readUserDoc({ userName: 'a@x.io', displayName: 'Ada L', name: { formatted: 'No' } }).name).toBe('Ada L');
    expect(readUserDoc({ userName: 'a@x.io', name: { formatted: 'Ada F' } }).name).toBe('Ada F');
    expect(readUserDoc({ userName: 'a@x.io', name: { givenName: 'Ada', familyName: 'King' } }).name).toBe('Ada King');
    expect(readUserDoc({ userName: 'ada@x.io' }).name).toBe('ada');
    expect(readUserDoc({ userName: 'ada@x.io' }).active).toBeUndefined();
  });

  it('reads the extensions, booleans as strings, and leaves the zone unset when absent', () => {
    const input = readUserDoc({ userName: ' a@x.io ', active: 'False', externalId: 'e1', [ENT]: { employeeNumber: 42 }, [RA]: { startedOn: '2026-03-01' } });
    expect(input).toEqual({ email: 'a@x.io', name: 'a', timeZone: undefined, active: false, externalId: 'e1', employeeNumber: '42', startedOn: '2026-03-01' });
  });

  it.each([
    [{}, 'userName'],
    [{ userName: 'not-an-email' }, 'userName'],
    [{ userName: 'a@x.io', timezone: 'Mars/Base' }, 'timezone'],
    [{ userName: 'a@x.io', active: 'maybe' }, 'active'],
    [{ userName: 'a@x.io', [RA]: { startedOn: '2026-02-30' } }, 'startedOn'],
    [{ userName: 'a@x.io', name: 'Ada' }, 'name'],
  ])('refuses %j naming %s', (doc, field) => {
    expect(() => readUserDoc(doc)).toThrow(ScimError);
    expect(() => readUserDoc(doc)).toThrow(new RegExp(field));
  });
});

describe('small readers', () => {
  it('scimBoolean', () => {
    expect(scimBoolean('TRUE', 'active')).toBe(true);
    expect(() => scimBoolean(1, 'active')).toThrow(/active/);
  });
  it('readPaging: startIndex below 1 is 1, count is clamped to 0..max', () => {
    expect(readPaging(undefined, undefined)).toEqual({ startIndex: 1, count: 200 });
    expect(readPaging('0', '-5')).toEqual({ startIndex: 1, count: 0 });
    expect(readPaging('3', '1000')).toEqual({ startIndex: 3, count: 200 });
    expect(() => readPaging('x', undefined)).toThrow(/startIndex/);
  });
  it('nameParts: the last word is the family name', () => {
    expect(nameParts('Augusta Ada King')).toEqual({ formatted: 'Augusta Ada King', givenName: 'Augusta Ada', familyName: 'King' });
    expect(nameParts('Cher')).toEqual({ formatted: 'Cher', givenName: 'Cher' });
  });
  it('readMembers', () => {
    expect(readMembers({ members: [{ value: 'a' }, { value: 'a' }, { value: 'b' }] })).toEqual(['a', 'b']);
    expect(() => readMembers({ members: [{}] })).toThrow(/members\[0\]/);
  });
});
