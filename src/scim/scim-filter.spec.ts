import { evaluate, FilterSyntaxError, parseFilter, parsePath } from './scim-filter.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ada = {
  id: 'a1',
  userName: 'Ada@Example.com',
  externalId: 'okta-00u1',
  displayName: 'Ada Lovelace',
  active: true,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [
    { value: 'ada@example.com', type: 'work', primary: true },
    { value: 'ada@home.example', type: 'home' },
  ],
  [ENT]: { employeeNumber: '1815' },
};
const match = (f: string, r: Record<string, unknown> = ada) => evaluate(parseFilter(f), r);

describe('parseFilter + evaluate', () => {
  it('eq on userName ignores case (RFC 7643: userName is not case-exact)', () => {
    expect(match('userName eq "ada@example.com"')).toBe(true);
    expect(match('USERNAME EQ "ADA@EXAMPLE.COM"')).toBe(true);
    expect(match('userName eq "bob@example.com"')).toBe(false);
  });

  it('externalId is case-exact', () => {
    expect(match('externalId eq "okta-00u1"')).toBe(true);
    expect(match('externalId eq "OKTA-00U1"')).toBe(false);
  });

  it('co, sw, ew, ne', () => {
    expect(match('displayName co "love"')).toBe(true);
    expect(match('displayName sw "ada "')).toBe(true);
    expect(match('displayName sw "love"')).toBe(false);
    expect(match('userName ew "@EXAMPLE.com"')).toBe(true);
    expect(match('displayName ne "Bob"')).toBe(true);
  });

  it('pr', () => {
    expect(match('externalId pr')).toBe(true);
    expect(match('title pr')).toBe(false);
  });

  it('emails.value reaches every email, ignoring case', () => {
    expect(match('emails.value eq "ADA@HOME.example"')).toBe(true);
    expect(match('emails.value eq "x@example.com"')).toBe(false);
    expect(match('emails co "home"')).toBe(true);
  });

  it('value filters: emails[type eq "work"].value and a bare emails[...]', () => {
    expect(match('emails[type eq "work"].value eq "ada@example.com"')).toBe(true);
    expect(match('emails[type eq "work"].value eq "ada@home.example"')).toBe(false);
    expect(match('emails[type eq "home" and value co "home"]')).toBe(true);
  });

  it('active takes true/false, and the strings "True"/"False"', () => {
    expect(match('active eq true')).toBe(true);
    expect(match('active eq false')).toBe(false);
    expect(match('active eq "True"')).toBe(true);
  });

  it('and binds tighter than or; parentheses and not', () => {
    expect(match('userName eq "x" or displayName co "ada" and active eq true')).toBe(true);
    expect(match('(userName eq "x" or displayName co "ada") and active eq false')).toBe(false);
    expect(match('not (active eq false)')).toBe(true);
  });

  it('extension attributes by their full URN', () => {
    expect(match(`${ENT}:employeeNumber eq "1815"`)).toBe(true);
    expect(match('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ada@example.com"')).toBe(true);
  });

  it('strings with escapes and spaces', () => {
    expect(match('displayName eq "Ada Lovelace"')).toBe(true);
    expect(match('displayName eq "Ada \\"Lovelace\\""', { displayName: 'Ada "Lovelace"' })).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['userName', 'operator'],
    ['userName eq', 'value'],
    ['userName eq bob', 'quote'],
    ['userName xx "a"', 'operator'],
    ['(userName eq "a"', ')'],
    ['userName eq "a" and', 'attribute'],
    ['userName eq "a', 'closed'],
    ['emails[type eq "work"', ']'],
    ['a.b.c eq "x"', 'attribute path'],
  ])('refuses %j', (text, words) => {
    expect(() => parseFilter(text)).toThrow(FilterSyntaxError);
    expect(() => parseFilter(text)).toThrow(new RegExp(words.replace(/[()[\]]/g, '\\$&'), 'i'));
  });
});

describe('parsePath', () => {
  it('reads attributes, sub-attributes, value filters and URNs', () => {
    expect(parsePath('active')).toEqual({ attr: 'active' });
    expect(parsePath('name.givenName')).toEqual({ attr: 'name', sub: 'givenName' });
    expect(parsePath('emails[type eq "work"].value')).toMatchObject({ attr: 'emails', sub: 'value', filter: { kind: 'cmp', op: 'eq' } });
    expect(parsePath('members[value eq "abc"]')).toMatchObject({ attr: 'members', filter: { kind: 'cmp', value: 'abc' } });
    expect(parsePath(`${ENT}:employeeNumber`)).toEqual({ urn: ENT, attr: 'employeeNumber' });
  });
});
