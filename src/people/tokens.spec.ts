import { bearerToken, generateToken, hashToken, tokenPrefix } from './tokens.js';

describe('tokens', () => {
  it('generates distinct, prefixed, URL-safe tokens with 256 bits of randomness', () => {
    const a = generateToken();
    const b = generateToken();
    expect(a).not.toEqual(b);
    expect(a).toMatch(/^ra_[A-Za-z0-9_-]{43}$/);
  });

  it('hashes deterministically to 32 bytes and never returns the token itself', () => {
    const t = generateToken();
    expect(hashToken(t)).toEqual(hashToken(t));
    expect(hashToken(t)).toHaveLength(32);
    expect(hashToken(t).toString('utf8')).not.toContain(t);
    expect(hashToken(t)).not.toEqual(hashToken(generateToken()));
  });

  it('keeps a short prefix for display', () => {
    expect(tokenPrefix('ra_abcdefghij')).toBe('ra_abcdef');
  });

  describe('bearerToken', () => {
    it.each([
      ['Bearer ra_abc', 'ra_abc'],
      ['bearer ra_abc', 'ra_abc'],
      ['Bearer   ra_abc  ', 'ra_abc'],
    ])('reads %j', (header, token) => expect(bearerToken(header)).toBe(token));

    it.each([undefined, '', 'Basic abc', 'Bearer', 'Bearer a b', 'ra_abc'])('rejects %j', (header) =>
      expect(bearerToken(header)).toBeUndefined(),
    );
  });
});
