import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, bearer, TestApp } from './support/app.js';
import { startProxiedApp, type ProxiedApp } from './support/proxied-app.js';
import type { TcpProxy } from './support/tcp-proxy.js';

/** Polls `fn` until it returns true (every 200 ms) or the time is up. */
async function until(fn: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe('a database outage answers 503 unavailable with Retry-After, never 500, and recovers', () => {
  let app: ProxiedApp;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    app = await startProxiedApp();
    ({ t, proxy } = app);
  });
  afterAll(() => app?.close());

  const expectUnavailable = (res: { status: number; headers: Record<string, string>; body: { code?: string } }) => {
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.code).toBe('unavailable');
  };

  it('while the database is gone (connections cut, port closed): API, health and pages answer 503', async () => {
    await t.http.get('/api/v1/me').set(bearer(ADMIN_TOKEN)).expect(200);
    await t.http.get('/health').expect(200);

    await proxy.setMode('refuse'); // cuts every pooled connection and closes the port
    for (let i = 0; i < 3; i++) expectUnavailable(await t.http.get('/api/v1/me').set(bearer(ADMIN_TOKEN)));
    expectUnavailable(await t.http.get('/api/v1/users').set(bearer(ADMIN_TOKEN)));
    expectUnavailable(await t.http.post('/api/v1/users').set(bearer(ADMIN_TOKEN)).send({ email: 'x@example.com', name: 'X', timeZone: 'UTC', roles: ['rep'] }));
    expectUnavailable(await t.http.get('/health'));
    // A page (the magic-link route looks its token up): the page filter sets Retry-After too.
    const page = await t.http.get('/sign-in/sl_nothing-here-0123456789').set('Accept', 'text/html');
    expect(page.status).toBe(503);
    expect(page.headers['retry-after']).toBe('5');

    await proxy.setMode('pass');
    expect(await until(async () => (await t.http.get('/api/v1/me').set(bearer(ADMIN_TOKEN))).status === 200, 10_000)).toBe(true);
    await t.http.get('/health').expect(200);
  });

  it('a database that accepts connections but never answers fails a request within the connect timeout (5 s)', async () => {
    await proxy.setMode('silent');
    proxy.cutAll(); // the pool's idle connections die; new ones hang in the handshake
    const started = Date.now();
    expectUnavailable(await t.http.get('/api/v1/me').set(bearer(ADMIN_TOKEN)));
    expect(Date.now() - started).toBeLessThan(8_000);
    const health = Date.now();
    expectUnavailable(await t.http.get('/health'));
    expect(Date.now() - health).toBeLessThan(4_500);

    await proxy.setMode('pass');
    proxy.cutAll();
    expect(await until(async () => (await t.http.get('/api/v1/me').set(bearer(ADMIN_TOKEN))).status === 200, 10_000)).toBe(true);
  });
});
