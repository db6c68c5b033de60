/**
 * The rep's "Your calendar" page as a function of its data: the connected calendars (host, status, last
 * sync in the rep's zone, last error in plain words, event count, Sync now and Disconnect) and the two ways
 * to connect one (a calendar address, or a CalDAV account). Also the busy times of a day for the
 * availability preview. No Nest, no database.
 */
import { DateTime } from 'luxon';
import { dateTime, iso } from '../kit/format.js';
import { buttonForm, errorSummary, form, html, Html, input, type FieldErrors } from '../kit/html.js';
import { page } from '../kit/layout.js';
import type { User } from '../../people/user.entity.js';

/** A connection as the page shows it (the API's view: never the URL, username or password). */
export interface ConnectionRow {
  id: string;
  kind: 'ics' | 'caldav';
  host: string;
  lastSyncedAt: Date | string | null;
  lastAttemptAt: Date | string | null;
  lastError: string | null;
  eventCount: number;
}

/** Which connect form a problem belongs to, what was typed (never the password), and the problems. */
export interface ConnectForm {
  kind: 'ics' | 'caldav';
  url: string;
  username: string;
  errors: FieldErrors;
  message?: string;
}

export interface CalendarPageData {
  user: User;
  csrf: string;
  notice?: string;
  connections: ConnectionRow[];
  /** A connect form that failed. */
  failed?: ConnectForm;
  /** A problem with a connection's buttons (sync now, disconnect), shown in its row. */
  rowError?: { id: string; message: string };
}

export const CALENDAR_NOTICES: Record<string, string> = {
  connected: 'Calendar connected. Its busy times now keep marketers from booking you then.',
  synced: 'Calendar synced.',
  'sync-failed': 'The calendar could not be read this time. The last good copy is kept; see the error below.',
  disconnected: 'Calendar disconnected. Its busy times and customer calls are forgotten.',
};

/** The state of a connection in words. */
export function connectionStatus(c: Pick<ConnectionRow, 'lastSyncedAt' | 'lastError'>): { label: string; cls: string } {
  if (c.lastError) return { label: c.lastSyncedAt ? 'Failing: showing the last good copy' : 'Failing', cls: 'badge late' };
  if (c.lastSyncedAt) return { label: 'Up to date', cls: 'badge' };
  return { label: 'Not synced yet', cls: 'badge' };
}

const KIND_LABEL = { ics: 'Calendar address', caldav: 'CalDAV' } as const;

function connectionsList(d: CalendarPageData): Html {
  if (!d.connections.length) {
    return html`<p class="muted">No calendar is connected. Until you connect one, marketers see every slot of your weekly availability, even when your calendar says you are busy.</p>`;
  }
  const zone = d.user.timeZone;
  return html`<ul class="cards">${d.connections.map((c) => {
    const status = connectionStatus(c);
    const rowError = d.rowError?.id === c.id ? d.rowError.message : undefined;
    return html`<li id="connection-${c.id}"><h3>${c.host}</h3>
<p>${KIND_LABEL[c.kind]} <span class="${status.cls}">${status.label}</span></p>
<dl class="facts">
<dt>Last synced</dt><dd>${c.lastSyncedAt ? html`<time datetime="${iso(c.lastSyncedAt)}">${dateTime(c.lastSyncedAt, zone)}</time>` : 'Never'}</dd>
${c.lastError ? html`<dt>Last error</dt><dd class="field-error">${c.lastError}${c.lastAttemptAt ? html` (tried <time datetime="${iso(c.lastAttemptAt)}">${dateTime(c.lastAttemptAt, zone)}</time>)` : ''}</dd>` : ''}
<dt>Events kept</dt><dd>${c.eventCount} event${c.eventCount === 1 ? '' : 's'}</dd>
</dl>
${rowError ? html`<p class="field-error" role="alert">${rowError}</p>` : ''}
<div class="row">${buttonForm(`/rep/calendar/${c.id}/sync`, d.csrf, 'Sync now')} ${buttonForm(`/rep/calendar/${c.id}/disconnect`, d.csrf, 'Disconnect', {}, 'danger')}</div></li>`;
  })}</ul>`;
}

