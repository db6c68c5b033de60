import { parseTrustProxy } from './trust-proxy.js';

describe('parseTrustProxy', () => {
  it('reads false, empty and 0 as trusting no proxy', () => {
    for (const v of ['', ' ', 'false', 'FALSE', '0']) expect(parseTrustProxy(v)).toBe(false);
  });

  it('reads a hop count from 1 to 10', () => {
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy(' 2 ')).toBe(2);
    expect(parseTrustProxy('10')).toBe(10);
  });

  it('reads addresses, CIDR ranges and the named private ranges, comma separated', () => {
    expect(parseTrustProxy('10.0.0.1')).toEqual(['10.0.0.1']);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.7,fd00::/8 ,loopback')).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', 'loopback']);
    expect(parseTrustProxy('::1/128,uniquelocal,linklocal')).toEqual(['::1/128', 'uniquelocal', 'linklocal']);
  });

  it('refuses true, out-of-range counts and anything that is not an address', () => {
    for (const v of ['true', 'yes', '11', '-1', '1.5', '10.0.0.0/33', '::/129', '10.0.0.1/8/1', '10.0.0.256', 'proxy.internal', '10.0.0.1,', ',', 'loopback;', '10.0.0.0/x']) {
      expect(parseTrustProxy(v)).toBeUndefined();
    }
    expect(parseTrustProxy(undefined)).toBeUndefined();
    expect(parseTrustProxy(1)).toBeUndefined();
  });
});
