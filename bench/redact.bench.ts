import { redact } from '../src/observations/redact.js';
import { type BenchRow, median } from './table.js';

const PARAGRAPH =
  "Met Jane O'Brien (Acme) on 2026-11-22 at 14:30; she said \"email jane.doe+crm@acme.com or call +44 20 7946 0958 x12\". " +
  'Budget $12,500 for 3 seats, 12.5% off, v2.3.1, order #12345, 10-20 users, zip 94107. ' +
  'Also jane dot doe at acme dot com, (415) 555-2671 and https://u:p@crm.example.com/?token=abc. ';

/** Inputs shaped to make a backtracking regular expression blow up (the spec checks they end at all). */
const ADVERSARIAL: [string, string][] = [
  ['"a" x 1M', 'a'.repeat(1_000_000)],
  ['long domain', 'a@' + 'b.'.repeat(500_000) + 'com'],
  ['long spoken domain', 'a at ' + 'b dot '.repeat(150_000) + 'x'],
  ['"?a" x 500k', '?a'.repeat(500_000)],
  ['"(" x 1M', '('.repeat(1_000_000)],
];

function timed(f: () => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** The redaction function alone: 1 MB of realistic text, and the adversarial inputs of its spec. */
export async function run(): Promise<BenchRow[]> {
  const input = PARAGRAPH.repeat(Math.ceil(1_000_000 / PARAGRAPH.length));
  const marked = ["O'Brien (Acme)", 'Acme', 'Jane Doe'];
  const mixed = timed(() => redact(input, { marked }), 7);
  const worst = ADVERSARIAL.map(([label, text]) => [label, timed(() => redact(text, { marked: ['Acme', 'a b'] }), 3)] as const).sort((a, b) => b[1] - a[1]);
  return [
    { area: 'redaction', case: '1 MB of mixed notes (emails, spelled-out emails, phones, marked names, URL credentials), 7 runs', result: `median ${mixed.toFixed(0)} ms (${(1000 / mixed).toFixed(1)} MB/s)`, target: '< 1 s' },
    { area: 'redaction', case: `adversarial 1 MB inputs (${ADVERSARIAL.length}), 3 runs each`, result: `slowest: ${worst[0][0]} median ${worst[0][1].toFixed(0)} ms; fastest: ${worst[worst.length - 1][0]} ${worst[worst.length - 1][1].toFixed(0)} ms`, target: '< 1 s' },
  ];
}
