import { DateTime } from 'luxon';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { ShortenJobExpiries1795430000000 } from '../migrations/1795430000000-ShortenJobExpiries.js';
import { loadConfig } from '../src/config/config.js';
import { DEFAULT_EXPIRE_SECONDS, JOBS_SCHEMA, JobsService } from '../src/jobs/jobs.service.js';
import { MAIL_SEND_QUEUE, MailService, SEND_EXPIRE_SECONDS } from '../src/mail/mail.service.js';
import { MailTransport, SMTP_TIMEOUTS } from '../src/mail/mail.transport.js';
import { RollupsRepository } from '../src/rollups/rollups.repository.js';
import { REQUEUE_PENDING_AFTER_MS, ROLLUP_JOB, RollupsService } from '../src/rollups/rollups.service.js';
import { ADMIN_EMAIL, ADMIN_TOKEN, bearer, startTestApp, TestApp } from './support/app.js';
import { createTestDatabase, TestDatabase } from './support/database.js';
import { makeProgram } from './support/fixtures.js';
import { killServiceProcesses, startServiceProcess, type ServiceProcess } from './support/service-process.js';
import { SmtpSink } from './support/smtp.js';

/** Recovery must take less than this after a kill -9 (the bound). */
const RECOVERY_MS = 60_000;

