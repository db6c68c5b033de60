import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../config/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const TRIO = { OIDC_ISSUER: 'https://acme.okta.com', OIDC_CLIENT_ID: '0oa1b2c3', OIDC_CLIENT_SECRET: 's3cret-value' };

describe('OIDC configuration', () => {
  it('is off without the variables', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
  });

  it('reads the three settings, the name and OIDC_ONLY', () => {
    expect(loadConfig({ ...TRIO, OIDC_NAME: 'Okta', OIDC_ONLY: 'true' }).oidc).toEqual({
      issuer: 'https://acme.okta.com',
      clientId: '0oa1b2c3',
      clientSecret: 's3cret-value',
      name: 'Okta',
      insecureLoopback: false,
      only: true,
    });
    expect(loadConfig(TRIO).oidc?.name).toBe('your company account');
  });

  it('needs all three of issuer, client id and secret, naming each missing one', () => {
    expect(problemsOf({ OIDC_ISSUER: TRIO.OIDC_ISSUER })).toEqual([
      'OIDC_CLIENT_ID="": OIDC_CLIENT_ID must be set with OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (all three or none)',
      'OIDC_CLIENT_SECRET="": OIDC_CLIENT_SECRET must be set with OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (all three or none)',
    ]);
    expect(problemsOf({ OIDC_CLIENT_ID: 'x', OIDC_CLIENT_SECRET: 'y' })[0]).toMatch(/^OIDC_ISSUER="": OIDC_ISSUER must be set/);
  });

  it('refuses OIDC_ONLY without single sign-on', () => {
    expect(problemsOf({ OIDC_ONLY: 'true' })).toEqual(['OIDC_ONLY="true": OIDC_ONLY needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET']);
  });

  it('names the bad variable', () => {
    expect(problemsOf({ ...TRIO, OIDC_ISSUER: 'acme.okta.com' })[0]).toMatch(/^OIDC_ISSUER="acme.okta.com": OIDC_ISSUER must be an https:\/\/ URL/);
    expect(problemsOf({ ...TRIO, OIDC_CLIENT_ID: 'has space' })[0]).toMatch(/^OIDC_CLIENT_ID=/);
    expect(problemsOf({ ...TRIO, OIDC_NAME: '<b>x</b>' })[0]).toMatch(/^OIDC_NAME=/);
    expect(problemsOf({ ...TRIO, OIDC_ONLY: 'yes' })).toEqual(['OIDC_ONLY="yes": OIDC_ONLY must be true or false']);
    expect(problemsOf({ ...TRIO, OIDC_ALLOW_INSECURE_ISSUER: '1' })).toEqual(['OIDC_ALLOW_INSECURE_ISSUER="1": OIDC_ALLOW_INSECURE_ISSUER must be true or false']);
  });

  it('takes http:// only on loopback and only with OIDC_ALLOW_INSECURE_ISSUER=true', () => {
    const http = { ...TRIO, OIDC_ISSUER: 'http://127.0.0.1:4000' };
    expect(problemsOf(http)[0]).toMatch(/^OIDC_ISSUER="http:\/\/127.0.0.1:4000": OIDC_ISSUER must be an https:\/\/ URL \(http:\/\/ only on localhost/);
    expect(loadConfig({ ...http, OIDC_ALLOW_INSECURE_ISSUER: 'true' }).oidc?.insecureLoopback).toBe(true);
    expect(loadConfig({ ...http, OIDC_ISSUER: 'http://localhost:4000', OIDC_ALLOW_INSECURE_ISSUER: 'true' }).oidc?.insecureLoopback).toBe(true);
    expect(problemsOf({ ...TRIO, OIDC_ISSUER: 'http://idp.example.com', OIDC_ALLOW_INSECURE_ISSUER: 'true' })[0]).toMatch(/^OIDC_ISSUER=/);
    expect(problemsOf({ ...TRIO, OIDC_ISSUER: 'http://10.0.0.5', OIDC_ALLOW_INSECURE_ISSUER: 'true' })[0]).toMatch(/^OIDC_ISSUER=/);
    // https stays https: allowInsecure does not open private addresses for it.
    expect(loadConfig({ ...TRIO, OIDC_ALLOW_INSECURE_ISSUER: 'true' }).oidc?.insecureLoopback).toBe(false);
  });
});
