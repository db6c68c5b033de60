import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { createRootLogger, PinoNestLogger } from '../src/common/logger.js';
import { createTestDatabase, TestDatabase } from './support/database.js';
import { buildService, freePort } from './support/service-process.js';

// What `npm start` prints, read the way a person reads it: the built service (the production build, as
// `npm start` runs it) in a child process, once with standard output a pipe (a log shipper, CI) and once
// with it a pseudo-terminal (`script` from util-linux), each on a database of its own.
jest.setTimeout(300_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BANNER = 'ridealong is listening on';
/** How long the console must stay quiet after the banner (nothing runs then that logs at info). */
const QUIET_MS = 5_000;
/** At most this many lines before the banner at `info` (today's boot has a handful; before issue 19, 319). */
const BOOT_LINES = 15;

const varDir = path.resolve(`var/test-console-${process.pid}`);

interface Service {
  /** Everything written to standard output so far: ANSI colours taken out, `\r\n` read as `\n`. */
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM to the service (not to `script`), then the exit. */
  stop(): Promise<number | null>;
}

/** The built service with standard output a pipe, or a pseudo-terminal (`script -qfec`). */
async function startService(env: Record<string, string>, terminal: boolean): Promise<Service> {
  const main = await buildService();
  const base: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR']) if (process.env[key] !== undefined) base[key] = process.env[key]!;
  const fullEnv = { ...base, VAR_DIR: varDir, LOG_LEVEL: 'info', PORT: String(await freePort()), ...env };
  // `exec`: the shell `script` starts becomes the service, so the service is `script`'s only child.
  const child = terminal
    ? spawn('script', ['-qfec', `exec '${process.execPath}' '${main}'`, '/dev/null'], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [main], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  let done = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => (done = true));
  const servicePid = (): number => {
    if (!terminal) return child.pid!;
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).trim();
    return Number(children.split(/\s+/)[0]);
  };
  const service: Service = {
    stdout: () => stripVTControlCharacters(out).replace(/\r\n/g, '\n'),
    stderr: () => err,
    exited,
    stop: async () => {
      if (!done) {
        const pid = servicePid();
        if (pid) process.kill(pid, 'SIGTERM');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  started.push(service);
  return service;
}

const started: Service[] = [];

/** Waits until the banner is out (and its closing blank line), or fails with what was printed. */
async function bannerOf(service: Service): Promise<void> {
  let exited = false;
  void service.exited.then(() => (exited = true));
  const deadline = Date.now() + 240_000;
  for (;;) {
    const out = service.stdout();
    const at = out.indexOf(BANNER);
    if (at >= 0 && out.indexOf('\n\n', at) >= 0) return;
    if (exited || Date.now() > deadline) throw new Error(`no banner${exited ? ' (the service exited)' : ''}:\n${out}\n${service.stderr()}`);
    await sleep(200);
  }
}

/** The output cut around the banner: the lines before it, the banner's lines, and what came after. */
function split(out: string): { before: string[]; banner: string[]; after: string } {
  const at = out.indexOf(BANNER);
  const end = out.indexOf('\n\n', at);
  return {
    before: out.slice(0, at).split('\n').filter((l) => l.trim() !== ''),
    banner: out.slice(at, end).split('\n'),
    after: out.slice(end + 2),
  };
}

function isJson(line: string): boolean {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
}

/** pino-pretty's line: `[12:04:05] INFO: message`. */
const READABLE = /^\[\d\d:\d\d:\d\d\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): \S/;

describe('the console of `npm start`', () => {
  const databases: TestDatabase[] = [];

  beforeAll(() => {
    // The pseudo-terminal comes from util-linux's `script` (Debian's bsdutils, always installed).
    expect(execFileSync('script', ['--version'], { encoding: 'utf8' })).toContain('util-linux');
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
    await Promise.all(databases.map((d) => d.drop()));
    await fs.rm(varDir, { recursive: true, force: true });
  });

  async function database(): Promise<string> {
    const db = await createTestDatabase();
    databases.push(db);
    return db.url;
  }

  it('to a pipe: every line but the banner is JSON, boot says a few things at info, and the banner comes last', async () => {
    const service = await startService({ DATABASE_URL: await database() }, false);
    await bannerOf(service);
    await sleep(QUIET_MS);
    const { before, banner, after } = split(service.stdout());
    expect(after).toBe(''); // nothing after the banner while nobody uses the service
    expect(banner[0]).toContain(BANNER);
    expect(banner.join('\n')).toContain('its API token is shown only now');

    expect(before.filter((l) => !isJson(l))).toEqual([]);
    const lines = before.map((l) => JSON.parse(l) as { level: number; msg: string; context?: string });
    expect(lines.length).toBeLessThanOrEqual(BOOT_LINES);
    const said = lines.map((l) => `${l.context ? `${l.context}: ` : ''}${l.msg}`);
    expect(said).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^database: DATABASE_URL \(127\.0\.0\.1:\d+\/\S+\)$/),
        expect.stringMatching(/^Database: schema up to date \(\d+ migrations\)$/),
        expect.stringMatching(/^listening on port \d+$/),
      ]),
    );
    expect(said.filter((m) => /Mapped \{|dependencies initialized|Nest application/.test(m))).toEqual([]);
    expect(said.join('\n')).not.toContain('postgres://'); // the URL's credentials never: host and database only

    // Stopping: still JSON, and the last line is out before the process ends.
    expect(await service.stop()).toBe(0);
    const stopping = split(service.stdout()).after.split('\n').filter(Boolean);
    expect(stopping.length).toBeGreaterThan(0);
    expect(stopping.filter((l) => !isJson(l))).toEqual([]);
    expect((JSON.parse(stopping[stopping.length - 1]) as { msg: string }).msg).toBe('stopped');
  });

  it('to a terminal: readable lines, a short boot at info, and the banner last', async () => {
    const service = await startService({ DATABASE_URL: await database() }, true);
    await bannerOf(service);
    await sleep(QUIET_MS);
    const { before, banner, after } = split(service.stdout());
    expect(after).toBe('');
    expect(banner[0]).toContain(BANNER);

    expect(before.filter(isJson)).toEqual([]);
    expect(before.filter((l) => !READABLE.test(l))).toEqual([]);
    expect(before.length).toBeLessThanOrEqual(BOOT_LINES);
    expect(before).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ INFO: database: DATABASE_URL \(/),
        expect.stringMatching(/ INFO: Database: schema up to date \(\d+ migrations\)$/),
        expect.stringMatching(/ INFO: Bootstrap: created the bootstrap lifecycle user/),
        expect.stringMatching(/ INFO: listening on port \d+$/),
      ]),
    );

    expect(await service.stop()).toBe(0);
    const stopping = split(service.stdout()).after.split('\n').filter(Boolean);
    expect(stopping.length).toBeGreaterThan(0);
    expect(stopping.filter((l) => !READABLE.test(l))).toEqual([]);
    expect(stopping[stopping.length - 1]).toMatch(/ INFO: stopped$/);
  });

  it('to a terminal with WEB_CONCURRENCY=2: each worker says its few lines, then the primary prints one banner, last', async () => {
    const service = await startService({ DATABASE_URL: await database(), WEB_CONCURRENCY: '2' }, true);
    await bannerOf(service);
    await sleep(QUIET_MS);
    const out = service.stdout();
    const { before, banner, after } = split(out);
    expect(after).toBe('');
    expect(out.split(BANNER).length).toBe(2); // one banner
    expect(banner[0]).toMatch(/; 2 workers\)$/);
    expect(banner.join('\n')).toContain('its API token is shown only now');

    expect(before.filter((l) => !READABLE.test(l))).toEqual([]);
    expect(before.length).toBeLessThanOrEqual(BOOT_LINES);
    for (const worker of [1, 2]) expect(before).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(` INFO: worker ${worker}: listening on port \\d+$`))]));
    expect(before[before.length - 1]).toMatch(/ INFO: 2 workers listening$/);
  });

  it("moves Nest's boot chatter to debug (written there, not dropped), and keeps secrets out of readable lines", () => {
    let written = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        written += chunk.toString();
        cb();
      },
    });
    const nest = new PinoNestLogger(createRootLogger('debug', sink));
    nest.log('Mapped {/health, GET} route', 'RouterExplorer');
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('created the bootstrap lifecycle user', 'Bootstrap');
    nest.warn('careful', 'RouterExplorer');
    const levels = written
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(levels.map((l) => [l.msg, l.level])).toEqual([
      ['Mapped {/health, GET} route', 20],
      ['AppModule dependencies initialized', 20],
      ['created the bootstrap lifecycle user', 30],
      ['careful', 40],
    ]);

    written = '';
    createRootLogger('info', sink, { pretty: true }).info({ context: 'Mail' }, 'sent http://localhost:3000/sign-in/sl_abcdefghijklmnopqrstuvwxyz0123456789');
    const line = stripVTControlCharacters(written).trim();
    expect(line).toMatch(READABLE);
    expect(line).toContain('INFO: Mail: sent http://localhost:3000/sign-in/');
    expect(line).toContain('[redacted]');
    expect(line).not.toContain('sl_abcdef');
  });
});
