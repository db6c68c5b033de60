import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import {
  guardedFetch,
  guardedFetchFunction,
  OutboundFailedError,
  OutboundRefusedError,
  type OutboundPolicy,
} from '../src/common/outbound/guarded-fetch.js';

/** A real HTTP server on 127.0.0.1 that records what reaches it. */
interface TestServer {
  port: number;
  base: string;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

async function startServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void, host = '127.0.0.1'): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    base: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

const OPEN: OutboundPolicy = { allowPrivate: true };
const CLOSED: OutboundPolicy = { allowPrivate: false };
const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n';

describe('outbound HTTP guard', () => {
  let feed: TestServer; // answers the calendar on any path, and redirects /hop/<n> n times
  let other: TestServer; // a second local server: a redirect's private target
  let slow: TestServer; // never answers
  let drip: TestServer; // answers the head, then the body one byte a second
  let huge: TestServer; // 5 000 bytes, with or without Content-Length, or gzip of 1 MB

  beforeAll(async () => {
    feed = await startServer((req, res, body) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const hop = /^\/hop\/(\d+)$/.exec(url.pathname);
      if (hop) {
        const n = Number(hop[1]);
        res.writeHead(302, { Location: n > 1 ? `/hop/${n - 1}` : '/calendar.ics' }).end();
      } else if (url.pathname === '/to') {
        res.writeHead(Number(url.searchParams.get('status') ?? 302), { Location: url.searchParams.get('target') ?? '/' }).end();
      } else if (url.pathname === '/missing') {
        res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html>not here</html>');
      } else if (url.pathname === '/dav') {
        res.writeHead(207, { 'Content-Type': 'application/xml; charset=utf-8', ETag: '"e1"' }).end(`<multistatus>${req.method} ${body}</multistatus>`);
      } else if (url.pathname === '/not-modified') {
        res.writeHead(304, { ETag: '"e1"' }).end();
      } else {
        res.writeHead(200, { 'Content-Type': 'text/calendar' }).end(ICS);
      }
    });
    other = await startServer((_req, res) => res.writeHead(200).end(ICS));
    slow = await startServer(() => undefined);
    drip = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/calendar' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('x')), 1000);
      res.on('close', () => clearInterval(timer));
    });
    huge = await startServer((req, res) => {
      if (req.url === '/declared') res.writeHead(200, { 'Content-Length': '5000' }).end('x'.repeat(5000));
      else if (req.url === '/gzip') res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(zlib.gzipSync(Buffer.alloc(1024 * 1024, 'x')));
      else if (req.url === '/small-gzip') res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(zlib.gzipSync(ICS));
      else {
        res.writeHead(200);
        for (let i = 0; i < 50; i++) res.write('x'.repeat(100));
        res.end();
      }
    });
  });

  afterAll(async () => {
    await Promise.all([feed, other, slow, drip, huge].map((s) => s.close()));
  });

  describe('addresses', () => {
    it('fetches a local server when private hosts are allowed', async () => {
      const res = await guardedFetch(`${feed.base}/calendar.ics`, {}, OPEN);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe(ICS);
      expect(res.headers.get('content-type')).toBe('text/calendar');
      expect(res.url).toBe(`${feed.base}/calendar.ics`);
    });

    it.each([
      ['127.0.0.1', (port: number) => `http://127.0.0.1:${port}/calendar.ics`],
      ['localhost', (port: number) => `http://localhost:${port}/calendar.ics`],
      ['[::1]', (port: number) => `http://[::1]:${port}/calendar.ics`],
      ['IPv4-mapped [::ffff:127.0.0.1]', (port: number) => `http://[::ffff:127.0.0.1]:${port}/calendar.ics`],
      ['webcal to 127.0.0.1', (port: number) => `webcal://127.0.0.1:${port}/calendar.ics`],
      ['0.0.0.0', (port: number) => `http://0.0.0.0:${port}/calendar.ics`],
      ['a numeric host (2130706433)', (port: number) => `http://2130706433:${port}/calendar.ics`],
      ['a hex webcal host (0x7f.1)', (port: number) => `webcal://0x7f.1:${port}/calendar.ics`],
    ])('refuses %s when private hosts are not allowed, before any request reaches it', async (_name, url) => {
      const before = feed.requests.length;
      const err = await rejection(guardedFetch(url(feed.port), {}, CLOSED));
      expect(err).toBeInstanceOf(OutboundRefusedError);
      expect(err).toMatchObject({ reason: 'private_address', status: 400, details: { field: 'url' } });
      expect(feed.requests.length).toBe(before);
    });

    it('refuses the metadata address even when private hosts are allowed', async () => {
      const err = await rejection(guardedFetch('http://169.254.169.254/latest/meta-data/', {}, OPEN));
      expect(err).toMatchObject({ reason: 'metadata' });
      const named = await rejection(guardedFetch('http://metadata.google.internal/computeMetadata/v1/', {}, OPEN));
      expect(named).toMatchObject({ reason: 'metadata' });
    });

    it('checks the resolved address: a public-looking name that resolves to 127.0.0.1 is refused', async () => {
      const resolve = async (name: string) => (name === 'calendar.example.com' ? ['127.0.0.1'] : []);
      const url = `http://calendar.example.com:${feed.port}/calendar.ics`;
      const before = feed.requests.length;
      const err = await rejection(guardedFetch(url, {}, { allowPrivate: false, resolve }));
      expect(err).toBeInstanceOf(OutboundRefusedError);
      expect(err).toMatchObject({ reason: 'private_address' });
      expect(feed.requests.length).toBe(before);
      // The same name connects to the address it resolves to when private hosts are allowed.
      const ok = await guardedFetch(url, {}, { allowPrivate: true, resolve });
      expect(ok.body.toString()).toBe(ICS);
      expect(feed.requests.at(-1)?.headers.host).toBe(`calendar.example.com:${feed.port}`);
    });

    it('refuses a name when any of its addresses is private (DNS round robin)', async () => {
      const resolve = async () => ['93.184.216.34', '127.0.0.1'];
      const err = await rejection(guardedFetch(`http://calendar.example.com:${feed.port}/`, {}, { allowPrivate: false, resolve }));
      expect(err).toMatchObject({ reason: 'private_address' });
    });

    it('reports a name that does not resolve as a network failure', async () => {
      const err = await rejection(guardedFetch('http://calendar.invalid/feed.ics', {}, CLOSED));
      expect(err).toBeInstanceOf(OutboundFailedError);
      expect(err).toMatchObject({ reason: 'network' });
      expect(err.message).toBe("the server's host name could not be found");
    });

    it('reports a refused connection in plain words', async () => {
      const gone = await startServer(() => undefined);
      await gone.close();
      const err = await rejection(guardedFetch(`${gone.base}/secret-feed-token.ics`, {}, OPEN));
      expect(err).toMatchObject({ reason: 'network', message: 'the server refused the connection' });
    });
  });

  describe('schemes', () => {
    it('fetches webcal:// as https://: the first bytes on the wire are a TLS handshake', async () => {
      const first: number[] = [];
      const tcp = net.createServer((socket) => {
        socket.once('data', (d: Buffer) => {
          first.push(d[0]);
          socket.destroy();
        });
      });
      await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
      const { port } = tcp.address() as AddressInfo;
      try {
        const err = await rejection(guardedFetch(`webcal://127.0.0.1:${port}/calendar.ics`, {}, OPEN));
        expect(err).toBeInstanceOf(OutboundFailedError);
        expect(first).toEqual([0x16]); // TLS record type "handshake" (a plain HTTP request would start with "G")
      } finally {
        await new Promise((resolve) => tcp.close(resolve));
      }
    });
  });

  describe('redirects', () => {
    it('follows up to three redirects', async () => {
      const res = await guardedFetch(`${feed.base}/hop/3`, {}, OPEN);
      expect(res.body.toString()).toBe(ICS);
      expect(res.url).toBe(`${feed.base}/calendar.ics`);
    });

    it('refuses a chain of four', async () => {
      const before = feed.requests.length;
      const err = await rejection(guardedFetch(`${feed.base}/hop/4`, {}, OPEN));
      expect(err).toBeInstanceOf(OutboundRefusedError);
      expect(err).toMatchObject({ reason: 'too_many_redirects', message: 'url redirected more than 3 times' });
      expect(feed.requests.length - before).toBe(4); // the fourth redirect's target is never fetched
    });

    it('checks every redirect again: a redirect to another local address is refused', async () => {
      // Only the first server stands in for a public one; the redirect's target is another local address.
      const policy: OutboundPolicy = { allowPrivate: false, allowAddresses: [{ address: '127.0.0.1', port: feed.port }] };
      expect((await guardedFetch(`${feed.base}/calendar.ics`, {}, policy)).status).toBe(200);
      const target = `http://127.0.0.1:${other.port}/calendar.ics`;
      const err = await rejection(guardedFetch(`${feed.base}/to?target=${encodeURIComponent(target)}`, {}, policy));
      expect(err).toBeInstanceOf(OutboundRefusedError);
      expect(err).toMatchObject({ reason: 'private_address' });
      expect(err.message).toMatch(/^url redirected to a local or private network address/);
      expect(other.requests.length).toBe(0);
      // ... and when the redirect's target is a name that resolves to a private address.
      const resolve = async () => ['10.0.0.7'];
      const named = await rejection(
        guardedFetch(`${feed.base}/to?target=${encodeURIComponent('http://internal.example.com/admin')}`, {}, { ...policy, resolve }),
      );
      expect(named).toMatchObject({ reason: 'private_address' });
      // ... and to the metadata service or another scheme.
      const meta = await rejection(guardedFetch(`${feed.base}/to?target=${encodeURIComponent('http://169.254.169.254/')}`, {}, OPEN));
      expect(meta).toMatchObject({ reason: 'metadata' });
      const file = await rejection(guardedFetch(`${feed.base}/to?target=${encodeURIComponent('file:///etc/passwd')}`, {}, OPEN));
      expect(file).toMatchObject({ reason: 'scheme' });
    });

    it('drops Authorization when a redirect leaves the origin, turns a 303 into a GET', async () => {
      const target = `${other.base}/calendar.ics`;
      const before = other.requests.length;
      await guardedFetch(`${feed.base}/to?status=303&target=${encodeURIComponent(target)}`, { method: 'POST', body: 'a=1', headers: { Authorization: 'Basic c2VjcmV0' } }, OPEN);
      const seen = other.requests.slice(before);
      expect(seen).toHaveLength(1);
      expect(seen[0].method).toBe('GET');
      expect(seen[0].body).toBe('');
      expect(seen[0].headers.authorization).toBeUndefined();
      expect(feed.requests.at(-1)?.headers.authorization).toBe('Basic c2VjcmV0');
    });
  });

  describe('time and size', () => {
    it('gives up on a server that never answers', async () => {
      const started = Date.now();
      const err = await rejection(guardedFetch(`${slow.base}/calendar.ics`, {}, { allowPrivate: true, timeoutMs: 400 }));
      expect(err).toBeInstanceOf(OutboundFailedError);
      expect(err).toMatchObject({ reason: 'timeout' });
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('gives up on a body that trickles past the deadline', async () => {
      const err = await rejection(guardedFetch(`${drip.base}/calendar.ics`, {}, { allowPrivate: true, timeoutMs: 1500 }));
      expect(err).toMatchObject({ reason: 'timeout', message: 'the server did not answer within 2 seconds' });
    });

    it('cuts off a body past maxBytes, declared or streamed', async () => {
      const policy = { allowPrivate: true, maxBytes: 1000 };
      const streamed = await rejection(guardedFetch(`${huge.base}/streamed`, {}, policy));
      expect(streamed).toBeInstanceOf(OutboundFailedError);
      expect(streamed).toMatchObject({ reason: 'too_large', message: 'the answer is larger than 1000 bytes' });
      expect(await rejection(guardedFetch(`${huge.base}/declared`, {}, policy))).toMatchObject({ reason: 'too_large' });
      expect((await guardedFetch(`${huge.base}/streamed`, {}, { allowPrivate: true, maxBytes: 5000 })).body.length).toBe(5000);
    });

    it('counts a compressed body by its decompressed size', async () => {
      const err = await rejection(guardedFetch(`${huge.base}/gzip`, {}, { allowPrivate: true, maxBytes: 100_000 }));
      expect(err).toMatchObject({ reason: 'too_large' });
      expect((await guardedFetch(`${huge.base}/small-gzip`, {}, OPEN)).body.toString()).toBe(ICS);
    });

    it('names the limit in plain units; a body of exactly the limit passes', async () => {
      const err = await rejection(guardedFetch(`${huge.base}/gzip`, {}, { allowPrivate: true, maxBytes: 512 * 1024 }));
      expect(err.message).toBe('the answer is larger than 512 KB');
      expect((await guardedFetch(`${huge.base}/gzip`, {}, { allowPrivate: true, maxBytes: 1024 * 1024 })).body.length).toBe(1024 * 1024);
      const mb = await rejection(guardedFetch(`${huge.base}/gzip`, {}, { allowPrivate: true, maxBytes: 1024 * 1024 - 1 }));
      expect(mb).toMatchObject({ reason: 'too_large' });
    });
  });

  describe('statuses', () => {
    it('turns an HTTP error into http_status, without the URL in the message', async () => {
      const err = await rejection(guardedFetch(`${feed.base}/missing?token=secret-feed-token`, {}, OPEN));
      expect(err).toBeInstanceOf(OutboundFailedError);
      expect(err).toMatchObject({ reason: 'http_status', status: 404, message: 'the server answered HTTP 404 (Not Found)' });
      expect(err.message).not.toContain('secret');
      const kept = await guardedFetch(`${feed.base}/missing`, { throwHttpErrors: false }, OPEN);
      expect(kept.status).toBe(404);
    });

    it('returns a 304 with its headers', async () => {
      const res = await guardedFetch(`${feed.base}/not-modified`, { headers: { 'If-None-Match': '"e1"' } }, OPEN);
      expect(res.status).toBe(304);
      expect(res.body.length).toBe(0);
      expect(res.headers.get('etag')).toBe('"e1"');
      expect(feed.requests.at(-1)?.headers['if-none-match']).toBe('"e1"');
    });
  });

  describe('guardedFetchFunction (for tsdav)', () => {
    const fetchOpen = guardedFetchFunction(OPEN);

    it('returns a real Response for any status, sending method, headers and body', async () => {
      const res = await fetchOpen(`${feed.base}/dav`, { method: 'PROPFIND', headers: { Depth: '0', 'Content-Type': 'text/xml' }, body: '<propfind/>' });
      expect(res).toBeInstanceOf(Response);
      expect(res.status).toBe(207);
      expect(res.ok).toBe(true);
      expect(res.headers.get('content-type')).toContain('xml');
      expect(await res.text()).toBe('<multistatus>PROPFIND <propfind/></multistatus>');
      expect(feed.requests.at(-1)?.headers.depth).toBe('0');
      expect(res.url).toBe(`${feed.base}/dav`);
      const missing = await fetchOpen(new URL(`${feed.base}/missing`));
      expect(missing.status).toBe(404);
      expect(missing.ok).toBe(false);
    });

    it('hands over a compressed body decompressed, without the wire headers', async () => {
      const res = await fetchOpen(`${huge.base}/small-gzip`);
      expect(res.headers.get('content-encoding')).toBeNull();
      expect(await res.text()).toBe(ICS);
    });

    it('takes a Request and Headers', async () => {
      const res = await fetchOpen(new Request(`${feed.base}/dav`, { method: 'REPORT', headers: new Headers({ Depth: '1' }), body: '<report/>' }));
      expect(await res.text()).toBe('<multistatus>REPORT <report/></multistatus>');
      expect(feed.requests.at(-1)?.headers.depth).toBe('1');
    });

    it('follows and checks redirects, or returns them with redirect: manual', async () => {
      const followed = await fetchOpen(`${feed.base}/hop/2`);
      expect(followed.redirected).toBe(true);
      expect(followed.url).toBe(`${feed.base}/calendar.ics`);
      const manual = await fetchOpen(`${feed.base}/hop/1`, { redirect: 'manual' });
      expect(manual.status).toBe(302);
      expect(manual.headers.get('location')).toBe('/calendar.ics');
      const err = await rejection(guardedFetchFunction(CLOSED)(`${feed.base}/calendar.ics`));
      expect(err).toBeInstanceOf(OutboundRefusedError);
      expect(await rejection(fetchOpen(`${feed.base}/hop/4`))).toMatchObject({ reason: 'too_many_redirects' });
    });

    it('honours the caller signal', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const err = await rejection(fetchOpen(`${slow.base}/x`, { signal: controller.signal }));
      expect(err.name).toBe('AbortError');
    });
  });
});
