import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser, type ParsedMail, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import pg from 'pg';
import { JOBS_SCHEMA, JobsService } from '../src/jobs/jobs.service.js';
import { MAIL_FAILED_QUEUE, MAIL_SEND_QUEUE, MailService, SEND_BATCH } from '../src/mail/mail.service.js';
import { MailOutboxRepository } from '../src/mail/mail-outbox.repository.js';
import type { OutgoingMail } from '../src/mail/mail.types.js';
import { startTestApp, TestApp } from './support/app.js';

const MAIL_FROM = 'Rep Life <replife@example.com>';
/** Short intervals so retries happen within seconds (first retry after 1–2 s, then 2–4 s, ...). */
const FAST = { MAIL_FROM, JOBS_POLL_SECONDS: '0.5', JOBS_RETRY_DELAY_SECONDS: '1' };

interface Received {
  parsed: ParsedMail;
  raw: string;
  envelopeTo: string[];
}

/** A real SMTP server on 127.0.0.1 that keeps what it accepts; `script` answers the next DATA commands. */
class SmtpSink {
  readonly received: Received[] = [];
  /** Replies for the next DATA commands, in order (e.g. 451 then 554); empty: accept. */
  script: { code: number; message: string }[] = [];
  /** Answer every DATA with this (when the script is empty). */
  always?: { code: number; message: string };
  /** Refuse the next DATA commands to these recipients (how many times each), whatever the order of sending. */
  refuse = new Map<string, number>();
  /** Always accept DATA to these recipients (over `script` and `always`). */
  accept = new Set<string>();
  dataCommands = 0;
  private server?: SMTPServer;

  private constructor(readonly port: number) {}

  static async start(port = 0): Promise<SmtpSink> {
    const sink = new SmtpSink(port);
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          sink.dataCommands++;
          const to = session.envelope.rcptTo.map((r) => r.address).find((a) => (sink.refuse.get(a) ?? 0) > 0);
          if (to) sink.refuse.set(to, sink.refuse.get(to)! - 1);
          const accepted = session.envelope.rcptTo.some((r) => sink.accept.has(r.address));
          const reply = to ? { code: 451, message: `4.2.1 ${to} is busy, try again later` } : accepted ? undefined : (sink.script.shift() ?? sink.always);
          if (reply) {
            callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
            return;
          }
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              sink.received.push({ parsed, raw: raw.toString('utf8'), envelopeTo: session.envelope.rcptTo.map((r) => r.address) });
              callback();
            },
            (err: Error) => callback(err),
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    sink.server = server;
    return Object.assign(sink, { port: (server.server.address() as AddressInfo).port });
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  withSubject(prefix: string): Received[] {
    return this.received.filter((r) => r.parsed.subject?.startsWith(prefix));
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** `it` with room for a few retry rounds. */
const slowIt = (name: string, fn: () => Promise<void>) => it(name, fn, SLOW);

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Polls until `probe` gives a truthy value, and returns it. */
async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 20_000): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Per-test limit: retries take seconds (1–2 s, then 2–4 s, ...); every wait inside is bounded too. */
const SLOW = 45_000;

const unique = () => randomBytes(4).toString('hex');

function message(subject: string, extra: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    to: { name: 'Ann Marketer', email: 'ann@example.com' },
    subject,
    text: `Plain: ${subject}`,
    html: `<p>HTML: ${subject}</p>`,
    ...extra,
  };
}

const INVITE = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//ridealong//test//EN',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:booking-1@ridealong',
  'SEQUENCE:0',
  'DTSTAMP:20260301T090000Z',
  'DTSTART:20260302T090000Z',
  'DTEND:20260302T094500Z',
  'SUMMARY:Shadow a call',
  'END:VEVENT',
  'END:VCALENDAR',
].join('\r\n');

const addresses = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value);

async function enqueue(t: TestApp, key: string, mail: OutgoingMail): Promise<boolean> {
  return t.db.transaction((m) => t.app.get(MailService).enqueue(m, key, mail));
}

