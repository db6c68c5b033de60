import type { SendMailOptions } from 'nodemailer';
import type { OutgoingMail } from './mail.types.js';

/** Pure mapping between outbox rows and what nodemailer sends; no Nest, no database. */

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** One row of `mail_outbox`, as the worker reads it. */
export interface OutboxRow {
  id: string;
  dedupeKey: string;
  recipient: string;
  recipientName: string | null;
  subject: string;
  text: string;
  html: string;
  calendarMethod: string | null;
  calendarContent: string | null;
  calendarFilename: string | null;
  attachments: NonNullable<OutgoingMail['attachments']>;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  messageId: string;
  createdAt: Date;
  sentAt: Date | null;
}

/** The domain of the sender address in MAIL_FROM (`Name <a@b.example>` or `a@b.example`). */
export function senderDomain(mailFrom: string): string {
  const address = /<([^<>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom.trim();
  const at = address.lastIndexOf('@');
  const domain = at >= 0 ? address.slice(at + 1).trim().toLowerCase() : '';
  return /^[a-z0-9.-]+$/.test(domain) ? domain : 'localhost';
}

/**
 * The Message-ID of an outbox row: fixed when the row is written, so a message sent again (after a crash
 * between the SMTP server accepting it and the row being marked sent) is recognisably the same message.
 */
export function messageIdFor(outboxId: string, mailFrom: string): string {
  return `<ridealong.${outboxId}@${senderDomain(mailFrom)}>`;
}

/** The nodemailer message for a row; the same row always gives the same headers (Message-ID, Date). */
export function composeMessage(row: OutboxRow, from: string): SendMailOptions {
  const message: SendMailOptions = {
    from,
    to: row.recipientName ? { name: row.recipientName, address: row.recipient } : row.recipient,
    subject: row.subject,
    text: row.text,
    html: row.html,
    messageId: row.messageId,
    date: row.createdAt,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Ridealong-Outbox-Id': row.id },
    attachments: row.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
  };
  if (row.calendarMethod && row.calendarContent) {
    // nodemailer adds it twice: as the `text/calendar; method=…` alternative calendar clients act on,
    // and as an application/ics attachment for the others.
    message.icalEvent = { method: row.calendarMethod, content: row.calendarContent, filename: row.calendarFilename ?? 'invite.ics' };
  }
  return message;
}

/** File name of a row's .eml (when SMTP_URL is unset): sorts by time; the same row always gets the same name. */
export function emlFileName(row: Pick<OutboxRow, 'id' | 'createdAt'>): string {
  return `${row.createdAt.toISOString().replace(/[:.]/g, '-')}-${row.id}.eml`;
}

/** A short, single-line description of a send failure for `last_error` (SMTP reply when there is one). */
export function describeSendError(e: unknown): string {
  const err = (e ?? {}) as { message?: unknown; code?: unknown; response?: unknown };
  const detail = typeof err.response === 'string' && err.response ? err.response : typeof err.message === 'string' ? err.message : String(e);
  const code = typeof err.code === 'string' ? `${err.code}: ` : '';
  return `${code}${detail}`.replace(/\s+/g, ' ').trim().slice(0, 1000);
}
