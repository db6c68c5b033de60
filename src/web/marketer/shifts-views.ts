/**
 * The marketer's support shifts: upcoming ones with their invite and a "Move to" swap, started ones to
 * mark done (which opens the observation form), and the rest. Times in the marketer's zone.
 */
import type { User } from '../../people/user.entity.js';
import type { AssignmentView } from '../../rotations/rotations.service.js';
import { dateTime, range, time } from '../kit/format.js';
import { buttonForm, errorSummary, form, html, type FieldErrors, type Html, select } from '../kit/html.js';
import { page } from '../kit/layout.js';
import type { CandidateShift } from './shifts-candidates.js';

export interface ShiftsPageData {
  user: User;
  csrf: string;
  shifts: AssignmentView[];
  /** "Move to" options by assignment id (upcoming ones only). */
  candidates: Map<string, CandidateShift[]>;
  now: Date;
  notice?: string;
  /** A refused swap or attendance: the assignment, the field problems for its form, or a message. */
  problem?: { assignmentId: string; errors: FieldErrors; message?: string; value?: string };
}

const STATUS: Record<string, string> = { confirmed: 'Confirmed', completed: 'Done', cancelled: 'Cancelled' };

function optionLabel(s: CandidateShift, zone: string): string {
  return `${dateTime(s.startsAt, zone)}–${time(s.endsAt, zone)} · ${s.queue} · ${s.free} of ${s.capacity} ${s.capacity === 1 ? 'place' : 'places'} free`;
}

function shiftCard(a: AssignmentView, d: ShiftsPageData, kind: 'upcoming' | 'started' | 'other'): Html {
  const zone = d.user.timeZone;
  const problem = d.problem?.assignmentId === a.id ? d.problem : undefined;
  const options = d.candidates.get(a.id) ?? [];
  const queueZone = a.queueTimeZone && a.queueTimeZone !== zone ? html` <span class="muted">(queue runs on ${a.queueTimeZone} time: ${dateTime(a.startsAt, a.queueTimeZone)})</span>` : '';
  const swap =
    kind !== 'upcoming'
      ? ''
      : options.length || problem
        ? form(
            `/marketer/shifts/${a.id}/swap`,
            d.csrf,
            html`<div class="row">${select({
              label: 'Move to',
              name: 'toShiftKey',
              // The failing form keeps the default id, so the error summary links to its select.
              id: problem ? undefined : `move-${a.id}`,
              options: options.map((s) => ({ value: s.key, label: optionLabel(s, zone) })),
              blank: 'Choose another shift',
              value: problem?.value,
              errors: problem?.errors,
            })}<button type="submit" class="secondary">Swap shift</button></div>`,
          )
        : html`<p class="muted">No other shift of this period has a free place you could take.</p>`;
  // Field problems show next to "Move to" when the card has it; otherwise (a started shift) as text here.
  const problemText = [problem?.message, ...(kind === 'upcoming' ? [] : Object.values(problem?.errors ?? {}).flat())].filter(Boolean).join(' ');
  const done = kind === 'started' ? buttonForm(`/marketer/shifts/${a.id}/attendance`, d.csrf, 'Mark done', { outcome: 'completed' }) : '';
  return html`<article class="shift" id="shift-${a.id}">
<h3>${range(a.startsAt, a.endsAt, zone)}</h3>
<p>Queue: ${a.queue ?? ''}${queueZone} · <span class="badge">${kind === 'started' ? 'Waiting to be marked done' : (STATUS[a.status] ?? a.status)}</span></p>
${problemText ? html`<p class="field-error">${problemText}</p>` : ''}
<p><a href="/marketer/shifts/${a.id}/invite.ics" download>Download the calendar invite</a></p>
${swap}${done}
</article>`;
}

export function shiftsPage(d: ShiftsPageData): Html {
  const now = d.now.getTime();
  const upcoming = d.shifts.filter((a) => a.status === 'confirmed' && Date.parse(a.startsAt) > now);
  const started = d.shifts.filter((a) => a.status === 'confirmed' && Date.parse(a.startsAt) <= now);
  const rest = d.shifts.filter((a) => a.status !== 'confirmed').reverse();
  const body = html`${d.problem ? errorSummary(d.problem.errors, d.problem.message) : ''}
<p class="muted">Times are in your zone, ${d.user.timeZone}.</p>
<h2>Upcoming shifts</h2>
${upcoming.length ? upcoming.map((a) => shiftCard(a, d, 'upcoming')) : html`<p class="muted">No upcoming support shifts.</p>`}
${started.length ? html`<h2>To mark done</h2><p>Mark a shift done once you have worked it: its observation form then opens under Forms.</p>${started.map((a) => shiftCard(a, d, 'started'))}` : ''}
${rest.length ? html`<h2>Done and cancelled</h2>${rest.map((a) => shiftCard(a, d, 'other'))}` : ''}`;
  return page({ title: 'Support shifts', body, user: d.user, csrf: d.csrf, current: '/marketer/shifts', notice: d.notice });
}