/** Outbox rows written in one transaction with one send job for all of them (as a booking writes its emails). */
async function enqueueTogether(t: TestApp, mails: { key: string; mail: OutgoingMail }[]): Promise<string[]> {
  const service = t.app.get(MailService);
  return t.db.transaction(async (m) => {
    const ids: string[] = [];
    for (const { key, mail } of mails) {
      const row = service.outboxRow(key, mail);
      await t.app.get(MailOutboxRepository).insertUnlessDuplicate(m, { id: row.id, dedupeKey: key, messageId: row.message_id, mail });
      ids.push(row.id);
    }
    await t.app.get(JobsService).sendMany(m, [service.sendJob(ids)]);
    return ids;
  });
}

async function outboxRows(t: TestApp, keyPrefix: string): Promise<{ status: string; attempts: number; last_error: string | null; message_id: string }[]> {
  return t.db.query(`SELECT status, attempts, last_error, message_id FROM mail_outbox WHERE dedupe_key LIKE $1 ORDER BY created_at`, [`${keyPrefix}%`]);
}

/** Waits until the outbox is drained, then a little longer, so a duplicate send would have shown up. */
async function settle(t: TestApp): Promise<void> {
  await t.app.get(MailService).drain(20_000);
  await sleep(700); // more than a polling interval (0.5 s)
}

