/** One row of the benchmark table printed by `npm run bench`. */
export interface BenchRow {
  area: string;
  case: string;
  result: string;
  target?: string;
}

export function markdownTable(rows: BenchRow[]): string {
  const header = '| area | case | result | target |\n|---|---|---|---|';
  const body = rows.map((r) => `| ${r.area} | ${r.case} | ${r.result} | ${r.target ?? ''} |`);
  return [header, ...body].join('\n');
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[idx];
}
