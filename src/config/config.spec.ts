import { ConfigError, loadConfig } from './config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      embeddedPgPort: 54329,
      varDir: 'var',
      smtpUrl: undefined,
      publicUrl: 'http://localhost:3000',
      adminEmail: 'admin@ridealong.local',
      logLevel: 'info',
      webConcurrency: 1,
      jobsPollSeconds: 2,
      jobsRetryLimit: 10,
      jobsRetryDelaySeconds: 5,
      rollupStatementTimeoutSeconds: 10,
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/ridealong',
      SMTP_URL: 'smtp://mail.example.com:2525',
      MAIL_FROM: 'Rep Life <replife@example.com>',
      PUBLIC_URL: 'https://ridealong.example.com/',
      ADMIN_EMAIL: 'Ops@Example.com',
      ADMIN_TOKEN: 'a-very-long-admin-token-123456',
      LOG_LEVEL: 'debug',
      JOBS_POLL_SECONDS: '0.5',
      JOBS_RETRY_LIMIT: '3',
      JOBS_RETRY_DELAY_SECONDS: '1',
      ROLLUP_STATEMENT_TIMEOUT_SECONDS: '3',
    });
    expect(c).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/ridealong',
      smtpUrl: 'smtp://mail.example.com:2525',
      mailFrom: 'Rep Life <replife@example.com>',
      publicUrl: 'https://ridealong.example.com',
      adminEmail: 'ops@example.com',
      adminToken: 'a-very-long-admin-token-123456',
      logLevel: 'debug',
      jobsPollSeconds: 0.5,
      jobsRetryLimit: 3,
      jobsRetryDelaySeconds: 1,
      rollupStatementTimeoutSeconds: 3,
    });
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['SMTP_URL', 'http://mail'],
    ['MAIL_FROM', 'not an address'],
    ['PUBLIC_URL', 'ftp://x'],
    ['ADMIN_EMAIL', 'nobody'],
    ['ADMIN_TOKEN', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['EMBEDDED_PG_PORT', '80'],
    ['WEB_CONCURRENCY', '0'],
    ['JOBS_POLL_SECONDS', '0.1'],
    ['JOBS_POLL_SECONDS', 'often'],
    ['JOBS_RETRY_LIMIT', '-1'],
    ['JOBS_RETRY_LIMIT', '1.5'],
    ['JOBS_RETRY_DELAY_SECONDS', '0'],
    ['ROLLUP_STATEMENT_TIMEOUT_SECONDS', '0'],
    ['ROLLUP_STATEMENT_TIMEOUT_SECONDS', '301'],
  ])('rejects a bad %s and names it', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
  });

  it('reads TRUST_PROXY as nothing trusted by default, a hop count, or proxy addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.0.7' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.0.7']);
  });

  it.each(['true', '11', '-1', 'proxy.internal', '10.0.0.0/40', '10.0.0.1,'])('rejects TRUST_PROXY=%s and names it', (value) => {
    const problems = problemsOf({ TRUST_PROXY: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^TRUST_PROXY=.*must be false, a number of proxy hops/);
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({ PORT: 'x', LOG_LEVEL: 'y' });
    expect(problems.map((p) => p.split('=')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT']);
  });
});
