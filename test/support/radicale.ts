import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Debian's Radicale (installed by scripts/install-radicale.sh from .ci/run and `npm test`'s pretest). */
export const RADICALE = process.env.RADICALE_PATH ?? '/usr/bin/radicale';

/** One request as it reached Radicale (through the counting proxy in front of it). */
export interface SeenRequest {
  method: string;
  path: string;
  status: number;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A real CalDAV server: Debian's Radicale on 127.0.0.1 with its own temporary folder (config file, plain
 * htpasswd file, collection storage), owner-only rights. `url` is a small HTTP proxy in front of it that
 * records every request (method, path, status), so a test can see which requests a client made;
 * `directUrl` is Radicale itself.
 */
export class Radicale {
  private constructor(
    /** Every request that went through `url`, in order (a test may empty it: `requests.length = 0`). */
    readonly requests: SeenRequest[],
    readonly folder: string,
    readonly directUrl: string,
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly proxy: http.Server,
    private readonly stderr: () => string,
  ) {}

  /** Starts Radicale with these users (name -> password) and waits until it answers. */
  static async start(users: Record<string, string>): Promise<Radicale> {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'ridealong-radicale-'));
    const port = await freePort();
    const htpasswd = path.join(folder, 'users');
    await writeFile(htpasswd, Object.entries(users).map(([name, password]) => `${name}:${password}\n`).join(''));
    const config = path.join(folder, 'config');
    await writeFile(
      config,
      [
        '[server]',
        `hosts = 127.0.0.1:${port}`,
        '[auth]',
        'type = htpasswd',
        `htpasswd_filename = ${htpasswd}`,
        'htpasswd_encryption = plain',
        // Radicale waits this long after a refused password (1 s by default); the test refuses on purpose.
        'delay = 0',
        '[rights]',
        'type = owner_only',
        '[storage]',
        `filesystem_folder = ${path.join(folder, 'collections')}`,
        '[web]',
        'type = none',
        '[logging]',
        'level = warning',
        'mask_passwords = True',
        '',
      ].join('\n'),
    );
    let stderr = '';
    const child = spawn(RADICALE, ['--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const directUrl = `http://127.0.0.1:${port}`;
    const until = Date.now() + 15_000;
    for (;;) {
      const failed = await Promise.race([spawnError, sleep(100).then(() => null)]);
      if (failed) {
        await rm(folder, { recursive: true, force: true });
        throw new Error(`Radicale did not start (${RADICALE}: ${failed.message}); run scripts/install-radicale.sh`);
      }
      if (child.exitCode !== null) {
        await rm(folder, { recursive: true, force: true });
        throw new Error(`Radicale exited with code ${child.exitCode}: ${stderr}`);
      }
      const answered = await fetch(`${directUrl}/`, { method: 'OPTIONS' }).then(
        (r) => r.status > 0,
        () => false,
      );
      if (answered) break;
      if (Date.now() > until) {
        child.kill('SIGKILL');
        await rm(folder, { recursive: true, force: true });
        throw new Error(`Radicale did not answer on port ${port} within 15 s: ${stderr}`);
      }
    }

    const requests: SeenRequest[] = [];
    const proxy = http.createServer((req, res) => {
      const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        requests.push({ method: req.method ?? '', path: req.url ?? '', status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => {
        res.writeHead(502).end();
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    return new Radicale(requests, folder, directUrl, proxyUrl, child, proxy, () => stderr);
  }

  /** Radicale's recent error output (for failure messages). */
  get log(): string {
    return this.stderr();
  }

  private static auth(user: string, password: string): string {
    return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  }

  /** Creates the calendar collection /<user>/<name>/ (MKCALENDAR; events only by default) and returns its URL (through the proxy). */
  async makeCalendar(user: string, password: string, name: string, displayName = name, components: string[] = ['VEVENT']): Promise<string> {
    const url = `${this.url}/${user}/${name}/`;
    const body =
      '<?xml version="1.0" encoding="utf-8"?>' +
      '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>' +
      `<D:displayname>${displayName}</D:displayname>` +
      `<C:supported-calendar-component-set>${components.map((c) => `<C:comp name="${c}"/>`).join('')}</C:supported-calendar-component-set>` +
      '</D:prop></D:set></C:mkcalendar>';
    const res = await fetch(url, {
      method: 'MKCALENDAR',
      headers: { authorization: Radicale.auth(user, password), 'content-type': 'application/xml; charset=utf-8' },
      body,
    });
    if (res.status !== 201) throw new Error(`MKCALENDAR ${url}: ${res.status} ${await res.text()}`);
    return url;
  }

  /** Creates an address book /<user>/<name>/ (extended MKCOL, RFC 5689): a collection beside the calendars that is not one. */
  async makeAddressBook(user: string, password: string, name: string): Promise<string> {
    const url = `${this.url}/${user}/${name}/`;
    const body =
      '<?xml version="1.0" encoding="utf-8"?>' +
      '<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>' +
      '<D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>' +
      `<D:displayname>${name}</D:displayname>` +
      '</D:prop></D:set></D:mkcol>';
    const res = await fetch(url, {
      method: 'MKCOL',
      headers: { authorization: Radicale.auth(user, password), 'content-type': 'application/xml; charset=utf-8' },
      body,
    });
    if (res.status !== 201) throw new Error(`MKCOL ${url}: ${res.status} ${await res.text()}`);
    return url;
  }

  /** PUTs an iCalendar object as <calendarUrl><fileName> (created or replaced); returns its URL. */
  async putEvent(user: string, password: string, calendarUrl: string, fileName: string, ics: string): Promise<string> {
    const url = new URL(fileName, calendarUrl).href;
    const res = await fetch(url, {
      method: 'PUT',
      headers: { authorization: Radicale.auth(user, password), 'content-type': 'text/calendar; charset=utf-8' },
      body: ics,
    });
    if (res.status !== 201 && res.status !== 204) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
    return url;
  }

  /** Deletes an object or collection. */
  async remove(user: string, password: string, url: string): Promise<void> {
    const res = await fetch(url, { method: 'DELETE', headers: { authorization: Radicale.auth(user, password) } });
    if (res.status !== 200 && res.status !== 204) throw new Error(`DELETE ${url}: ${res.status}`);
  }

  /** Stops Radicale and the proxy and removes the temporary folder. */
  async stop(): Promise<void> {
    this.proxy.closeAllConnections();
    await new Promise<void>((resolve) => this.proxy.close(() => resolve()));
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const patience = new AbortController();
      const done = await Promise.race([exited.then(() => true), sleep(5000, false, { signal: patience.signal }).catch(() => false)]);
      patience.abort();
      if (!done) {
        this.child.kill('SIGKILL');
        await exited;
      }
    }
    await rm(this.folder, { recursive: true, force: true });
  }
}
