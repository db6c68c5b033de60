import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { addressAllowed, classifyAddress } from './addresses.js';
import { bareHostname, normalizeFeedUrl } from './feed-url.js';
import { OutboundFailedError, OutboundRefusedError } from './outbound-errors.js';

export { normalizeFeedUrl } from './feed-url.js';
export { OutboundFailedError, OutboundRefusedError } from './outbound-errors.js';
export type { FailedReason, RefusedReason } from './outbound-errors.js';

/**
 * Outbound HTTP under the service's rule (DESIGN "Outbound HTTP"): http(s) only, the address the socket
 * connects to is checked when it is resolved (a custom `lookup` on the request, so a DNS answer cannot
 * slip past the check, and a literal IP host is checked before connecting), every redirect is checked
 * again, at most `maxRedirects` of them, one deadline for the whole exchange, the body read as a stream
 * and cut off past `maxBytes`.
 */
export interface OutboundPolicy {
  /** Let loopback, private, link-local, unique-local and CGNAT addresses through (CALENDAR_ALLOW_PRIVATE_HOSTS). Metadata addresses stay refused. */
  allowPrivate: boolean;
  /** Deadline for the whole exchange, redirects and body included (default 15 000 ms). */
  timeoutMs?: number;
  /** Largest body, after decompression (default 10 MiB). */
  maxBytes?: number;
  /** Redirects followed at most (default 3); one more is refused. */
  maxRedirects?: number;
  /**
   * Resolves a host name to its addresses instead of DNS (default: the system resolver, every address).
   * Tests use it to make a public-looking name resolve to a local address; the answer is checked like DNS's.
   */
  resolve?: (hostname: string) => Promise<string[]>;
  /**
   * Addresses (with their port) reachable although they are private, for tests that stand a local server in
   * for a public one while every other private address stays refused. The service never sets it.
   */
  allowAddresses?: { address: string; port: number }[];
}

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 3;

export interface GuardedResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** The final URL, after redirects. */
  url: string;
}

export interface GuardedInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Throw OutboundFailedError('http_status') for a status of 400 or more (default true). 3xx without Location and 304 are returned. */
  throwHttpErrors?: boolean;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

interface Exchange {
  status: number;
  statusText: string;
  headers: Headers;
  body: Buffer;
  url: URL;
  redirected: boolean;
}

interface ExchangeInit {
  method: string;
  headers: Headers;
  body?: Buffer;
  redirect: 'follow' | 'manual' | 'error';
  signal?: AbortSignal | null;
}

