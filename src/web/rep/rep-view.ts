/**
 * The rep's pages as functions of their data: home (invitations, periods, upcoming calls, calls to mark)
 * and the availability editor (weekly windows, date overrides, a preview of the next days). No Nest, no
 * database: the controller gathers the data and calls these.
 */
import { DateTime } from 'luxon';
import type { WallWindow, WeeklyWindow } from '../../availability/engine/slot-engine.js';
import { iso, range, time, WEEKDAYS } from '../kit/format.js';
import { buttonForm, checkbox, errorSummary, form, html, Html, input, select, type FieldErrors } from '../kit/html.js';
import { overridesFromList, windowsOn } from './rep-windows.js';
import { busyItems, busyOn, openCallItems, type BusyTime } from './rep-calendar.js';
import { zoneOptions } from '../../common/time/zones.js';
import { page } from '../kit/layout.js';
import type { User } from '../../people/user.entity.js';
import { noticeBanners, type RepNoticeBanner } from './rep-notices.js';
import { repNotesSection } from './rep-notes-views.js';
import type { RepNoteJson } from '../../rep-notes/rep-notes.service.js';

// ------------------------------------------------------------------ notices (fixed texts, never echoed)

export const REP_NOTICES: Record<string, string> = {
  'roster-accepted': 'Invitation accepted. You are on the roster of that period.',
  'roster-declined': 'Invitation declined.',
  'booking-cancelled': 'Call cancelled. The marketer has been told.',
  'attendance-completed': "Marked as done. The marketer's observation form is now open.",
  'attendance-no-show': 'No-show recorded.',
  'weekly-saved': 'Weekly availability saved.',
  'override-saved': 'Date override saved.',
  'override-removed': 'Date override removed.',
  'notice-acknowledged': 'Thanks. The lifecycle team can see you have read it.',
  'rep-note-saved': 'Draft saved. Only you see it until you send it.',
  'rep-note-sent': 'Thanks. Your note went to the lifecycle team (not to the marketer).',
};

export const noticeText = (key: string | undefined): string | undefined => (key && Object.hasOwn(REP_NOTICES, key) ? REP_NOTICES[key] : undefined);

/** Attendance buttons: outcome value and visible button name. */
export const ATTENDANCE_BUTTONS: { outcome: string; label: string; cls: string }[] = [
  { outcome: 'completed', label: 'Mark done', cls: '' },
  { outcome: 'marketer_no_show', label: 'Marketer did not show', cls: 'secondary' },
  { outcome: 'customer_no_show', label: 'Customer did not show', cls: 'secondary' },
  { outcome: 'rep_no_show', label: 'I missed it', cls: 'secondary' },
];

// ------------------------------------------------------------------ small pure helpers

/** "Mon 2 Mar 2027" for a calendar date. */
export const dateLabel = (isoDate: string): string => DateTime.fromISO(isoDate, { zone: 'UTC' }).toFormat('ccc d LLL yyyy');


/** A wall-clock time of a date in a zone as an instant ("24:00" is the next midnight). */
export function wallInstant(isoDate: string, hhmm: string, zone: string): DateTime {
  if (hhmm === '24:00') return DateTime.fromISO(isoDate, { zone }).plus({ days: 1 }).startOf('day');
  return DateTime.fromISO(`${isoDate}T${hhmm}`, { zone });
}

/** "09:00–12:00" (an end of 24:00 reads as midnight). */
const wallRange = (w: WallWindow) => `${w.start}–${w.end === '24:00' ? '24:00 (midnight)' : w.end}`;

function windowExtras(w: WallWindow): Html {
  return html`${w.label ? html` <span class="badge">${w.label}</span>` : ''}${w.callType ? html` <span class="badge">${w.callType}</span>` : ''}${
    w.marketingSourced ? html` <span class="badge">marketing-sourced leads</span>` : ''
  }`;
}

// ------------------------------------------------------------------ home

export interface RosterRow {
  entryId: string;
  status: string;
  programName: string;
  startsOn: string;
  endsOn: string;
  periodStatus: string;
  focus: string | null;
}

