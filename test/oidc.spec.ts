import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { bearer, startTestApp, type TestApp } from './support/app.js';
import { DISCOVERY_RETRY_SECONDS } from '../src/web/sign-in/oidc.service.js';
import { makeUser, type Person } from './support/fixtures.js';
import { Browser, IdentityProvider, throughProvider } from './support/oidc-provider.js';

/** The service's public address in these tests; the provider's redirects to it are delivered to the test app. */
const PUBLIC_URL = 'http://localhost:9999';
const CALLBACK = `${PUBLIC_URL}/sign-in/oidc/callback`;

describe('single sign-on with OpenID Connect (a real oidc-provider)', () => {
  let idp: IdentityProvider;
  let t: TestApp;
  let marketer: Person;

  const oidcEnv = () => ({
    PUBLIC_URL,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    OIDC_ALLOW_INSECURE_ISSUER: 'true',
    OIDC_NAME: 'Acme SSO',
  });

  /** The provider's redirect to the public callback, sent to the test app instead. */
  const toApp = (app: TestApp, callback: URL) => `${app.url}${callback.pathname}${callback.search}`;

  /** Starts at /sign-in/oidc in `browser`, logs in at the provider as `login`, and returns the callback URL (not yet opened). */
  const callbackFor = (browser: Browser, login: string, alterAuthorization?: (u: URL) => URL, app = t) =>
    throughProvider(browser, `${app.url}/sign-in/oidc`, { login, callbackPrefix: CALLBACK, alterAuthorization });

  const auditRows = async (reason: string): Promise<{ details: Record<string, unknown>; actor_id: string | null }[]> =>
    t.db.query(`SELECT details, actor_id FROM audit_log WHERE action = 'sign_in.oidc_refused' AND details->>'reason' = $1`, [reason]);

  beforeAll(async () => {
    idp = new IdentityProvider(CALLBACK);
    await idp.start();
    t = await startTestApp(oidcEnv());
    marketer = await makeUser(t, ['marketer']);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  it('offers the button beside the email link', async () => {
    const res = await new Browser().request(`${t.url}/sign-in`);
    const page = await res.text();
    expect(res.status).toBe(200);
    expect(page).toContain('Sign in with Acme SSO');
    expect(page).toContain('href="/sign-in/oidc?next=%2F"');
    expect(page).toContain('name="email"');
  });

  it('starts the code flow with PKCE S256, state and nonce, bound to the browser by an HttpOnly SameSite=Lax cookie', async () => {
    const b = new Browser();
    const res = await b.request(`${t.url}/sign-in/oidc`);
    expect(res.status).toBe(303);
    const auth = new URL(res.headers.get('location') ?? '');
    expect(auth.origin).toBe(idp.issuer);
    expect(auth.searchParams.get('response_type')).toBe('code');
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(auth.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(auth.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(auth.searchParams.has('code_verifier')).toBe(false);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('ridealong_oidc='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    // The cookie holds a random id only: neither the state nor the nonce.
    const value = cookie?.split(';')[0].split('=')[1] ?? '';
    expect(value).not.toContain(auth.searchParams.get('state'));
    expect(value).not.toContain(auth.searchParams.get('nonce'));
  });

  it('signs in an active user by their verified email, ignoring case, with a session that opens pages', async () => {
    idp.accounts.set('alice', { email: marketer.email.toUpperCase(), email_verified: true });
    const b = new Browser();
    const callback = await callbackFor(b, 'alice');
    expect(callback.searchParams.get('code')).toBeTruthy();
    const res = await b.request(toApp(t, callback));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(b.jar.get(new URL(t.url), 'ridealong_session') ?? b.jar.header(new URL(t.url))).toBeTruthy();
    const page = await b.request(`${t.url}/marketer`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sessions to mark');
    const ok: unknown[] = await t.db.query(`SELECT 1 FROM audit_log WHERE action = 'sign_in.oidc' AND actor_id = $1`, [marketer.id]);
    expect(ok).toHaveLength(1);
    // The same callback again (a replay, even with the old flow cookie): refused, no session.
    const replay = new Browser();
    const again = await replay.request(toApp(t, callback));
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('Start signing in again');
    expect((await replay.request(`${t.url}/marketer`)).status).toBe(303);
  });

  it('refuses an unverified email, with an audit row', async () => {
    const other = await makeUser(t, ['rep']);
    idp.accounts.set('bob', { email: other.email, email_verified: false });
    const b = new Browser();
    const res = await b.request(toApp(t, await callbackFor(b, 'bob')));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('has not verified your email address');
    expect((await b.request(`${t.url}/rep`)).status).toBe(303);
    expect((await auditRows('email_unverified')).map((r) => r.details.email)).toContain(other.email);
  });

  it("takes Microsoft Entra ID's xms_edov in place of an absent email_verified", async () => {
    const entra = await makeUser(t, ['rep']);
    idp.accounts.set('entra-user', { email: entra.email, xms_edov: true });
    const b = new Browser();
    const res = await b.request(toApp(t, await callbackFor(b, 'entra-user')));
    expect(res.status).toBe(303);
    expect((await b.request(`${t.url}/rep`)).status).toBe(200);
    idp.accounts.set('entra-unverified', { email: entra.email, xms_edov: false });
    const c = new Browser();
    expect((await c.request(toApp(t, await callbackFor(c, 'entra-unverified')))).status).toBe(403);
  });

  it('refuses an email nobody here has, with an audit row', async () => {
    idp.accounts.set('carol', { email: 'nobody-here@example.com', email_verified: true });
    const b = new Browser();
    const res = await b.request(toApp(t, await callbackFor(b, 'carol')));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('No one here signs in with this email address');
    expect((await auditRows('unknown_user')).map((r) => r.details.email)).toContain('nobody-here@example.com');
  });

  it('refuses a deactivated user, with an audit row', async () => {
    const leaving = await makeUser(t, ['marketer']);
    await fetch(`${t.url}/api/v1/users/${leaving.id}`, {
      method: 'PATCH',
      headers: { ...bearer(t.adminToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ active: false }),
    }).then((r) => expect(r.status).toBe(200));
    idp.accounts.set('dave', { email: leaving.email, email_verified: true });
    const b = new Browser();
    const res = await b.request(toApp(t, await callbackFor(b, 'dave')));
    expect(res.status).toBe(403);
    expect((await b.request(`${t.url}/marketer`)).status).toBe(303);
    const rows = await auditRows('inactive_user');
    expect(rows.map((r) => r.actor_id)).toContain(leaving.id);
  });

  it('refuses a callback opened in another browser', async () => {
    idp.accounts.set('erin', { email: marketer.email, email_verified: true });
    const a = new Browser();
    const callback = await callbackFor(a, 'erin');
    // A browser that never started a flow.
    const stranger = new Browser();
    const r1 = await stranger.request(toApp(t, callback));
    expect(r1.status).toBe(400);
    // A browser with a flow of its own.
    const other = new Browser();
    await other.request(`${t.url}/sign-in/oidc`);
    const r2 = await other.request(toApp(t, callback));
    expect(r2.status).toBe(400);
    expect((await other.request(`${t.url}/marketer`)).status).toBe(303);
    expect((await auditRows('no_flow')).length).toBeGreaterThan(0);
    expect((await auditRows('state_mismatch')).length).toBeGreaterThan(0);
  });

  it('refuses a tampered state, and the flow is then spent', async () => {
    idp.accounts.set('frank', { email: marketer.email, email_verified: true });
    const b = new Browser();
    const callback = await callbackFor(b, 'frank');
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    expect((await b.request(toApp(t, tampered))).status).toBe(400);
    // The flow is used up: the genuine callback no longer works in this browser either.
    expect((await b.request(toApp(t, callback))).status).toBe(400);
    expect((await b.request(`${t.url}/marketer`)).status).toBe(303);
  });

  it('refuses an ID token whose nonce is not the one the flow sent', async () => {
    idp.accounts.set('grace', { email: marketer.email, email_verified: true });
    const b = new Browser();
    const callback = await callbackFor(b, 'grace', (auth) => {
      const u = new URL(auth);
      u.searchParams.set('nonce', 'a-nonce-the-service-never-sent');
      return u;
    });
    const res = await b.request(toApp(t, callback));
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('could not be verified');
    expect((await b.request(`${t.url}/marketer`)).status).toBe(303);
    const rows = await auditRows('invalid_response');
    expect(rows.map((r) => String(r.details.detail))).toContainEqual(expect.stringMatching(/nonce/i));
  });

  it('shows a clear page when the provider answers with an error', async () => {
    const b = new Browser();
    const start = await b.request(`${t.url}/sign-in/oidc`);
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const res = await b.request(`${t.url}/sign-in/oidc/callback?error=access_denied&error_description=cancelled&state=${state}`);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('did not sign you in');
    expect((await auditRows('provider_error')).length).toBeGreaterThan(0);
  });

  it('with OIDC_ONLY=true hides the email form and refuses POST /sign-in', async () => {
    const only = await startTestApp({ ...oidcEnv(), OIDC_ONLY: 'true' }, t.database);
    try {
      const page = await (await new Browser().request(`${only.url}/sign-in`)).text();
      expect(page).toContain('Sign in with Acme SSO');
      expect(page).not.toContain('name="email"');
      const res = await only.http.post('/sign-in').type('form').send({ email: marketer.email });
      expect(res.status).toBe(403);
    } finally {
      await only.close();
    }
  });

  it('without OIDC settings there is no button and /sign-in/oidc is 404', async () => {
    const plain = await startTestApp({ PUBLIC_URL }, t.database);
    try {
      const page = await (await new Browser().request(`${plain.url}/sign-in`)).text();
      expect(page).not.toContain('/sign-in/oidc');
      expect((await new Browser().request(`${plain.url}/sign-in/oidc`)).status).toBe(404);
      expect((await new Browser().request(`${plain.url}/sign-in/oidc/callback?code=x&state=y`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('starts while the issuer is down, answers the button with a clear 503, and works once the issuer is up', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const late = new IdentityProvider(CALLBACK);
    const down = await startTestApp({ ...oidcEnv(), OIDC_ISSUER: `http://127.0.0.1:${port}`, OIDC_CLIENT_ID: late.clientId, OIDC_CLIENT_SECRET: late.clientSecret }, t.database);
    try {
      expect((await new Browser().request(`${down.url}/sign-in`)).status).toBe(200);
      const res = await new Browser().request(`${down.url}/sign-in/oidc`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect(await res.text()).toContain('cannot be reached');
      // The issuer comes up: discovery is tried again (after a short pause) and the flow works.
      await late.start(port);
      late.accounts.set('henry', { email: marketer.email, email_verified: true });
      await new Promise((resolve) => setTimeout(resolve, (DISCOVERY_RETRY_SECONDS + 0.5) * 1000));
      const b = new Browser();
      const callback = await callbackFor(b, 'henry', undefined, down);
      expect((await b.request(toApp(down, callback))).status).toBe(303);
      expect((await b.request(`${down.url}/marketer`)).status).toBe(200);
    } finally {
      await down.close();
      await late.stop();
    }
  });
});
