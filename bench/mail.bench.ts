import { spawn } from 'node:child_process';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { loadConfig } from '../src/config/config.js';
import { MailTransport } from '../src/mail/mail.transport.js';
import { composeMessage, type OutboxRow } from '../src/mail/message.js';
import { composeRaw } from '../src/mail/mime.js';
import { median, type BenchRow } from './table.js';

/**
 * CPU per email of composing and sending, in this process only: nodemailer's own path (its stream transport
 * composes, its pooled SMTP transport's `sendMail` sends the raw result, as the service did before) against
 * `composeRaw` and `MailTransport` (the service's path now). The SMTP server runs in a child process, so its
 * CPU is not counted. The message is a booking invite of the size the bookings bench writes (text 0.3 KiB,
 * HTML 0.4 KiB, calendar 1.4 KiB).
 */
const MESSAGES = 3_000;
const CONCURRENT = 50;
const RUNS = 3;

const ics = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//ridealong//bookings//EN', 'CALSCALE:GREGORIAN', 'METHOD:REQUEST',
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin', 'BEGIN:STANDARD', 'DTSTART:19701025T030000', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD', 'BEGIN:DAYLIGHT', 'DTSTART:19700329T020000', 'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT', 'END:VTIMEZONE',
  'BEGIN:VEVENT', 'UID:4f1c2a9e-6b1d-4f7e-9a51-3c7d2e8b0a14@ridealong', 'SEQUENCE:0', 'DTSTAMP:20261205T100000Z',
  'DTSTART;TZID=Europe/Berlin:20261208T100000', 'DTEND;TZID=Europe/Berlin:20261208T103000', 'SUMMARY:Shadowing: Rep 17 (Call shadowing)',
  'DESCRIPTION:You are shadowing Rep 17 on a customer call. Join a few minutes early\\, listen\\, and write your observation form right after the call.',
  'ORGANIZER;CN=Rep 17:mailto:rep17@bench.example', 'ATTENDEE;CN=Marketer 4;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:m4@bench.example',
  'STATUS:CONFIRMED', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Shadowing in 30 minutes', 'TRIGGER:-PT30M', 'END:VALARM', 'END:VEVENT', 'END:VCALENDAR', '',
].join('\r\n');

function message(i: number): SendMailOptions {
  const id = `4f1c2a9e-6b1d-4f7e-9a51-${String(i).padStart(12, '0')}`;
  const row: OutboxRow = {
    id,
    dedupeKey: `booking:${id}:confirmed:marketer`,
    recipient: 'm4@bench.example',
    recipientName: 'Marketer 4',
    subject: 'Booked: shadowing Rep 17, Tue 8 Dec, 10:00–10:30 (Europe/Berlin)',
    text: 'Hi Marketer 4,\n\nYou are booked to shadow Rep 17 on Tuesday 8 December, 10:00–10:30 (Europe/Berlin).\n\nJoin a few minutes early, listen, and write your observation form right after the call.\n\nManage your bookings: https://ridealong.example/marketer\n',
    html: '<p>Hi Marketer 4,</p><p>You are booked to shadow <strong>Rep 17</strong> on Tuesday 8 December, 10:00–10:30 (Europe/Berlin).</p><p>Join a few minutes early, listen, and write your observation form right after the call.</p><p><a href="https://ridealong.example/marketer">Manage your bookings</a></p>',
    calendarMethod: 'REQUEST',
    calendarContent: ics,
    calendarFilename: 'invite.ics',
    attachments: [],
    status: 'pending',
    attempts: 0,
    lastError: null,
    messageId: `<ridealong.${id}@bench.example>`,
    createdAt: new Date('2026-12-05T10:00:00Z'),
    sentAt: null,
  };
  return composeMessage(row, 'Ridealong <noreply@bench.example>');
}

/** CPU microseconds of this process per message for `each`, run MESSAGES times with CONCURRENT at once. */
async function cpuPerMessage(each: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      while (next < MESSAGES) await each(next++);
    }),
  );
  const used = process.cpuUsage(start);
  return (used.user + used.system) / MESSAGES;
}

/** An SMTP server that accepts everything, in a child process; its URL. */
async function smtpChild(): Promise<{ url: string; stop: () => void }> {
  const script = `
    import { SMTPServer } from 'smtp-server';
    const s = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], disableReverseLookup: true,
      onData(stream, _s, done) { stream.on('data', () => {}); stream.on('end', () => done()); } });
    s.listen(0, '127.0.0.1', () => console.log(s.server.address().port));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`SMTP child exited with ${code}`)));
  });
  return { url: `smtp://127.0.0.1:${port}`, stop: () => child.kill() };
}

export async function run(): Promise<BenchRow[]> {
  const messages = Array.from({ length: MESSAGES }, (_, i) => message(i));
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const size = (await composeRaw(messages[0])).raw.length;

  const composed = { nodemailer: [] as number[], composeRaw: [] as number[] };
  for (let r = 0; r < RUNS + 1; r++) {
    const a = await cpuPerMessage((i) => builder.sendMail(messages[i]));
    const b = await cpuPerMessage((i) => composeRaw(messages[i]));
    if (r > 0) { // the first round warms both up
      composed.nodemailer.push(a);
      composed.composeRaw.push(b);
    }
  }

  const smtp = await smtpChild();
  const sent = { nodemailer: [] as number[], service: [] as number[] };
  const pooled = nodemailer.createTransport({ url: smtp.url, pool: true, maxConnections: 4, maxMessages: 500 });
  const transport = new MailTransport(loadConfig({ SMTP_URL: smtp.url }));
  try {
    for (let r = 0; r < RUNS + 1; r++) {
      const a = await cpuPerMessage(async (i) => {
        const built = await builder.sendMail(messages[i]);
        await pooled.sendMail({ envelope: built.envelope, raw: built.message });
      });
      const b = await cpuPerMessage((i) => transport.send(messages[i], 'unused.eml'));
      if (r > 0) {
        sent.nodemailer.push(a);
        sent.service.push(b);
      }
    }
  } finally {
    pooled.close();
    transport.onApplicationShutdown();
    smtp.stop();
  }
  const us = (xs: number[]) => `${median(xs).toFixed(0)} µs (runs ${xs.map((x) => x.toFixed(0)).join(', ')})`;
  const what = `a booking invite (${(size / 1024).toFixed(1)} KiB as sent), ${MESSAGES.toLocaleString('en')} messages, ${CONCURRENT} at once, median of ${RUNS}`;
  return [
    { area: 'mail', case: `CPU per message to compose ${what}: nodemailer's stream transport / composeRaw`, result: `${us(composed.nodemailer)} / ${us(composed.composeRaw)}` },
    {
      area: 'mail',
      case: `CPU per message to compose and send over SMTP (server in another process, 4 pooled connections) ${what}: stream transport + pooled sendMail(raw) / MailTransport.send`,
      result: `${us(sent.nodemailer)} / ${us(sent.service)}`,
    },
  ];
}