export interface CallRow {
  id: string;
  startsAt: Date;
  endsAt: Date;
  marketerName: string;
  /** The label, call type and lead flag the booking keeps from the window it was booked in. */
  window?: { label?: string; callType?: string; marketingSourced?: boolean };
  /** The booking sits on one of the rep's own customer calls, opened for shadowing. */
  customerCall?: boolean;
}

export interface HomeData {
  user: User;
  csrf: string;
  notice?: string;
  invitations: RosterRow[];
  periods: RosterRow[];
  upcoming: CallRow[];
  toMark: CallRow[];
  /** Notices from the lifecycle team not acknowledged yet: a banner each, with "Got it". */
  notices?: RepNoticeBanner[];
  /** The rep's own optional notes after completed calls, not yet written (open or draft). */
  repNotes?: RepNoteJson[];
  /** A cancel form that failed: which booking, what was typed, the problems. */
  cancel?: { bookingId: string; reason: string; errors: FieldErrors; message?: string };
  /** A problem with one call's buttons (attendance), shown in its row. */
  rowError?: { bookingId: string; message: string };
  /** A problem for the top of the page. */
  message?: string;
}

const periodDates = (r: RosterRow) => `${dateLabel(r.startsOn)} to ${dateLabel(r.endsOn)}`;

export function homePage(d: HomeData): Html {
  const zone = d.user.timeZone;
  const invitations = d.invitations.length
    ? html`<ul class="cards">${d.invitations.map(
        (r) => html`<li><p><strong>${r.programName}</strong>: ${periodDates(r)}${r.focus ? html`<br><span class="muted">Focus: ${r.focus}</span>` : ''}</p>
<div class="row">${buttonForm(`/rep/roster/${r.entryId}`, d.csrf, 'Accept', { status: 'active' })} ${buttonForm(`/rep/roster/${r.entryId}`, d.csrf, 'Decline', { status: 'declined' }, 'secondary')}</div></li>`,
      )}</ul>`
    : html`<p class="muted">No invitations are waiting for you.</p>`;

  const periods = d.periods.length
    ? html`<ul>${d.periods.map((r) => html`<li><strong>${r.programName}</strong>: ${periodDates(r)} <span class="badge">${r.periodStatus}</span>${r.focus ? html`<br><span class="muted">Focus: ${r.focus}</span>` : ''}</li>`)}</ul>`
    : html`<p class="muted">You are not on any period's roster yet.</p>`;

  const when = (c: CallRow) => html`<time datetime="${iso(c.startsAt)}">${range(c.startsAt, c.endsAt, zone)}</time>`;

  const upcoming = d.upcoming.length
    ? html`<ul class="cards">${d.upcoming.map((c) => {
        const failed = d.cancel?.bookingId === c.id ? d.cancel : undefined;
        return html`<li id="call-${c.id}"><h3>${when(c)}${c.customerCall ? html` <span class="badge">Your customer call</span>` : ''}</h3>
<p>Who is coming: <strong>${c.marketerName}</strong>${c.window && (c.window.label || c.window.callType || c.window.marketingSourced) ? html`<br>Call: ${c.window.label ?? ''}${windowExtras({ start: '', end: '', ...c.window, label: undefined })}` : ''}</p>
${failed?.message ? html`<p class="field-error">${failed.message}</p>` : ''}
${form(
  `/rep/bookings/${c.id}/cancel`,
  d.csrf,
  html`${input({
    label: 'Reason for cancelling',
    name: 'reason',
    // The failed form keeps the plain id, so the error summary's link lands on it.
    id: failed ? undefined : `f-reason-${c.id}`,
    value: failed?.reason ?? '',
    errors: failed?.errors,
    required: true,
    hint: 'The marketer sees this.',
  })}<button type="submit" class="danger">Cancel call</button>`,
)}</li>`;
      })}</ul>`
    : html`<p class="muted">No shadowed calls are booked with you.</p>`;

  const toMark = d.toMark.length
    ? html`<ul class="cards">${d.toMark.map(
        (c) => html`<li id="mark-${c.id}"><h3>${when(c)}</h3><p>With <strong>${c.marketerName}</strong></p>
${d.rowError?.bookingId === c.id ? html`<p class="field-error">${d.rowError.message}</p>` : ''}
<div class="row">${ATTENDANCE_BUTTONS.map((b) => buttonForm(`/rep/bookings/${c.id}/attendance`, d.csrf, b.label, { outcome: b.outcome }, b.cls))}</div></li>`,
      )}</ul>`
    : html`<p class="muted">Nothing to mark: every call that has started has its attendance.</p>`;

  const summaryErrors = d.cancel ? d.cancel.errors : undefined;
  return page({
    title: 'My calls',
    user: d.user,
    csrf: d.csrf,
    current: '/rep',
    notice: d.notice,
    body: html`${errorSummary(summaryErrors, d.message ?? d.rowError?.message ?? d.cancel?.message)}
${noticeBanners(d.notices ?? [], d.csrf, zone)}
<p class="muted">Times are in your zone, ${zone}.</p>
<section aria-labelledby="h-invitations"><h2 id="h-invitations">Roster invitations</h2>${invitations}</section>
<section aria-labelledby="h-periods"><h2 id="h-periods">Periods you are on</h2>${periods}</section>
<section aria-labelledby="h-upcoming"><h2 id="h-upcoming">Upcoming shadowed calls</h2>${upcoming}</section>
<section aria-labelledby="h-mark"><h2 id="h-mark">Calls to mark</h2>
<p class="muted">Once a call has started, say how it went. "Mark done" opens the marketer's observation form.</p>${toMark}</section>
${repNotesSection(d.repNotes ?? [], zone)}`,
  });
}

