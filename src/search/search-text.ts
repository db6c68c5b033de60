/**
 * Plain helpers of full-text search (no Nest, no database): the cursor position a result page ends on,
 * and snippets as text with their matched words marked. Pure.
 */

/** Where ts_headline marks a matched word (StartSel/StopSel in search.repository.ts). */
export const MARK_OPEN = '«';
export const MARK_CLOSE = '»';

export const SEARCH_Q_MAX = 200;

/** `[score, kind, id]`: the last result of a page (score is ts_rank x 1e6 as an integer). */
export function searchPosition(p: unknown[]): { score: number; kind: 'form' | 'rep_note'; id: string } | undefined {
  const [score, kind, id] = p;
  if (p.length !== 3 || !Number.isSafeInteger(score) || (score as number) < 0) return undefined;
  if (kind !== 'form' && kind !== 'rep_note') return undefined;
  if (typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return undefined;
  return { score: score as number, kind, id };
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
