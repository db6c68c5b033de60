import { execFile as execFileCb, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { readStartScript, startNodeArgs } from '../../bench/start-args.js';
import { TEST_ENV_KEY } from './env.js';

const execFile = promisify(execFileCb);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ServiceProcess {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  pid: number;
  kill(signal?: NodeJS.Signals): void;
  /** The exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. Safe to call after it exited. */
  stop(graceMs?: number): Promise<number | null>;
}

const root = path.resolve('.');

/** One build per jest run (every test file of the run shares the key), so concurrent files build once. */
function buildKey(): string {
  const raw = process.env[TEST_ENV_KEY];
  if (raw) return (JSON.parse(raw) as { prefix: string }).prefix.replace(/[^A-Za-z0-9_]/g, '');
  return `p${process.pid}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let built: Promise<string> | undefined;

/**
 * Compiles the service with the production build (tsc -p tsconfig.build.json) into var/drill-build/<run>,
 * once per jest run: the first file takes a lock file (O_EXCL), the others wait for its `built` marker.
 * Type errors elsewhere in the tree do not stop the drill (tsc still emits); a missing main.js does.
 */
export function buildService(): Promise<string> {
  built ??= (async () => {
    const outDir = path.join(root, 'var', 'drill-build', buildKey());
    const marker = path.join(outDir, 'built');
    const lock = `${outDir}.lock`;
    await fs.mkdir(path.dirname(outDir), { recursive: true });
    const deadline = Date.now() + 300_000;
    while (!existsSync(marker)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build in ${outDir}`);
      let handle: fs.FileHandle | undefined;
      try {
        handle = await fs.open(lock, 'wx');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const owner = Number((await fs.readFile(lock, 'utf8').catch(() => '')).trim());
        if (owner && !isAlive(owner)) await fs.rm(lock, { force: true });
        await sleep(500);
        continue;
      }
      try {
        await handle.writeFile(String(process.pid));
        await handle.close();
        const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
        const result = await execFile(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], {
          cwd: root,
          maxBuffer: 16 * 1024 * 1024,
        }).catch((e: { stdout?: string; stderr?: string }) => e);
        if (!existsSync(path.join(outDir, 'src', 'main.js'))) {
          throw new Error(`the service build failed:\n${result.stdout ?? ''}${result.stderr ?? ''}`);
        }
        await fs.writeFile(marker, new Date().toISOString());
      } finally {
        await fs.rm(lock, { force: true });
      }
    }
    return path.join(outDir, 'src', 'main.js');
  })();
  built.catch(() => (built = undefined));
  return built;
}

/** A TCP port that was free a moment ago (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set<ServiceProcess>();

/** Kills (SIGKILL) every service process this file started and has not seen exit; for afterAll. */
export async function killServiceProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(0)));
}

/**
 * The built service (`node <build>/src/main.js`) in a child process of its own, as `npm start` runs it (with
 * its Node options).
 * The child's environment is only PATH, HOME, LANG, TZ and TMPDIR plus `env` (no DATABASE_URL unless
 * given: unset means the embedded PostgreSQL, so give such a child its own VAR_DIR and EMBEDDED_PG_PORT).
 * PORT is a free port chosen here unless `env.PORT` is given. Resolves once GET /health answers 200
 * (60 s at most); rejects with the child's output when it exits or does not get there.
 */
export async function startServiceProcess(env: Record<string, string>, options: { healthTimeoutMs?: number } = {}): Promise<ServiceProcess> {
  const main = await buildService();
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const base: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR']) {
    const v = process.env[key];
    if (v !== undefined) base[key] = v;
  }
  const child = spawn(process.execPath, [...startNodeArgs(readStartScript(root)), main], {
    cwd: root,
    env: { ...base, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    });
    child.once('error', (e) => {
      out += `\n[spawn error] ${e.message}\n`;
      exitCode = null;
      resolve(null);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const proc: ServiceProcess = {
    url,
    port,
    pid: child.pid!,
    kill: (signal = 'SIGTERM') => {
      if (exitCode === undefined) child.kill(signal);
    },
    exited,
    output: () => out,
    stop: async (graceMs = 20_000) => {
      if (exitCode !== undefined) return exitCode;
      child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  running.add(proc);
  void exited.then(() => running.delete(proc));

  const deadline = Date.now() + (options.healthTimeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the service exited (${exitCode}) before answering /health:\n${out}`);
    const status = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return proc;
    if (Date.now() > deadline) {
      await proc.stop(0);
      throw new Error(`the service did not answer GET /health with 200 within the time (last ${status || 'no answer'}):\n${out}`);
    }
    await sleep(250);
  }
}