// ------------------------------------------------------------------ availability

/** Rows per weekday in the editor (more when more are saved). */
export const WEEKLY_ROWS = 3;
/** Window rows in the override form. */
export const OVERRIDE_ROWS = 3;

export const weeklyName = (d: number, i: number, part: 'start' | 'end' | 'label' | 'callType' | 'marketingSourced') => `w${d}_${i}_${part}`;
export const overrideName = (i: number, part: 'start' | 'end' | 'label' | 'callType' | 'marketingSourced') => `o_${i}_${part}`;

/** A time input shows "24:00" as "00:00" (browsers cannot hold 24:00); the page reads an end of 00:00 as midnight. */
const toInput = (hhmm: string) => (hhmm === '24:00' ? '00:00' : hhmm);

/** The form's field values (what was typed, or the saved windows), by field name. */
export type FormValues = Record<string, string>;

/** Field values of the weekly editor from the saved windows; rows per day grow past 3 when more are saved. */
export function weeklyValues(timeZone: string, weekly: readonly WeeklyWindow[]): FormValues {
  const v: FormValues = { timeZone };
  for (let d = 1; d <= 7; d++) {
    weekly
      .filter((w) => w.weekday === d)
      .sort((a, b) => a.start.localeCompare(b.start))
      .forEach((w, k) => {
        const i = k + 1;
        v[weeklyName(d, i, 'start')] = toInput(w.start);
        v[weeklyName(d, i, 'end')] = toInput(w.end);
        if (w.label !== undefined) v[weeklyName(d, i, 'label')] = w.label;
        if (w.callType !== undefined) v[weeklyName(d, i, 'callType')] = w.callType;
        if (w.marketingSourced !== undefined) v[weeklyName(d, i, 'marketingSourced')] = String(w.marketingSourced);
      });
  }
  return v;
}

/** How many rows day `d` shows: 3, or the highest row index present in the values. */
export function rowsOf(values: FormValues, d: number): number {
  let n = WEEKLY_ROWS;
  for (const k of Object.keys(values)) {
    const m = /^w(\d)_(\d{1,2})_(start|end)$/.exec(k);
    if (m && Number(m[1]) === d) n = Math.max(n, Number(m[2]));
  }
  return Math.min(n, 24);
}

