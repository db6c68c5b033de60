import path from 'node:path';
import 'reflect-metadata';
import { createApp } from './app.js';
import { createRootLogger } from './common/logger.js';
import { ConfigError, loadConfig } from './config/config.js';
import { EmbeddedDatabase } from './database/embedded.js';
import { BootstrapService } from './people/bootstrap.service.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const log = createRootLogger(config.logLevel);

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = new EmbeddedDatabase({
      dir: path.resolve(config.varDir, 'pg'),
      port: config.embeddedPgPort,
      log: (m) => log.info({ context: 'EmbeddedPostgres' }, m),
    });
    databaseUrl = await embedded.start();
  }

  let closing = false;
  const app = await createApp(config, databaseUrl, log).catch(async (e) => {
    await embedded?.stop();
    throw e;
  });
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 20_000);
    timer.unref();
    try {
      await app.close(); // stops taking requests, finishes the ones in flight, closes the pool
    } finally {
      await embedded?.stop();
    }
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen(config.port, '0.0.0.0');
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost');
  const boot = app.get(BootstrapService).result;
  const lines = [
    '',
    `ridealong is listening on ${url} (database: ${embedded ? 'embedded PostgreSQL under ' + path.resolve(config.varDir, 'pg') : 'DATABASE_URL'})`,
    `  health: ${url}/health   API docs: ${url}/docs`,
  ];
  if (boot?.generatedToken) {
    lines.push(
      `  created the lifecycle admin ${boot.email}; its API token is shown only now:`,
      `    ${boot.generatedToken}`,
      `  try: curl -H "Authorization: Bearer ${boot.generatedToken}" ${url}/api/v1/me`,
    );
  } else if (boot?.created) {
    lines.push(`  created the lifecycle admin ${boot.email} with the token from ADMIN_TOKEN`);
  }
  process.stdout.write(lines.join('\n') + '\n\n');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
