/**
 * Plain helpers of full-text search (no Nest, no database): the cursor position a result page ends on,
 * and snippets as text with their matched words marked. Pure.
 */

/** Where ts_headline marks a matched word (StartSel/StopSel in search.repository.ts). */
export const MARK_OPEN = '«';
export const MARK_CLOSE = '»';

export const SEARCH_Q_MAX = 200;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where a page ended: `[score, kind, id]` in the ranked part (score is ts_rank x 1e6 as an integer), `['older', at, id]` past it (`at` in microseconds). */
export type SearchPosition = { ranked: true; score: number; kind: 'form' | 'rep_note'; id: string } | { ranked: false; atMicros: number; id: string };

/** A cursor's position, or undefined when it is not one this search wrote. */
export function searchPosition(p: unknown[]): SearchPosition | undefined {
  const [first, second, id] = p;
  if (p.length !== 3 || typeof id !== 'string' || !UUID.test(id)) return undefined;
  if (first === 'older') return Number.isSafeInteger(second) ? { ranked: false, atMicros: second as number, id } : undefined;
  if (!Number.isSafeInteger(first) || (first as number) < 0) return undefined;
  if (second !== 'form' && second !== 'rep_note') return undefined;
  return { ranked: true, score: first as number, kind: second, id };
}

/** The cursor position of a result row (the inverse of searchPosition). */
export function positionOf(r: { ranked: boolean; score: string | number; kind: 'form' | 'rep_note'; id: string; at_micros: string | number }): (string | number)[] {
  return r.ranked ? [Number(r.score), r.kind, r.id] : ['older', Number(r.at_micros), r.id];
}

/** A snippet on one line: line breaks and runs of spaces between answers become one space, trimmed. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A snippet split into plain and matched parts (for pages: each part escaped, the matched ones in <mark>). */
export function snippetParts(snippet: string): { text: string; match: boolean }[] {
  const parts: { text: string; match: boolean }[] = [];
  const re = new RegExp(`${MARK_OPEN}([^${MARK_OPEN}${MARK_CLOSE}]*)${MARK_CLOSE}`, 'g');
  let last = 0;
  for (let m = re.exec(snippet); m; m = re.exec(snippet)) {
    if (m.index > last) parts.push({ text: snippet.slice(last, m.index), match: false });
    if (m[1]) parts.push({ text: m[1], match: true });
    last = m.index + m[0].length;
  }
  if (last < snippet.length) parts.push({ text: snippet.slice(last), match: false });
  return parts;
}

/** The text without marks (what a plain-text consumer shows). */
export function unmarked(snippet: string): string {
  return snippetParts(snippet)
    .map((p) => p.text)
    .join('');
}

const PLACEHOLDER = 'email|phone|name|credential';

/**
 * ts_headline cuts fragments at words, so a redaction placeholder at a fragment's edge loses a bracket
 * ("name] finance hates…", "…write to [email"): put the bracket back.
 */
export function mendPlaceholders(snippet: string): string {
  return snippet
    .replace(new RegExp(`(?<![\\[\\w«])(${PLACEHOLDER})\\]`, 'g'), '[$1]')
    .replace(new RegExp(`\\[(${PLACEHOLDER})(?![\\]\\w»])`, 'g'), '[$1]');
}
