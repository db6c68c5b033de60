/**
 * The marketer's week view of open slots, shared by booking (`/marketer/slots`) and rescheduling
 * (`/marketer/bookings/:id/reschedule`): filters, previous/next week, seven day columns in the
 * marketer's zone, one button per slot. Pure: data in, page out.
 */
import { DateTime } from 'luxon';
import type { WallWindow } from '../../availability/engine/slot-engine.js';
import type { SlotList } from '../../availability/slot-page.js';
import { inSaneRange } from '../../common/time/dates.js';
import type { User } from '../../people/user.entity.js';
import { escapeHtml } from '../../common/escape-html.js';
import { localClock, time } from '../kit/format.js';
import { buttonForm, bytes, errorSummary, form, html, Html, input, select, type FieldErrors } from '../kit/html.js';
import { page } from '../kit/layout.js';
import type { RepWindows } from './marketer-pages.repository.js';
import { windowAt as windowAtInZone } from '../rep/rep-windows.js';

/** One open slot as the page shows it. */
export interface WeekSlot {
  repId: string;
  repName: string;
  startsAt: string;
  endsAt: string;
  capacityLeft: number;
  label?: string;
  callType?: string;
  marketingSourced?: boolean;
  /** Set when the slot is a rep's real customer call, opened for shadowing (its exact times; labelled, never its attendees). */
  customerCallId?: string;
}

/** The filter form's values, as typed (validated by the controller). */
export interface WeekFilters {
  periodId: string;
  /** A date in the week (normalised to its Monday when valid). */
  week: string;
  repId: string;
  callType: string;
  marketingSourced: boolean;
}

export type WeekMode =
  | { kind: 'book' }
  | { kind: 'reschedule'; bookingId: string; periodId: string; repId: string; repName: string; startsAt: Date; endsAt: Date };

export interface WeekView {
  user: User;
  csrf: string;
  mode: WeekMode;
  filters: WeekFilters;
  periods: readonly { value: string; label: string }[];
  reps: readonly { value: string; label: string }[];
  callTypes: readonly string[];
  /** Monday 00:00 of the shown week in the marketer's zone; null when the filters are not valid. */
  monday: DateTime | null;
  /** The slots of the week (already filtered); null when none were searched. */
  slots: WeekSlot[] | null;
  errors?: FieldErrors;
  message?: string;
  /** Offer to wait for this (full) call. */
  waitlist?: { periodId: string; repId: string; startsAt: string; repName?: string };
  /** Extra text above the grid (e.g. the quota is reached). */
  info?: string;
  /**
   * A fresh random key for this rendering of the page: a booking's idempotency key is this key plus the
   * slot, so submitting the same slot twice from one page books once, and another slot is another booking.
   */
  pageKey: string;
  /** The marketer's own confirmed sessions in the week, shown in their day. */
  booked?: readonly BookedSession[];
  /** Calls of the week with every seat taken, which the marketer may wait for (book mode only). */
  full?: readonly FullSlot[];
}

/** A call with no seat left: shown beside the open slots with a waitlist button, or as already waited for. */
export interface FullSlot {
  repId: string;
  repName: string;
  startsAt: string;
  endsAt: string;
  waiting: boolean;
}

/** One of the marketer's own sessions, as the week view shows it beside the open slots. */
export interface BookedSession {
  id: string;
  repName: string;
  startsAt: Date;
  endsAt: Date;
  /** The session sits on a rep's real customer call: shown with its badge and label. */
  customerCall?: boolean;
  label?: string;
}

/** Monday 00:00 in `zone` of the week holding `date` (YYYY-MM-DD), or null when it is not a date of the accepted years. */
export function mondayOf(date: string, zone: string): DateTime | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const d = DateTime.fromISO(date, { zone });
  return inSaneRange(d) ? d.startOf('week') : null;
}

