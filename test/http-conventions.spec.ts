import { PassThrough } from 'node:stream';
import pg from 'pg';
import { readTestEnv } from './support/env.js';
import { bearer, startTestApp, TestApp } from './support/app.js';

describe('HTTP conventions', () => {
  let t: TestApp;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    });
    t = await startTestApp({ LOG_LEVEL: 'info' }, undefined, sink);
  });
  afterAll(() => t.close());

  it('serves GET /health with 200 when the database answers', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
  });

  it('answers /health with 503 while the database refuses connections, and 200 again after', async () => {
    const admin = new pg.Client({ connectionString: readTestEnv().adminUrl });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${t.database.name} WITH ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [t.database.name]);
      const down = await t.http.get('/health').expect(503);
      expect(down.body).toMatchObject({ statusCode: 503, code: 'unavailable', database: 'down' });
    } finally {
      await admin.query(`ALTER DATABASE ${t.database.name} WITH ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    await t.http.get('/health').expect(200);
  });

  it('serves the OpenAPI document at /docs-json and the UI at /docs', async () => {
    const json = await t.http.get('/docs-json').expect(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(Object.keys(json.body.paths)).toEqual(expect.arrayContaining(['/health', '/api/v1/users', '/api/v1/users/{id}/tokens', '/api/v1/me']));
    expect(json.body.components.schemas.CreateUserDto.required).toEqual(expect.arrayContaining(['email', 'name', 'timeZone', 'roles']));
    const ui = await t.http.get('/docs').expect(200);
    expect(ui.text).toContain('swagger');
  });

  it('answers unknown routes with the error shape', async () => {
    const res = await t.http.get('/api/v1/nothing-here').set(bearer(t.adminToken)).expect(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', code: 'not_found', message: expect.any(String), details: {} });
  });

  it('echoes a given request id, makes one otherwise, and puts it in every log line of the request', async () => {
    const given = await t.http.get('/api/v1/me').set(bearer(t.adminToken)).set('X-Request-Id', 'trace-abc-123').expect(200);
    expect(given.headers['x-request-id']).toBe('trace-abc-123');
    const made = await t.http.get('/api/v1/me').set(bearer(t.adminToken)).expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await t.http.get('/health').set('X-Request-Id', 'bad id with spaces\tand tabs').expect(200);
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    await new Promise((r) => setTimeout(r, 50));
    const requestLine = lines.find((l) => l.msg === 'request' && l.requestId === 'trace-abc-123');
    expect(requestLine).toMatchObject({ method: 'GET', path: '/api/v1/me', status: 200, level: 30, userId: expect.any(String) });
    expect(lines.some((l) => l.requestId === made.headers['x-request-id'])).toBe(true);
  });

  it('logs a server fault with its request id and answers 500 in the error shape without details', async () => {
    // A cancelled statement is a server-side failure the filter does not map to a 4xx.
    const admin = new pg.Client({ connectionString: readTestEnv().adminUrl });
    await admin.connect();
    await admin.query(`ALTER DATABASE ${t.database.name} SET statement_timeout = 1`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [t.database.name]);
    try {
      let res: import("supertest").Response | undefined;
      for (let i = 0; i < 20; i++) {
        res = await t.http.get('/api/v1/users?limit=500').set(bearer(t.adminToken)).set('X-Request-Id', `fault-${i}`);
        if (res.status === 500) break;
      }
      expect(res?.status).toBe(500);
      expect(res?.body).toEqual({ statusCode: 500, error: 'Internal Server Error', code: 'internal', message: expect.any(String), details: {} });
      await new Promise((r) => setTimeout(r, 50));
      expect(lines.some((l) => l.level === 50 && l.requestId === res?.headers['x-request-id'])).toBe(true);
    } finally {
      await admin.query(`ALTER DATABASE ${t.database.name} RESET statement_timeout`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [t.database.name]);
      await admin.end();
    }
  });
});
