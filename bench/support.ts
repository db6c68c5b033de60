import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export const BENCH_TOKEN = 'bench-admin-token-' + randomBytes(12).toString('hex');
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MAIN = path.resolve('dist/src/main.js');

export interface Running {
  child: ChildProcess;
  url: string;
  bootMs: number;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The time from its making to the last `answered()`, for answers per second of an autocannon run to an
 * `amount`: autocannon notices that the amount is done only on its next one-second tick, so its own duration
 * rounds a run up to whole seconds (4,000 answers in 2.2 s read as 1,333/s).
 */
export function answerClock(): { answered(): void; seconds(): number } {
  const started = performance.now();
  let last = started;
  return {
    answered: () => void (last = performance.now()),
    seconds: () => (last - started) / 1000,
  };
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Starts `node dist/src/main.js` and times it from spawn to the first 200 on /health. */
export async function boot(env: Record<string, string>, port: number, nodeArgs: string[] = []): Promise<Running> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: { ...process.env, PORT: String(port), ADMIN_TOKEN: BENCH_TOKEN, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode} while booting`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200) return { child, url, bootMs: performance.now() - started };
    } catch {
      /* not listening yet */
    }
    if (performance.now() - started > 120_000) throw new Error('the service did not boot in 120 s');
    await sleep(10);
  }
}

/** SIGTERM, and the time until the process exited (0 expected). */
export async function stop(r: Running): Promise<number> {
  const t = performance.now();
  const exited = new Promise<number | null>((resolve) => r.child.once('exit', (code) => resolve(code)));
  r.child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`graceful shutdown exited with ${code}`);
  return performance.now() - t;
}

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the PostgreSQL server (BENCH_DATABASE_URL or the local one); undefined when none answers. */
export async function serverDatabase(name: string): Promise<BenchDatabase | undefined> {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const db = `ra_bench_${name}_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const u = new URL(SERVER_URL);
  u.pathname = `/${db}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: SERVER_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * A port for a bench's service: 29000-29999, below Linux's ephemeral range (32768 up by default), where the
 * bench's own client sockets to PostgreSQL and the service could already hold it (a run failed so with
 * EADDRINUSE when these ports were 39000-39999).
 */
export const benchPort = (offset: number) => 29000 + ((process.pid + offset * 7) % 1000);
