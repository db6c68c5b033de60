import { composeMessage, describeSendError, emlFileName, messageIdFor, OutboxRow, senderDomain } from './message.js';

const row: OutboxRow = {
  id: '5b0c7f43-7d0e-4d0a-9d6b-0d9b7c4f8a11',
  dedupeKey: 'k',
  recipient: 'ann@example.com',
  recipientName: 'Ann Rep',
  subject: 'Booked',
  text: 'Hello',
  html: '<p>Hello</p>',
  calendarMethod: null,
  calendarContent: null,
  calendarFilename: null,
  attachments: [],
  status: 'pending',
  attempts: 0,
  lastError: null,
  messageId: '<ridealong.5b0c7f43-7d0e-4d0a-9d6b-0d9b7c4f8a11@example.com>',
  createdAt: new Date('2026-03-01T09:30:00.123Z'),
  sentAt: null,
};

describe('senderDomain', () => {
  it.each([
    ['ridealong <ridealong@localhost>', 'localhost'],
    ['Rep Life <RepLife@Example.COM>', 'example.com'],
    ['ops@mail.example.org', 'mail.example.org'],
    ['"Weird <x>" <a@b.example>', 'b.example'],
    ['no address', 'localhost'],
  ])('%s -> %s', (from, domain) => {
    expect(senderDomain(from)).toBe(domain);
  });
});

describe('messageIdFor', () => {
  it('is fixed per outbox row and uses the sender domain', () => {
    expect(messageIdFor('abc', 'x <a@example.com>')).toBe('<ridealong.abc@example.com>');
    expect(messageIdFor('abc', 'x <a@example.com>')).toBe(messageIdFor('abc', 'x <a@example.com>'));
  });
});

describe('composeMessage', () => {
  it('maps a row to a nodemailer message with a fixed Message-ID and Date', () => {
    const m = composeMessage(row, 'ridealong <r@example.com>');
    expect(m).toMatchObject({
      from: 'ridealong <r@example.com>',
      to: { name: 'Ann Rep', address: 'ann@example.com' },
      subject: 'Booked',
      text: 'Hello',
      html: '<p>Hello</p>',
      messageId: row.messageId,
      date: row.createdAt,
      attachments: [],
    });
    expect(m.icalEvent).toBeUndefined();
  });

  it('uses the bare address without a name', () => {
    expect(composeMessage({ ...row, recipientName: null }, 'r@example.com').to).toBe('ann@example.com');
  });

  it('adds the calendar as an icalEvent with its method', () => {
    const m = composeMessage({ ...row, calendarMethod: 'CANCEL', calendarContent: 'BEGIN:VCALENDAR', calendarFilename: null }, 'r@example.com');
    expect(m.icalEvent).toEqual({ method: 'CANCEL', content: 'BEGIN:VCALENDAR', filename: 'invite.ics' });
  });

  it('passes attachments through', () => {
    const m = composeMessage({ ...row, attachments: [{ filename: 'a.csv', contentType: 'text/csv', content: 'a,b' }] }, 'r@example.com');
    expect(m.attachments).toEqual([{ filename: 'a.csv', contentType: 'text/csv', content: 'a,b' }]);
  });
});

describe('emlFileName', () => {
  it('sorts by creation time and names the row', () => {
    expect(emlFileName(row)).toBe('2026-03-01T09-30-00-123Z-5b0c7f43-7d0e-4d0a-9d6b-0d9b7c4f8a11.eml');
  });
});

describe('describeSendError', () => {
  it('prefers the SMTP reply and keeps the code', () => {
    const e = Object.assign(new Error('Message failed'), { code: 'EMESSAGE', response: '451 4.3.0 try\nlater', responseCode: 451 });
    expect(describeSendError(e)).toBe('EMESSAGE: 451 4.3.0 try later');
  });

  it('falls back to the message, then to the value', () => {
    expect(describeSendError(new Error('connect ECONNREFUSED'))).toBe('connect ECONNREFUSED');
    expect(describeSendError('boom')).toBe('boom');
  });

  it('is bounded', () => {
    expect(describeSendError(new Error('x'.repeat(5000)))).toHaveLength(1000);
  });
});
