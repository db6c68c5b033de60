import { DateTime } from 'luxon';
import type { CalendarEvent } from '../calendar/ics.js';
import { inviteIcs } from '../calendar/ics.js';
import { escapeHtml } from '../common/escape-html.js';
import type { OutgoingMail } from '../mail/mail.types.js';
import type { Person } from '../notify/session-notifier.js';

/** The guide a marketer gets with every confirmation and reminder, unless the program has its own. */
export const DEFAULT_PREPARATION_NOTE = [
  'Sit in silently: you are there to listen, not to sell or to help the rep.',
  "Write down the customer's own words, as they say them.",
  'Decide beforehand whether you watch behaviour or gather feedback, and stick to one.',
  'Watch for the most intense moment of the call, and for how it ends.',
  'Write up your observation form right after the session, while it is fresh.',
].join('\n');

export type { Person };

export interface BookingFacts {
  id: string;
  uid: string;
  sequence: number;
  startsAt: Date;
  endsAt: Date;
  status: 'confirmed' | 'cancelled' | 'completed' | 'no_show';
  cancelReason?: string | null;
  programName: string;
  preparationNote?: string | null;
  rep: Person;
  marketer: Person;
  /** The rep's call zone: the invite's times are written in it. */
  callZone: string;
}

export type BookingMailKind = 'confirmed' | 'rescheduled' | 'cancelled' | 'reminder' | 'waitlist_booked';

export function bookingEvent(b: BookingFacts, organizer: { name: string; email: string }, stamp: Date, publicUrl: string): CalendarEvent {
  return {
    uid: b.uid,
    sequence: b.sequence,
    start: b.startsAt,
    end: b.endsAt,
    timeZone: b.callZone,
    summary: `Shadowing: ${b.marketer.name} with ${b.rep.name}`,
    description: `${b.programName}: ${b.marketer.name} shadows ${b.rep.name}'s customer call.\n\n${b.preparationNote || DEFAULT_PREPARATION_NOTE}`,
    url: `${publicUrl}/bookings/${b.id}`,
    organizer,
    attendees: [
      { name: b.rep.name, email: b.rep.email },
      { name: b.marketer.name, email: b.marketer.email },
    ],
    status: b.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
    stamp,
  };
}

/** "Tuesday 16 March 2027, 09:00–09:45 (Europe/Berlin)" in the reader's zone. */
export function whenIn(start: Date, end: Date, zone: string): string {
  const s = DateTime.fromJSDate(start, { zone }).setLocale('en-GB');
  const e = DateTime.fromJSDate(end, { zone }).setLocale('en-GB');
  return `${s.toFormat('cccc d LLLL yyyy, HH:mm')}–${e.toFormat('HH:mm')} (${zone})`;
}

const SUBJECTS: Record<BookingMailKind, string> = {
  confirmed: 'Confirmed',
  rescheduled: 'Moved',
  cancelled: 'Cancelled',
  reminder: 'Tomorrow',
  waitlist_booked: 'A seat opened up: you are booked',
};

/** One email about a booking to one of its people, in that person's zone and words. */
export function bookingMail(
  kind: BookingMailKind,
  b: BookingFacts,
  to: 'rep' | 'marketer',
  ics: { organizer: { name: string; email: string }; stamp: Date; publicUrl: string; invite?: string },
): OutgoingMail {
  const reader = to === 'rep' ? b.rep : b.marketer;
  const other = to === 'rep' ? b.marketer : b.rep;
  const when = whenIn(b.startsAt, b.endsAt, reader.timeZone);
  const role = to === 'rep' ? `${other.name} will sit in on your customer call` : `You will sit in on ${other.name}'s customer call`;
  const lines: string[] = [];
  switch (kind) {
    case 'confirmed':
    case 'waitlist_booked':
      lines.push(`${role}.`, `When: ${when}`);
      break;
    case 'rescheduled':
      lines.push(`The shadowed call has moved. ${role}.`, `New time: ${when}`);
      break;
    case 'cancelled':
      lines.push(`The shadowed call with ${other.name} on ${when} is cancelled.`);
      if (b.cancelReason) lines.push(`Reason: ${b.cancelReason}`);
      break;
    case 'reminder':
      lines.push(`Reminder: ${role.charAt(0).toLowerCase()}${role.slice(1)}.`, `When: ${when}`);
      break;
  }
  const guide = to === 'marketer' && kind !== 'cancelled' ? (b.preparationNote || DEFAULT_PREPARATION_NOTE) : undefined;
  const text = [`Hello ${reader.name},`, '', ...lines, ...(guide ? ['', 'How to prepare:', ...guide.split('\n').map((l) => `- ${l}`)] : []), '', `Program: ${b.programName}`].join('\n');
  const html =
    `<p>Hello ${escapeHtml(reader.name)},</p>` +
    lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('') +
    (guide ? `<p><strong>How to prepare:</strong></p><ul>${guide.split('\n').map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : '') +
    `<p style="color:#555">Program: ${escapeHtml(b.programName)}</p>`;
  const method = kind === 'cancelled' ? 'CANCEL' : 'REQUEST';
  const subjectWhen = DateTime.fromJSDate(b.startsAt, { zone: reader.timeZone }).setLocale('en-GB').toFormat('ccc d LLL, HH:mm');
  return {
    to: { name: reader.name, email: reader.email },
    subject: `${SUBJECTS[kind]}: shadowing ${to === 'rep' ? `by ${other.name}` : `${other.name}`} on ${subjectWhen} (${reader.timeZone})`,
    text,
    html,
    calendar: { method, content: ics.invite ?? bookingInvite(kind, b, ics), filename: 'invite.ics' },
  };
}

/** The iTIP message that goes with a booking email: CANCEL for a cancellation, else REQUEST. Same for every recipient. */
export function bookingInvite(kind: BookingMailKind, b: BookingFacts, ics: { organizer: { name: string; email: string }; stamp: Date; publicUrl: string }): string {
  const method = kind === 'cancelled' ? 'CANCEL' : 'REQUEST';
  return inviteIcs(bookingEvent({ ...b, status: kind === 'cancelled' ? 'cancelled' : b.status }, ics.organizer, ics.stamp, ics.publicUrl), method);
}
