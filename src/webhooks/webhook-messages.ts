import { DateTime } from 'luxon';
import { details, layout, link, paragraph } from '../mail/html.js';
import type { OutgoingMail } from '../mail/mail.types.js';

/** Failed attempts in a row after which an endpoint is disabled and its owner emailed. */
export const DISABLE_AFTER_FAILURES = 20;
/** Longest a receiver may take to answer one delivery. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Largest answer read from a receiver (its body is not used; a bigger one is a failed attempt). */
export const RESPONSE_MAX_BYTES = 64 * 1024;
/** Largest payload sent. Payloads hold ids and public facts, so this is far above what any event makes. */
export const PAYLOAD_MAX_BYTES = 256 * 1024;
/** Longest error text kept per attempt. */
const ERROR_MAX = 500;

/** What one attempt's answer means: delivered on any 2xx; anything else (3xx included: no redirects) is a failure. */
export function attemptOutcome(statusCode: number | null, error: string | null): { delivered: boolean; error: string | null } {
  if (error !== null) return { delivered: false, error: error.slice(0, ERROR_MAX) };
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) return { delivered: true, error: null };
  return { delivered: false, error: `the receiver answered HTTP ${statusCode ?? 'nothing'}` };
}

/** After a failed attempt: is this the one that disables the endpoint? */
export function shouldDisable(consecutiveFailures: number, enabled: boolean): boolean {
  return enabled && consecutiveFailures >= DISABLE_AFTER_FAILURES;
}

/** The email to an endpoint's owner when it was disabled after failing DISABLE_AFTER_FAILURES times in a row. */
export function disabledMail(f: { owner: { name: string; email: string; timeZone: string }; host: string; endpointId: string; at: Date; lastError: string; pageUrl: string }): OutgoingMail {
  const when = DateTime.fromJSDate(f.at).setZone(f.owner.timeZone).toFormat("cccc d LLLL yyyy, HH:mm '('ZZZZ')'");
  const subject = `Webhook to ${f.host} disabled after ${DISABLE_AFTER_FAILURES} failed deliveries`;
  const intro = `ridealong stopped sending events to your webhook at ${f.host}: its last ${DISABLE_AFTER_FAILURES} deliveries in a row failed. Events that happen while it is disabled are not queued for it.`;
  const next = 'Fix the receiver, then enable the webhook again on the webhooks page; its delivery log shows every attempt.';
  const rows: [string, string][] = [
    ['Host', f.host],
    ['Disabled', when],
    ['Last error', f.lastError],
  ];
  return {
    to: { name: f.owner.name, email: f.owner.email },
    subject,
    text: [`Hello ${f.owner.name},`, '', intro, '', ...rows.map(([k, v]) => `${k}: ${v}`), '', next, `Webhooks: ${f.pageUrl}`, ''].join('\n'),
    html: layout({
      title: subject,
      preheader: intro,
      body: paragraph(`Hello ${f.owner.name},`) + paragraph(intro) + details(rows) + paragraph(next) + `<p style="margin:0 0 16px 0">${link(f.pageUrl, 'Open the webhooks page')}</p>`,
      footer: 'You get this because you registered this webhook in ridealong.',
    }),
  };
}
