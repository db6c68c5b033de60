import { simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { composeRaw } from '../src/mail/mime.js';
import { composeMessage, type OutboxRow } from '../src/mail/message.js';

/**
 * `composeRaw` writes nodemailer's MIME tree without its streams. What it writes must be exactly what
 * nodemailer's own composition wrote before (its stream transport with Windows line ends, the path the
 * service used): the same bytes for the same boundary, for every kind of content the service sends.
 */
const nodemailerBuilder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

async function viaNodemailer(message: SendMailOptions, baseBoundary: string) {
  const info = await nodemailerBuilder.sendMail({ ...message, baseBoundary } as SendMailOptions);
  return { raw: info.message as Buffer, envelope: info.envelope };
}

const ICS = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//ridealong//EN', 'METHOD:REQUEST', 'BEGIN:VEVENT', 'UID:b1@ridealong', 'DTSTART:20261208T090000Z', 'DTEND:20261208T093000Z', 'SUMMARY:Shadowing Zoë Ångström', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

function row(overrides: Partial<OutboxRow>): OutboxRow {
  return {
    id: '2b8f0f6e-8d1e-4c1a-9b7e-0d3c5a1f2e47',
    dedupeKey: 'booking:1:confirmed:marketer',
    recipient: 'maria@example.com',
    recipientName: 'Maria Müller',
    subject: 'Booked: shadowing Zoë on Tue 8 Dec, 10:00',
    text: 'Hello Maria,\n\nYou are booked.\n',
    html: '<p>Hello Maria,</p><p>You are booked.</p>',
    calendarMethod: 'REQUEST',
    calendarContent: ICS,
    calendarFilename: 'invite.ics',
    attachments: [],
    status: 'pending',
    attempts: 0,
    lastError: null,
    messageId: '<ridealong.2b8f0f6e-8d1e-4c1a-9b7e-0d3c5a1f2e47@example.com>',
    createdAt: new Date('2026-12-05T10:00:00.123Z'),
    sentAt: null,
    ...overrides,
  };
}

const FROM = 'Rep Life <replife@example.com>';
const longLine = `${'word '.repeat(40)}end`;
const cases: [string, SendMailOptions][] = [
  ['a booking invite (text, HTML, calendar, .ics)', composeMessage(row({}), FROM)],
  ['plain ASCII, no calendar', composeMessage(row({ recipientName: null, subject: 'Your rollup', text: 'Plain.\n', html: '<p>Plain.</p>', calendarMethod: null, calendarContent: null }), FROM)],
  [
    'long lines, dots, trailing spaces, CRLF and LF mixed, From at a line start',
    composeMessage(row({ text: `${longLine}\n.\n..leading dots\r\nFrom here \nlast line   `, html: `<p>${longLine}${longLine}</p>\n.\n` }), FROM),
  ],
  [
    'mostly non-Latin text (base64 parts) and a cancellation',
    composeMessage(row({ subject: '予約がキャンセルされました', recipientName: '山田 太郎', text: '予約がキャンセルされました。\n'.repeat(20), html: '<p>予約がキャンセルされました。</p>'.repeat(10), calendarMethod: 'CANCEL', calendarContent: ICS.replace('METHOD:REQUEST', 'METHOD:CANCEL').replace('Zoë Ångström', '山田 太郎') }), FROM),
  ],
  [
    'attachments with non-ASCII names and a name that needs quoting',
    composeMessage(
      row({
        recipientName: 'Smith, "Jo" (Sales)',
        calendarMethod: null,
        calendarContent: null,
        attachments: [
          { filename: 'Rückmeldungen 2026.csv', contentType: 'text/csv', content: 'name,note\nZoë,"sehr gut; danke"\n' },
          { filename: 'notes.txt', contentType: 'text/plain', content: `${longLine}\n` },
        ],
      }),
      FROM,
    ),
  ],
  ['a sender with a non-ASCII name', composeMessage(row({}), 'Équipe Ridealong <noreply@example.com>')],
  ['empty HTML', composeMessage(row({ html: '', calendarMethod: null, calendarContent: null }), FROM)],
];

describe('composeRaw', () => {
  it.each(cases)('writes what nodemailer writes: %s', async (_name, message) => {
    const boundary = '0123456789abcdef';
    const ours = await composeRaw(message, boundary);
    const theirs = await viaNodemailer(message, boundary);
    expect(ours.raw.toString('utf-8')).toBe(theirs.raw.toString('utf-8'));
    expect(ours.raw.equals(theirs.raw)).toBe(true);
    expect(ours.envelope).toEqual(theirs.envelope);
    expect(ours.messageId).toBe(message.messageId);
  });

  it('reads back through an independent parser with every part intact', async () => {
    const message = composeMessage(
      row({ text: `Zoë\n.\n${longLine}\n`, attachments: [{ filename: 'Rückmeldungen.csv', contentType: 'text/csv', content: 'a,b\nä,ö\n' }] }),
      FROM,
    );
    const { raw } = await composeRaw(message);
    expect(/(^|[^\r])\n/.test(raw.toString('latin1'))).toBe(false); // CRLF line ends only
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Booked: shadowing Zoë on Tue 8 Dec, 10:00');
    expect(parsed.to).toMatchObject({ value: [{ name: 'Maria Müller', address: 'maria@example.com' }] });
    expect(parsed.text?.replace(/\r\n/g, '\n')).toBe(`Zoë\n.\n${longLine}\n`);
    expect(parsed.html).toBe('<p>Hello Maria,</p><p>You are booked.</p>');
    expect(parsed.messageId).toBe('<ridealong.2b8f0f6e-8d1e-4c1a-9b7e-0d3c5a1f2e47@example.com>');
    expect(parsed.headers.get('x-ridealong-outbox-id')).toBe('2b8f0f6e-8d1e-4c1a-9b7e-0d3c5a1f2e47');
    const csv = parsed.attachments.find((a) => a.filename === 'Rückmeldungen.csv');
    expect(csv?.content.toString('utf-8')).toBe('a,b\nä,ö\n');
    const ics = parsed.attachments.find((a) => a.filename === 'invite.ics');
    expect(ics?.content.toString('utf-8')).toBe(ICS);
  });

  it('draws a new unguessable boundary for each message', async () => {
    const message = composeMessage(row({}), FROM);
    const boundaries = await Promise.all([1, 2, 3].map(async () => /boundary="([^"]+)"/.exec((await composeRaw(message)).raw.toString('utf-8'))![1]));
    expect(new Set(boundaries).size).toBe(3);
    for (const b of boundaries) expect(b).toMatch(/^--_NmP-[0-9a-f]{16}-Part_1$/);
  });

  it('leaves content that is not in memory to nodemailer’s streams', async () => {
    const { Readable } = await import('node:stream');
    const message: SendMailOptions = { ...composeMessage(row({ calendarMethod: null, calendarContent: null }), FROM), attachments: [{ filename: 'streamed.txt', content: Readable.from([Buffer.from('from a stream\n')]) }] };
    const { raw } = await composeRaw(message, '0123456789abcdef');
    const parsed = await simpleParser(raw);
    expect(parsed.attachments.map((a) => [a.filename, a.content.toString('utf-8')])).toEqual([['streamed.txt', 'from a stream\n']]);
  });
});
