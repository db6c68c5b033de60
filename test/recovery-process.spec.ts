import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { isAlive } from '../src/database/embedded.js';
import { ADMIN_TOKEN } from './support/app.js';
import { createTestDatabase, TestDatabase } from './support/database.js';
import { freePort, killServiceProcesses, startServiceProcess } from './support/service-process.js';

jest.setTimeout(240_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Probe {
  status: number; // 0: no answer (connection refused, reset, timed out)
  retryAfter: string | null;
}

async function probe(url: string, token?: string): Promise<Probe> {
  try {
    const res = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(8000) });
    await res.arrayBuffer();
    return { status: res.status, retryAfter: res.headers.get('retry-after') };
  } catch {
    return { status: 0, retryAfter: null };
  }
}

/** pino's JSON lines in a process's output. */
function logLines(output: string): { msg?: string; time?: string; level?: number; [k: string]: unknown }[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as { msg?: string; time?: string };
      } catch {
        return {};
      }
    });
}

describe.each([1, 2])('drill: kill -9 the embedded PostgreSQL under a running service (WEB_CONCURRENCY=%i)', (workers) => {
  const varDir = path.resolve(`var/drill-embedded-${process.pid}-${randomBytes(3).toString('hex')}`);
  const dataDir = path.join(varDir, 'pg');

  afterAll(async () => {
    await killServiceProcesses();
    // Whatever a failed run left: the server of this folder (SIGQUIT: immediate shutdown), then the folder.
    const pid = Number((await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
    if (pid && isAlive(pid)) {
      process.kill(pid, 'SIGQUIT');
      for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
    }
    await fs.rm(varDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After (never 500) while the server is down, then 200 within seconds, without a restart of the service', async () => {
    const svc = await startServiceProcess(
      { VAR_DIR: varDir, EMBEDDED_PG_PORT: String(await freePort()), ADMIN_TOKEN, LOG_LEVEL: 'info', WEB_CONCURRENCY: String(workers) },
      { healthTimeoutMs: 120_000 },
    );
    expect((await probe(`${svc.url}/api/v1/me`, ADMIN_TOKEN)).status).toBe(200);
    const made = await fetch(`${svc.url}/api/v1/users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'before-the-kill@example.com', name: 'Kept', timeZone: 'UTC', roles: ['rep'] }),
    });
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as { id: string };
    const postmaster = Number((await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    expect(isAlive(postmaster)).toBe(true);

    const killedAt = Date.now();
    process.kill(postmaster, 'SIGKILL');
    const seen: (Probe & { at: number; what: string })[] = [];
    let recoveredAt: number | undefined;
    while (Date.now() - killedAt < 60_000) {
      const [health, me] = await Promise.all([probe(`${svc.url}/health`), probe(`${svc.url}/api/v1/me`, ADMIN_TOKEN)]);
      const at = Date.now() - killedAt;
      seen.push({ ...health, at, what: 'health' }, { ...me, at, what: 'me' });
      // Backends already connected may answer for a few milliseconds after the postmaster died: recovery
      // counts only once the outage has been seen.
      if (health.status === 200 && me.status === 200 && seen.some((p) => p.what === 'health' && p.status === 503) && seen.some((p) => p.what === 'me' && p.status === 503)) {
        recoveredAt = at;
        break;
      }
      await sleep(100);
    }
    const firstUnavailable = seen.find((p) => p.status === 503)?.at;
    process.stdout.write(
      `embedded PostgreSQL drill (WEB_CONCURRENCY=${workers}): first 503 after ${firstUnavailable} ms, first 200 (health and API) after ${recoveredAt} ms; ` +
        `${seen.filter((p) => p.status === 503).length} answers 503, statuses seen: ${[...new Set(seen.map((p) => p.status))].join(', ')}\n`,
    );

    for (const l of logLines(svc.output()).filter((l) => l.context === 'EmbeddedPostgres' && Date.parse(l.time ?? '') >= killedAt)) {
      process.stdout.write(`  +${Date.parse(l.time!) - killedAt} ms ${l.msg}\n`);
    }
    expect(seen.filter((p) => p.status !== 200 && p.status !== 503)).toEqual([]); // never a 500, and always an answer
    expect(seen.some((p) => p.what === 'health' && p.status === 503)).toBe(true);
    expect(seen.some((p) => p.what === 'me' && p.status === 503)).toBe(true);
    expect(seen.filter((p) => p.status === 503 && p.retryAfter !== '5')).toEqual([]);
    expect(recoveredAt).toBeLessThan(15_000);

    // The same service process, a new server on the same data, and the log says what happened.
    expect(isAlive(svc.pid)).toBe(true);
    const again = Number((await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    expect(again).not.toBe(postmaster);
    // The pool can reconnect before the watchdog's own start command returns and logs: wait for its line.
    const logged = (re: RegExp) => logLines(svc.output()).some((l) => l.level === 40 && re.test(l.msg ?? ''));
    for (let i = 0; i < 100 && !logged(/running again/); i++) await sleep(100);
    const lines = logLines(svc.output());
    expect(lines.some((l) => l.level === 40 && /stopped; restarting/.test(l.msg ?? ''))).toBe(true);
    expect(lines.some((l) => l.level === 40 && /running again/.test(l.msg ?? ''))).toBe(true);

    // The data written before the kill is there, and the job queue works again (a sign-in email is written).
    expect((await probe(`${svc.url}/api/v1/users/${id}`, ADMIN_TOKEN)).status).toBe(200);
    const mailDir = path.join(varDir, 'mail');
    const mailsBefore = (await fs.readdir(mailDir).catch(() => [])).length;
    const csrf = randomBytes(24).toString('base64url');
    const asked = await fetch(`${svc.url}/sign-in`, {
      method: 'POST',
      headers: { Cookie: `ra_csrf=${csrf}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' },
      body: new URLSearchParams({ _csrf: csrf, email: 'admin@ridealong.local' }).toString(),
    });
    expect(asked.status).toBe(200);
    let mails = mailsBefore;
    for (let i = 0; i < 150 && mails === mailsBefore; i++) {
      await sleep(200);
      mails = (await fs.readdir(mailDir).catch(() => [])).length;
    }
    expect(mails).toBe(mailsBefore + 1);

    expect(await svc.stop()).toBe(0);
    expect(isAlive(again)).toBe(false); // the service stopped its server on the way out
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});

describe('drill: SIGTERM under load', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await killServiceProcesses();
    await database?.drop();
  });

  it('runs no request that arrives after the drain started, answers the rest 503 or closes, and exits 0', async () => {
    const svc = await startServiceProcess({ DATABASE_URL: database.url, ADMIN_TOKEN, LOG_LEVEL: 'info' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const { port } = new URL(svc.url);
    type Outcome = { email: string; sentAt: number; status: number; connectionClose: boolean; retryAfter?: string };
    const outcomes: Outcome[] = [];
    let n = 0;
    let stopAt = Infinity;
    const post = (email: string) =>
      new Promise<Omit<Outcome, 'email' | 'sentAt'>>((resolve) => {
        const body = JSON.stringify({ email, name: 'Load', timeZone: 'UTC', roles: ['rep'] });
        const req = http.request(
          {
            agent,
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/v1/users',
            headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
            timeout: 15_000,
          },
          (res) => {
            res.resume();
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                connectionClose: /close/i.test(String(res.headers.connection ?? '')),
                retryAfter: res.headers['retry-after'],
              }),
            );
          },
        );
        req.on('error', () => resolve({ status: 0, connectionClose: true }));
        req.on('timeout', () => req.destroy());
        req.end(body);
      });
    const worker = async () => {
      while (Date.now() < stopAt) {
        const email = `load-${n++}@example.com`;
        const sentAt = Date.now();
        outcomes.push({ email, sentAt, ...(await post(email)) });
        if (outcomes.at(-1)!.status === 0) await sleep(20);
      }
    };
    const workers = Promise.all(Array.from({ length: 16 }, worker));
    await sleep(2000);
    const signalAt = Date.now();
    svc.kill('SIGTERM');
    stopAt = signalAt + 5000; // the old shutdown kept serving kept-alive connections for as long as they were busy
    await workers;
    agent.destroy();
    const code = await svc.exited;

    const lines = logLines(svc.output());
    const drainStart = Date.parse(lines.find((l) => /^shutting down/.test(l.msg ?? ''))?.time ?? '');
    expect(Number.isFinite(drainStart)).toBe(true);
    const created = await new pg.Client({ connectionString: database.url });
    await created.connect();
    const { rows } = await created.query<{ email: string; ms: string }>(
      `SELECT email, (extract(epoch FROM created_at) * 1000)::bigint AS ms FROM users WHERE email LIKE 'load-%'`,
    );
    await created.end();

    const before = outcomes.filter((o) => o.sentAt < signalAt);
    const after = outcomes.filter((o) => o.sentAt >= signalAt);
    const ok = outcomes.filter((o) => o.status === 201);
    process.stdout.write(
      `SIGTERM drill: ${before.length} requests before the signal, ${after.length} after ` +
        `(${after.filter((o) => o.status === 201).length} answered 201, ${after.filter((o) => o.status === 503).length} 503, ` +
        `${after.filter((o) => o.status === 0).length} refused or closed); drain started ${drainStart - signalAt} ms after the signal; ` +
        `last row created ${Math.max(...rows.map((r) => Number(r.ms))) - drainStart} ms after the drain started; exit ${code}\n`,
    );

    expect(code).toBe(0);
    expect(before.filter((o) => o.status === 201).length).toBeGreaterThan(20); // there was load
    expect(outcomes.filter((o) => ![201, 503, 0].includes(o.status))).toEqual([]); // never a 500
    expect(outcomes.filter((o) => o.status === 503 && (o.retryAfter !== '5' || !o.connectionClose))).toEqual([]);
    // Every row belongs to a 201 (nothing ran whose answer was lost), and nothing started after the drain:
    // a row is at most the length of a request in flight (under this load well below 2.5 s) after it.
    expect(rows.map((r) => r.email).sort()).toEqual(ok.map((o) => o.email).sort());
    expect(rows.filter((r) => Number(r.ms) > drainStart + 2500)).toEqual([]);
    expect(after.filter((o) => o.status === 201 && o.sentAt > drainStart + 2500)).toEqual([]);
  });
});
