/**
 * The rollup's "closing the loop" sections, from rows the repository reads: what became of earlier actions,
 * the notices sent to reps, and what the reps' own notes say. Pure: no Nest, no database.
 */
import type { ActionLine, EarlierActions, FromReps, NoticesSummary } from './rollup.types.js';

/** Items of each action list kept in the stored report. */
export const ACTION_LIST_CAP = 50;
/** A theme's weight must move by this much (a quarter of one observer's unit) and by a quarter of itself to count as risen or fallen. */
const MIN_MOVE = 0.25;

export interface ActionRow extends Omit<ActionLine, 'doneAt'> {
  doneAt: Date | null;
  createdAt: Date;
}

/** Done since `since`; still open (open or in progress) and overdue (due before `today`); still open and not overdue. Dropped ones are left out. */
export function splitActions(rows: ActionRow[], since: Date, today: string): Omit<EarlierActions, 'themes' | 'since'> {
  const line = (r: ActionRow): ActionLine => ({ id: r.id, title: r.title, kind: r.kind, status: r.status, ownerName: r.ownerName, dueOn: r.dueOn, doneAt: r.doneAt ? r.doneAt.toISOString() : null, themes: r.themes });
  const live = rows.filter((r) => r.status === 'open' || r.status === 'in_progress');
  const done = rows.filter((r) => r.status === 'done' && r.doneAt && r.doneAt >= since).sort((a, b) => +b.doneAt! - +a.doneAt!);
  const overdue = live.filter((r) => r.dueOn !== null && r.dueOn < today).sort((a, b) => a.dueOn!.localeCompare(b.dueOn!) || +a.createdAt - +b.createdAt);
  const open = live.filter((r) => !(r.dueOn !== null && r.dueOn < today)).sort((a, b) => (a.dueOn ?? '9999').localeCompare(b.dueOn ?? '9999') || +a.createdAt - +b.createdAt);
  return {
    doneSinceLast: done.slice(0, ACTION_LIST_CAP).map(line),
    overdue: overdue.slice(0, ACTION_LIST_CAP).map(line),
    open: open.slice(0, ACTION_LIST_CAP).map(line),
    counts: { doneSinceLast: done.length, overdue: overdue.length, open: open.length },
  };
}

/** Fell, held or rose: by at least MIN_MOVE and by a quarter of the earlier weight (the ranking's rule for rising and falling). */
export function trendOf(before: number, after: number): 'fell' | 'held' | 'rose' {
  const diff = after - before;
  if (Math.abs(diff) < MIN_MOVE) return 'held';
  if (after >= before * 1.25) return 'rose';
  if (after <= before * 0.75) return 'fell';
  return 'held';
}

/**
 * The stretches compared for an action done at `doneAt`: after = from the action's completion (or the
 * window's start, if it was done before it) to the window's end; before = as long, ending when it was done.
 */
export function trendWindows(doneAt: Date, windowFrom: Date, windowTo: Date): { before: { from: Date; to: Date }; after: { from: Date; to: Date } } {
  const afterFrom = doneAt > windowFrom ? doneAt : windowFrom;
  const length = Math.max(windowTo.getTime() - afterFrom.getTime(), 86_400_000);
  return { before: { from: new Date(doneAt.getTime() - length), to: doneAt }, after: { from: afterFrom, to: windowTo } };
}

/** The window's notices, and the distinct reps they reached and who acknowledged all they got ("3 notices, 41 of 52 reps acknowledged"). */
export function noticesSummary(
  rows: { id: string; kind: 'rep_alert' | 'campaign_notification'; subject: string; sentAt: Date; recipients: number; acknowledged: number }[],
  reps: { reps: number; acknowledged: number },
): NoticesSummary {
  return {
    count: rows.length,
    recipients: reps.reps,
    acknowledged: reps.acknowledged,
    items: rows.map((r) => ({ id: r.id, kind: r.kind, subject: r.subject, sentAt: r.sentAt.toISOString(), recipients: r.recipients, acknowledged: r.acknowledged })),
  };
}

export interface RepNoteRow {
  repId: string;
  /** Already redacted. */
  wish: string | null;
  usefulness: number | null;
  submittedAt: Date;
}

/** The mean over reps of each rep's mean usefulness, so every rep weighs the same however many notes they wrote. */
export function perRepAverage(rows: { repId: string; usefulness: number | null }[]): { average: number | null; reps: number } {
  const byRep = new Map<string, number[]>();
  for (const r of rows) if (r.usefulness !== null) (byRep.get(r.repId) ?? byRep.set(r.repId, []).get(r.repId)!).push(r.usefulness);
  if (byRep.size === 0) return { average: null, reps: 0 };
  const means = [...byRep.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
  return { average: Math.round((means.reduce((a, b) => a + b, 0) / means.length) * 100) / 100, reps: byRep.size };
}

/** "From the reps": one wish per rep (their latest that says something), the per-rep usefulness average and its trend. */
export function fromReps(current: RepNoteRow[], previous: RepNoteRow[], cap = ACTION_LIST_CAP): FromReps {
  const latest = new Map<string, RepNoteRow>();
  for (const r of [...current].sort((a, b) => +b.submittedAt - +a.submittedAt)) if (r.wish && r.wish.trim() && !latest.has(r.repId)) latest.set(r.repId, r);
  const now = perRepAverage(current);
  const before = perRepAverage(previous);
  let trend: FromReps['usefulness']['trend'] = null;
  if (now.average !== null && before.average !== null) {
    const d = now.average - before.average;
    trend = Math.abs(d) < 0.25 ? 'steady' : d > 0 ? 'up' : 'down';
  }
  return {
    notes: current.length,
    reps: new Set(current.map((r) => r.repId)).size,
    wishes: [...latest.values()].slice(0, cap).map((r) => ({ text: r.wish!.trim(), repId: r.repId })),
    usefulness: { average: now.average, reps: now.reps, previousAverage: before.average, trend },
  };
}

/** How many of the sorted `times` fall in [from, to). */
function countIn(times: number[], from: number, to: number): number {
  const lower = (x: number) => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return lower(to) - lower(from);
}

/**
 * Each stretch's weight of its theme, as the ranking weighs themes: each observer's forms in the stretch share
 * one unit, so the weight is the sum over observers of (their forms naming the theme / their forms). `all` holds
 * every observer's sorted form times (epoch seconds), `tagged` the times of their forms naming each theme.
 */
export function stretchWeights(
  stretches: { themeId: string; from: Date; to: Date }[],
  all: { authorId: string; times: number[] }[],
  tagged: { authorId: string; themeId: string; times: number[] }[],
): number[] {
  const total = new Map(all.map((a) => [a.authorId, a.times]));
  const byTheme = new Map<string, { authorId: string; times: number[] }[]>();
  for (const t of tagged) (byTheme.get(t.themeId) ?? byTheme.set(t.themeId, []).get(t.themeId)!).push(t);
  return stretches.map((s) => {
    const from = s.from.getTime() / 1000;
    const to = s.to.getTime() / 1000;
    let weight = 0;
    for (const t of byTheme.get(s.themeId) ?? []) {
      const hits = countIn(t.times, from, to);
      if (hits === 0) continue;
      weight += hits / countIn(total.get(t.authorId) ?? [], from, to);
    }
    return weight;
  });
}
