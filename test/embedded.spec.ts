import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedDatabase, EmbeddedDatabaseBusyError, isAlive } from '../src/database/embedded.js';

const root = path.resolve(`var/test-embedded-${process.pid}`);
const port = Number(process.env.EMBEDDED_TEST_PG_PORT ?? 54339) + 20;

async function query(url: string, sql: string): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

async function postmasterPid(dir: string): Promise<number> {
  return Number((await fs.readFile(path.join(dir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
}

const alive = isAlive;

describe('embedded PostgreSQL', () => {
  const dir = path.join(root, 'pg');

  afterAll(async () => {
    // Whatever a failed test left running: stop it through a fresh owner, then remove the folder.
    await fs.rm(`${dir}.lock`, { force: true });
    if (existsSync(path.join(dir, 'postmaster.pid'))) {
      const cleanup = new EmbeddedDatabase({ dir, port });
      await cleanup.start().then(() => cleanup.stop(), () => undefined);
    }
    await fs.rm(root, { recursive: true, force: true });
  });

  it('initialises a data folder, keeps data across restarts, and stops the server on stop()', async () => {
    const a = new EmbeddedDatabase({ dir, port });
    const url = await a.start();
    expect(existsSync(path.join(dir, 'PG_VERSION'))).toBe(true);
    expect(await query(url, `SELECT current_setting('listen_addresses') AS l`)).toEqual([{ l: '127.0.0.1' }]);
    await query(url, `CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)`);
    const pid = await postmasterPid(dir);
    await a.stop();
    expect(alive(pid)).toBe(false);
    expect(existsSync(`${dir}.lock`)).toBe(false);

    const b = new EmbeddedDatabase({ dir, port });
    const url2 = await b.start();
    expect(await query(url2, `SELECT x FROM kept`)).toEqual([{ x: 42 }]);
    await b.stop();
  });

  it('refuses a second start on the same folder while the first owner lives, and leaves its server alone', async () => {
    const owner = new EmbeddedDatabase({ dir, port });
    const url = await owner.start();
    const pid = await postmasterPid(dir);
    const second = new EmbeddedDatabase({ dir, port: port + 1 });
    await expect(second.start()).rejects.toThrow(EmbeddedDatabaseBusyError);
    await expect(second.start()).rejects.toThrow(/already in use by another ridealong process/);
    expect(alive(pid)).toBe(true);
    expect(await query(url, `SELECT 1 AS ok`)).toEqual([{ ok: 1 }]);
    await owner.stop();
  });

  it('also refuses when the lock belongs to another live process', async () => {
    const sleeper = spawn('sleep', ['30']);
    try {
      await fs.writeFile(`${dir}.lock`, String(sleeper.pid));
      await expect(new EmbeddedDatabase({ dir, port }).start()).rejects.toThrow(`pid ${sleeper.pid}`);
    } finally {
      sleeper.kill();
      await fs.rm(`${dir}.lock`, { force: true });
    }
  });

  it('recovers from an owner that was killed: stops the server it left running and starts afresh', async () => {
    const killed = new EmbeddedDatabase({ dir, port });
    const url = await killed.start();
    await query(url, `INSERT INTO kept VALUES (43)`);
    const orphan = await postmasterPid(dir);
    // The owner dies without stopping anything: its lock names a dead process, its server still runs.
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    await fs.writeFile(`${dir}.lock`, String(dead.pid));
    expect(alive(orphan)).toBe(true);

    const next = new EmbeddedDatabase({ dir, port });
    const url2 = await next.start();
    expect(alive(orphan)).toBe(false);
    expect(await postmasterPid(dir)).not.toBe(orphan);
    expect(await query(url2, `SELECT x FROM kept ORDER BY x`)).toEqual([{ x: 42 }, { x: 43 }]);
    expect(Number(await fs.readFile(`${dir}.lock`, 'utf8'))).toBe(process.pid);
    await next.stop();
  });

  it('explains a port that is taken instead of failing silently', async () => {
    const blocker = new EmbeddedDatabase({ dir: path.join(root, 'other'), port: port + 2 });
    await blocker.start();
    try {
      await expect(new EmbeddedDatabase({ dir, port: port + 2 }).start()).rejects.toThrow(/did not start on port/);
      expect(existsSync(`${dir}.lock`)).toBe(false);
    } finally {
      await blocker.stop();
    }
  });
});
