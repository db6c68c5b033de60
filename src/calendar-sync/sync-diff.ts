/**
 * What one sync changes in the stored instances of a connection, as plain data: which instances are new
 * or changed (to write), which kept their identity but moved, and which vanished from the kept window.
 * No Nest, no database: the sync service reads the stored rows, asks this, and applies the answer in one
 * transaction.
 */
import type { FeedEvent } from './ics-read.js';

/** The most characters of an event title kept (titles are free text; a feed may carry a novel). */
export const TITLE_MAX = 500;
/** The most attendee addresses kept per instance (a company all-hands invites thousands). */
export const ATTENDEES_MAX = 200;

/** An instance as the calendar reader gives it. */
export type IncomingInstance = FeedEvent;

/** What is written for one instance (new rows get an id from the database; the (uid, instance) key keeps it). */
export type InstanceRow = Omit<FeedEvent, 'cancelled'>;

/** A stored row of calendar_events (the fields a sync compares). */
export type StoredInstance = InstanceRow & { id: string };

export interface Span {
  startsAt: Date;
  endsAt: Date;
}

export interface ApplyPlan {
  /** Instances to insert or update (new ones, and stored ones whose times or details changed). */
  write: InstanceRow[];
  /** Stored instances whose times changed: the row keeps its id (and its open state). */
  moved: { eventId: string; from: Span; to: Span }[];
  /** Stored instances inside the window that the calendar no longer has (or has cancelled). */
  removed: ({ eventId: string } & Span)[];
  /** Instances the calendar holds in the window after this sync. */
  kept: number;
}

const key = (uid: string, instance: string) => `${uid}\u0000${instance}`;

/** Whether [startsAt, endsAt) overlaps the window [from, to). */
export function inWindow(s: Span, window: { from: Date; to: Date }): boolean {
  return s.endsAt.getTime() > window.from.getTime() && s.startsAt.getTime() < window.to.getTime();
}

/**
 * The rows a calendar's instances become: cancelled instances dropped (they block nothing and are no call),
 * instances that do not end after they start dropped (a zero-length reminder blocks nothing), instances
 * outside the window dropped, one row per (uid, instance) (the first wins: a feed that repeats an instance
 * must not fail the sync), titles and attendee lists bounded.
 */
export function rowsOf(incoming: readonly IncomingInstance[], window: { from: Date; to: Date }): InstanceRow[] {
  const seen = new Set<string>();
  const out: InstanceRow[] = [];
  for (const e of incoming) {
    if (e.cancelled) continue;
    if (!(e.endsAt.getTime() > e.startsAt.getTime())) continue;
    if (!inWindow(e, window)) continue;
    const k = key(e.uid, e.instance);
    if (seen.has(k)) continue;
    seen.add(k);
    const attendees = [...new Set(e.attendees.map((a) => a.toLowerCase()))].slice(0, ATTENDEES_MAX);
    out.push({
      uid: e.uid,
      instance: e.instance,
      startsAt: e.startsAt,
      endsAt: e.endsAt,
      allDay: e.allDay,
      busy: e.busy,
      title: e.title.length > TITLE_MAX ? e.title.slice(0, TITLE_MAX) : e.title,
      attendees,
    });
  }
  return out;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Compares the calendar's rows (already through `rowsOf`) with the stored ones. A stored instance outside the
 * window that the calendar no longer lists is neither removed nor kept here: it is history (or beyond the
 * horizon), and the repository prunes it when nothing refers to it. One that the calendar now lists in the
 * window has moved into it.
 */
export function planApply(stored: readonly StoredInstance[], rows: readonly InstanceRow[], window: { from: Date; to: Date }): ApplyPlan {
  const byKey = new Map(stored.map((s) => [key(s.uid, s.instance), s]));
  const write: InstanceRow[] = [];
  const moved: ApplyPlan['moved'] = [];
  const listed = new Set<string>();
  for (const r of rows) {
    const k = key(r.uid, r.instance);
    listed.add(k);
    const s = byKey.get(k);
    if (!s) {
      write.push(r);
      continue;
    }
    const timesChanged = s.startsAt.getTime() !== r.startsAt.getTime() || s.endsAt.getTime() !== r.endsAt.getTime();
    if (timesChanged) moved.push({ eventId: s.id, from: { startsAt: s.startsAt, endsAt: s.endsAt }, to: { startsAt: r.startsAt, endsAt: r.endsAt } });
    if (timesChanged || s.allDay !== r.allDay || s.busy !== r.busy || s.title !== r.title || !sameList(s.attendees, r.attendees)) write.push(r);
  }
  const removed: ApplyPlan['removed'] = [];
  for (const s of stored) {
    if (listed.has(key(s.uid, s.instance))) continue;
    if (inWindow(s, window)) removed.push({ eventId: s.id, startsAt: s.startsAt, endsAt: s.endsAt });
  }
  return { write, moved, removed, kept: rows.length };
}
