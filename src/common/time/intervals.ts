/**
 * Integer-minute, half-open intervals and the sorted sweeps the slot engine is built on.
 *
 * An instant is an epoch minute (`ms / 60000`). `{ start, end }` covers `start <= t < end`, so
 * `[0,10)` and `[10,20)` touch without overlapping, and an interval with `end <= start` is empty.
 *
 * "Normalized" means: sorted by start, no empty intervals, no two intervals overlapping or
 * touching. `normalize` produces that form; every sweep below returns it.
 */

export type EpochMinute = number;

export interface Interval {
  start: EpochMinute;
  end: EpochMinute;
}

/** Sorts, drops empty intervals and merges overlapping or touching ones. O(n log n). */
export function normalize(list: readonly Interval[]): Interval[] {
  const sorted = list.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start || a.end - b.end);
  return mergeSorted(sorted);
}

/**
 * Merges a list already sorted by start (overlaps and touching allowed) into normalized form.
 * O(n). Throws nothing and never reorders: unsorted input gives unspecified output.
 */
export function mergeSorted(sorted: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const i of sorted) {
    if (i.end <= i.start) continue;
    const last = out[out.length - 1];
    if (last && i.start <= last.end) {
      if (i.end > last.end) last.end = i.end;
    } else {
      out.push({ start: i.start, end: i.end });
    }
  }
  return out;
}

/**
 * Union of two lists, each sorted by start (they may overlap internally; normalized input is the
 * usual case). Touching intervals merge: `[0,10) ∪ [10,20) = [0,20)`. O(n + m).
 */
export function union(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i].start <= b[j].start) ? a[i++] : b[j++];
    if (next.end <= next.start) continue;
    const last = out[out.length - 1];
    if (last && next.start <= last.end) {
      if (next.end > last.end) last.end = next.end;
    } else {
      out.push({ start: next.start, end: next.end });
    }
  }
  return out;
}

/** Intersection of two normalized lists. Touching intervals do not intersect. O(n + m). */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i].start, b[j].start);
    const end = Math.min(a[i].end, b[j].end);
    if (start < end) out.push({ start, end });
    if (a[i].end < b[j].end) i++;
    else j++;
  }
  return out;
}

/** `a` minus `b`, both normalized. Removing a touching interval removes nothing. O(n + m). */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const piece of a) {
    let start = piece.start;
    const end = piece.end;
    // Intervals of b that end at or before this piece's start cannot touch this or any later piece.
    while (j < b.length && b[j].end <= start) j++;
    let k = j;
    while (k < b.length && b[k].start < end) {
      if (b[k].start > start) out.push({ start, end: b[k].start });
      if (b[k].end > start) start = b[k].end;
      if (start >= end) break;
      k++;
    }
    if (start < end) out.push({ start, end });
  }
  return out;
}

/** True when `[start, end)` lies inside one interval of the normalized list. O(log n). */
export function containsInterval(list: readonly Interval[], start: EpochMinute, end: EpochMinute): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].end <= start) lo = mid + 1;
    else if (list[mid].start > start) hi = mid - 1;
    else return end <= list[mid].end;
  }
  return false;
}

/** Total covered minutes of a normalized list. */
export function totalMinutes(list: readonly Interval[]): number {
  let sum = 0;
  for (const i of list) sum += i.end - i.start;
  return sum;
}