/** "Q4 2026", "November 2026" or "5 Jan – 20 Feb 2027" for a period's dates. */
export function periodDates(startsOn: string, endsOn: string): string {
  const s = DateTime.fromISO(startsOn, { zone: 'UTC' });
  const e = DateTime.fromISO(endsOn, { zone: 'UTC' });
  if (s.day === 1 && e.hasSame(s, 'month') && e.day === e.daysInMonth) return s.toFormat('LLLL yyyy');
  if (s.day === 1 && (s.month - 1) % 3 === 0 && e.hasSame(s, 'quarter') && e.toISODate() === s.endOf('quarter').toISODate()) return `Q${s.quarter} ${s.year}`;
  return s.year === e.year ? `${s.toFormat('d LLL')} – ${e.toFormat('d LLL yyyy')}` : `${s.toFormat('d LLL yyyy')} – ${e.toFormat('d LLL yyyy')}`;
}

/** The window (weekly or the date's override) a booking started in, for its label and call type. */
export function windowAt(w: RepWindows | undefined, startsAt: Date): WallWindow | undefined {
  return w ? windowAtInZone(startsAt, w.timeZone, w.weekly, (date) => w.overrides[date]) : undefined;
}

/** Which slots of a search the week shows: the filters the search did not apply, and the booking being moved. */
export interface WeekSlotFilter {
  callType: string;
  marketingSourced: boolean;
  /** "<repId> <startsAt>" of a booking being moved: its own time is not offered. */
  except?: string;
}

/**
 * A search page's slots as the week shows them, read straight from the engine's columns (the same values
 * as `slotObjects`, without its objects or its local times): with their rep's name, those `filter` keeps,
 * appended to `out`; the call type of every slot, kept or not, added to `callTypes` (the Call type select
 * offers them all). Each start and end is formatted once, and every slot has the same shape.
 */
export function weekSlotsOf(list: SlotList, names: ReadonlyMap<string, string>, filter: WeekSlotFilter, out: WeekSlot[], callTypes: Set<string>): void {
  const { cols, repIds, rows } = list;
  const iso = new Map<number, string>();
  const utc = (t: number): string => {
    let s = iso.get(t);
    if (s === undefined) iso.set(t, (s = new Date(t * 60_000).toISOString()));
    return s;
  };
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const mi = cols.windowMeta[i];
    const meta = mi >= 0 ? cols.meta[mi] : undefined;
    if (meta?.callType) callTypes.add(meta.callType);
    if (filter.callType && meta?.callType !== filter.callType) continue;
    if (filter.marketingSourced && meta?.marketingSourced !== true) continue;
    const repId = repIds[cols.repIndex[i]];
    const startsAt = utc(cols.start[i]);
    if (filter.except !== undefined && filter.except === `${repId} ${startsAt}`) continue;
    out.push({
      repId,
      repName: names.get(repId) ?? 'a rep',
      startsAt,
      endsAt: utc(cols.end[i]),
      capacityLeft: cols.capacityLeft[i],
      label: meta?.label,
      callType: meta?.callType,
      marketingSourced: meta?.marketingSourced,
      customerCallId: meta?.customerCallId,
    });
  }
}

/** The filters as a query string (blank ones left out), for links and for coming back after a POST. */
export function viewQuery(f: WeekFilters, week?: string): string {
  const q = new URLSearchParams();
  if (f.periodId) q.set('periodId', f.periodId);
  const w = week ?? f.week;
  if (w) q.set('week', w);
  q.set('repId', f.repId); // kept when blank: "Any rep" differs from the default rep when moving a booking
  if (f.callType) q.set('callType', f.callType);
  if (f.marketingSourced) q.set('marketingSourced', 'true');
  return q.toString();
}

/** Short description of a slot's call: label, call type, marketing-sourced lead, seats left. */
function slotFacts(s: WeekSlot): string {
  let out = s.label || '';
  const add = (part: string) => (out = out ? `${out} · ${part}` : part);
  if (s.callType) add(s.callType);
  if (s.marketingSourced) add('marketing-sourced lead');
  if (s.capacityLeft > 1) add(`${s.capacityLeft} seats left`);
  return out;
}

