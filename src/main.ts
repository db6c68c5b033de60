import cluster from 'node:cluster';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Logger as Pino } from 'pino';
import 'reflect-metadata';
import { createApp } from './app.js';
import { drainOf } from './common/drain.js';
import { createRootLogger } from './common/logger.js';
import { AppConfig, ConfigError, loadConfig } from './config/config.js';
import { EmbeddedDatabase } from './database/embedded.js';
import { startBootResponder } from './health/boot-responder.js';
import { relayClusterMetrics } from './metrics/cluster-metrics.js';
import { BootstrapService } from './people/bootstrap.service.js';
import { startupBanner } from './startup-banner.js';

/** Set by the primary for its workers: where the database is, and how to describe it. */
const WORKER_DB = 'RIDEALONG_WORKER_DATABASE_URL';
const WORKER_DB_LABEL = 'RIDEALONG_WORKER_DATABASE_LABEL';
/** How long a shutdown waits for the requests in flight before it cuts them. */
const DRAIN_TIMEOUT_MS = 10_000;

function readConfig(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}

/** DATABASE_URL's server and database, never its credentials: `DATABASE_URL (db.internal:5432/ridealong)`. */
function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `DATABASE_URL (${u.host}${u.pathname})`;
  } catch {
    return 'DATABASE_URL';
  }
}

async function startDatabase(config: AppConfig, log: Pino): Promise<{ url: string; label: string; embedded?: EmbeddedDatabase }> {
  let db: { url: string; label: string; embedded?: EmbeddedDatabase };
  if (config.databaseUrl) {
    db = { url: config.databaseUrl, label: describeDatabaseUrl(config.databaseUrl) };
  } else {
    const dir = path.resolve(config.varDir, 'pg');
    const embedded = new EmbeddedDatabase({
      dir,
      port: config.embeddedPgPort,
      log: (m) => log.debug({ context: 'EmbeddedPostgres' }, m), // its steps (initdb, start): debug; its troubles: warn
      warn: (m) => log.warn({ context: 'EmbeddedPostgres' }, m),
    });
    const url = await embedded.start();
    embedded.watch(); // restarts the server if it dies; meanwhile requests answer 503
    db = { url, label: `embedded PostgreSQL under ${dir}`, embedded };
  }
  log.info(`database: ${db.label}`);
  return db;
}

/** A worker's word to the primary once it listens: the banner it would print (the primary prints one, last). */
interface ListeningMessage {
  ridealong: 'listening';
  banner?: string[];
  generatedToken: boolean;
}

function isListeningMessage(m: unknown): m is ListeningMessage {
  return typeof m === 'object' && m !== null && (m as { ridealong?: unknown }).ridealong === 'listening';
}

/** One HTTP server: the whole service when WEB_CONCURRENCY=1, else one of the primary's workers. */
async function serve(config: AppConfig, log: Pino, db: { url: string; label: string }, onClosed: () => Promise<void>): Promise<void> {
  let closing = false;
  // Until the app listens, the port answers 503 `starting` (GET /ready included). Not in a cluster worker: its
  // siblings serve meanwhile, and a restarting worker must not take their requests.
  const booting = cluster.isWorker ? undefined : await startBootResponder(config.port, '0.0.0.0', log);
  const app = await createApp(config, db.url, log).catch(async (e) => {
    await booting?.close();
    await onClosed();
    throw e;
  });
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: requests in flight finish, new ones answer 503');
    setTimeout(() => process.exit(1), 20_000).unref();
    try {
      const drained = await drainOf(app)?.drain(app.getHttpServer() as Server, DRAIN_TIMEOUT_MS);
      if (drained?.unfinished) log.warn(drained, 'requests still running after the drain timeout were cut');
      else log.info(drained, 'requests drained');
      await app.close(); // the job workers, the timers and the pool
    } finally {
      await onClosed();
    }
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await booting?.close();
  await app.listen(config.port, '0.0.0.0');
  log.info(`listening on port ${config.port}`);
  const boot = app.get(BootstrapService).result;
  const quiet = cluster.isWorker && cluster.worker?.id !== 1 && !boot?.generatedToken;
  const lines = quiet ? undefined : await startupBanner(app, config, db.label, cluster.isWorker ? config.webConcurrency : undefined);
  if (cluster.isWorker) {
    // The primary prints the banner once every worker listens, so it comes after every worker's boot lines.
    const message: ListeningMessage = { ridealong: 'listening', banner: lines, generatedToken: Boolean(boot?.generatedToken) };
    process.send?.(message);
  } else if (lines) {
    process.stdout.write(lines.join('\n') + '\n\n'); // the last thing a quiet boot prints
  }
}

/** The primary of WEB_CONCURRENCY > 1: owns the embedded database, forks the workers, restarts a crashed one. */
async function primary(config: AppConfig, log: Pino): Promise<void> {
  const db = await startDatabase(config, log);
  let closing = false;
  relayClusterMetrics(); // a scrape of /metrics reaching one worker answers for all of them (src/metrics/cluster-metrics.ts)
  const fork = () => cluster.fork({ [WORKER_DB]: db.url, [WORKER_DB_LABEL]: db.label });
  const listening = new Map<number, ListeningMessage>();
  let bannerShown = false;
  cluster.on('message', (worker, message: unknown) => {
    if (bannerShown || !isListeningMessage(message)) return;
    listening.set(worker.id, message);
    if (listening.size < config.webConcurrency) return;
    bannerShown = true;
    const said = [...listening.values()];
    const banner = (said.find((m) => m.generatedToken && m.banner) ?? said.find((m) => m.banner))?.banner;
    log.info(`${config.webConcurrency} workers listening`);
    if (banner) process.stdout.write(banner.join('\n') + '\n\n'); // the last thing a quiet boot prints
  });
  log.info(`starting ${config.webConcurrency} workers`);
  for (let i = 0; i < config.webConcurrency; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (closing) return;
    log.error({ pid: worker.process.pid, code, signal }, 'a worker stopped; starting another');
    setTimeout(fork, 1000);
  });
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down the workers');
    setTimeout(() => process.exit(1), 25_000).unref();
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once('exit', () => resolve());
            w.process.kill('SIGTERM');
          }),
      ),
    );
    await db.embedded?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

async function main(): Promise<void> {
  const config = readConfig();
  const root = createRootLogger(config.logLevel); // readable lines on a terminal, JSON otherwise
  const log = cluster.isWorker ? root.child({ worker: cluster.worker!.id }) : root;
  if (cluster.isWorker) {
    const url = process.env[WORKER_DB]!;
    // The primary stops the embedded database after every worker has stopped.
    return serve(config, log, { url, label: process.env[WORKER_DB_LABEL] ?? 'DATABASE_URL' }, async () => undefined);
  }
  if (config.webConcurrency > 1) return primary(config, log);
  const db = await startDatabase(config, log);
  return serve(config, log, db, async () => {
    await db.embedded?.stop();
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
