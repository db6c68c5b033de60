import { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.js';
import { createRootLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config/config.js';
import { createTestDatabase, TestDatabase } from './database.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const ADMIN_EMAIL = 'lifecycle-admin@example.com';

export interface TestApp {
  app: INestApplication;
  /** Base URL of the listening app. */
  url: string;
  http: ReturnType<typeof request>;
  db: DataSource;
  database: TestDatabase;
  adminToken: string;
  close(): Promise<void>;
}

/** The real application on a database of its own, with a known bootstrap admin token. */
export async function startTestApp(
  env: Record<string, string> = {},
  database?: TestDatabase,
  logTo?: NodeJS.WritableStream,
): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  // VAR_DIR keeps .eml files of apps without SMTP_URL out of the developer's var/mail.
  // Calendar feeds in tests are served on 127.0.0.1; a test of the refusal passes CALENDAR_ALLOW_PRIVATE_HOSTS: 'false'.
  const config = loadConfig({ ADMIN_TOKEN, ADMIN_EMAIL, LOG_LEVEL: 'silent', VAR_DIR: `var/test-${process.pid}`, CALENDAR_ALLOW_PRIVATE_HOSTS: 'true', WEBHOOK_ALLOW_PRIVATE_HOSTS: 'true', ...env });
  const app = await createApp(config, db.url, createRootLogger(config.logLevel, logTo));
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    http: request(url),
    db: app.get(DataSource),
    database: db,
    adminToken: ADMIN_TOKEN,
    close: async () => {
      await app.close();
      if (!database) await db.drop();
    },
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
