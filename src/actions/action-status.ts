/**
 * The life of an action: `open -> in_progress -> done | dropped`. An open action may go straight to done or
 * dropped; a done or dropped one may be reopened (back to open). Nothing else: in particular an action in
 * progress is finished or dropped, not put back to open.
 */
export const ACTION_KINDS = ['info_for_sales', 'rep_alert', 'campaign_notification', 'other'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'dropped'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** How a kind reads on a page and in an email. */
export const ACTION_KIND_LABELS: Record<ActionKind, string> = {
  info_for_sales: 'Information for Sales',
  rep_alert: 'Rep alert',
  campaign_notification: 'Campaign notification',
  other: 'Other',
};

export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  open: 'Open',
  in_progress: 'In progress',
  done: 'Done',
  dropped: 'Dropped',
};

const NEXT: Record<ActionStatus, readonly ActionStatus[]> = {
  open: ['in_progress', 'done', 'dropped'],
  in_progress: ['done', 'dropped'],
  done: ['open'],
  dropped: ['open'],
};

/** Where an action in `from` may go next. */
export const nextStatuses = (from: ActionStatus): readonly ActionStatus[] => NEXT[from];

/** Whether `from -> to` is a step an action may take (staying where it is is not a step). */
export const canMove = (from: ActionStatus, to: ActionStatus): boolean => NEXT[from].includes(to);

/** Still to do: open or in progress. */
export const isPending = (s: ActionStatus): boolean => s === 'open' || s === 'in_progress';

/** An action is overdue when it is still to do and its due date is before `today` (both YYYY-MM-DD). */
export const isOverdue = (a: { status: ActionStatus; dueOn: string | null }, today: string): boolean => isPending(a.status) && a.dueOn !== null && a.dueOn < today;

/**
 * The order lists show: overdue first, then by due date (none last), then oldest first, then id.
 * `overdue` is as computed for each action (in its owner's zone).
 */
export function compareActions(
  a: { overdue: boolean; dueOn: string | null; createdAt: Date | string; id: string },
  b: { overdue: boolean; dueOn: string | null; createdAt: Date | string; id: string },
): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  if (a.dueOn !== b.dueOn) {
    if (a.dueOn === null) return 1;
    if (b.dueOn === null) return -1;
    return a.dueOn < b.dueOn ? -1 : 1;
  }
  const ta = new Date(a.createdAt).getTime();
  const tb = new Date(b.createdAt).getTime();
  if (ta !== tb) return ta - tb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** One history entry's changes: `{field: {from, to}}`, only the fields whose value differs. */
export type Changes = Record<string, { from: unknown; to: unknown }>;

/** The fields of `next` whose value differs from `before` (arrays compared as sorted sets). */
export function diff(before: Record<string, unknown>, next: Record<string, unknown>): Changes {
  const out: Changes = {};
  for (const [k, to] of Object.entries(next)) {
    if (to === undefined) continue;
    const from = before[k] ?? null;
    if (!same(from, to)) out[k] = { from, to };
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const x = [...a].map(String).sort();
    const y = [...b].map(String).sort();
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  return (a ?? null) === (b ?? null);
}
