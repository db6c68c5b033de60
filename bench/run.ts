import { markdownTable, type BenchRow } from './table.js';

/** `npm run bench [name…]`: runs every benchmark (or the named ones) and prints one Markdown table. */
const suites: Record<string, () => Promise<{ run(): Promise<BenchRow[]> }>> = {
  'slot-engine': () => import('./slot-engine.bench.js'),
  'slots-http': () => import('./slots-http.bench.js'),
  bookings: () => import('./bookings.bench.js'),
  observations: () => import('./observations.bench.js'),
  redact: () => import('./redact.bench.js'),
  rollups: () => import('./rollups.bench.js'),
  empathy: () => import('./empathy.bench.js'),
  ideas: () => import('./ideas.bench.js'),
  rotation: () => import('./rotation.bench.js'),
  pages: () => import('./pages.bench.js'),
  service: () => import('./service.bench.js'),
  'calendar-sync': () => import('./calendar-sync.js'),
  'people-import': () => import('./people-import.bench.js'),
  notices: () => import('./notices.bench.js'),
  search: () => import('./search.bench.js'),
  suggestions: () => import('./suggestions.bench.js'),
  auth: () => import('./auth.bench.js'),
  mail: () => import('./mail.bench.js'),
};

const wanted = process.argv.slice(2);
const rows: BenchRow[] = [];
for (const [name, load] of Object.entries(suites)) {
  if (wanted.length && !wanted.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  try {
    rows.push(...(await (await load()).run()));
  } catch (e) {
    // One failing suite should not hide the others' rows; the failure is a row of its own, and the exit code says so.
    process.exitCode = 1;
    rows.push({ area: name, case: 'benchmark failed', result: e instanceof Error ? e.message.split('\n')[0] : String(e) });
  }
}
console.log(`\nnode ${process.version}, ${new Date().toISOString()}\n`);
console.log(markdownTable(rows));
