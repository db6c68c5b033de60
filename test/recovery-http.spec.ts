import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import net from 'node:net';
import { drainOf } from '../src/common/drain.js';
import { ADMIN_TOKEN, startTestApp, TestApp } from './support/app.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw client connection that collects what the server sends and notes when it closes. */
function rawConnection(port: number): Promise<{ socket: net.Socket; received: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let data = '';
    const socket = net.connect(port, '127.0.0.1');
    const closed = new Promise<number>((r) => socket.on('close', () => r(Date.now() - started)));
    socket.setEncoding('utf8').on('data', (d: string) => (data += d));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

const userBody = (email: string) => JSON.stringify({ email, name: 'Drain Test', timeZone: 'UTC', roles: ['rep'] });
const postHead = (body: string, keepAlive = true) =>
  `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`;

describe('HTTP server timeouts (HTTP_REQUEST_TIMEOUT_SECONDS, HTTP_HEADERS_TIMEOUT_SECONDS)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ HTTP_REQUEST_TIMEOUT_SECONDS: '2', HTTP_HEADERS_TIMEOUT_SECONDS: '1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('cuts a request whose body trickles in (408, closed) once the request timeout is over', async () => {
    const port = Number(new URL(t.url).port);
    const c = await rawConnection(port);
    const body = userBody('trickle@example.com');
    c.socket.write(postHead(body));
    let i = 0;
    const drip = setInterval(() => {
      if (!c.socket.destroyed && i < body.length) c.socket.write(body[i++]);
    }, 250);
    const closedAfter = await c.closed;
    clearInterval(drip);
    expect(closedAfter).toBeLessThan(5_000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE email = 'trickle@example.com'`);
    expect(n).toBe(0);
  });

  it('cuts a connection whose headers trickle in once the headers timeout is over', async () => {
    const port = Number(new URL(t.url).port);
    const c = await rawConnection(port);
    const head = 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(40);
    let i = 0;
    const drip = setInterval(() => {
      if (!c.socket.destroyed && i < head.length) c.socket.write(head[i++]);
    }, 100);
    const closedAfter = await c.closed;
    clearInterval(drip);
    expect(closedAfter).toBeLessThan(3_500);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('leaves a request that arrives in time alone', async () => {
    const res = await fetch(`${t.url}/health`);
    expect(res.status).toBe(200);
  });
});

describe('drain (what main.ts runs on SIGTERM)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close().catch(() => undefined);
  });

  it('finishes the request in flight, closes idle connections, and runs no request that arrives after it started', async () => {
    const port = Number(new URL(t.url).port);
    // An idle kept-alive connection.
    const idle = await rawConnection(port);
    idle.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 50 && !idle.received().includes('"ok"'); i++) await sleep(20);
    expect(idle.received()).toMatch(/^HTTP\/1\.1 200 /);

    // A request in flight: its headers are in, its body is still coming.
    const busy = await rawConnection(port);
    const first = userBody('in-flight@example.com');
    busy.socket.write(postHead(first) + first.slice(0, 10));
    await sleep(200);

    const drain = drainOf(t.app)!;
    let drained = false;
    const done = drain.drain(t.app.getHttpServer() as Server, 10_000).then((r) => {
      drained = true;
      return r;
    });
    await idle.closed; // closed at once
    await sleep(200);
    expect(drained).toBe(false); // still waiting for the request in flight

    // The rest of the body, and a second request pipelined behind it on the same connection.
    const second = userBody('after-drain@example.com');
    busy.socket.write(first.slice(10) + postHead(second) + second);
    const result = await done;
    await busy.closed;

    expect(result).toMatchObject({ inFlight: 1, unfinished: 0 });
    const answers = busy.received();
    expect(answers).toMatch(/^HTTP\/1\.1 201 /);
    expect(answers.split('\r\n\r\n')[0]).toMatch(/\r\nConnection: close/i);
    expect(answers).not.toMatch(/HTTP\/1\.1 201 [\s\S]*HTTP\/1\.1 201 /); // the second was not run
    const rows = await t.db.query(`SELECT email FROM users WHERE email IN ('in-flight@example.com', 'after-drain@example.com')`);
    expect(rows).toEqual([{ email: 'in-flight@example.com' }]);

    // A new connection is not accepted any more.
    await expect(fetch(`${t.url}/health`)).rejects.toThrow();
  });
});
