import { rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { createApp } from '../app.js';
import { createRootLogger } from '../common/logger.js';
import { ConfigError, loadConfig, type AppConfig } from '../config/config.js';
import { EmbeddedDatabase } from '../database/embedded.js';
import { JOBS_SCHEMA } from '../jobs/jobs.service.js';
import { emlFileName } from '../mail/message.js';
import { startupBanner } from '../startup-banner.js';
import { DemoCalendars } from './calendars.js';
import { DemoRepository } from './demo.repository.js';
import { DemoRefusal, seedDemo, signInLinks } from './seed.js';

/**
 * `npm run demo`: the service with a realistic program already running. Starts the embedded PostgreSQL (or
 * uses DATABASE_URL), the service, and the demo's own calendar server; seeds through the service's API; then
 * prints the banner and one sign-in link per role. Refuses a database that has data; `--reset` empties the
 * embedded one first (never a DATABASE_URL).
 */

const USAGE = 'usage: npm run demo [-- --reset]   (--reset empties the embedded database first; refused with DATABASE_URL)';

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function readConfig(): AppConfig {
  // For this process only: the reps' demo calendars are served on 127.0.0.1, which the outbound guard
  // refuses unless allowed; and the seed's thousand requests stay out of the console unless asked for.
  process.env.CALENDAR_ALLOW_PRIVATE_HOSTS ??= 'true';
  process.env.LOG_LEVEL ??= 'warn';
  try {
    return loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 78);
    throw e;
  }
}

/** Empties the database: the app's schema and the job queue's (the migrations then run on a blank one). */
async function emptyDatabase(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${JOBS_SCHEMA} CASCADE`);
    await c.query('DROP SCHEMA IF EXISTS public CASCADE');
    await c.query('CREATE SCHEMA public');
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--reset');
  if (unknown.length) fail(`unknown argument ${unknown[0]}\n${USAGE}`, 64);
  const reset = args.includes('--reset');
  const config = readConfig();
  if (reset && config.databaseUrl) fail('--reset empties only the embedded database; with DATABASE_URL, empty or choose another database yourself.', 64);
  const log = createRootLogger(config.logLevel);

  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  let label = 'DATABASE_URL';
  if (!url) {
    const dir = path.resolve(config.varDir, 'pg');
    embedded = new EmbeddedDatabase({ dir, port: config.embeddedPgPort, log: (m) => log.info({ context: 'EmbeddedPostgres' }, m), warn: (m) => log.warn({ context: 'EmbeddedPostgres' }, m) });
    url = await embedded.start();
    label = `embedded PostgreSQL under ${dir}`;
    if (reset) {
      process.stdout.write(`--reset: emptying the embedded database under ${dir} and the mail under ${path.resolve(config.varDir, 'mail')}\n`);
      await emptyDatabase(url);
      await rm(path.resolve(config.varDir, 'mail'), { recursive: true, force: true });
    }
  }
  const calendars = new DemoCalendars();
  const app = await createApp(config, url, log);
  const stop = async () => {
    await app.close().catch(() => undefined);
    await calendars.stop();
    await embedded?.stop();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));

  if (await new DemoRepository(app.get(DataSource)).hasData()) {
    await stop();
    fail(
      `This database already has data (programs, or people besides the bootstrap admin): the demo seeds only an empty one.\n` +
        (embedded ? `Run \`npm run demo -- --reset\` to empty the embedded database first (everything in it is lost).` : `Point DATABASE_URL at an empty database.`),
    );
  }
  await app.listen(config.port, '0.0.0.0');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  await calendars.start();
  process.stdout.write(`seeding the demo program (a minute or two)…\n`);
  const started = Date.now();
  const demo = await seedDemo(app, {
    baseUrl: `http://127.0.0.1:${port}`,
    calendars,
    log: (line) => process.stdout.write(`  ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s  ${line}\n`),
  }).catch(async (e: unknown) => {
    await stop();
    if (e instanceof DemoRefusal) fail(e.message);
    throw e;
  });

  const lines = await startupBanner(app, config, label);
  lines.push(
    '',
    `The demo program "Rep Life": ${demo.reps.length} reps in five zones (Kathmandu and Adelaide among them), ${demo.marketers.length} marketers;`,
    `  a closed period of ${demo.counts.closedSessions} sessions and ${demo.counts.closedForms} submitted forms, rolled up, with actions and notices;`,
    `  the current period with ${demo.counts.currentForms} forms in, ${demo.counts.formsDue} due, ${demo.counts.bookingsAhead} sessions booked ahead, ${demo.counts.waitlist} on a waitlist,`,
    `  ${demo.counts.customerCallsOpened} customer calls opened from the reps' calendars; a support rotation for ${demo.newHires.length} new hires.`,
    `  The reps' calendars are served by this process at ${calendars.url} (syncs fail once it stops).`,
  );
  if (!config.smtpUrl) {
    const repo = new DemoRepository(app.get(DataSource));
    for (let i = 0; i < 60; i++) {
      const mail = await repo.rollupMail(demo.rollupId);
      if (mail.length && mail.every((m) => m.status === 'sent')) {
        lines.push(`  The rollup email: ${path.join(path.resolve(config.varDir, 'mail'), emlFileName(mail[0]))}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  lines.push('', 'Sign in as each role (each link works once, for 15 minutes):');
  for (const link of await signInLinks(app, demo)) lines.push(`  ${link.role.padEnd(9)} ${link.name} <${link.email}>`, `            ${link.url}`);
  process.stdout.write(lines.join('\n') + '\n\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