/** Every message exactly once: no Message-ID and no subject twice, and exactly the expected subjects. */
function expectExactlyOnce(received: Received[], subjects: string[]): void {
  const ids = received.map((r) => r.parsed.messageId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(received.map((r) => r.parsed.subject).sort()).toEqual([...subjects].sort());
}

describe('mail outbox (real PostgreSQL, real SMTP)', () => {
  let sink: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await startTestApp({ ...FAST, SMTP_URL: sink.url });
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  slowIt('sends a message enqueued in a committed transaction exactly once, with text, HTML and a calendar part', async () => {
    const run = unique();
    const subject = `Booked ${run}`;
    expect(
      await enqueue(t, `t1:${run}`, message(subject, { calendar: { method: 'REQUEST', content: INVITE }, attachments: [{ filename: 'notes.csv', contentType: 'text/csv', content: 'a,b\n1,2\n' }] })),
    ).toBe(true);

    const [got] = await waitFor('the message', () => sink.withSubject(subject).length === 1 && sink.withSubject(subject));
    const { parsed, raw } = got;
    expect(addresses(parsed.from)).toEqual([{ name: 'Rep Life', address: 'replife@example.com' }]);
    expect(addresses(parsed.to)).toEqual([{ name: 'Ann Marketer', address: 'ann@example.com' }]);
    expect(got.envelopeTo).toEqual(['ann@example.com']);
    expect(parsed.text?.trim()).toBe(`Plain: ${subject}`);
    expect(parsed.html).toContain(`<p>HTML: ${subject}</p>`);
    // The calendar alternative clients act on, with its iTIP method...
    expect(raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
    const calendar = parsed.attachments.find((a) => a.contentType === 'text/calendar');
    expect(calendar).toBeDefined();
    expect((calendar!.headers.get('content-type') as { params: Record<string, string> }).params.method).toBe('REQUEST');
    expect(calendar!.content.toString('utf8')).toContain('UID:booking-1@ridealong');
    // ...the same invite as a file, and the other attachment.
    expect(parsed.attachments.map((a) => a.filename)).toEqual(expect.arrayContaining(['invite.ics', 'notes.csv']));

    await settle(t); // the row is marked sent just after the server accepted the message
    expect(sink.withSubject(subject)).toHaveLength(1);
    const row = await t.app.get(MailService).find(`t1:${run}`);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null, messageId: parsed.messageId });
    expect(parsed.messageId).toMatch(/^<ridealong\.[0-9a-f-]{36}@example\.com>$/);
  });

  slowIt('gives a CANCEL invite a method=CANCEL part', async () => {
    const subject = `Cancelled ${unique()}`;
    await enqueue(t, `t1c:${subject}`, message(subject, { calendar: { method: 'CANCEL', content: INVITE.replace('METHOD:REQUEST', 'METHOD:CANCEL'), filename: 'cancel.ics' } }));
    const [got] = await waitFor('the message', () => sink.withSubject(subject).length === 1 && sink.withSubject(subject));
    expect(got.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=CANCEL/i);
    expect(got.parsed.attachments.map((a) => a.filename)).toContain('cancel.ics');
  });

  slowIt('queues nothing when the transaction rolls back: no outbox row, no job, nothing sent', async () => {
    const run = unique();
    const jobsBefore = await t.db.query(`SELECT count(*)::int AS n FROM ${JOBS_SCHEMA}.job WHERE name = $1`, [MAIL_SEND_QUEUE]);
    await expect(
      t.db.transaction(async (m) => {
        expect(await t.app.get(MailService).enqueue(m, `t2:${run}`, message(`Rolled back ${run}`))).toBe(true);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');

    expect(await t.app.get(MailService).find(`t2:${run}`)).toBeNull();
    expect(await t.db.query(`SELECT count(*)::int AS n FROM ${JOBS_SCHEMA}.job WHERE name = $1`, [MAIL_SEND_QUEUE])).toEqual(jobsBefore);
    await sleep(700); // more than a polling interval
    expect(sink.withSubject(`Rolled back ${run}`)).toHaveLength(0);
  });

  slowIt('queues a dedupe key once, also when two transactions race for it', async () => {
    const run = unique();
    expect(await enqueue(t, `t3:${run}`, message(`Once ${run}`))).toBe(true);
    expect(await enqueue(t, `t3:${run}`, message(`Once ${run} (again)`))).toBe(false);
    // the same key twice in one transaction
    expect(
      await t.db.transaction(async (m) => {
        const mail = t.app.get(MailService);
        return [await mail.enqueue(m, `t3b:${run}`, message(`Twice in one ${run}`)), await mail.enqueue(m, `t3b:${run}`, message(`Twice in one ${run}`))];
      }),
    ).toEqual([true, false]);
    // two transactions at once: the second waits for the first to commit, then finds the key taken
    const raced = await Promise.all([1, 2].map(() => enqueue(t, `t3c:${run}`, message(`Raced ${run}`))));
    expect(raced.sort()).toEqual([false, true]);

    await waitFor('three messages', () => sink.received.filter((r) => r.parsed.subject?.includes(run)).length >= 3);
    await settle(t);
    expectExactlyOnce(
      sink.received.filter((r) => r.parsed.subject?.includes(run)),
      [`Once ${run}`, `Twice in one ${run}`, `Raced ${run}`],
    );
  });

  slowIt('sends the rows of one job together; a refused row fails the job, and its retry sends only that row', async () => {
    const run = unique();
    const refused = `once-${run}@example.com`;
    sink.refuse.set(refused, 1);
    const before = sink.dataCommands;
    const ids = await enqueueTogether(t, [
      { key: `t8b:${run}:a`, mail: message(`Together A ${run}`) },
      { key: `t8b:${run}:b`, mail: message(`Together B ${run}`, { to: { email: refused } }) },
    ]);
    const [job] = await t.db.query(`SELECT data FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND data->'outboxIds' ?| $2::text[]`, [MAIL_SEND_QUEUE, ids]);
    expect(job.data).toEqual({ outboxIds: ids });
    await waitFor('both messages', () => sink.received.filter((r) => r.parsed.subject?.includes(run)).length === 2);
    await settle(t);
    expectExactlyOnce(
      sink.received.filter((r) => r.parsed.subject?.includes(run)),
      [`Together A ${run}`, `Together B ${run}`],
    );
    expect(sink.dataCommands - before).toBe(3); // B twice, A once
    expect(await t.app.get(MailService).find(`t8b:${run}:a`)).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect(await t.app.get(MailService).find(`t8b:${run}:b`)).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  slowIt('sends a row once however many jobs point at it (duplicated or retried jobs)', async () => {
    const run = unique();
    const subject = `Duplicated job ${run}`;
    const jobs = t.app.get(JobsService);
    await t.db.transaction(async (m) => {
      await t.app.get(MailService).enqueue(m, `t8:${run}`, message(subject));
      const [{ id }] = await m.query(`SELECT id FROM mail_outbox WHERE dedupe_key = $1`, [`t8:${run}`]);
      // two more jobs for the same row, fetched in the same batch and run concurrently with the first
      for (let i = 0; i < 2; i++) await jobs.send(m, MAIL_SEND_QUEUE, { outboxId: id });
    });
    await waitFor('the message', () => sink.withSubject(subject).length >= 1);
    await settle(t);
    // and one more after it was sent
    const [{ id }] = await t.db.query(`SELECT id FROM mail_outbox WHERE dedupe_key = $1`, [`t8:${run}`]);
    await t.db.transaction((m) => jobs.send(m, MAIL_SEND_QUEUE, { outboxId: id }));
    await waitFor('every job to finish', async () => (await jobs.unfinished(MAIL_SEND_QUEUE)) === 0);
    await sleep(500);
    expect(sink.withSubject(subject)).toHaveLength(1);
    expect(await t.app.get(MailService).find(`t8:${run}`)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  slowIt('retries 4xx and 5xx replies until the server accepts, and each message arrives once', async () => {
    const run = unique();
    const subjects = [`Bounced 4xx ${run}`, `Bounced 5xx ${run}`];
    const before = sink.dataCommands;
    // the first two DATA commands (one per message, sent together) are refused, one temporarily, one permanently
    sink.script = [
      { code: 451, message: '4.3.0 Temporary failure, try again later' },
      { code: 554, message: '5.7.1 Rejected for now' },
    ];
    await t.db.transaction(async (m) => {
      for (const s of subjects) await t.app.get(MailService).enqueue(m, `t7:${s}`, message(s));
    });
    const rows = await waitFor('a refused attempt of each', async () => {
      const r = await outboxRows(t, `t7:Bounced `);
      return r.filter((x) => x.last_error).length === 2 && r;
    });
    expect(rows.map((r) => /\b[45]\d\d\b/.exec(r.last_error ?? '')?.[0]).sort()).toEqual(['451', '554']);
    await waitFor('both messages', () => sink.received.filter((r) => r.parsed.subject?.includes(run)).length === 2, 30_000);
    await settle(t);
    expectExactlyOnce(sink.received.filter((r) => r.parsed.subject?.includes(run)), subjects);
    expect(sink.dataCommands - before).toBe(4);
    for (const s of subjects) expect(await t.app.get(MailService).find(`t7:${s}`)).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });
});

describe('mail outbox in batches', () => {
  let sink: SmtpSink;
  let t: TestApp;
  /** Every statement sent on any pooled connection, with the connection it was sent on. */
  const sent: { client: unknown; text: string }[] = [];
  const ClientProto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const originalQuery = ClientProto.query;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await startTestApp({ ...FAST, SMTP_URL: sink.url });
    ClientProto.query = function (this: unknown, ...args: unknown[]) {
      const q = args[0] as string | { text: string };
      sent.push({ client: this, text: typeof q === 'string' ? q : q.text });
      return originalQuery.apply(this, args);
    };
  });
  afterAll(async () => {
    ClientProto.query = originalQuery;
    await t?.close();
    await sink?.close();
  });

  /** The sending transactions among the statements: from START TRANSACTION to COMMIT, locking outbox rows. */
  function sendTransactions(statements: { client: unknown; text: string }[]): string[][] {
    const open = new Map<unknown, string[]>();
    const found: string[][] = [];
    for (const { client, text } of statements) {
      if (/^\s*(START TRANSACTION|BEGIN)/i.test(text)) open.set(client, []);
      const tx = open.get(client);
      if (!tx) continue;
      tx.push(text.replace(/\s+/g, ' ').slice(0, 90));
      if (/^\s*(COMMIT|ROLLBACK)/i.test(text)) {
        open.delete(client);
        if (tx.some((x) => /FROM mail_outbox .*FOR UPDATE/.test(x))) found.push(tx);
      }
    }
    return found;
  }

  slowIt('sends a batch of messages in one transaction of a few statements, and retries a refused recipient alone', async () => {
    const run = unique();
    const n = 2 * SEND_BATCH + 20; // three batches' worth
    const subjects = Array.from({ length: n }, (_, i) => `Batch ${run} #${i}`);
    const refused = `busy-${run}@example.com`;
    sink.refuse.set(refused, 1); // the message in the middle of the first batch is refused once
    const from = sent.length;
    const before = sink.dataCommands;
    await t.db.transaction(async (m) => {
      for (const [i, s] of subjects.entries()) {
        await t.app.get(MailService).enqueue(m, `t9:${s}`, message(s, i === 5 ? { to: { email: refused } } : {}));
      }
    });
    await waitFor(`${n} messages`, () => sink.received.filter((r) => r.parsed.subject?.includes(run)).length === n, 30_000);
    await settle(t);
    expectExactlyOnce(
      sink.received.filter((r) => r.parsed.subject?.includes(run)),
      subjects,
    );
    expect(sink.dataCommands - before).toBe(n + 1); // the refused one twice, every other once
    const rows = await outboxRows(t, `t9:Batch ${run}`);
    expect(rows.filter((r) => r.attempts === 1 && r.status === 'sent' && r.last_error === null)).toHaveLength(n - 1);
    expect(await t.app.get(MailService).find(`t9:${subjects[5]}`)).toMatchObject({ status: 'sent', attempts: 2, lastError: null });

    // Statements: each sending transaction is START TRANSACTION, one SELECT … FOR UPDATE SKIP LOCKED, one
    // UPDATE, COMMIT, whatever its batch size (jobs are fetched SEND_BATCH at a time): the messages in three
    // batches and the retry in one, plus at most 2 (a partial fetch may split a batch), instead of 5 statements per message.
    const txs = sendTransactions(sent.slice(from));
    const shown = txs.map((tx) => tx.join(' | '));
    expect({ shown, max: Math.max(...txs.map((tx) => tx.length)) }).toEqual({ shown, max: 4 });
    expect(txs.length).toBeGreaterThanOrEqual(4);
    expect(txs.length).toBeLessThanOrEqual(6);
    expect(txs.flat().length).toBeLessThanOrEqual(24);
  });
});

describe('mail outbox while SMTP is down', () => {
  let sink: SmtpSink | undefined;
  let t: TestApp;

  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  slowIt('keeps every message until the server is back, then delivers each exactly once', async () => {
    const port = await freePort();
    t = await startTestApp({ ...FAST, SMTP_URL: `smtp://127.0.0.1:${port}` });
    const run = unique();
    const subjects = Array.from({ length: 5 }, (_, i) => `Outage ${run} #${i}`);
    for (const s of subjects) await enqueue(t, `t4:${s}`, message(s));

    // Every message has been tried (and refused: connection refused) at least once.
    const tried = await waitFor('a failed attempt of every message', async () => {
      const rows = await outboxRows(t, 't4:');
      return rows.length === 5 && rows.every((r) => r.attempts >= 1 && r.status === 'pending') && rows;
    });
    expect(tried.every((r) => /ECONNREFUSED|ECONNECTION/.test(r.last_error ?? ''))).toBe(true);
    expect(await t.app.get(MailService).pending()).toBe(5);

    sink = await SmtpSink.start(port);
    await waitFor('every message', () => sink!.received.length >= 5, 30_000);
    await settle(t);
    expectExactlyOnce(sink.received, subjects);
    const rows = await outboxRows(t, 't4:');
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(sink.received.map((r) => r.parsed.messageId).sort()).toEqual(rows.map((r) => r.message_id).sort());
  });
});

describe('mail outbox on two instances sharing one database', () => {
  let sink: SmtpSink;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    a = await startTestApp({ ...FAST, SMTP_URL: sink.url });
    b = await startTestApp({ ...FAST, SMTP_URL: sink.url }, a.database);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await sink?.close();
  });

  slowIt('delivers each of 20 messages exactly once', async () => {
    const run = unique();
    const subjects = Array.from({ length: 20 }, (_, i) => `Shared ${run} #${i}`);
    await Promise.all(subjects.map((s, i) => enqueue(i % 2 ? a : b, `t5:${s}`, message(s))));
    await waitFor('20 messages', () => sink.received.length >= 20, 30_000);
    await settle(a);
    expectExactlyOnce(sink.received, subjects);
    expect((await outboxRows(a, 't5:')).every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
  });
});

describe('mail outbox without SMTP_URL', () => {
  let t: TestApp;
  const varDir = path.join('var', `test-mail-${unique()}`);

  afterAll(async () => {
    await t?.close();
    await rm(varDir, { recursive: true, force: true });
  });

  slowIt('writes each message as an .eml file under VAR_DIR/mail', async () => {
    await mkdir(varDir, { recursive: true });
    t = await startTestApp({ ...FAST, VAR_DIR: varDir });
    const subject = `To a file ${unique()}`;
    await enqueue(t, `t6:${subject}`, message(subject, { calendar: { method: 'REQUEST', content: INVITE } }));
    const dir = path.join(varDir, 'mail');
    await waitFor('an .eml file', async () => (await readdir(dir).catch(() => [] as string[])).some((f) => f.endsWith('.eml')));
    await t.app.get(MailService).drain();
    const files = await readdir(dir);
    expect(files).toHaveLength(1); // no partial file left behind
    expect(files[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d-]+Z-[0-9a-f-]{36}\.eml$/);
    const parsed = await simpleParser(await readFile(path.join(dir, files[0])));
    const row = await t.app.get(MailService).find(`t6:${subject}`);
    expect(parsed.subject).toBe(subject);
    expect(parsed.messageId).toBe(row?.messageId);
    expect(addresses(parsed.from)[0].address).toBe('replife@example.com');
    expect(parsed.attachments.some((a) => a.contentType === 'text/calendar')).toBe(true);
    expect(row?.status).toBe('sent');
  });
});

describe('mail outbox when retries run out', () => {
  let sink: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    sink.always = { code: 550, message: '5.1.1 Mailbox unavailable' };
    t = await startTestApp({ ...FAST, SMTP_URL: sink.url, JOBS_RETRY_LIMIT: '1' });
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  slowIt('marks the row failed with the last error, keeps it, and sends nothing', async () => {
    const key = `t7b:${unique()}`;
    await enqueue(t, key, message('Never accepted'));
    const mail = t.app.get(MailService);
    const row = await waitFor('the row to fail', async () => {
      const r = await mail.find(key);
      return r?.status === 'failed' && r;
    });
    expect(row).toMatchObject({ status: 'failed', attempts: 2, sentAt: null });
    expect(row.lastError).toContain('550 5.1.1 Mailbox unavailable');
    expect(sink.received).toHaveLength(0);
    expect(sink.dataCommands).toBe(2);
    expect(await mail.pending()).toBe(0);
    expect(await mail.failed()).toBe(1);
    // pg-boss failed the job for good and handed it to the dead-letter queue, whose worker found the row already failed.
    await waitFor('the job to fail', async () => {
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND state = 'failed'`, [MAIL_SEND_QUEUE]);
      return n === 1;
    });
    await waitFor('the dead letter to be handled', async () => {
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND state = 'completed'`, [MAIL_FAILED_QUEUE]);
      return n === 1;
    });
    await sleep(700);
    expect(sink.dataCommands).toBe(2);
  });

  slowIt('gives up only the rows of a job that were never accepted; a row it sent stays sent', async () => {
    const run = unique();
    const accepted = `accepted-${run}@example.com`;
    sink.accept.add(accepted);
    try {
      const before = sink.dataCommands;
      const failedBefore = await t.app.get(MailService).failed();
      await enqueueTogether(t, [
        { key: `t7c:${run}:a`, mail: message(`Accepted ${run}`, { to: { email: accepted } }) },
        { key: `t7c:${run}:b`, mail: message(`Refused ${run}`) },
      ]);
      const mail = t.app.get(MailService);
      const refused = await waitFor('the refused row to fail', async () => {
        const r = await mail.find(`t7c:${run}:b`);
        return r?.status === 'failed' && r;
      });
      expect(refused).toMatchObject({ status: 'failed', attempts: 2, sentAt: null });
      expect(refused.lastError).toContain('550 5.1.1 Mailbox unavailable');
      expect(await mail.find(`t7c:${run}:a`)).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
      expect(await mail.failed()).toBe(failedBefore + 1);
      await waitFor('the dead letter to be handled', async () => {
        const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND state = 'completed' AND data->'outboxIds' IS NOT NULL`, [MAIL_FAILED_QUEUE]);
        return n === 1;
      });
      await sleep(700);
      expect(sink.received.map((r) => r.parsed.subject)).toEqual([`Accepted ${run}`]);
      expect(sink.dataCommands - before).toBe(3); // the accepted row once, the refused one twice
      expect(await mail.find(`t7c:${run}:a`)).toMatchObject({ status: 'sent', attempts: 1 });
    } finally {
      sink.accept.delete(accepted);
    }
  });
});
