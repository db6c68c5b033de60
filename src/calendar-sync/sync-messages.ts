/**
 * The words a rep reads about a calendar connection: why a read failed (for `lastError`, the 422 of a
 * connect, and the email), and the one email of a failure streak. Plain data in, plain data out; never the
 * calendar's URL, user name or password (only its host).
 */
import { DateTime } from 'luxon';
import { OutboundFailedError, OutboundRefusedError } from '../common/outbound/outbound-errors.js';
import { details, layout, link, paragraph } from '../mail/html.js';
import type { OutgoingMail } from '../mail/mail.types.js';
import { CaldavError } from './caldav.js';
import { CalendarParseError } from './ics-read.js';

/** Longest `lastError` kept. */
export const LAST_ERROR_MAX = 300;

/** Why reading a calendar failed: `refused` (the address is not allowed) or `unreadable` (anything else), in plain words. */
export interface ReadFailure {
  kind: 'refused' | 'unreadable';
  reason: string;
  /** The error was none of the expected ones (a bug or a library's surprise): worth a log line. */
  unexpected: boolean;
}

const sentence = (s: string) => {
  const t = s.replace(/\s+/g, ' ').trim().replace(/[.:;,]+$/, '');
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return (capital.length > LAST_ERROR_MAX - 1 ? `${capital.slice(0, LAST_ERROR_MAX - 2)}…` : capital) + '.';
};

/**
 * Removes what must never be shown from a message: the URL (and its path and query, in any spelling the
 * message may hold it) and the CalDAV user name and password. The libraries' messages are plain words already;
 * this is the second lock on the door.
 */
export function scrub(message: string, secrets: { url: string; username?: string; password?: string }): string {
  let out = message;
  const hide: string[] = [];
  try {
    const u = new URL(secrets.url);
    hide.push(u.href, secrets.url);
    const rest = `${u.pathname}${u.search}`;
    if (rest.length > 1) hide.push(rest, u.pathname);
    if (u.search.length > 1) hide.push(u.search.slice(1));
  } catch {
    hide.push(secrets.url);
  }
  if (secrets.password) hide.push(secrets.password);
  if (secrets.username && secrets.username.length >= 3) hide.push(secrets.username);
  for (const h of hide.filter((x) => x.length >= 2).sort((a, b) => b.length - a.length)) out = out.split(h).join('[hidden]');
  return out.replace(/\b(?:https?|webcals?):\/\/\S+/gi, '[address hidden]');
}

/** The plain-words reason a read failed, from what the outbound guard, the CalDAV client or the reader threw. */
export function describeReadFailure(err: unknown, secrets: { url: string; username?: string; password?: string }): ReadFailure {
  const words = (e: Error) => scrub(e.message, secrets);
  if (err instanceof OutboundRefusedError) {
    return { kind: 'refused', reason: sentence(`The address is not allowed: ${words(err)}`), unexpected: false };
  }
  if (err instanceof OutboundFailedError) {
    const lead =
      err.reason === 'timeout'
        ? 'The calendar server took too long'
        : err.reason === 'too_large'
          ? 'The calendar is too large to read'
          : err.reason === 'http_status'
            ? 'The calendar server refused to hand out the calendar'
            : 'The calendar server could not be reached';
    return { kind: 'unreadable', reason: sentence(`${lead}: ${words(err)}`), unexpected: false };
  }
  if (err instanceof CaldavError) {
    return { kind: 'unreadable', reason: sentence(`The CalDAV server could not be read: ${words(err)}`), unexpected: false };
  }
  if (err instanceof CalendarParseError) {
    return { kind: 'unreadable', reason: sentence(`The address did not give a readable calendar: ${words(err)}`), unexpected: false };
  }
  return { kind: 'unreadable', reason: 'The calendar could not be read (an unexpected problem on our side; it has been logged).', unexpected: true };
}

export interface FailureMailFacts {
  rep: { name: string; email: string; timeZone: string };
  host: string;
  kind: 'ics' | 'caldav';
  reason: string;
  /** When this failure streak began. */
  failingSince: Date;
  /** The last successful read, if any: its busy times are still used. */
  lastSyncedAt: Date | null;
  /** The rep's calendar page. */
  pageUrl: string;
}

const when = (at: Date, zone: string) => `${DateTime.fromJSDate(at, { zone }).setLocale('en-GB').toFormat('cccc d LLLL yyyy, HH:mm')} (${zone})`;

/** The one email a rep gets when their calendar stops being readable (once per failure streak). */
export function failureMail(f: FailureMailFacts): OutgoingMail {
  const zone = f.rep.timeZone;
  const what = f.kind === 'caldav' ? `your CalDAV calendar on ${f.host}` : `your calendar on ${f.host}`;
  const kept = f.lastSyncedAt
    ? `Until it can, ridealong keeps the busy times it read last (${when(f.lastSyncedAt, zone)}), so nobody is booked over a meeting it knew about; meetings you added or moved since then are not seen.`
    : 'ridealong has no busy times from this calendar yet.';
  const lines = [
    `Hello ${f.rep.name},`,
    '',
    `ridealong could not read ${what} (since ${when(f.failingSince, zone)}).`,
    `Reason: ${f.reason}`,
    '',
    kept,
    '',
    `It keeps trying on its own. If the calendar's address or password changed, connect it again: ${f.pageUrl}`,
    '',
    'You get this email once; the next one comes only if the calendar fails again after it has worked.',
  ];
  const html = layout({
    title: 'Your calendar could not be read',
    preheader: `ridealong could not read ${what}`,
    body: [
      paragraph(`Hello ${f.rep.name},`),
      paragraph(`ridealong could not read ${what}.`),
      details([
        ['Calendar', f.host],
        ['Failing since', when(f.failingSince, zone)],
        ['Reason', f.reason],
      ]),
      paragraph(kept),
      `<p style="margin:0 0 16px 0">It keeps trying on its own. If the calendar's address or password changed, ${link(f.pageUrl, 'connect it again on your calendar page')}.</p>`,
    ].join(''),
    footer: 'You get this email once; the next one comes only if the calendar fails again after it has worked.',
  });
  return { to: { name: f.rep.name, email: f.rep.email }, subject: `Your calendar could not be read: ${f.host}`, text: lines.join('\n'), html };
}