function sizeInWords(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  return bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`;
}

function privateRefusal(redirected: boolean): OutboundRefusedError {
  return new OutboundRefusedError(
    'private_address',
    `url ${redirected ? 'redirected to' : 'points to'} a local or private network address (loopback, private, link-local, unique-local or shared), which is not allowed`,
  );
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase().replace(/^\[|\]$/g, '') === b.toLowerCase().replace(/^\[|\]$/g, '');
}

/** Throws OutboundRefusedError unless the policy lets the socket reach this address and port. */
export function checkAddress(address: string, port: number, policy: OutboundPolicy, redirected = false): void {
  const kind = classifyAddress(address);
  if (addressAllowed(kind, policy.allowPrivate)) return;
  if (kind !== 'metadata' && policy.allowAddresses?.some((a) => a.port === port && sameAddress(a.address, address))) return;
  throw kind === 'metadata'
    ? new OutboundRefusedError('metadata', `url ${redirected ? 'redirected to' : 'points to'} a cloud metadata service, which is never allowed`)
    : privateRefusal(redirected);
}

/** A `lookup` for node:net that resolves every address of the name and refuses the connection if any of them is not allowed. */
export function guardedLookup(policy: OutboundPolicy, port: number, redirected = false): LookupFunction {
  return (hostname, options, callback) => {
    const resolve = policy.resolve
      ? policy.resolve(hostname).then((list) => list.map((address) => ({ address, family: isIP(address) })))
      : dnsLookup(hostname, { all: true, verbatim: true });
    resolve.then(
      (found) => {
        try {
          if (found.length === 0) throw Object.assign(new Error('no address'), { code: 'ENOTFOUND' });
          for (const a of found) checkAddress(a.address, port, policy, redirected);
          const family = typeof options.family === 'number' ? options.family : 0;
          const fit = family === 0 ? found : found.filter((a) => a.family === family);
          if (fit.length === 0) throw Object.assign(new Error('no address of that family'), { code: 'ENOTFOUND' });
          if (options.all) (callback as (err: null, addresses: typeof fit) => void)(null, fit);
          else callback(null, fit[0].address, fit[0].family);
        } catch (err) {
          callback(err as NodeJS.ErrnoException, '', 0);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** Plain words for a failed connection; never the URL. */
function networkFailure(err: NodeJS.ErrnoException): OutboundFailedError {
  const code = err.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_NONAME') {
    return new OutboundFailedError('network', "the server's host name could not be found");
  }
  if (code === 'ECONNREFUSED') return new OutboundFailedError('network', 'the server refused the connection');
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || err.message === 'aborted') {
    return new OutboundFailedError('network', 'the connection to the server was cut off');
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new OutboundFailedError('network', 'the server cannot be reached from here');
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO/.test(code)) {
    return new OutboundFailedError('network', "the server's TLS certificate or encryption was not accepted");
  }
  if (code.startsWith('HPE_')) return new OutboundFailedError('network', 'the server did not answer with valid HTTP');
  if (code.startsWith('Z_') || code === 'ERR_ZLIB') return new OutboundFailedError('network', "the server's compressed answer could not be read");
  return new OutboundFailedError('network', 'the server could not be reached');
}

/** The response's headers; when the body was decompressed, without Content-Encoding and Content-Length (they described the wire). */
function responseHeaders(res: IncomingMessage, decoded: boolean): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i].toLowerCase();
    if (decoded && (name === 'content-encoding' || name === 'content-length')) continue;
    try {
      headers.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
    } catch {
      // A header WHATWG Headers cannot hold is left out.
    }
  }
  return headers;
}

/** One request to one URL, no redirects followed. Resolves with the response head; the body is still to be read. */
function send(url: URL, init: ExchangeInit, policy: OutboundPolicy, signal: AbortSignal, redirected: boolean): Promise<IncomingMessage> {
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const host = bareHostname(url);
  if (isIP(host)) checkAddress(host, port, policy, redirected);
  const headers: Record<string, string> = {};
  init.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers['accept-encoding'] = 'gzip, deflate, br';
  headers['user-agent'] ??= 'ridealong';
  if (init.body) headers['content-length'] = String(init.body.length);
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      protocol: url.protocol,
      hostname: host,
      port,
      path: `${url.pathname}${url.search}`,
      method: init.method,
      headers,
      agent: false,
      lookup: guardedLookup(policy, port, redirected),
      signal,
    };
    const req = (url.protocol === 'https:' ? https : http).request(options, resolve);
    req.on('error', reject);
    req.end(init.body);
  });
}

const DECODED = new Set(['gzip', 'x-gzip', 'deflate', 'br']);
const encodingOf = (res: IncomingMessage) => (res.headers['content-encoding'] ?? '').trim().toLowerCase();

/** A decompressor for the response's Content-Encoding (gzip, deflate, br), or null to read it as it is. */
function decoderFor(res: IncomingMessage): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null {
  const encoding = encodingOf(res);
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip();
  if (encoding === 'deflate') return zlib.createInflate();
  if (encoding === 'br') return zlib.createBrotliDecompress();
  return null;
}

async function readBody(res: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  const encoding = encodingOf(res);
  const tooLarge = () => new OutboundFailedError('too_large', `the answer is larger than ${sizeInWords(maxBytes)}`);
  if ((encoding === '' || encoding === 'identity') && Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw tooLarge();
  }
  const decoder = decoderFor(res);
  const stream: Readable = decoder ? pipeline(res, decoder, () => undefined) : res;
  const onAbort = () => res.destroy(Object.assign(new Error('aborted'), { name: 'AbortError' }));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      total += buf.length;
      if (total > maxBytes) {
        res.destroy();
        decoder?.destroy();
        throw tooLarge();
      }
      chunks.push(buf);
    }
    if (signal.aborted) throw signal.reason;
    return Buffer.concat(chunks);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Follows redirects (each checked again) within one deadline. */
async function exchange(first: string | URL, init: ExchangeInit, policy: OutboundPolicy): Promise<Exchange> {
  const timeoutMs = policy.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = policy.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = policy.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let url = normalizeFeedUrl(first);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));
  }, timeoutMs);
  const callerAbort = () => controller.abort(init.signal?.reason);
  if (init.signal?.aborted) callerAbort();
  init.signal?.addEventListener('abort', callerAbort, { once: true });
  let { method, body } = init;
  const headers = new Headers(init.headers);
  try {
    for (let hop = 0; ; hop++) {
      const res = await send(url, { ...init, method, headers, body }, policy, controller.signal, hop > 0);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location && init.redirect !== 'manual') {
        res.resume();
        res.destroy();
        if (init.redirect === 'error') throw new OutboundFailedError('network', 'the server answered with a redirect');
        if (hop >= maxRedirects) {
          throw new OutboundRefusedError('too_many_redirects', `url redirected more than ${maxRedirects} times`);
        }
        let next: URL;
        try {
          next = normalizeFeedUrl(new URL(location, url));
        } catch (err) {
          if (err instanceof OutboundRefusedError) throw err;
          throw new OutboundRefusedError('invalid_url', 'url redirected to an address that is not valid');
        }
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
          headers.delete('content-type');
        }
        if (next.origin !== url.origin) {
          // Credentials are for the server they were given for.
          headers.delete('authorization');
          headers.delete('cookie');
        }
        url = next;
        continue;
      }
      const buffer = method === 'HEAD' || NULL_BODY.has(status) ? (res.resume(), Buffer.alloc(0)) : await readBody(res, maxBytes, controller.signal);
      return {
        status,
        statusText: res.statusMessage ?? '',
        headers: responseHeaders(res, DECODED.has(encodingOf(res))),
        body: buffer,
        url,
        redirected: hop > 0,
      };
    }
  } catch (err) {
    if (err instanceof OutboundRefusedError || err instanceof OutboundFailedError) throw err;
    if (timedOut) throw new OutboundFailedError('timeout', `the server did not answer within ${Math.ceil(timeoutMs / 1000)} seconds`);
    if (controller.signal.aborted) throw init.signal?.reason ?? err;
    throw networkFailure(err as NodeJS.ErrnoException);
  } finally {
    clearTimeout(timer);
    init.signal?.removeEventListener('abort', callerAbort);
  }
}

/**
 * Fetches a URL under the policy. Throws OutboundRefusedError (the URL or a redirect is not allowed) or
 * OutboundFailedError (DNS, connect, TLS, timeout, too large, and HTTP 400+ unless `throwHttpErrors: false`).
 */
export async function guardedFetch(url: string | URL, init: GuardedInit, policy: OutboundPolicy): Promise<GuardedResponse> {
  const res = await exchange(
    url,
    {
      method: (init.method ?? 'GET').toUpperCase(),
      headers: new Headers(init.headers ?? {}),
      body: init.body === undefined ? undefined : Buffer.from(init.body),
      redirect: 'follow',
    },
    policy,
  );
  if (res.status >= 400 && init.throwHttpErrors !== false) {
    const text = http.STATUS_CODES[res.status];
    throw new OutboundFailedError('http_status', `the server answered HTTP ${res.status}${text ? ` (${text})` : ''}`, res.status);
  }
  return { status: res.status, headers: res.headers, body: res.body, url: res.url.href };
}

/**
 * A WHATWG-fetch-compatible function applying the same policy (for tsdav's `fetch` option): takes a
 * string, URL or Request and `init` (method, headers, body, redirect, signal), returns a real `Response`
 * whatever its status (like fetch). Redirects are followed and checked unless `redirect: 'manual'`, which
 * returns the 3xx itself (its target is checked when it is fetched). Refusals and failures reject with
 * OutboundRefusedError / OutboundFailedError.
 */
export function guardedFetchFunction(policy: OutboundPolicy): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = normalizeFeedUrl(input instanceof Request ? input.url : input);
    const request = input instanceof Request ? new Request(input, init) : new Request(url, init);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const res = await exchange(
      url,
      { method: request.method, headers: request.headers, body, redirect: request.redirect, signal: init?.signal ?? (input instanceof Request ? input.signal : null) },
      policy,
    );
    const response = new Response(NULL_BODY.has(res.status) ? null : new Uint8Array(res.body), {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
    Object.defineProperty(response, 'url', { value: res.url.href });
    Object.defineProperty(response, 'redirected', { value: res.redirected });
    return response;
  };
}
