/**
 * Empathy maps by segment: the shapes, and how the rows the database aggregates become a map and the
 * rollup's compact summary. Pure: no Nest, no database, no I/O.
 *
 * An entry of a quadrant is a group of answers with the same normalised form (the english text-search
 * lexemes: "Asks about pricing" and "asked about the price" are one entry). Entries are ranked by distinct
 * observers, then weight per observer (each observer's forms of the segment and mode share one unit, as
 * the theme ranking does), then forms; only entries raised by at least two observers recur. Behaviour
 * forms ("observed") and feedback forms ("told") are never mixed.
 */

export const QUADRANTS = ['says', 'thinks', 'does', 'feels', 'sees', 'hears'] as const;
export type Quadrant = (typeof QUADRANTS)[number];
export type Mode = 'behavior' | 'feedback';
/** The practice's words for the two halves. */
export const MODE_LABEL: Record<Mode, 'observed' | 'told'> = { behavior: 'observed', feedback: 'told' };

/** A segment needs this many distinct observers to get a map; an entry needs as many to recur. */
export const MIN_OBSERVERS = 2;

export interface EmpathyEntry {
  /** A representative text (the first example's, redacted). */
  text: string;
  /** The normalised form the answers were grouped by. */
  key: string;
  observers: number;
  forms: number;
  weight: number;
  /** Redacted examples, each from a different observer. */
  examples: { text: string; authorId: string }[];
}

export type Quadrants = Record<Quadrant, EmpathyEntry[]>;

export interface EmpathyHalf {
  forms: number;
  observers: number;
  quadrants: Quadrants;
}

export interface SegmentMap {
  segmentId: string;
  name: string;
  observers: number;
  forms: number;
  observed: EmpathyHalf;
  told: EmpathyHalf;
}

/** One segment's numbers per mode, as the database returns them. */
export interface SegmentRow {
  segment_id: string;
  name: string;
  mode: Mode;
  forms: number;
  observers: number;
  /** Distinct observers of the segment over both modes. */
  segment_observers: number;
  segment_forms: number;
}

/** One recurring entry, as the database returns it; examples not yet redacted. */
export interface EntryRow {
  segment_id: string;
  mode: Mode;
  quadrant: Quadrant;
  key: string;
  observers: number;
  forms: number;
  weight: number | string;
  examples: { text: string; authorId: string; marked: string[] | null }[];
}

export type Redactor = (text: string, marked: string[]) => string;

const emptyQuadrants = (): Quadrants => ({ says: [], thinks: [], does: [], feels: [], sees: [], hears: [] });
const emptyHalf = (): EmpathyHalf => ({ forms: 0, observers: 0, quadrants: emptyQuadrants() });

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Observers first, then weight per observer, then forms, then the key (a stable order). */
export function compareEntries(a: Pick<EmpathyEntry, 'observers' | 'weight' | 'forms' | 'key'>, b: Pick<EmpathyEntry, 'observers' | 'weight' | 'forms' | 'key'>): number {
  return b.observers - a.observers || b.weight - a.weight || b.forms - a.forms || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * The maps of the segments with at least MIN_OBSERVERS observers, segments by observers then forms then
 * name; in each quadrant at most `perQuadrant` recurring entries with at most `examples` examples, each
 * from a different observer, every text through `red`.
 */
export function buildMaps(segments: SegmentRow[], entries: EntryRow[], red: Redactor, o: { perQuadrant: number; examples: number }): SegmentMap[] {
  const maps = new Map<string, SegmentMap>();
  for (const s of segments) {
    if (s.segment_observers < MIN_OBSERVERS) continue;
    let m = maps.get(s.segment_id);
    if (!m) {
      m = { segmentId: s.segment_id, name: s.name, observers: s.segment_observers, forms: s.segment_forms, observed: emptyHalf(), told: emptyHalf() };
      maps.set(s.segment_id, m);
    }
    const half = m[MODE_LABEL[s.mode]];
    half.forms = s.forms;
    half.observers = s.observers;
  }
  for (const e of entries) {
    const m = maps.get(e.segment_id);
    if (!m || e.observers < MIN_OBSERVERS || !(QUADRANTS as readonly string[]).includes(e.quadrant)) continue;
    const seen = new Set<string>();
    const examples: EmpathyEntry['examples'] = [];
    for (const x of e.examples) {
      if (examples.length >= o.examples) break;
      if (seen.has(x.authorId) || !x.text?.trim()) continue;
      seen.add(x.authorId);
      examples.push({ text: red(x.text.trim(), x.marked ?? []), authorId: x.authorId });
    }
    m[MODE_LABEL[e.mode]].quadrants[e.quadrant].push({
      text: examples[0]?.text ?? red(e.key, []),
      key: e.key,
      observers: e.observers,
      forms: e.forms,
      weight: round3(Number(e.weight)),
      examples,
    });
  }
  for (const m of maps.values()) {
    for (const half of [m.observed, m.told]) {
      for (const q of QUADRANTS) half.quadrants[q] = half.quadrants[q].sort(compareEntries).slice(0, o.perQuadrant);
    }
  }
  return [...maps.values()].sort((a, b) => b.observers - a.observers || b.forms - a.forms || a.name.localeCompare(b.name));
}

/** The rollup's compact map: a quadrant lists texts with their observers. */
export interface CompactHalf {
  forms: number;
  observers: number;
  quadrants: Record<Quadrant, { text: string; observers: number }[]>;
}

export interface EmpathySummary {
  /** Segments with a map in the window (the list below is the top few). */
  segments: number;
  top: { name: string; observers: number; forms: number; observed: CompactHalf; told: CompactHalf }[];
}

const compactHalf = (h: EmpathyHalf, per: number): CompactHalf => ({
  forms: h.forms,
  observers: h.observers,
  quadrants: Object.fromEntries(QUADRANTS.map((q) => [q, h.quadrants[q].slice(0, per).map((e) => ({ text: e.text, observers: e.observers }))])) as CompactHalf['quadrants'],
});

/** The top `segments` maps, `per` entries a quadrant. */
export function compactSummary(maps: SegmentMap[], o: { segments: number; per: number }): EmpathySummary {
  return {
    segments: maps.length,
    top: maps.slice(0, o.segments).map((m) => ({ name: m.name, observers: m.observers, forms: m.forms, observed: compactHalf(m.observed, o.per), told: compactHalf(m.told, o.per) })),
  };
}

/** Whether a half has any entry to show. */
export const hasEntries = (h: { quadrants: Record<Quadrant, unknown[]> }): boolean => QUADRANTS.some((q) => h.quadrants[q].length > 0);

/** A segment answer as a key: lower case, runs of spaces and punctuation one space (SQL segment_key() does the same). */
export function segmentKey(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A segment name as shown: trimmed, inner whitespace collapsed. */
export function cleanSegmentName(raw: string): string {
  return raw.replace(/\s+/g, ' ').trim();
}