export interface AvailabilityData {
  user: User;
  csrf: string;
  notice?: string;
  /** The saved zone, or null when nothing is saved. */
  savedZone: string | null;
  weekly: WeeklyWindow[];
  overrides: { date: string; windows: WallWindow[] }[];
  /** The first date of the preview (today in the availability's zone). */
  today: string;
  weeklyForm: { values: FormValues; errors?: FieldErrors; message?: string };
  overrideForm: { values: FormValues; errors?: FieldErrors; message?: string };
  /** A problem with a Remove button. */
  message?: string;
  /** Busy events of the rep's connected calendars over the preview's days; undefined when none is connected. */
  busy?: readonly BusyTime[];
  /** The rep's customer calls open for shadowing over the preview's days (their label as `title`). */
  openCalls?: readonly BusyTime[];
}

function weeklyEditor(d: AvailabilityData): Html {
  const v = d.weeklyForm.values;
  const errors = d.weeklyForm.errors;
  const days = WEEKDAYS.map((name, k) => {
    const day = k + 1;
    const rows: Html[] = [];
    for (let i = 1; i <= rowsOf(v, day); i++) {
      const label = v[weeklyName(day, i, 'label')];
      const callType = v[weeklyName(day, i, 'callType')];
      const ms = v[weeklyName(day, i, 'marketingSourced')];
      const kept = (['label', 'callType', 'marketingSourced'] as const)
        .filter((p) => v[weeklyName(day, i, p)] !== undefined)
        .map((p) => html`<input type="hidden" name="${weeklyName(day, i, p)}" value="${v[weeklyName(day, i, p)]}">`);
      rows.push(html`<div class="row">
${input({ label: `${name} window ${i} start`, name: weeklyName(day, i, 'start'), type: 'time', value: v[weeklyName(day, i, 'start')] ?? '', errors })}
${input({ label: `${name} window ${i} end`, name: weeklyName(day, i, 'end'), type: 'time', value: v[weeklyName(day, i, 'end')] ?? '', errors })}
${kept}${label || callType || ms === 'true' ? html`<p class="muted">Kept with this window:${windowExtras({ start: '', end: '', label, callType, marketingSourced: ms === 'true' })}</p>` : ''}
</div>`);
    }
    return html`<fieldset><legend>${name}</legend>${rows}</fieldset>`;
  });
  return form(
    '/rep/availability',
    d.csrf,
    html`${select({ label: 'Time zone', name: 'timeZone', options: zoneOptions(v.timeZone, d.savedZone, d.user.timeZone), value: v.timeZone, errors, required: true })}
<p class="hint muted">Windows are wall-clock times in this zone, so they stay put across daylight-saving changes. Leave a row empty for no window; an end of 00:00 means midnight.</p>
${days}
<button type="submit">Save weekly availability</button>`,
    html` id="weekly-form"`,
  );
}

function preview(d: AvailabilityData): Html {
  const zone = d.savedZone ?? d.user.timeZone;
  const other = zone !== d.user.timeZone;
  const start = DateTime.fromISO(d.today, { zone: 'UTC' });
  const days = Array.from({ length: 7 }, (_, k) => start.plus({ days: k }).toISODate()!).map((date) => {
    const { windows, override } = windowsOn(date, d.weekly, overridesFromList(d.overrides));
    const items = windows.map((w) => {
      const yours = other ? ` (${time(wallInstant(date, w.start, zone).toJSDate(), d.user.timeZone)}–${time(wallInstant(date, w.end, zone).toJSDate(), d.user.timeZone)} your time)` : '';
      return html`<li>${wallRange(w)}${yours}${windowExtras(w)}</li>`;
    });
    return html`<div class="day"><h3>${dateLabel(date)}</h3>${
      items.length ? html`<ul>${items}</ul>` : html`<p class="empty">${override ? 'Not available (date override)' : 'No windows'}</p>`
    }${override && items.length ? html`<p class="empty">Date override</p>` : ''}${busyItems(busyOn(date, zone, d.busy ?? []))}${openCallItems(busyOn(date, zone, d.openCalls ?? []))}</div>`;
  });
  const calendar = d.busy
    ? html` Times your connected calendar holds as busy are marked Busy: no slot is offered then. Customer calls you opened are offered at their own times.`
    : html` <a href="/rep/calendar">Connect your calendar</a> and its busy times are left out of your slots.`;
  return html`<section aria-labelledby="h-preview"><h2 id="h-preview">Your next 7 days</h2>
<p class="muted">As saved, in ${zone}${other ? `; your own zone is ${d.user.timeZone}` : ''}. Bookings, notice and caps then decide which slots marketers see.${calendar}</p>
<div class="week">${days}</div></section>`;
}

