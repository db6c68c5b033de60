import { DateTime } from 'luxon';
import { SEARCH_RANKED, SEARCH_WALK } from '../src/search/search.repository.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { makePeriod, makeProgram, makeUser, Person } from './support/fixtures.js';

interface Result {
  id: string;
  at: string;
  score: number;
}

/**
 * A query matching more forms than the ranked part holds: the newest SEARCH_RANKED matches come first, best
 * first, then every older match newest first, each once, whether the newest matches were found by walking
 * the program newest first (most forms match) or through the GIN index (one form in eleven matches).
 */
describe('search over more matches than it ranks', () => {
  let t: TestApp;
  let marketer: Person;
  const base = DateTime.utc().minus({ days: 40 }).startOf('day');

  /** `total` submitted forms in a new program, every `every`-th about the ledger; the oldest ledger form says it five times. */
  async function program(total: number, every: number): Promise<{ programId: string; periodId: string }> {
    const programId = await makeProgram(t, {}, 'UTC');
    const periodId = await makePeriod(t, programId, base.minus({ days: 1 }).toISODate()!, base.plus({ days: 30 }).toISODate()!);
    await t.db.query(
      `INSERT INTO observations (program_id, period_id, author_id, template_version, status, answers, marked_names, session_ended_at, due_at, submitted_at, late, revision)
       SELECT $1, $2, $3, 1, 'submitted',
              jsonb_build_object('mode', 'feedback', 'painPoints', jsonb_build_array(
                CASE WHEN i = $6 THEN 'The ledger export, the ledger sync, the ledger import and the ledger again: ledger'
                     WHEN i % $6 = 0 THEN 'The ledger export is slow (' || i || ')'
                     ELSE 'The invoice screen is slow (' || i || ')' END)),
              '{}', $4::timestamptz + i * interval '1 minute', $4::timestamptz + i * interval '1 minute' + interval '1 day', $4::timestamptz + i * interval '1 minute', false, 1
         FROM generate_series(1, $5) i`,
      [programId, periodId, marketer.id, base.toISO(), total, every],
    );
    return { programId, periodId };
  }

  async function everything(q: Record<string, unknown>): Promise<Result[]> {
    const out: Result[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { results: Result[]; nextCursor: string | null } } = await t.http
        .get('/api/v1/observations/search')
        .query({ ...q, limit: 100, ...(cursor ? { cursor } : {}) })
        .set(bearer(t.adminToken))
        .expect(200);
      out.push(...res.body.results);
      cursor = res.body.nextCursor;
    } while (cursor);
    return out;
  }

  async function check(scope: { programId?: string; periodId?: string }, programId: string) {
    const matches: { id: string; at: Date }[] = await t.db.query(
      `SELECT id, session_ended_at AS at FROM observations
        WHERE program_id = $1 AND search_tsv @@ websearch_to_tsquery('english', 'ledger') ORDER BY session_ended_at DESC, id DESC`,
      [programId],
    );
    expect(matches.length).toBeGreaterThan(SEARCH_RANKED);
    const results = await everything({ q: 'ledger', ...scope });
    // Every match once.
    expect(results.length).toBe(matches.length);
    expect(new Set(results.map((r) => r.id)).size).toBe(matches.length);
    // The ranked part is the newest SEARCH_RANKED matches, best first (score, then id).
    const ranked = results.slice(0, SEARCH_RANKED);
    expect(new Set(ranked.map((r) => r.id))).toEqual(new Set(matches.slice(0, SEARCH_RANKED).map((m) => m.id)));
    for (let i = 1; i < ranked.length; i++) {
      const [a, b] = [ranked[i - 1], ranked[i]];
      expect(a.score > b.score || (a.score === b.score && a.id < b.id)).toBe(true);
    }
    // Then the older ones, newest first, each with its score.
    const older = results.slice(SEARCH_RANKED);
    expect(older.map((r) => r.id)).toEqual(matches.slice(SEARCH_RANKED).map((m) => m.id));
    expect(older.every((r) => r.score > 0)).toBe(true);
    // The oldest form says "ledger" five times: it has the best score of all, yet it is past the ranked part.
    const best = Math.max(...results.map((r) => r.score));
    expect(older[older.length - 1].score).toBe(best);
    expect(ranked[0].score).toBeLessThan(best);
  }

  beforeAll(async () => {
    t = await startTestApp(process.env.DEBUG_LOG ? { LOG_LEVEL: 'error' } : {}, undefined, process.stderr);
    marketer = await makeUser(t, ['marketer']);
  });
  afterAll(() => t.close());

  it('most forms match: the newest matches are found by walking the program newest first', async () => {
    const { programId, periodId } = await program(SEARCH_RANKED + 150, 1);
    await check({ programId }, programId);
    await check({ periodId }, programId);
  });

  it('one form in eleven matches: the newest matches come from the index, in the same order', async () => {
    // Fewer than one match in eight among the newest SEARCH_WALK forms, so the walk gives way to the index.
    const total = SEARCH_WALK + 4500;
    const { programId } = await program(total, 11);
    await check({ programId }, programId);
  });

  it('a query matching fewer forms than it ranks is ranked whole', async () => {
    const { programId } = await program(300, 3);
    const results = await everything({ q: 'ledger', programId });
    expect(results.length).toBe(100);
    expect(results[0].score).toBe(Math.max(...results.map((r) => r.score)));
    for (let i = 1; i < results.length; i++) expect(results[i - 1].score).toBeGreaterThanOrEqual(results[i].score);
  });
});
