/**
 * Turning theme statistics into the rollup's ranking, emerging list and change against the previous
 * window. Pure: the weights come from SQL (each observer's forms share one unit of weight).
 */
export interface ThemeStatIn {
  theme_id: string;
  name: string;
  weight: number;
  mentions: number;
  observers: number;
  reps: number;
  /** Distinct accounts named by the forms (forms naming none are not accounts). */
  accounts: number;
  /** Forms that named no account. */
  without_account: number;
}

export type Change = 'new' | 'rising' | 'falling' | 'steady';

/** Themes backed by fewer observers than this are "emerging", not ranked. */
export const MIN_OBSERVERS = 2;

export function splitRanking<T extends ThemeStatIn>(stats: T[]): { ranked: T[]; emerging: T[] } {
  const sorted = [...stats].sort((a, b) => b.weight - a.weight || b.mentions - a.mentions || a.name.localeCompare(b.name));
  return { ranked: sorted.filter((s) => s.observers >= MIN_OBSERVERS), emerging: sorted.filter((s) => s.observers < MIN_OBSERVERS) };
}

/**
 * Change of each theme's weight against the previous window of the same length: new (absent before),
 * rising / falling (by a quarter or more, and by at least 0.25 of one observer's unit), else steady.
 * Themes that disappeared are listed as falling to 0.
 */
export function changes(current: ThemeStatIn[], previous: ThemeStatIn[]): { themeId: string; name: string; change: Change; weight: number; previousWeight: number }[] {
  const prev = new Map(previous.map((p) => [p.theme_id, p]));
  const out = current.map((c) => {
    const p = prev.get(c.theme_id);
    const before = p?.weight ?? 0;
    return { themeId: c.theme_id, name: c.name, weight: round(c.weight), previousWeight: round(before), change: classify(c.weight, before, !p) };
  });
  const seen = new Set(current.map((c) => c.theme_id));
  for (const p of previous) {
    if (!seen.has(p.theme_id)) out.push({ themeId: p.theme_id, name: p.name, weight: 0, previousWeight: round(p.weight), change: 'falling' });
  }
  return out.sort((a, b) => Math.abs(b.weight - b.previousWeight) - Math.abs(a.weight - a.previousWeight) || a.name.localeCompare(b.name));
}

function classify(now: number, before: number, absent: boolean): Change {
  if (absent) return 'new';
  const diff = now - before;
  if (Math.abs(diff) < 0.25) return 'steady';
  if (now >= before * 1.25) return 'rising';
  if (now <= before * 0.75) return 'falling';
  return 'steady';
}

export const round = (n: number) => Math.round(n * 1000) / 1000;

export type IdeaGroup = 'info_to_sales' | 'rep_alerts' | 'campaign_notifications' | 'other';
export function ideaGroup(category: string): IdeaGroup {
  return category === 'info_to_sales' || category === 'rep_alerts' || category === 'campaign_notifications' ? category : 'other';
}
