import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import type { BenchRow } from './table.js';

const MAIN = path.resolve('dist/src/main.js');
const TOKEN = 'bench-admin-token-' + randomBytes(12).toString('hex');
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Running {
  child: ChildProcess;
  url: string;
  bootMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Starts `node dist/src/main.js` and times it from spawn to the first 200 on /health. */
async function boot(env: Record<string, string>, port: number): Promise<Running> {
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: String(port), ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn', ...env },
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

async function stop(r: Running): Promise<number> {
  const t = performance.now();
  const exited = new Promise<number | null>((resolve) => r.child.once('exit', (code) => resolve(code)));
  r.child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`graceful shutdown exited with ${code}`);
  return performance.now() - t;
}

async function load(url: string, headers: Record<string, string>, pid: number) {
  let peak = rssMb(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);
  const result = await autocannon({ url, connections: 16, duration: 8, headers });
  clearInterval(sampler);
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, peak };
}

async function freshServerDatabase(): Promise<string | undefined> {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `ra_bench_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(SERVER_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function dropServerDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ra_bench_${process.pid} WITH (FORCE)`);
  await admin.end();
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const varDir = path.resolve(`var/bench-${process.pid}`);
  const port = 39000 + (process.pid % 1000);
  const embeddedEnv = { VAR_DIR: varDir, EMBEDDED_PG_PORT: String(55000 + (process.pid % 1000)), DATABASE_URL: '' };
  try {
    const cold = await boot(embeddedEnv, port);
    rows.push({ area: 'boot', case: 'embedded PostgreSQL, first start (initdb + migrations) to /health 200', result: `${(cold.bootMs / 1000).toFixed(2)} s` });
    const coldStop = await stop(cold);
    const warm = await boot(embeddedEnv, port);
    rows.push({ area: 'boot', case: 'embedded PostgreSQL, later start to /health 200', result: `${(warm.bootMs / 1000).toFixed(2)} s` });
    rows.push({ area: 'boot', case: 'graceful shutdown on SIGTERM (app, then embedded server)', result: `${Math.round(coldStop)} ms` });
    await stop(warm);
  } finally {
    rmSync(varDir, { recursive: true, force: true });
    rmSync(`${varDir}`, { recursive: true, force: true });
  }

  const serverUrl = await freshServerDatabase();
  let target: Running;
  if (serverUrl) {
    target = await boot({ DATABASE_URL: serverUrl }, port);
    rows.push({ area: 'boot', case: 'PostgreSQL 15 server (DATABASE_URL), empty database, to /health 200', result: `${(target.bootMs / 1000).toFixed(2)} s` });
  } else {
    rows.push({ area: 'boot', case: 'PostgreSQL server (DATABASE_URL)', result: `skipped: no server at ${SERVER_URL}` });
    target = await boot({ ...embeddedEnv }, port);
  }
  try {
    await sleep(2000);
    const pid = target.child.pid!;
    rows.push({ area: 'memory', case: 'resident memory at idle', result: `${rssMb(pid).toFixed(0)} MB` });
    const health = await load(`${target.url}/health`, {}, pid);
    rows.push({
      area: 'http',
      case: 'GET /health, 16 connections, 8 s',
      result: `${Math.round(health.rps)} req/s, p50 ${health.p50} ms, p99 ${health.p99} ms`,
    });
    const me = await load(`${target.url}/api/v1/me`, { authorization: `Bearer ${TOKEN}` }, pid);
    rows.push({
      area: 'http',
      case: 'GET /api/v1/me (token lookup in PostgreSQL), 16 connections, 8 s',
      result: `${Math.round(me.rps)} req/s, p50 ${me.p50} ms, p99 ${me.p99} ms`,
    });
    rows.push({ area: 'memory', case: 'resident memory, peak under load', result: `${Math.max(health.peak, me.peak).toFixed(0)} MB` });
  } finally {
    await stop(target);
    if (serverUrl) await dropServerDatabase();
  }
  return rows;
}
