import { readFileSync } from 'node:fs';
import path from 'node:path';
import 'reflect-metadata';
import { DataSource, DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { entities } from './entities.js';

/** Connection timeouts of the pool (see dataSourceOptions). */
export const POOL_TIMEOUTS = {
  /** Opening a connection (TCP, TLS, authentication), and waiting for a free one in a full pool. */
  connectMs: 5_000,
  /** A transaction idle this long is ended by the server (longer than any job's expiry). */
  idleInTransactionMs: 120_000,
  keepAliveDelayMs: 10_000,
} as const;

/** The one set of TypeORM options, for the service, the tests and the TypeORM CLI. */
export function dataSourceOptions(url: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize,
    applicationName: 'ridealong',
    // A database that does not answer fails a request in seconds (503) instead of holding it.
    connectTimeoutMS: POOL_TIMEOUTS.connectMs,
    extra: {
      // Rollups sort and hash a few hundred thousand rows: enough memory per operation to stay off disk.
      // A transaction left open by a stuck caller is ended by the server instead of holding its locks.
      options: `-c work_mem=32MB -c idle_in_transaction_session_timeout=${POOL_TIMEOUTS.idleInTransactionMs}`,
      // TCP keepalive finds a peer that vanished (host gone, network cut) on an idle pooled connection.
      keepAlive: true,
      keepAliveInitialDelayMillis: POOL_TIMEOUTS.keepAliveDelayMs,
    },
  };
}

/** Runs pending migrations under an advisory lock, so instances starting together migrate once; returns how many ran. */
export async function migrate(ds: DataSource): Promise<number> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', ['ridealong:migrations']);
    return (await ds.runMigrations({ transaction: 'each' })).length;
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', ['ridealong:migrations']).catch(() => undefined);
    await runner.release();
  }
}

/** For the CLI: DATABASE_URL, or the embedded server of a running `npm start`. */
function cliUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const dir = path.resolve(process.env.VAR_DIR ?? 'var', 'pg');
  const secret = readFileSync(`${dir}.secret`, 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(secret)}@127.0.0.1:${process.env.EMBEDDED_PG_PORT ?? 54329}/ridealong`;
}

export default new DataSource(dataSourceOptions(process.env.TYPEORM_CLI ? cliUrl() : 'postgres://unused'));
