import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ADMIN_TOKEN } from './support/app.js';
import { createTestDatabase, TestDatabase } from './support/database.js';
import { killServiceProcesses, startServiceProcess } from './support/service-process.js';

jest.setTimeout(180_000);

describe('the service as a process (drills)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await killServiceProcesses();
    await database?.drop();
  });

  it('starts from the production build, answers /health, and exits 0 on SIGTERM', async () => {
    const svc = await startServiceProcess({ DATABASE_URL: database.url, ADMIN_TOKEN, LOG_LEVEL: 'warn' });
    const res = await fetch(`${svc.url}/health`);
    expect(res.status).toBe(200);
    svc.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
  });
});
