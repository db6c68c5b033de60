import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import pg from 'pg';
import { ADMIN_EMAIL, ADMIN_TOKEN, TestApp } from './support/app.js';
import { createTestDatabase, TestDatabase } from './support/database.js';
import { buildService, freePort, killServiceProcesses, ServiceProcess, startServiceProcess } from './support/service-process.js';
import { startProxiedApp, type ProxiedApp } from './support/proxied-app.js';
import type { TcpProxy } from './support/tcp-proxy.js';

/**
 * GET /ready: 200 when the instance may take traffic; 503 `unavailable` with Retry-After while it boots
 * (migrations), while its database is away, and while it drains on shutdown. GET /health stays as it is.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns true (every 100 ms) or the time is up. */
async function until(fn: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await fn()) return true;
    await sleep(100);
  }
  return false;
}

/** A raw HTTP/1.1 connection whose request the test writes in pieces; `response()` resolves with what came back once it closed. */
function rawConnection(port: number): Promise<{ write(s: string): void; response(): Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const closed = new Promise<string>((r) => socket.on('close', () => r(data)));
    socket.setEncoding('utf8').on('data', (d: string) => (data += d));
    socket.once('error', reject);
    socket.once('connect', () => resolve({ write: (s) => socket.write(s), response: () => closed }));
  });
}

/** Status, headers (lower-cased) and JSON body of a raw HTTP/1.1 response. */
function parseRaw(raw: string): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(rest.join('\r\n\r\n')) as Record<string, unknown> };
}

describe('GET /ready (in process): ready, then the database away, then back', () => {
  let app: ProxiedApp;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    app = await startProxiedApp();
    ({ t, proxy } = app);
  });
  afterAll(() => app?.close());

  it('ready: 200 without a token', async () => {
    const res = await t.http.get('/ready').expect(200);
    expect(res.body).toEqual({ status: 'ready', database: 'up' });
    await t.http.get('/health').expect(200);
  });

  it('the database away: 503 unavailable with Retry-After naming the database; /metrics still answers; back: 200', async () => {
    await proxy.setMode('refuse'); // cuts every pooled connection and closes the port
    const res = await t.http.get('/ready');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({ statusCode: 503, code: 'unavailable', details: { phase: 'database' }, database: 'down' });

    // The scrape answers without the database's gauges, and says so.
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^ridealong_database_up 0$/m);
    expect(metrics.text).not.toMatch(/^ridealong_mail_outbox_messages\{/m);

    await proxy.setMode('pass');
    expect(await until(async () => (await t.http.get('/ready')).status === 200, 15_000)).toBe(true);
    expect((await t.http.get('/metrics').expect(200)).text).toMatch(/^ridealong_database_up 1$/m);
  });
});

describe('GET /ready (the built service in a child process): while migrations run, ready, while it drains', () => {
  let database: TestDatabase;
  let lock: pg.Client;
  let proc: ServiceProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    await buildService(); // before the clock of the test starts (one build per run)
  }, 300_000);
  afterAll(async () => {
    await killServiceProcesses();
    await lock?.end().catch(() => undefined);
    await database?.drop();
  });

  it('boots: 503 starting while the migrations wait on their lock, then 200; SIGTERM: 503 on a kept connection, no new ones, exit 0', async () => {
    // Hold the migrations' advisory lock (as an instance migrating a long schema change would): the service waits.
    lock = new pg.Client({ connectionString: database.url });
    lock.on('error', () => undefined); // its end is the test's business
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', ['ridealong:migrations']);

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const started = startServiceProcess({ PORT: String(port), DATABASE_URL: database.url, ADMIN_TOKEN, ADMIN_EMAIL, LOG_LEVEL: 'info', VAR_DIR: `var/test-ready-${process.pid}` }, { healthTimeoutMs: 120_000 });
    started.catch(() => undefined);
    let starting: Response | undefined;
    expect(
      await until(async () => {
        starting = await fetch(`${url}/ready`).catch(() => undefined);
        return starting !== undefined;
      }, 60_000),
    ).toBe(true);
    expect(starting!.status).toBe(503);
    expect(starting!.headers.get('retry-after')).toBe('5');
    expect(await starting!.json()).toMatchObject({ statusCode: 503, code: 'unavailable', details: { phase: 'starting' } });
    // Still migrating (the lock is held): every route says so, never a refused connection or a 500.
    await sleep(1_000);
    for (const path of ['/ready', '/health', '/api/v1/me']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { details: { phase: string } }).details.phase).toBe('starting');
    }

    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', ['ridealong:migrations']);
    await lock.end();
    proc = await started;
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'up' });

    // A slow request in flight (its body trickles in) keeps the drain going; a second connection has sent
    // part of its request's headers when SIGTERM comes.
    const slow = await rawConnection(port);
    slow.write(`POST /api/v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{"email":`);
    const probe = await rawConnection(port);
    probe.write(`GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    await sleep(300);
    proc.kill('SIGTERM');
    // The drain has begun once no new connection is taken (it stops listening right after it starts refusing)...
    expect(await until(async () => (await fetch(`${url}/ready`).then(() => 'answered', () => 'refused')) === 'refused', 10_000)).toBe(true);
    // ...and the request that completes now, on its kept connection, is told: 503, Retry-After, Connection: close.
    probe.write('\r\n');
    const answer = parseRaw(await probe.response());
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.headers.connection).toBe('close');
    expect(answer.body).toMatchObject({ code: 'unavailable' });

    slow.write('"x@y.z"}   ');
    const finished = parseRaw(await slow.response()); // the request in flight ran to its end (refused: no token)
    expect(finished.status).toBe(401);
    expect(await proc.exited).toBe(0);
  });
});
