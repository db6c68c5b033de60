/**
 * The marketer's home (`/marketer`): progress to quota, upcoming sessions (reschedule, cancel, invite),
 * sessions to mark, the waitlist and the calendar feed link; and the page for cancelling one booking.
 * Pure: data in, page out.
 */
import type { User } from '../../people/user.entity.js';
import type { Outcome } from '../../bookings/bookings.dto.js';
import { dateTime, range } from '../kit/format.js';
import { buttonForm, errorSummary, fieldError, fieldId, form, html, Html, invalidAttrs, type FieldErrors } from '../kit/html.js';
import { page } from '../kit/layout.js';
import type { EnrolmentProgress } from './marketer-pages.repository.js';
import { periodDates } from './marketer-week.js';

/** A booking as the home page shows it. */
export interface HomeBooking {
  id: string;
  repName: string;
  startsAt: Date;
  endsAt: Date;
  label?: string;
  callType?: string;
  marketingSourced?: boolean;
}

export interface HomeWaitlistEntry {
  id: string;
  repName: string;
  startsAt: Date;
}

export interface HomeView {
  user: User;
  csrf: string;
  notice?: string;
  /** Point to the forms page (after a session was marked done). */
  formsHint?: boolean;
  errors?: FieldErrors;
  message?: string;
  progress: EnrolmentProgress[];
  upcoming: HomeBooking[];
  toMark: HomeBooking[];
  waitlist: HomeWaitlistEntry[];
  /** The new calendar feed, shown once right after it was made. */
  feed?: { url: string; webcal: string };
}

/** The buttons of "Sessions to mark", in order. */
export const OUTCOME_BUTTONS: readonly { outcome: Outcome; label: string }[] = [
  { outcome: 'completed', label: 'Mark done' },
  { outcome: 'rep_no_show', label: 'Rep did not come' },
  { outcome: 'customer_no_show', label: 'Customer did not come' },
  { outcome: 'marketer_no_show', label: 'I could not attend' },
];

/** "Q4 2026: 3 of 20 sessions done, 2 booked" (and the no-shows, which count against the quota too). */
export function progressText(p: EnrolmentProgress): string {
  return `${periodDates(p.startsOn, p.endsOn)}: ${p.done} of ${p.quota} sessions done, ${p.booked} booked${p.missed ? `, ${p.missed} missed` : ''}`;
}

function callFacts(b: HomeBooking): string {
  return [b.label, b.callType, b.marketingSourced ? 'marketing-sourced lead' : undefined].filter(Boolean).join(' · ');
}

/** The cancel form of one booking; `id` keeps field ids unique when several are on a page. */
function cancelForm(csrf: string, b: HomeBooking, o: { reason?: string; errors?: FieldErrors; single?: boolean } = {}): Html {
  const id = o.single ? fieldId('reason') : `${fieldId('reason')}-${b.id}`;
  return form(
    `/marketer/bookings/${b.id}/cancel`,
    csrf,
    html`<div class="field${o.errors?.reason?.length ? ' has-error' : ''}">
<label for="${id}">Reason for cancelling</label>
<input id="${id}" name="reason" type="text" value="${o.reason ?? ''}" maxlength="1000" required${invalidAttrs(o.errors, 'reason')}>
${fieldError(o.errors, 'reason')}</div>
<button type="submit" class="danger">Cancel booking</button>`,
    html` novalidate`,
  );
}

function bookingSummary(b: HomeBooking, zone: string): Html {
  const facts = callFacts(b);
  return html`<strong>${range(b.startsAt, b.endsAt, zone)}</strong> with ${b.repName}${facts ? html` <span class="muted">· ${facts}</span>` : ''}`;
}

