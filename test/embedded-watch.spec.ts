import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedDatabase, isAlive } from '../src/database/embedded.js';
import { freePort } from './support/service-process.js';

const root = path.resolve(`var/test-embedded-watch-${process.pid}-${randomBytes(3).toString('hex')}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function query(url: string, sql: string): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

const postmasterPid = async (dir: string) => Number((await fs.readFile(path.join(dir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);

describe('embedded PostgreSQL after its postmaster was killed', () => {
  const dir = path.join(root, 'pg');

  afterAll(async () => {
    const pid = await postmasterPid(dir);
    if (pid && isAlive(pid)) {
      process.kill(pid, 'SIGQUIT');
      for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
    }
    await fs.rm(root, { recursive: true, force: true });
  });

  it('watch(): starts it again on the same data within seconds, says so, and stop() ends the watching', async () => {
    const warnings: string[] = [];
    const db = new EmbeddedDatabase({ dir, port: await freePort(), database: 'postgres', warn: (m) => warnings.push(m) });
    const url = await db.start();
    await query(url, `CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)`);
    db.watch(200);
    const first = await postmasterPid(dir);

    const killedAt = Date.now();
    process.kill(first, 'SIGKILL');
    let back = false;
    while (!back && Date.now() - killedAt < 20_000) {
      await sleep(100);
      back = await query(url, 'SELECT 1').then(
        () => true,
        () => false,
      );
    }
    expect(back).toBe(true);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(await query(url, 'SELECT x FROM kept')).toEqual([{ x: 7 }]);
    const second = await postmasterPid(dir);
    expect(second).not.toBe(first);
    expect(warnings.join('\n')).toMatch(new RegExp(`\\(pid ${first}\\) stopped; restarting`));
    // The server answers as soon as it is up; the watch says so once its start() has returned, a moment later.
    const again = new RegExp(`running again \\(pid ${second}\\)`);
    for (let i = 0; i < 50 && !again.test(warnings.join('\n')); i++) await sleep(100);
    expect(warnings.join('\n')).toMatch(again);

    await db.stop();
    expect(isAlive(second)).toBe(false);
    await sleep(600); // a few watch intervals: nothing starts it again
    expect(isAlive(await postmasterPid(dir))).toBe(false);
  });

  it('start(): after its postmaster was killed with -9 (its pid file left behind), a new start on the same data works', async () => {
    const a = new EmbeddedDatabase({ dir, port: await freePort(), database: 'postgres' });
    await a.start();
    const pid = await postmasterPid(dir);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
    await a.stop(); // pg_ctl stop fails (nothing runs); the lock is released

    const b = new EmbeddedDatabase({ dir, port: await freePort(), database: 'postgres' });
    const url = await b.start();
    expect(await query(url, 'SELECT x FROM kept')).toEqual([{ x: 7 }]);
    await b.stop();
  });
});