const SPECIAL = /[&<>"']/;
/** `escapeHtml`, skipping the replace for the (usual) text with nothing to escape. */
const esc = (text: string): string => (SPECIAL.test(text) ? escapeHtml(text) : text);

/** The whole week page for either mode. */
export function weekPage(v: WeekView): Html {
  const zone = v.user.timeZone;
  const base = v.mode.kind === 'book' ? '/marketer/slots' : `/marketer/bookings/${v.mode.bookingId}/reschedule`;
  const f = v.filters;
  const week = v.monday?.toISODate() ?? f.week;
  const view = v.monday ? viewQuery(f, week) : '';

  const heading =
    v.mode.kind === 'reschedule'
      ? html`<h2>Moving your session with ${v.mode.repName} on ${DateTime.fromJSDate(v.mode.startsAt).setZone(zone).toFormat('cccc d LLLL yyyy')}, ${time(v.mode.startsAt, zone)}–${time(v.mode.endsAt, zone)}</h2>
<p>Choose a new time below. The booking keeps its place until the new time is confirmed. <a href="/marketer">Keep it as it is</a></p>`
      : html``;

  const waitlist = v.waitlist
    ? buttonForm('/marketer/waitlist', v.csrf, 'Join the waitlist for this time', {
        periodId: v.waitlist.periodId,
        repId: v.waitlist.repId,
        startsAt: v.waitlist.startsAt,
        view,
      })
    : html``;

  const filters = html`<form method="get" action="${base}" class="filters" aria-label="Filter slots">
${select({ label: 'Period', name: 'periodId', options: v.periods, value: f.periodId, errors: v.errors })}
${input({ label: 'Week of', name: 'week', type: 'date', value: week, errors: v.errors })}
${select({ label: 'Rep', name: 'repId', options: v.reps, value: f.repId, errors: v.errors, blank: 'Any rep' })}
${select({
  label: 'Call type',
  name: 'callType',
  options: [...new Set([...v.callTypes, ...(f.callType ? [f.callType] : [])])].sort().map((c) => ({ value: c, label: c })),
  value: f.callType,
  errors: v.errors,
  blank: 'Any call type',
})}
<div class="field"><label><input type="checkbox" name="marketingSourced" value="true"${f.marketingSourced ? html` checked` : ''}> Marketing-sourced leads only</label></div>
<div class="field"><button type="submit">Show</button></div>
</form>`;

  // A week of a large roster has thousands of slots but a few hundred distinct instants: convert each once.
  const local = localClock(zone);

  let grid = html``;
  if (v.monday && v.slots) {
    const monday = v.monday;
    const prev = monday.minus({ weeks: 1 }).toISODate()!;
    const next = monday.plus({ weeks: 1 }).toISODate()!;
    const days = [0, 1, 2, 3, 4, 5, 6].map((i) => monday.plus({ days: i }));
    const byDay = new Map<string, WeekSlot[]>();
    for (const s of v.slots) {
      const key = local(s.startsAt).date;
      (byDay.get(key) ?? byDay.set(key, []).get(key)!).push(s);
    }
    const fullByDay = new Map<string, FullSlot[]>();
    for (const c of v.mode.kind === 'book' ? (v.full ?? []) : []) {
      const key = local(c.startsAt).date;
      (fullByDay.get(key) ?? fullByDay.set(key, []).get(key)!).push(c);
    }
    const bookedByDay = new Map<string, BookedSession[]>();
    for (const b of v.booked ?? []) {
      const key = local(b.startsAt).date;
      (bookedByDay.get(key) ?? bookedByDay.set(key, []).get(key)!).push(b);
    }
    // One form per day; each slot is a submit button whose value names it (rep and start). A week of a large
    // roster has thousands of them: each is one template string (escaped as `html` would escape it), not a
    // tree of `html` templates; each rep's id and name and each start is escaped once. Each is encoded as
    // UTF-8 on its own (`bytes`): the page is never one long string to flatten and encode when it is sent.
    const verb = v.mode.kind === 'reschedule' ? 'Move to' : 'Book';
    const escaped = new Map<string, string>();
    const escOnce = (text: string): string => {
      let e = escaped.get(text);
      if (e === undefined) escaped.set(text, (e = esc(text)));
      return e;
    };
    const slotItem = (s: WeekSlot): string => {
      const facts = slotFacts(s);
      const more = s.customerCallId
        ? `<br><span class="badge">Customer call</span>${facts ? ` <span class="muted">${esc(facts)}</span>` : ''}`
        : facts
          ? `<br><span class="muted">${esc(facts)}</span>`
          : '';
      return `<li${s.customerCallId ? ' class="customer-call"' : ''}><button type="submit" name="slot" value="${escOnce(s.repId)} ${escOnce(s.startsAt)}" class="secondary">${verb} ${local(s.startsAt).hhmm}–${local(s.endsAt).hhmm} with ${escOnce(s.repName)}</button>${more}</li>`;
    };
    const fullItem = (c: FullSlot): string => {
      const range = `${local(c.startsAt).hhmm}–${local(c.endsAt).hhmm}`;
      return c.waiting
        ? `<li class="waiting"><span class="badge">Waiting</span> Full: ${range} with ${escOnce(c.repName)}. You are on the waitlist.</li>`
        : `<li><button type="submit" name="slot" value="${escOnce(c.repId)} ${escOnce(c.startsAt)}" formaction="/marketer/waitlist" class="link">Join the waitlist: ${range} with ${escOnce(c.repName)} (full)</button></li>`;
    };
    const items = <T>(list: readonly T[], item: (x: T) => string): Html => bytes(list.map(item));
    const dayForm = (list: Html): Html =>
      v.mode.kind === 'reschedule'
        ? form(`/marketer/bookings/${v.mode.bookingId}/reschedule`, v.csrf, html`<input type="hidden" name="view" value="${view}">${list}`)
        : form(
            '/marketer/bookings',
            v.csrf,
            html`<input type="hidden" name="periodId" value="${f.periodId}"><input type="hidden" name="pageKey" value="${v.pageKey}"><input type="hidden" name="view" value="${view}">${list}`,
          );
    grid = html`<nav class="row" aria-label="Weeks">
<a href="${base}?${viewQuery(f, prev)}">Previous week</a>
<a href="${base}?${viewQuery(f, next)}">Next week</a>
</nav>
<h2>Week of ${monday.toFormat('cccc d LLLL yyyy')}</h2>
<p class="muted">Times in ${zone}</p>
${v.info ? html`<p>${v.info}</p>` : ''}
<div class="week">
${days.map((d) => {
  const list = byDay.get(d.toISODate()!) ?? [];
  const mine = bookedByDay.get(d.toISODate()!) ?? [];
  const full = fullByDay.get(d.toISODate()!) ?? [];
  const id = `day-${d.toISODate()}`;
  return html`<section class="day" aria-labelledby="${id}"><h3 id="${id}">${d.toFormat('cccc d LLLL')}</h3>
${mine.length
  ? html`<ul aria-label="Your sessions">${mine.map(
      (b) =>
        html`<li class="booked"><span class="badge">Booked</span> Your session ${local(b.startsAt).hhmm}–${local(b.endsAt).hhmm} with ${b.repName}${
          b.customerCall ? html`<br><span class="badge">Customer call</span>${b.label ? html` <span class="muted">${b.label}</span>` : ''}` : ''
        }</li>`,
    )}</ul>`
  : ''}
${list.length ? dayForm(html`<ul>${items(list, slotItem)}</ul>`) : html`<p class="empty">No open slots</p>`}
${full.length ? dayForm(html`<ul aria-label="Full calls">${items(full, fullItem)}</ul>`) : ''}
</section>`;
})}
</div>`;
  }

  return page({
    title: v.mode.kind === 'book' ? 'Book a call' : 'Move a booking',
    user: v.user,
    csrf: v.csrf,
    current: v.mode.kind === 'book' ? '/marketer/slots' : '/marketer',
    body: html`${errorSummary(v.errors, v.message)}${waitlist}
${heading}
${v.periods.length ? filters : html`<p>You are not enrolled in a period yet. The lifecycle team enrols marketers; once you are, open slots show here.</p>`}
${grid}`,
  });
}
