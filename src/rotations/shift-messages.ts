import { DateTime } from 'luxon';
import { type CalendarEvent, inviteIcs } from '../calendar/ics.js';
import { escapeHtml } from '../common/escape-html.js';
import type { OutgoingMail } from '../mail/mail.types.js';

export type ShiftMailKind = 'assigned' | 'changed' | 'cancelled' | 'reminder';

export interface ShiftFacts {
  id: string;
  uid: string;
  sequence: number;
  startsAt: Date;
  endsAt: Date;
  status: 'confirmed' | 'cancelled' | 'completed';
  queue: string;
  /** The queue's zone: the invite's times are written in it. */
  queueZone: string;
  programName: string;
  marketer: { name: string; email: string; timeZone: string };
}

export function shiftEvent(f: ShiftFacts, organizer: { name: string; email: string }, stamp: Date, publicUrl: string, cancelled = f.status === 'cancelled'): CalendarEvent {
  return {
    uid: f.uid,
    sequence: f.sequence,
    start: f.startsAt,
    end: f.endsAt,
    timeZone: f.queueZone,
    summary: `Support shift: ${f.queue}`,
    description: `${f.programName}: a customer-support shift on the ${f.queue} queue. Note what customers say, in their words, and write up your observation form afterwards.`,
    url: `${publicUrl}/shifts/${f.id}`,
    organizer,
    attendees: [{ name: f.marketer.name, email: f.marketer.email }],
    status: cancelled ? 'CANCELLED' : 'CONFIRMED',
    stamp,
  };
}

const SUBJECT: Record<ShiftMailKind, string> = { assigned: 'New support shift', changed: 'Support shift moved', cancelled: 'Support shift cancelled', reminder: 'Tomorrow: support shift' };

/** One email about a shift to its marketer, in their zone, with the invite (CANCEL for a cancellation). */
export function shiftMail(kind: ShiftMailKind, f: ShiftFacts, ics: { organizer: { name: string; email: string }; stamp: Date; publicUrl: string }): OutgoingMail {
  const zone = f.marketer.timeZone;
  const s = DateTime.fromJSDate(f.startsAt, { zone }).setLocale('en-GB');
  const e = DateTime.fromJSDate(f.endsAt, { zone }).setLocale('en-GB');
  const when = `${s.toFormat('cccc d LLLL yyyy, HH:mm')}–${e.toFormat('HH:mm')} (${zone})`;
  const line =
    kind === 'cancelled'
      ? `Your support shift on the ${f.queue} queue, ${when}, is cancelled.`
      : kind === 'changed'
        ? `Your support shift on the ${f.queue} queue has moved to ${when}.`
        : kind === 'reminder'
          ? `Reminder: your support shift on the ${f.queue} queue is tomorrow, ${when}.`
          : `You have a support shift on the ${f.queue} queue: ${when}.`;
  const cancelled = kind === 'cancelled';
  const method = cancelled ? 'CANCEL' : 'REQUEST';
  return {
    to: { name: f.marketer.name, email: f.marketer.email },
    subject: `${SUBJECT[kind]}: ${f.queue}, ${s.toFormat('ccc d LLL, HH:mm')} (${zone})`,
    text: [`Hello ${f.marketer.name},`, '', line, '', `Program: ${f.programName}`].join('\n'),
    html: `<p>Hello ${escapeHtml(f.marketer.name)},</p><p>${escapeHtml(line)}</p><p style="color:#555">Program: ${escapeHtml(f.programName)}</p>`,
    calendar: { method, content: inviteIcs(shiftEvent(f, ics.organizer, ics.stamp, ics.publicUrl, cancelled), method), filename: 'shift.ics' },
  };
}

/** The evening before, at 18:00 in the marketer's zone (on their calendar day before the shift's start). */
export function reminderAt(startsAt: Date, zone: string): Date {
  return DateTime.fromJSDate(startsAt, { zone }).startOf('day').minus({ days: 1 }).set({ hour: 18 }).toJSDate();
}
