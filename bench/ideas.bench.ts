import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { groupIdeas } from '../src/rollups/idea-groups.js';
import { IdeasRepository } from '../src/rollups/ideas.repository.js';
import { seed } from './rollups.bench.js';
import { benchPort, boot, serverDatabase, stop } from './support.js';
import { type BenchRow } from './table.js';

const RUNS = 5;

/**
 * The rollup's idea grouping over 100,000 forms (rollups.bench.ts's seed: 500 marketers): the SQL that
 * groups ideas by category and english lexemes, then near-duplicate grouping in the process. Twice: the
 * seed's 300 wordings, then 100,000 ideas rewritten from a vocabulary into thousands of distinct wordings
 * (so the per-category candidate cap and the leader clustering do real work). Median of RUNS.
 */
export async function run(): Promise<BenchRow[]> {
  const db = await serverDatabase('ideas');
  if (!db) return [{ area: 'ideas', case: 'idea grouping', result: 'skipped: no PostgreSQL server answered' }];
  // The service migrates the fresh database; the grouping is then timed on a plain connection.
  await stop(await boot({ DATABASE_URL: db.url, JOBS_POLL_SECONDS: '5' }, benchPort(11)));
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  const rows: BenchRow[] = [];
  try {
    const s = await seed(db.url);
    const m = { query: (sql: string, params?: unknown[]) => c.query(sql, params).then((r) => r.rows) } as unknown as EntityManager;
    const repo = new IdeasRepository();
    const from = s.base.toJSDate();
    const to = s.base.plus({ days: 40 }).toJSDate();
    const measure = async () => {
      const times: number[] = [];
      let groups = 0;
      let exact = 0;
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const g = await repo.exactGroups(m, s.programId, from, to, 1000);
        groups = groupIdeas(g.exact, g.formsOf).length;
        exact = g.exact.length;
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      return `${times[Math.floor(RUNS / 2)].toFixed(0)} ms (median of ${RUNS}); ${exact} exact groups → ${groups} groups`;
    };
    rows.push({ area: 'ideas', case: 'group the ideas of 100,000 forms (300 wordings)', result: await measure(), target: '< 2 s (the rollup budget; it runs beside the other reads)' });
    await c.query(
      `UPDATE observations o SET answers = jsonb_set(answers, '{ideas}', jsonb_build_array(jsonb_build_object('category', answers->'ideas'->0->'category',
         'text', (ARRAY['More','Add','Better','Faster','Simpler','Show'])[1 + n % 6] || ' ' ||
                 (ARRAY['dark','export','pricing','onboarding','alert','report','invoice','login','search','mobile','email','calendar','import','webhook','theme','trial','demo','plan','quota','badge'])[1 + (n / 6) % 20] || ' ' ||
                 (ARRAY['mode','page','flow','button','list','view','sync','faq','guide','digest','widget','filter','summary','template','link','tab','card','chart','banner','note'])[1 + (n / 120) % 20] ||
                 (ARRAY['', ' please', ' for reps', ' for admins', ' on mobile'])[1 + (n / 2400) % 5])))
         FROM (SELECT id, (hashtext(id::text) & 2147483647) AS n FROM observations WHERE program_id = $1) h
        WHERE h.id = o.id`,
      [s.programId],
    );
    await c.query('ANALYZE observations');
    rows.push({ area: 'ideas', case: 'the same, 100,000 ideas in thousands of wordings (1,000 candidates per category)', result: await measure(), target: '< 2 s (the rollup budget; it runs beside the other reads)' });
  } finally {
    await c.end();
    await db.drop();
  }
  return rows;
}