/** The two connect forms. The failed form keeps the plain field ids, so the error summary's links land on it. */
function connectForms(d: CalendarPageData): Html {
  const failed = d.failed;
  const ics = failed?.kind === 'ics' ? failed : undefined;
  const dav = failed?.kind === 'caldav' ? failed : undefined;
  const icsForm = form(
    '/rep/calendar',
    d.csrf,
    html`<input type="hidden" name="kind" value="ics">
${input({
  label: 'Calendar address',
  name: 'url',
  id: failed && !ics ? 'f-ics-url' : undefined,
  type: 'url',
  value: ics?.url ?? '',
  errors: ics?.errors,
  required: true,
  hint: 'Google Calendar: Settings → your calendar → "Secret address in iCal format". Outlook: Settings → Calendar → Shared calendars → Publish → the ICS link. webcal:// links work too.',
  attrs: html` autocomplete="off" spellcheck="false"`,
})}
<button type="submit">Connect calendar</button>`,
    html` id="connect-ics"`,
  );
  const davId = (name: string) => (dav ? undefined : `f-caldav-${name}`);
  // The address field's hint is a paragraph of its own: the kit names a hint after its field, and the address form above has one.
  const davForm = form(
    '/rep/calendar',
    d.csrf,
    html`<input type="hidden" name="kind" value="caldav">
<p class="hint muted">The address of the server or of the calendar itself, e.g. https://caldav.icloud.com or https://caldav.fastmail.com. With a server, the first calendar of the account is read.</p>
${input({
  label: 'CalDAV address',
  name: 'url',
  id: davId('url'),
  type: 'url',
  value: dav?.url ?? '',
  errors: dav?.errors,
  required: true,
  attrs: html` autocomplete="off" spellcheck="false"`,
})}
${input({ label: 'Username', name: 'username', id: davId('username'), value: dav?.username ?? '', errors: dav?.errors, required: true, attrs: html` autocomplete="off"` })}
${input({
  label: 'Password',
  name: 'password',
  id: davId('password'),
  type: 'password',
  errors: dav?.errors,
  required: true,
  hint: 'Use an app-specific password where your provider offers one (iCloud, Fastmail). It is stored encrypted and never shown again.',
  attrs: html` autocomplete="new-password"`,
})}
<button type="submit">Connect CalDAV calendar</button>`,
    html` id="connect-caldav"`,
  );
  return html`<section aria-labelledby="h-connect-ics"><h2 id="h-connect-ics">Connect by calendar address</h2>
<p class="muted">The secret address of your calendar in iCal format. It is stored encrypted; only its host is shown.</p>
${icsForm}</section>
<section aria-labelledby="h-connect-caldav"><h2 id="h-connect-caldav">Connect a CalDAV calendar</h2>
<p class="muted">iCloud, Fastmail, Nextcloud, Radicale and other CalDAV servers.</p>
${davForm}</section>`;
}

export function calendarPage(d: CalendarPageData): Html {
  return page({
    title: 'Your calendar',
    user: d.user,
    csrf: d.csrf,
    current: '/rep/calendar',
    notice: d.notice,
    body: html`${errorSummary(d.failed?.errors, d.failed?.message)}
<p>ridealong reads your own calendar: marketers are not offered times when it says you are busy, and your meetings with customers can be <a href="/rep/customer-calls">opened for shadowing</a>. Calendars are read again every few minutes; times are in your zone, ${d.user.timeZone}.</p>
<section aria-labelledby="h-connections"><h2 id="h-connections">Connected calendars</h2>${connectionsList(d)}</section>
${connectForms(d)}`,
  });
}

// ------------------------------------------------------------------ busy times in the availability preview

/** A busy event from a connected calendar. */
export interface BusyTime {
  startsAt: Date;
  endsAt: Date;
  title: string;
}

/** The part of a busy event inside one local date, in that zone: "HH:mm" start and end ("24:00" for a day's end), or the whole day. */
export interface BusyOnDay {
  start: string;
  end: string;
  wholeDay: boolean;
  title: string;
}

/** The busy events that overlap a local date in `zone`, cut to that date, by start. */
export function busyOn(isoDate: string, zone: string, busy: readonly BusyTime[]): BusyOnDay[] {
  const dayStart = DateTime.fromISO(isoDate, { zone }).startOf('day');
  const dayEnd = dayStart.plus({ days: 1 });
  const s0 = dayStart.toMillis();
  const e0 = dayEnd.toMillis();
  return busy
    .filter((b) => b.startsAt.getTime() < e0 && b.endsAt.getTime() > s0)
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.endsAt.getTime() - b.endsAt.getTime())
    .map((b) => {
      const s = Math.max(b.startsAt.getTime(), s0);
      const e = Math.min(b.endsAt.getTime(), e0);
      return {
        start: DateTime.fromMillis(s, { zone }).toFormat('HH:mm'),
        end: e === e0 ? '24:00' : DateTime.fromMillis(e, { zone }).toFormat('HH:mm'),
        wholeDay: s === s0 && e === e0,
        title: b.title,
      };
    });
}

/** The opened customer calls of one preview day (their label as `title`), or nothing: they are slots, not busy time. */
export function openCallItems(list: readonly BusyOnDay[]): Html {
  if (!list.length) return html``;
  return html`<ul class="busy" aria-label="Customer calls open for shadowing">${list.map(
    (b) => html`<li><span class="badge">Customer call</span> ${b.start}–${b.end}${b.title ? html` <span class="muted">${b.title}</span>` : ''} <span class="muted">(open for shadowing)</span></li>`,
  )}</ul>`;
}

/** The busy items of one preview day (or nothing). */
export function busyItems(list: readonly BusyOnDay[]): Html {
  if (!list.length) return html``;
  return html`<ul class="busy" aria-label="Busy in your calendar">${list.map(
    (b) => html`<li><span class="badge late">Busy</span> ${b.wholeDay ? 'All day' : `${b.start}–${b.end}`}${b.title ? html` <span class="muted">${b.title}</span>` : ''}</li>`,
  )}</ul>`;
}
