import { BENCH_TOKEN, benchPort, boot, serverDatabase, stop } from './support.js';
import type { BenchRow } from './table.js';

const ROWS = 10_000;
const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Sydney', 'America/St_Johns'];

/** A CSV of `n` people: reps put on a roster, marketers enrolled, some with quoted names holding commas and non-ASCII. */
function peopleCsv(n: number, periodId: string): string {
  const lines = ['email,name,roles,timeZone,startedOn,rosterPeriodId,enrolPeriodId,quota'];
  for (let i = 0; i < n; i++) {
    const rep = i % 3 === 0;
    const name = i % 5 === 0 ? `"Zoë Åkesson, no. ${i}"` : `Person ${i}`;
    const started = `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
    lines.push(`person-${i}@example.com,${name},${rep ? 'rep' : 'marketer'},${ZONES[i % ZONES.length]},${started},${rep ? periodId : ''},${rep ? '' : periodId},${rep ? '' : 10 + (i % 10)}`);
  }
  return lines.join('\r\n') + '\r\n';
}

async function call<T>(url: string, init: RequestInit, expect: number): Promise<T> {
  const res = await fetch(url, { ...init, headers: { authorization: `Bearer ${BENCH_TOKEN}`, ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  if (res.status !== expect) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** 10,000 rows end to end over HTTP against the built service: dry run, apply, and the same file again. */
export async function run(): Promise<BenchRow[]> {
  const db = await serverDatabase('imports');
  if (!db) return [{ area: 'people import', case: 'skipped', result: 'no PostgreSQL server answered' }];
  const service = await boot({ DATABASE_URL: db.url }, benchPort(5));
  try {
    const json = { 'content-type': 'application/json' };
    const program = await call<{ id: string }>(`${service.url}/api/v1/programs`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'Bench', kind: 'call_shadowing', timeZone: 'UTC', settings: { periodCadence: 'none' } }) }, 201);
    const period = await call<{ id: string }>(`${service.url}/api/v1/programs/${program.id}/periods`, { method: 'POST', headers: json, body: JSON.stringify({ startsOn: '2027-01-01', endsOn: '2027-03-31' }) }, 201);
    const csv = peopleCsv(ROWS, period.id);
    const post = async (dryRun: boolean) => {
      const started = performance.now();
      const body = await call<{ totals: Record<string, number> }>(
        `${service.url}/api/v1/imports/people?dryRun=${dryRun}`,
        { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv },
        200,
      );
      return { ms: performance.now() - started, totals: body.totals };
    };
    const rows: BenchRow[] = [];
    const row = (label: string, r: { ms: number; totals: Record<string, number> }, expect: string) =>
      rows.push({
        area: 'people import',
        case: `${ROWS.toLocaleString('en')} rows (${(csv.length / 1024 / 1024).toFixed(1)} MB CSV), ${label}`,
        result: `${(r.ms / 1000).toFixed(2)} s, ${Math.round(ROWS / (r.ms / 1000)).toLocaleString('en')} rows/s (${expect}: ${r.totals[expect]})`,
        target: '<= 5 s',
      });
    row('dry run, all new', await post(true), 'create');
    row('apply: create people, roster invitations, enrolments', await post(false), 'create');
    row('dry run of the same file', await post(true), 'unchanged');
    row('apply the same file again', await post(false), 'unchanged');
    return rows;
  } finally {
    await stop(service);
    await db.drop();
  }
}
