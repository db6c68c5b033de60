/**
 * Suggested themes, the decisions that are not SQL: which of the recurring phrases to show (a phrase and a
 * longer one containing it are one suggestion), and how a marked-up snippet becomes the phrase as people
 * wrote it and a plain snippet. Pure: no Nest, no database. The phrases themselves come from PostgreSQL's
 * `english` text search configuration (stemmed lexemes, stop words removed), never from a stemmer here.
 */

/** Observers who must have written a phrase, in forms no theme of theirs covers, before it is suggested. */
export const MIN_SUGGESTION_OBSERVERS = 3;
/** Suggestions shown (page, API, rollup). */
export const SUGGESTION_LIMIT = 10;
/** Snippets per suggestion, each from a different observer. */
export const SNIPPETS_PER_SUGGESTION = 3;

/** Marks ts_headline puts around the phrase's words. */
export const START = '\u0001';
export const STOP = '\u0002';

export interface PhraseStat {
  /** English lexemes joined by one space, e.g. "dark mode", "export csv". */
  phrase: string;
  observers: number;
  forms: number;
  weight: number;
}

const contains = (longer: string, shorter: string) => ` ${longer} `.includes(` ${shorter} `);

/**
 * Ranked by observers, then weight per observer, then phrase. A phrase inside a longer one is dropped when
 * the longer one has as many observers (it says more about the same people); a longer phrase is dropped
 * when a phrase inside it has more observers (the shorter one is the pattern). Each kept once.
 */
export function prunePhrases<T extends PhraseStat>(rows: T[], limit = SUGGESTION_LIMIT): T[] {
  const sorted = [...rows].sort(byRank);
  const kept = sorted.filter((r) => {
    const words = r.phrase.split(' ').length;
    for (const o of sorted) {
      if (o === r) continue;
      const ow = o.phrase.split(' ').length;
      if (ow > words && contains(o.phrase, r.phrase) && o.observers >= r.observers) return false;
      if (ow < words && contains(r.phrase, o.phrase) && o.observers > r.observers) return false;
    }
    return true;
  });
  return kept.slice(0, limit);
}

export function byRank(a: PhraseStat, b: PhraseStat): number {
  return b.observers - a.observers || b.weight - a.weight || b.forms - a.forms || a.phrase.localeCompare(b.phrase);
}

/** The snippet without the marks, on one line. */
export function plainSnippet(headline: string): string {
  return headline.split(START).join('').split(STOP).join('').replace(/\s+/g, ' ').trim();
}

/**
 * The phrase as written: the first run of `words` marked words in the headline with at most `gap` unmarked
 * words between neighbours ("export to the CSV"), lower-cased; null when there is none.
 */
export function surfaceForm(headline: string, words: number, gap = 3): string | null {
  const tokens = [...headline.matchAll(new RegExp(`${START}([^${STOP}]*)${STOP}|[^\\s${START}${STOP}]+`, 'g'))].map((t) => ({
    marked: t[1] !== undefined,
    text: t[1] ?? t[0],
    at: t.index!,
    end: t.index! + t[0].length,
  }));
  for (let i = 0; i < tokens.length; i++) {
    if (!tokens[i].marked) continue;
    let count = 1;
    let last = i;
    let skipped = 0;
    for (let j = i + 1; j < tokens.length && count < words; j++) {
      if (tokens[j].marked) {
        count++;
        last = j;
        skipped = 0;
      } else if (++skipped > gap) break;
    }
    if (count === words) {
      const span = headline.slice(tokens[i].at, tokens[last].end);
      return plainSnippet(span).toLowerCase().replace(/[.,;:!?]+$/, '');
    }
  }
  return null;
}