async function waitFor(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * An SMTP server that takes the envelope and the message, then never answers the end of DATA: the sender
 * stays inside its send (holding the job and the outbox row) until its socket timeout.
 */
class StallingSmtp {
  /** Recipients whose message body has arrived and is being held. */
  readonly holding: string[] = [];
  private server?: SMTPServer;
  port = 0;

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData: (stream, session) => {
        stream.on('data', () => undefined);
        stream.on('end', () => this.holding.push(...session.envelope.rcptTo.map((r) => r.address)));
        // the callback is never called: no 250, no error
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The built service in a child process on `db`, with the bootstrap admin token the tests use. */
function child(db: TestDatabase, env: Record<string, string>): Promise<ServiceProcess> {
  return startServiceProcess({
    DATABASE_URL: db.url,
    ADMIN_TOKEN,
    ADMIN_EMAIL,
    LOG_LEVEL: 'warn',
    VAR_DIR: `var/test-recovery-${process.pid}`,
    ...env,
  });
}

const pastWindow = () => {
  const from = DateTime.utc().minus({ days: 30 }).startOf('day');
  return { from: from.toISODate()!, to: from.plus({ days: 2 }).toISODate()! };
};

describe('recovery of jobs held by a process killed with kill -9', () => {
  let db: TestDatabase;
  const sink = new SmtpSink();
  const stall = new StallingSmtp();
  let survivor: TestApp | undefined;
  let admin: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    await sink.start();
    await stall.start();
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    await killServiceProcesses();
    await admin.end().catch(() => undefined);
    await survivor?.close();
    await stall.stop();
    await sink.stop();
    await db.drop();
  });

  it('a mail job held by a killed process is sent once, by another process, within 60 s', async () => {
    const to = 'mail-drill@example.com';
    // The first process (the built service, production job settings) sends into an SMTP server that stalls.
    const first = await child(db, { SMTP_URL: stall.url });
    const http = request(first.url);
    const program = await http
      .post('/api/v1/programs')
      .set(bearer(ADMIN_TOKEN))
      .send({ name: 'Mail drill', kind: 'call_shadowing', timeZone: 'UTC', settings: { periodCadence: 'none', rollupRecipients: [to] } })
      .expect(201);
    await http.post('/api/v1/rollups').set(bearer(ADMIN_TOKEN)).send({ programId: program.body.id, ...pastWindow() }).expect(201); // queues one email
    await waitFor('the first process to be inside the SMTP send', () => stall.holding.includes(to), 30_000);
    const [held] = await admin.query(`SELECT state FROM ${JOBS_SCHEMA}.job WHERE name = $1`, [MAIL_SEND_QUEUE]).then((r) => r.rows);
    expect(held).toEqual({ state: 'active' });

    // A second process with a working SMTP server, default job settings, on the same database.
    survivor = await startTestApp({ SMTP_URL: sink.url }, db);
    first.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;

    await sink.waitFor((all) => all.some((m) => m.raw.includes(to)), RECOVERY_MS + 5_000);
    const recoveredMs = Date.now() - killedAt;
    process.stdout.write(`mail drill: kill -9 to delivery by the other process took ${(recoveredMs / 1000).toFixed(1)} s\n`);
    expect(recoveredMs).toBeLessThan(RECOVERY_MS);

    await sleep(3_000); // nothing else arrives
    expect(sink.to(to)).toHaveLength(1);
    const rows = await admin.query(`SELECT status, attempts FROM mail_outbox WHERE recipient = $1`, [to]).then((r) => r.rows);
    expect(rows).toEqual([{ status: 'sent', attempts: 1 }]);
  }, 150_000);

  it('a rollup whose building process is killed mid-build is built by its queued job within seconds', async () => {
    const t = survivor ?? (survivor = await startTestApp({ SMTP_URL: sink.url }, db));
    const to = 'rollup-drill@example.com';
    const programId = await makeProgram(t, { rollupRecipients: [to] }, 'UTC');
    // Polling once a minute: this process never picks the build job up in time; only its POST builds.
    const builder = await child(db, { SMTP_URL: sink.url, JOBS_POLL_SECONDS: '60' });
    // Hold the forms table, so the build is stuck in its reads when the process is killed.
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE observations IN ACCESS EXCLUSIVE MODE');
    try {
      const posted = request(builder.url).post('/api/v1/rollups').set(bearer(ADMIN_TOKEN)).send({ programId, ...pastWindow() }).then(
        (r) => r.status,
        () => 'killed',
      );
      let reads: number[] = [];
      await waitFor(
        'the build to wait on the forms table',
        async () => {
          reads = (
            await t.db.query(
              `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%observations%' AND pid <> pg_backend_pid()`,
            )
          ).map((r: { pid: number }) => r.pid);
          return reads.length > 0;
        },
        20_000,
      );
      const [row] = await t.db.query(`SELECT id, status FROM rollups WHERE program_id = $1`, [programId]);
      expect(row.status).toBe('pending');
      const [job] = await t.db.query(`SELECT extract(epoch FROM expire_in)::int AS expire FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND data->>'rollupId' = $2`, [ROLLUP_JOB, row.id]);
      expect(job.expire).toBeLessThanOrEqual(30);

      builder.kill('SIGKILL');
      const killedAt = Date.now();
      await builder.exited;
      expect(await posted).toBe('killed');
      // The killed build's queries end in PostgreSQL (it checks for the lost client every second) though
      // the table is still locked, well before their statement timeout (10 s).
      await waitFor(
        'the killed build to leave PostgreSQL',
        async () => (await t.db.query(`SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [reads])).length === 0,
        5_000,
      );
      await admin.query('COMMIT');

      await waitFor('the job to build the rollup', async () => (await t.db.query(`SELECT status FROM rollups WHERE id = $1`, [row.id]))[0].status === 'ready', 20_000);
      process.stdout.write(`rollup drill: kill -9 to the rollup built by the other process took ${((Date.now() - killedAt) / 1000).toFixed(1)} s\n`);
      await sink.waitFor(() => sink.to(to).length >= 1, 20_000);
      await sleep(2_000);
      expect(sink.to(to)).toHaveLength(1);
    } finally {
      await admin.query('ROLLBACK').catch(() => undefined);
    }
  }, 120_000);

  it('the hourly tick queues again a rollup left pending with no job behind it, once per hour', async () => {
    const t = survivor ?? (survivor = await startTestApp({ SMTP_URL: sink.url }, db));
    const programId = await makeProgram(t, {}, 'UTC');
    const now = new Date();
    const claimedAt = new Date(now.getTime() - REQUEUE_PENDING_AFTER_MS - 60_000);
    const [{ id }] = await t.db.query(
      `INSERT INTO rollups (program_id, window_from, window_to, kind, created_at) VALUES ($1, $2, $3, 'custom', $4) RETURNING id`,
      [programId, '2026-01-01T00:00:00Z', '2026-01-08T00:00:00Z', claimedAt.toISOString()],
    );
    const fresh = await t.db.query(
      `INSERT INTO rollups (program_id, window_from, window_to, kind) VALUES ($1, $2, $3, 'custom') RETURNING id`,
      [programId, '2026-02-01T00:00:00Z', '2026-02-08T00:00:00Z'],
    );
    const rollups = t.app.get(RollupsService);
    await rollups.enqueueDue(now);
    await rollups.enqueueDue(now); // a second instance ticking the same hour
    await waitFor('the stale rollup to be built', async () => (await t.db.query(`SELECT status FROM rollups WHERE id = $1`, [id]))[0].status === 'ready', 20_000);
    const jobs = await t.db.query(`SELECT count(*)::int AS n FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND data->>'rollupId' = $2`, [ROLLUP_JOB, id]);
    expect(jobs).toEqual([{ n: 1 }]);
    // A rollup claimed a moment ago is its own job's business, not the tick's.
    const none = await t.db.query(`SELECT count(*)::int AS n FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND data->>'rollupId' = $2`, [ROLLUP_JOB, fresh[0].id]);
    expect(none).toEqual([{ n: 0 }]);
  }, 60_000);

  it('sizes every queue to its work: mail and default jobs expire in 30 s, not 5 or 15 minutes', async () => {
    const t = survivor ?? (survivor = await startTestApp({ SMTP_URL: sink.url }, db));
    const jobs = t.app.get(JobsService);
    const id = await t.db.transaction((m) => jobs.send(m, 'recovery-default', {}));
    const [{ expire }] = await t.db.query(`SELECT extract(epoch FROM expire_in)::int AS expire FROM ${JOBS_SCHEMA}.job WHERE id = $1`, [id]);
    expect(expire).toBe(DEFAULT_EXPIRE_SECONDS);
    expect(DEFAULT_EXPIRE_SECONDS).toBeLessThanOrEqual(30);
    const key = `recovery-expiry-${Date.now()}`;
    await t.db.transaction((m) => t.app.get(MailService).enqueue(m, key, { to: { email: 'expiry@example.com' }, subject: 'Expiry', text: 'x', html: '<p>x</p>' }));
    const mail = await t.db.query(
      `SELECT extract(epoch FROM j.expire_in)::int AS expire FROM ${JOBS_SCHEMA}.job j JOIN mail_outbox o ON o.id::text = j.data->>'outboxId' WHERE j.name = $1 AND o.dedupe_key = $2`,
      [MAIL_SEND_QUEUE, key],
    );
    expect(mail).toEqual([{ expire: SEND_EXPIRE_SECONDS }]);
    expect(SEND_EXPIRE_SECONDS).toBeLessThanOrEqual(30);
  });

  it('the upgrade gives jobs queued with the old expiries (15 min, 300 s) the new 30 s, and leaves others alone', async () => {
    const t = survivor ?? (survivor = await startTestApp({ SMTP_URL: sink.url }, db));
    const jobs = t.app.get(JobsService);
    const later = new Date(Date.now() + 86_400_000);
    const ids: Record<string, string | null> = {};
    await t.db.transaction(async (m) => {
      for (const s of [900, 300, 45]) ids[s] = await jobs.send(m, 'recovery-upgrade', { s }, { startAfter: later, expireInSeconds: s });
    });
    const runner = t.db.createQueryRunner();
    try {
      await new ShortenJobExpiries1795430000000().up(runner);
    } finally {
      await runner.release();
    }
    const rows: { id: string; expire: number }[] = await t.db.query(`SELECT id, extract(epoch FROM expire_in)::int AS expire FROM ${JOBS_SCHEMA}.job WHERE name = 'recovery-upgrade'`);
    const expiry = (id: string | null) => rows.find((r) => r.id === id)?.expire;
    expect([expiry(ids[900]), expiry(ids[300]), expiry(ids[45])]).toEqual([30, 30, 45]);
  });
});

describe('rollup builds under a statement timeout', () => {
  let t: TestApp;
  let admin: pg.Client;

  beforeAll(async () => {
    t = await startTestApp({ ROLLUP_STATEMENT_TIMEOUT_SECONDS: '1', JOBS_POLL_SECONDS: '0.5', JOBS_RETRY_DELAY_SECONDS: '1' });
    admin = new pg.Client({ connectionString: t.database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await t.close();
  });

  it('bounds the statements of the transaction it is given', async () => {
    const shown = await t.db.transaction(async (m) => {
      await t.app.get(RollupsRepository).limitStatements(m, 1500);
      return [(await m.query('SHOW statement_timeout'))[0], (await m.query('SHOW client_connection_check_interval'))[0]];
    });
    expect(shown).toEqual([{ statement_timeout: '1500ms' }, { client_connection_check_interval: '1s' }]);
    // SET LOCAL: the pooled connection goes back without it.
    expect(await t.db.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '0' }]);
  });

  it('a build whose reads run past the timeout is cancelled (57014), answered pending, then built by its retried job', async () => {
    const programId = await makeProgram(t, {}, 'UTC');
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE observations IN ACCESS EXCLUSIVE MODE');
    // The forms stay locked for 6 s: without a timeout the build (and the request) would wait that long.
    const released = sleep(6_000).then(() => admin.query('COMMIT'));
    const started = Date.now();
    const res = await t.http.post('/api/v1/rollups').set(bearer(t.adminToken)).send({ programId, ...pastWindow() });
    const answeredMs = Date.now() - started;
    await released;
    expect(answeredMs).toBeLessThan(4_000);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'pending', report: null });
    await waitFor('the retried job to build it', async () => (await t.http.get(`/api/v1/rollups/${res.body.id}`).set(bearer(t.adminToken))).body.status === 'ready', 20_000);
    const [job] = await t.db.query(`SELECT state, retry_count FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND data->>'rollupId' = $2`, [ROLLUP_JOB, res.body.id]);
    expect(job.state).toBe('completed');
    expect(job.retry_count).toBeGreaterThanOrEqual(1);
  }, 60_000);
});

describe('SMTP timeouts', () => {
  it('give up on a server that never greets well within the send job expiry', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket)); // accepts, says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const { port } = silent.address() as AddressInfo;
    const transport = new MailTransport(loadConfig({ SMTP_URL: `smtp://127.0.0.1:${port}` }));
    const started = Date.now();
    try {
      await expect(transport.send({ from: 'a@example.com', to: 'b@example.com', subject: 's', text: 't' }, 'x.eml')).rejects.toThrow(/greeting|timeout/i);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(SMTP_TIMEOUTS.greetingTimeout - 500);
      expect(took).toBeLessThan(SEND_EXPIRE_SECONDS * 1000 / 2);
    } finally {
      transport.onApplicationShutdown();
      silent.close();
      for (const socket of sockets) socket.destroy();
    }
  }, 30_000);
});
