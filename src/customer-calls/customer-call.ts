/**
 * Customer calls: a rep's calendar events with someone from outside the company, which the rep may open for
 * shadowing (pure: no Nest, no database; the instant "now" is an argument).
 */
import { DateTime } from 'luxon';
import { isCustomerCall } from './company-domains.js';

export type CallState = 'closed' | 'open' | 'booked';

/** The longest label a call carries (the slot's label, as availability windows allow). */
export const LABEL_MAX = 100;

/** What the rules below read of a calendar event. */
export interface CallEvent {
  startsAt: Date;
  endsAt: Date;
  allDay: boolean;
  busy: boolean;
  title: string;
  attendees: string[];
  openedAt: Date | null;
}

/** closed (not offered), open (offered, no seat taken), booked (at least one confirmed booking on it). */
export function callState(openedAt: Date | null, confirmedBookings: number): CallState {
  if (confirmedBookings > 0) return 'booked';
  return openedAt ? 'open' : 'closed';
}

/**
 * Whether an event shows in the rep's list of customer calls: a timed event that holds the rep's time (not
 * declined, not free, not cancelled, not ridealong's own invite) with someone from outside the company; an
 * opened call stays listed whatever the domains say now, so it can be closed.
 */
export function isListedCall(e: CallEvent, companyDomains: readonly string[]): boolean {
  if (e.openedAt) return true;
  return !e.allDay && e.busy && isCustomerCall(e.attendees, companyDomains);
}

export type OpenRefusal = 'not_customer_call' | 'not_attending' | 'all_day' | 'started';

const OPEN_REFUSALS: Record<OpenRefusal, string> = {
  not_customer_call: 'This event has no attendee from outside the company: it is not a customer call',
  not_attending: 'This event does not hold your time (declined, free or cancelled): it cannot be shadowed',
  all_day: 'An all-day event cannot be shadowed: only timed customer calls can be opened',
  started: 'This call has already started: only upcoming calls can be opened',
};

/** Why an event cannot be opened for shadowing now, or null when it can. */
export function openRefusal(e: CallEvent, companyDomains: readonly string[], now: Date): { reason: OpenRefusal; message: string } | null {
  const reason: OpenRefusal | null = !isCustomerCall(e.attendees, companyDomains)
    ? 'not_customer_call'
    : !e.busy
      ? 'not_attending'
      : e.allDay
        ? 'all_day'
        : e.startsAt <= now
          ? 'started'
          : null;
  return reason ? { reason, message: OPEN_REFUSALS[reason] } : null;
}

/** The label a call gets when the rep gives none: the event's title (the rep saw it on the open form), cut to the label's length; null when untitled. */
export function defaultLabel(title: string): string | null {
  const t = title.replace(/\s+/g, ' ').trim();
  if (!t) return null;
  return t.length <= LABEL_MAX ? t : `${t.slice(0, LABEL_MAX - 1)}…`;
}

export interface StandingRule {
  enabled: boolean;
  keyword: string | null;
}

/** Whether the rep's standing rule opens a call with this title: enabled, and the keyword (if any) is in the title, ignoring case. */
export function ruleOpens(rule: StandingRule | null, title: string): boolean {
  if (!rule?.enabled) return false;
  if (!rule.keyword) return true;
  return title.toLocaleLowerCase('en').includes(rule.keyword.toLocaleLowerCase('en'));
}

/** What stands in the way of a marketer following a moved call: their other shadowed call, their support shift, or the rep's other shadowed call. */
export type Clash = { kind: 'marketer_booking'; repName: string } | { kind: 'marketer_shift'; queue: string | null } | { kind: 'rep_booking' } | { kind: 'started' };

/** "Tue 9 Mar 2027, 15:00–16:00 (Europe/Berlin)" */
function when(start: Date, end: Date, zone: string): string {
  const s = DateTime.fromJSDate(start, { zone }).setLocale('en-GB');
  const e = DateTime.fromJSDate(end, { zone }).setLocale('en-GB');
  return `${s.toFormat('ccc d LLL yyyy, HH:mm')}–${e.toFormat('HH:mm')} (${zone})`;
}

/** The reason a booking is cancelled when its call moved in the rep's calendar to a time it cannot follow, in the marketer's zone. */
export function movedClashReason(clash: Clash, c: { repName: string; to: { startsAt: Date; endsAt: Date }; zone: string }): string {
  const moved = `${c.repName} moved this customer call in their calendar to ${when(c.to.startsAt, c.to.endsAt, c.zone)}`;
  switch (clash.kind) {
    case 'marketer_booking':
      return `${moved}, when you are booked to shadow ${clash.repName}'s call`;
    case 'marketer_shift':
      return `${moved}, during your support shift${clash.queue ? ` (${clash.queue})` : ''}`;
    case 'rep_booking':
      return `${moved}, when another shadowed call is booked with them`;
    case 'started':
      return `${moved}, which has already begun`;
  }
}

/** The reason a booking is cancelled when its call is gone from the rep's calendar. */
export function goneReason(repName: string, why: 'removed' | 'not_attending'): string {
  return why === 'removed'
    ? `${repName}'s customer call was cancelled or removed from their calendar`
    : `${repName} no longer attends this customer call (declined, or marked free in their calendar)`;
}
