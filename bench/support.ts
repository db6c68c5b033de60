import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startNodeArgs } from './start-args.js';

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

/** Starts `node dist/src/main.js` with `npm start`'s Node options and times it from spawn to the first 200 on /health. */
export async function boot(env: Record<string, string>, port: number, nodeArgs: string[] = startNodeArgs()): Promise<Running> {
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

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0; // the process has exited
  }
}
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** The service process and its children (cluster workers), by walking /proc's parent links. */
function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone */
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(parents.get(out[i]) ?? []));
  return out;
}

/**
 * The bench's own connection (set-up, waiting for the outbox to drain): not one of the service's backends, so its
 * CPU is not counted as the bookings'. Its drain polling alone was about 0.1 ms per booking with a full scan.
 */
export const BENCH_APPLICATION = 'ridealong-bench';

/**
 * CPU of the service (process tree) and of the PostgreSQL backends serving the bench database, sampled every
 * 200 ms from the start: a backend that exits mid-run (a pooled connection closed while idle) keeps the CPU of
 * its last sample, so at most 200 ms of its life goes uncounted. Backends are found through pg_stat_activity
 * (the server is local); a pid first seen after the start counts from zero.
 */
export function cpuSampler(url: string, servicePid: number, database: string, application?: string) {
  const service = new Map<number, [number, number]>(); // pid → [first, last] CPU seconds
  const backends = new Map<number, [number, number]>();
  const c = new pg.Client({ connectionString: url });
  let stopped = false;
  const note = (into: Map<number, [number, number]>, pid: number, first: boolean) => {
    const t = cpuSeconds(pid);
    const seen = into.get(pid);
    if (!seen) into.set(pid, [first ? t : 0, t]);
    else if (t >= seen[1]) seen[1] = t; // an exited pid reads 0: keep its last sample
  };
  const sample = async (first: boolean) => {
    for (const pid of processTree(servicePid)) note(service, pid, first);
    const rows: { pid: number }[] = (
      await c.query(
        'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name <> $3 AND ($2::text IS NULL OR application_name = $2)',
        [database, application ?? null, BENCH_APPLICATION],
      )
    ).rows;
    for (const { pid } of rows) note(backends, pid, first);
  };
  const sum = (m: Map<number, [number, number]>) => [...m.values()].reduce((s, [a, b]) => s + b - a, 0);
  let loop: Promise<void> = Promise.resolve();
  return {
    async start() {
      await c.connect();
      await sample(true);
      loop = (async () => {
        while (!stopped) {
          await sleep(200);
          await sample(false);
        }
      })();
    },
    /** Seconds of CPU used since start: [service, PostgreSQL backends]. */
    async stop(): Promise<[number, number]> {
      stopped = true;
      await loop;
      await sample(false);
      await c.end();
      return [sum(service), sum(backends)];
    },
  };
}
