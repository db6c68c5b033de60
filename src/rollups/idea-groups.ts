/**
 * Grouping near-duplicate improvement ideas and ranking the groups fairly. Pure: PostgreSQL has already
 * turned each idea into its english lexemes (to_tsvector('english', text): Snowball stems, stop words
 * dropped) and merged the ideas whose lexeme sets are identical into one "exact" group with per-observer
 * form counts. Here exact groups of the same category whose lexeme sets are near each other join one group.
 */
import { ideaGroup, round, type IdeaGroup } from './ranking.js';

/** Two lexeme sets are near-duplicates when |A ∩ B| / |A ∪ B| is at least this ("more dark mode" ~ "dark mode please"). */
export const NEAR_DUPLICATE = 0.6;

/** The order the rollup shows the categories' groups in (and the ideas array is sorted in). */
export const GROUP_ORDER: IdeaGroup[] = ['info_to_sales', 'rep_alerts', 'campaign_notifications', 'other'];

/** Ideas of one category with the same lexeme set, as SQL aggregates them. */
export interface ExactIdeas {
  category: string;
  /** Sorted distinct english lexemes; empty when the text is all stop words (then only identical texts meet). */
  lexemes: string[];
  /** A representative text (the one most observers wrote), its author and that form's marked names. */
  text: string;
  authorId: string;
  marked: string[];
  /** Ideas in this exact group. */
  count: number;
  /** Per observer: the distinct forms of theirs carrying one of these ideas. */
  authors: { authorId: string; forms: number }[];
}

export interface IdeaGroupOut {
  category: string;
  group: IdeaGroup;
  text: string;
  authorId: string;
  marked: string[];
  /** Distinct observers who wrote an idea of the group. */
  observers: number;
  /** Ideas in the group (one observer repeating it 15 times counts 15 here, 1 in observers). */
  count: number;
  /** Each observer's forms share one unit: sum over observers of min(1, their forms with the idea / their forms). */
  weight: number;
  /** Other wordings of the group (representatives of the other exact groups it joined), most observers first. */
  variants: { text: string; authorId: string; marked: string[] }[];
}

export function jaccard(a: readonly string[] | ReadonlySet<string>, b: readonly string[] | ReadonlySet<string>): number {
  const sa = a instanceof Set ? a : new Set(a);
  const sb = b instanceof Set ? b : new Set(b);
  if (sa.size === 0 || sb.size === 0) return 0;
  let both = 0;
  for (const x of sb) if (sa.has(x)) both++;
  return both / (sa.size + sb.size - both);
}

/**
 * Leader clustering, per category: exact groups are taken most observers first; each joins the first
 * group whose leader (its first member) is a near-duplicate of it, else it leads a new group. Joining by
 * the leader only (not any member) keeps a chain of small rewordings from sweeping unrelated ideas together.
 * `formsOf` gives each observer's submitted forms in the window (for the weight).
 */
export function groupIdeas(exact: ExactIdeas[], formsOf: ReadonlyMap<string, number>, variantCap = 3): IdeaGroupOut[] {
  const observersOf = (e: ExactIdeas) => e.authors.length;
  const sorted = [...exact].sort(
    (a, b) => a.category.localeCompare(b.category) || observersOf(b) - observersOf(a) || b.count - a.count || a.text.localeCompare(b.text),
  );
  const clusters: { leader: ExactIdeas; set: ReadonlySet<string>; members: ExactIdeas[] }[] = [];
  const byCategory = new Map<string, typeof clusters>();
  for (const e of sorted) {
    const mine = byCategory.get(e.category) ?? [];
    byCategory.set(e.category, mine);
    const set = new Set(e.lexemes);
    const home = mine.find((c) => jaccard(c.set, set) >= NEAR_DUPLICATE);
    if (home) home.members.push(e);
    else {
      const c = { leader: e, set, members: [e] };
      mine.push(c);
      clusters.push(c);
    }
  }
  const out = clusters.map(({ leader, members }): IdeaGroupOut => {
    const forms = new Map<string, number>();
    for (const m of members) for (const a of m.authors) forms.set(a.authorId, (forms.get(a.authorId) ?? 0) + a.forms);
    let weight = 0;
    for (const [author, f] of forms) {
      const n = formsOf.get(author) ?? f;
      weight += n > 0 ? Math.min(1, f / n) : 0;
    }
    return {
      category: leader.category,
      group: ideaGroup(leader.category),
      text: leader.text,
      authorId: leader.authorId,
      marked: leader.marked,
      observers: forms.size,
      count: members.reduce((s, m) => s + m.count, 0),
      weight: round(weight),
      variants: members
        .slice(1)
        .filter((m) => m.text !== leader.text)
        .slice(0, variantCap)
        .map((m) => ({ text: m.text, authorId: m.authorId, marked: m.marked })),
    };
  });
  return rankIdeaGroups(out);
}

/** Within each of the rollup's idea headings: most observers first, then weight per observer, then more ideas, then text. */
export function rankIdeaGroups<T extends { group: IdeaGroup; observers: number; weight: number; count: number; text: string }>(groups: T[]): T[] {
  return [...groups].sort(
    (a, b) =>
      GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group) ||
      b.observers - a.observers ||
      b.weight - a.weight ||
      b.count - a.count ||
      a.text.localeCompare(b.text),
  );
}

/** The first `cap` groups under each heading (the input is ranked). */
export function capPerGroup<T extends { group: IdeaGroup }>(groups: T[], cap: number): T[] {
  const seen = new Map<IdeaGroup, number>();
  return groups.filter((g) => {
    const n = (seen.get(g.group) ?? 0) + 1;
    seen.set(g.group, n);
    return n <= cap;
  });
}
