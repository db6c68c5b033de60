import { DateTime } from 'luxon';
import { escapeHtml } from '../common/escape-html.js';
import { layout, link, paragraph } from '../mail/html.js';
import type { OutgoingMail } from '../mail/mail.types.js';

export const NOTICE_KINDS = ['rep_alert', 'campaign_notification'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** How a kind reads in a subject line, a banner and a list. */
export const NOTICE_KIND_LABELS: Record<NoticeKind, string> = {
  rep_alert: 'Rep alert',
  campaign_notification: 'Campaign notification',
};

export interface NoticeMailFacts {
  noticeId: string;
  kind: NoticeKind;
  subject: string;
  body: string;
  sentAt: Date;
  programName: string;
  rep: { name: string; email: string; timeZone: string };
  publicUrl: string;
}

/** http(s) URLs in plain text (up to whitespace or an angle bracket; trailing punctuation left outside). */
const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/gi;

/**
 * Plain text as HTML with its http(s) URLs as links whose visible text is the URL itself (no link says one
 * thing and goes elsewhere); everything else escaped, line breaks kept. No other markup passes.
 */
export function linkifiedText(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    out += escapeHtml(text.slice(last, m.index)).replace(/\r?\n/g, '<br>');
    out += link(m[0], m[0]);
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last)).replace(/\r?\n/g, '<br>');
}

/** "Friday 4 December 2026, 13:05" in a zone. */
export const sentLabel = (at: Date, zone: string): string => DateTime.fromJSDate(at, { zone }).setLocale('en-GB').toFormat('cccc d LLLL yyyy, HH:mm');

/**
 * The email of one notice to one rep: the lifecycle team's text as they wrote it (plain text; its URLs are
 * links showing where they go), when it was sent in the rep's zone, and one link to the rep's page where the
 * notice waits for "Got it". No images, no tracking: acknowledgement is the button on the page, never a pixel.
 */
export function noticeMail(f: NoticeMailFacts): OutgoingMail {
  const zone = f.rep.timeZone;
  const sent = `${sentLabel(f.sentAt, zone)} (${zone})`;
  const label = NOTICE_KIND_LABELS[f.kind];
  const page = `${f.publicUrl}/rep`;
  const subject = `${label}: ${f.subject}`;
  const text = [
    `Hello ${f.rep.name},`,
    '',
    `${label} from the lifecycle team, ${f.programName}:`,
    '',
    f.subject,
    '',
    f.body,
    '',
    `Sent ${sent}.`,
    `Let us know you have read it: press "Got it" on your page, ${page}`,
  ].join('\n');
  const body =
    paragraph(`Hello ${f.rep.name},`) +
    paragraph(`${label} from the lifecycle team, ${f.programName}:`) +
    `<h2 style="margin:0 0 12px 0;font-size:18px">${escapeHtml(f.subject)}</h2>` +
    `<p style="margin:0 0 16px 0">${linkifiedText(f.body)}</p>` +
    paragraph(`Sent ${sent}.`) +
    `<p style="margin:0 0 16px 0">Let us know you have read it: press "Got it" on ${link(page, 'your page')} (${escapeHtml(page)}).</p>`;
  const html = layout({ title: f.subject, body, preheader: label, footer: `You are on the roster of ${f.programName}, so the lifecycle team sends you its notices.` });
  return { to: { name: f.rep.name, email: f.rep.email }, subject, text, html };
}