function overridesList(d: AvailabilityData): Html {
  if (!d.overrides.length) return html`<p class="muted">No date overrides from today on.</p>`;
  return html`<ul class="cards">${d.overrides.map(
    (o) => html`<li><strong>${dateLabel(o.date)}</strong>: ${
      o.windows.length ? o.windows.map((w, k) => html`${k ? ', ' : ''}${wallRange(w)}${windowExtras(w)}`) : html`Not available that day`
    } ${buttonForm(`/rep/overrides/${o.date}/delete`, d.csrf, `Remove override for ${dateLabel(o.date)}`, {}, 'secondary')}</li>`,
  )}</ul>`;
}

function overrideForm(d: AvailabilityData): Html {
  const v = d.overrideForm.values;
  const errors = d.overrideForm.errors;
  const rows: Html[] = [];
  for (let i = 1; i <= OVERRIDE_ROWS; i++) {
    rows.push(html`<fieldset><legend>Window ${i}</legend>
<div class="row">
${input({ label: `Window ${i} start`, name: overrideName(i, 'start'), type: 'time', value: v[overrideName(i, 'start')] ?? '', errors })}
${input({ label: `Window ${i} end`, name: overrideName(i, 'end'), type: 'time', value: v[overrideName(i, 'end')] ?? '', errors })}
</div><div class="row">
${input({ label: `Window ${i} label`, name: overrideName(i, 'label'), value: v[overrideName(i, 'label')] ?? '', errors, hint: 'Optional, e.g. Renewal calls' })}
${input({ label: `Window ${i} call type`, name: overrideName(i, 'callType'), value: v[overrideName(i, 'callType')] ?? '', errors, hint: 'Optional, e.g. discovery' })}
</div>
${checkbox({ label: `Window ${i}: calls follow up marketing-sourced leads`, name: overrideName(i, 'marketingSourced'), checked: v[overrideName(i, 'marketingSourced')] === '1', errors })}
</fieldset>`);
  }
  return form(
    '/rep/overrides',
    d.csrf,
    html`${input({ label: 'Date', name: 'date', type: 'date', value: v.date ?? '', errors, required: true, hint: 'A date in a period you are on the roster of. The windows replace that day’s weekly windows.' })}
${checkbox({ label: 'Not available that day', name: 'blocked', checked: v.blocked === '1', errors })}
<p class="muted">Or give the windows for that day:</p>
${rows}
<button type="submit">Save date override</button>`,
    html` id="override-form"`,
  );
}

export function availabilityPage(d: AvailabilityData): Html {
  return page({
    title: 'Availability',
    user: d.user,
    csrf: d.csrf,
    current: '/rep/availability',
    notice: d.notice,
    body: html`${errorSummary(d.weeklyForm.errors, d.weeklyForm.message ?? d.message)}${errorSummary(d.overrideForm.errors, d.overrideForm.message)}
<section aria-labelledby="h-weekly"><h2 id="h-weekly">Weekly availability</h2>
${d.savedZone ? '' : html`<p class="muted">You have not published any availability yet: marketers cannot book your calls until you do.</p>`}
${weeklyEditor(d)}</section>
${preview(d)}
<section aria-labelledby="h-overrides"><h2 id="h-overrides">Date overrides</h2>
<p class="muted">An override replaces one date's weekly windows, or blocks the date.</p>
${overridesList(d)}</section>
<section aria-labelledby="h-add-override"><h2 id="h-add-override">Add a date override</h2>
${overrideForm(d)}</section>`,
  });
}
