import { parseHHmm } from '../common/time/local-time.js';

export interface WindowInput {
  start: string;
  end: string;
  weekday?: number;
  label?: string;
  callType?: string;
  marketingSourced?: boolean;
}

export interface FieldProblem {
  field: string;
  problems: string[];
}

/**
 * Checks windows the way a person would: times are HH:mm (end may be 24:00), each window ends after it
 * starts, and windows on the same day do not overlap (touching is fine). `path` names the list
 * (`weekly`, `windows`) so every problem names its field, e.g. `weekly[2].end`.
 */
export function windowProblems(list: WindowInput[], path: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const parsed: { i: number; day: number; s: number; e: number }[] = [];
  list.forEach((w, i) => {
    const s = parseHHmm(w.start, 'start');
    const e = parseHHmm(w.end, 'end');
    if (s === null) problems.push({ field: `${path}[${i}].start`, problems: [`start must be a time from 00:00 to 23:59, not ${JSON.stringify(w.start)}`] });
    if (e === null) problems.push({ field: `${path}[${i}].end`, problems: [`end must be a time from 00:01 to 24:00, not ${JSON.stringify(w.end)}`] });
    if (s === null || e === null) return;
    if (e <= s) {
      problems.push({ field: `${path}[${i}].end`, problems: [`end (${w.end}) must be after start (${w.start}); split a window that crosses midnight into ...-24:00 and 00:00-...`] });
      return;
    }
    parsed.push({ i, day: w.weekday ?? 0, s, e });
  });
  parsed.sort((a, b) => a.day - b.day || a.s - b.s);
  for (let k = 1; k < parsed.length; k++) {
    const prev = parsed[k - 1];
    const cur = parsed[k];
    if (cur.day === prev.day && cur.s < prev.e) {
      problems.push({
        field: `${path}[${cur.i}]`,
        problems: [`overlaps ${path}[${prev.i}] (${list[prev.i].start}-${list[prev.i].end})`],
      });
    }
  }
  return problems;
}
