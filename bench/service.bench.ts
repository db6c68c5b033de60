import { rmSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { BENCH_TOKEN, benchPort, boot, rssMb, Running, serverDatabase, sleep, stop } from './support.js';
import type { BenchRow } from './table.js';

async function load(url: string, headers: Record<string, string>, pid: number) {
  let peak = rssMb(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);
  const result = await autocannon({ url, connections: 16, duration: 8, headers });
  clearInterval(sampler);
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, peak };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const varDir = path.resolve(`var/bench-${process.pid}`);
  const port = benchPort(1);
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
  }

  const db = await serverDatabase('service');
  let target: Running;
  if (db) {
    target = await boot({ DATABASE_URL: db.url }, port);
    rows.push({ area: 'boot', case: 'PostgreSQL 15 server (DATABASE_URL), empty database, to /health 200', result: `${(target.bootMs / 1000).toFixed(2)} s` });
  } else {
    rows.push({ area: 'boot', case: 'PostgreSQL server (DATABASE_URL)', result: 'skipped: no server answered' });
    target = await boot({ ...embeddedEnv }, port);
  }
  try {
    await sleep(2000);
    const pid = target.child.pid!;
    rows.push({ area: 'memory', case: 'resident memory at idle', result: `${rssMb(pid).toFixed(0)} MB` });
    const health = await load(`${target.url}/health`, {}, pid);
    rows.push({ area: 'http', case: 'GET /health, 16 connections, 8 s', result: `${Math.round(health.rps)} req/s, p50 ${health.p50} ms, p99 ${health.p99} ms` });
    const me = await load(`${target.url}/api/v1/me`, { authorization: `Bearer ${BENCH_TOKEN}` }, pid);
    rows.push({
      area: 'http',
      case: 'GET /api/v1/me (token lookup in PostgreSQL), 16 connections, 8 s',
      result: `${Math.round(me.rps)} req/s, p50 ${me.p50} ms, p99 ${me.p99} ms`,
    });
    rows.push({ area: 'memory', case: 'resident memory, peak under load', result: `${Math.max(health.peak, me.peak).toFixed(0)} MB` });
  } finally {
    await stop(target);
    await db?.drop();
  }
  return rows;
}