export function homePage(v: HomeView): Html {
  const zone = v.user.timeZone;

  const progress = v.progress.length
    ? html`<ul>${v.progress.map((p) => {
        const counted = p.done + p.booked + p.missed;
        const left = Math.max(0, p.quota - counted);
        const pid = `progress-${p.enrollmentId}`;
        return html`<li>
<label for="${pid}">${progressText(p)}</label> <span class="muted">(${p.programName})</span><br>
<progress id="${pid}" class="progress" max="${p.quota}" value="${Math.min(p.done, p.quota)}">${p.done} of ${p.quota}</progress>
<p class="muted">${left ? `${left} more to book before the quota is reached (booked, done and missed sessions all count).` : 'Quota reached: every session of this period is booked or done.'}</p>
</li>`;
      })}</ul>`
    : html`<p>You are not enrolled in a period yet. The lifecycle team enrols marketers.</p>`;

  const upcoming = v.upcoming.length
    ? html`<ul>${v.upcoming.map(
        (b) => html`<li>
<p>${bookingSummary(b, zone)}</p>
<p><a href="/marketer/bookings/${b.id}/reschedule">Reschedule</a> · <a href="/marketer/bookings/${b.id}/invite.ics" download>Add to my calendar (.ics)</a></p>
${cancelForm(v.csrf, b)}
</li>`,
      )}</ul>`
    : html`<p>No upcoming sessions. <a href="/marketer/slots">Book a call</a></p>`;

  const toMark = v.toMark.length
    ? html`<ul>${v.toMark.map(
        (b) => html`<li>
<p>${bookingSummary(b, zone)}</p>
<div class="row">${OUTCOME_BUTTONS.map((o) =>
          buttonForm(`/marketer/bookings/${b.id}/attendance`, v.csrf, o.label, { outcome: o.outcome }, o.outcome === 'completed' ? '' : 'secondary'),
        )}</div>
</li>`,
      )}</ul>`
    : html`<p>Nothing to mark.</p>`;

  const waitlist = v.waitlist.length
    ? html`<ul>${v.waitlist.map(
        (w) => html`<li>${dateTime(w.startsAt, zone)} with ${w.repName} ${buttonForm(`/marketer/waitlist/${w.id}/leave`, v.csrf, 'Leave', {}, 'secondary')}</li>`,
      )}</ul>`
    : html`<p>You are not waiting for any call.</p>`;

  const feed = v.feed
    ? html`<div class="notice" role="status">
<p>Your new calendar link is ready. It is shown only now: copy it or subscribe straight away. Keep it private: anyone with the link sees your sessions and shifts.</p>
<div class="field"><label for="feed-url">Calendar link</label><input id="feed-url" type="url" readonly value="${v.feed.url}"></div>
<p><a href="${v.feed.webcal}">Subscribe in my calendar app</a></p>
</div>`
    : html``;

  return page({
    title: 'My sessions',
    user: v.user,
    csrf: v.csrf,
    current: '/marketer',
    notice: v.notice,
    body: html`${errorSummary(v.errors, v.message)}
${v.formsHint ? html`<p><a href="/marketer/forms">Fill in the observation form</a> while the session is fresh.</p>` : ''}
<p><a href="/marketer/slots">Book a call</a></p>
<section aria-labelledby="h-progress"><h2 id="h-progress">Progress to quota</h2>${progress}</section>
<section aria-labelledby="h-upcoming"><h2 id="h-upcoming">Upcoming sessions</h2><p class="muted">Times in ${zone}</p>${upcoming}</section>
<section aria-labelledby="h-mark"><h2 id="h-mark">Sessions to mark</h2>${toMark}</section>
<section aria-labelledby="h-waitlist"><h2 id="h-waitlist">Waitlist</h2>${waitlist}</section>
<section aria-labelledby="h-calendar"><h2 id="h-calendar">Subscribe to my calendar</h2>
${feed}
<p>A private link your calendar app (Google Calendar, Outlook, Apple Calendar) can subscribe to: it lists your sessions and support shifts and stays up to date. Making a new link stops the old one.</p>
${buttonForm('/marketer/calendar-token', v.csrf, 'Create my calendar link', {}, 'secondary')}
</section>`,
  });
}

/** One booking with its cancel form (shown again with the problem when cancelling did not work). */
export function cancelPage(o: { user: User; csrf: string; booking: HomeBooking; reason?: string; errors?: FieldErrors; message?: string }): Html {
  return page({
    title: 'Cancel a booking',
    user: o.user,
    csrf: o.csrf,
    current: '/marketer',
    body: html`${errorSummary(o.errors, o.message)}
<p>${bookingSummary(o.booking, o.user.timeZone)}</p>
<p>The rep gets an email saying you cancelled, with your reason.</p>
${cancelForm(o.csrf, o.booking, { reason: o.reason, errors: o.errors, single: true })}
<p><a href="/marketer">Keep the booking</a></p>`,
  });
}
