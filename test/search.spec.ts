import { DateTime } from 'luxon';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { insertBooking, makePeriod, makeProgram, makeUser, Person } from './support/fixtures.js';
import { webSession } from './support/web.js';

interface Result {
  kind: 'form' | 'rep_note';
  id: string;
  programId: string;
  periodId: string;
  authorId: string;
  at: string;
  score: number;
  mode: string | null;
  segment: string | null;
  snippet: string;
}

/**
 * Planted: five submitted forms and a rep note in one program, a form in another program, a draft and a
 * withdrawn form (never found), with contact details and marked names in the text.
 */
describe('search across every note', () => {
  let t: TestApp;
  let programId: string;
  let otherProgramId: string;
  let periodId: string;
  let marketers: Person[];
  let rep: Person;
  let lifecycle: Person;
  let themeId: string;
  const ids: Record<string, string> = {};
  const at = DateTime.utc().minus({ days: 20 }).startOf('day');

  async function form(name: string, o: { program?: string; period?: string; author: Person; answers: Record<string, unknown>; marked?: string[]; status?: string; withdrawn?: boolean; themes?: string[] }) {
    const submitted = (o.status ?? 'submitted') === 'submitted';
    const ended = at.plus({ hours: Object.keys(ids).length });
    const [{ id }] = await t.db.query(
      `INSERT INTO observations (program_id, period_id, author_id, rep_id, template_version, status, answers, marked_names, session_ended_at, due_at, submitted_at, late, revision, withdrawn_at)
       VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $8::timestamptz + interval '1 day', $9, false, 1, $10) RETURNING id`,
      [o.program ?? programId, o.period ?? periodId, o.author.id, rep.id, o.status ?? 'submitted', JSON.stringify(o.answers), o.marked ?? [], ended.toISO(), submitted ? ended.toISO() : null, o.withdrawn ? ended.toISO() : null],
    );
    for (const th of o.themes ?? []) await t.db.query(`INSERT INTO observation_themes (observation_id, theme_id) VALUES ($1, $2)`, [id, th]);
    ids[name] = id;
  }

  const search = async (q: Record<string, unknown>, token = t.adminToken): Promise<{ results: Result[]; nextCursor: string | null }> =>
    (await t.http.get('/api/v1/observations/search').query(q).set(bearer(token)).expect(200)).body;
  const found = async (q: Record<string, unknown>) => (await search(q)).results.map((r) => Object.entries(ids).find(([, id]) => id === r.id)?.[0] ?? r.id).sort();

  beforeAll(async () => {
    t = await startTestApp();
    programId = await makeProgram(t, {}, 'UTC');
    otherProgramId = await makeProgram(t, {}, 'UTC');
    periodId = await makePeriod(t, programId, at.minus({ days: 5 }).toISODate()!, at.plus({ days: 20 }).toISODate()!);
    const otherPeriod = await makePeriod(t, otherProgramId, at.minus({ days: 5 }).toISODate()!, at.plus({ days: 20 }).toISODate()!);
    marketers = [];
    for (let i = 0; i < 4; i++) marketers.push(await makeUser(t, ['marketer']));
    rep = await makeUser(t, ['rep']);
    lifecycle = await makeUser(t, ['lifecycle']);
    themeId = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: `Reporting ${programId.slice(0, 6)}` }).expect(201)).body.id;

    await form('fridays', { author: marketers[0], themes: [themeId], answers: { mode: 'feedback', segment: 'Mid-market', painPoints: ['They need to export to CSV every Friday for the board.'] } });
    await form('globex', {
      author: marketers[1],
      marked: ['Globex'],
      answers: {
        mode: 'behavior',
        segment: 'Enterprise',
        painPoints: ['Exporting to CSV is impossible; call Jane on +44 20 7946 0958 or write to jane.doe@globex.example about it.'],
        negativeFeedback: 'Globex finance hates the CSV export of invoices.',
      },
    });
    await form('spreadsheet', { author: marketers[2], answers: { mode: 'feedback', segment: 'mid  market', negativeFeedback: 'The spreadsheet import breaks with Excel files.' } });
    await form('darkmode', { author: marketers[3], answers: { mode: 'feedback', segment: 'SMB', empathy: { says: ['Please add dark mode'] }, quotes: [{ text: 'The export is slow', speaker: 'Jane Roe' }] } });
    await form('other', { program: otherProgramId, period: otherPeriod, author: marketers[0], answers: { mode: 'feedback', segment: 'SMB', painPoints: ['Export to CSV fails in this program too'] } });
    await form('draft', { author: marketers[0], status: 'draft', answers: { mode: 'feedback', painPoints: ['Draft: export to CSV unfinished'] } });
    await form('withdrawn', { author: marketers[1], withdrawn: true, answers: { mode: 'feedback', painPoints: ['Withdrawn: export to CSV'] } });

    const ended = at.plus({ days: 1 });
    const bookingId = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketers[0].id, startsAt: ended.minus({ minutes: 30 }).toISO()!, endsAt: ended.toISO()!, status: 'completed' });
    const [{ id: noteId }] = await t.db.query(
      `INSERT INTO rep_notes (booking_id, program_id, period_id, rep_id, status, wish, follow_up, marked_names, session_ended_at, due_at, submitted_at)
       VALUES ($1, $2, $3, $4, 'submitted', $5, $6, '{}', $7, $7, $7) RETURNING id`,
      [bookingId, programId, periodId, rep.id, 'I wish the marketer had asked about the CSV export', 'Sent the export guide to sam@initech.example', ended.toISO()],
    );
    ids.note = noteId;
  });
  afterAll(() => t.close());

  it('finds every word stemmed (export, exporting) in submitted forms and rep notes, never drafts or withdrawn forms', async () => {
    expect(await found({ q: 'csv export', programId })).toEqual(['fridays', 'globex', 'note'].sort());
    const body = await search({ q: 'csv export', programId });
    expect(body.results.find((r) => r.id === ids.note)).toMatchObject({ kind: 'rep_note', authorId: rep.id, mode: null });
    expect(body.results.find((r) => r.id === ids.globex)).toMatchObject({ kind: 'form', authorId: marketers[1].id, mode: 'behavior', programId, periodId });
    // Ranked best first.
    const scores = body.results.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // Matched words are marked in the snippet.
    expect(body.results.find((r) => r.id === ids.fridays)!.snippet).toMatch(/«export» to «CSV»/);
  });

  it('quoted phrases match words in that order only', async () => {
    expect(await found({ q: '"csv export"', programId })).toEqual(['globex', 'note'].sort());
    expect(await found({ q: '"export to csv"', programId })).toEqual(['fridays', 'globex'].sort());
  });

  it('-word excludes, OR takes either', async () => {
    expect(await found({ q: 'export csv -friday', programId })).toEqual(['globex', 'note'].sort());
    expect(await found({ q: 'export csv -invoices -guide', programId })).toEqual(['fridays']);
    expect(await found({ q: 'spreadsheet OR "dark mode"', programId })).toEqual(['darkmode', 'spreadsheet'].sort());
    expect(await found({ q: 'spreadsheet or "dark mode"', programId })).toEqual(['darkmode', 'spreadsheet'].sort());
  });

  it('filters by program, period, theme, segment and mode (rep notes have none of the last three)', async () => {
    expect(await found({ q: 'export csv' })).toEqual(expect.arrayContaining(['fridays', 'globex', 'note', 'other']));
    expect(await found({ q: 'export csv', programId: otherProgramId })).toEqual(['other']);
    expect(await found({ q: 'export csv', periodId })).toEqual(['fridays', 'globex', 'note'].sort());
    expect(await found({ q: 'export csv', programId, themeId })).toEqual(['fridays']);
    expect(await found({ q: 'export csv', programId, mode: 'behavior' })).toEqual(['globex']);
    expect(await found({ q: 'export csv', programId, mode: 'feedback' })).toEqual(['fridays']);
    // "Mid-market" and "mid  market" are one segment as written.
    expect(await found({ q: 'export OR spreadsheet', programId, segment: 'MID market' })).toEqual(['fridays', 'spreadsheet'].sort());
  });

  it('pages by cursor: every result once, in order; a cursor only works with its own parameters', async () => {
    const all = await search({ q: 'export OR csv OR spreadsheet OR dark', programId });
    expect(all.results.length).toBe(5);
    expect(all.nextCursor).toBeNull();
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const p = await search({ q: 'export OR csv OR spreadsheet OR dark', programId, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(p.results.length).toBeLessThanOrEqual(2);
      seen.push(...p.results.map((r) => r.id));
      cursor = p.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(all.results.map((r) => r.id));
    const first = await search({ q: 'export OR csv OR spreadsheet OR dark', programId, limit: 2 });
    const other = await t.http.get('/api/v1/observations/search').query({ q: 'export', programId, limit: 2, cursor: first.nextCursor }).set(bearer(t.adminToken));
    expect(other.status).toBe(400);
    expect(JSON.stringify(other.body)).toContain('cursor');
    const forged = await t.http.get('/api/v1/observations/search').query({ q: 'export', cursor: 'abcd.efghijklmnopqrstuv' }).set(bearer(t.adminToken));
    expect(forged.status).toBe(400);
  });

  it('never returns contact details or marked names, even when the query names them', async () => {
    for (const q of ['csv', 'globex', 'jane.doe@globex.example', '7946 0958', '"+44 20 7946 0958"', 'sam@initech.example', 'guide', 'slow']) {
      const body = await search({ q });
      const json = JSON.stringify(body);
      expect(json).not.toMatch(/globex|jane\.doe|7946|0958|initech|sam@|Jane Roe/i);
    }
    const globex = (await search({ q: 'invoices', programId })).results;
    expect(globex).toHaveLength(1);
    expect(globex[0].snippet).toContain('[name]');
    const phone = (await search({ q: 'impossible', programId })).results[0].snippet;
    expect(phone).toContain('[phone]');
    expect(phone).toContain('[email]');
    expect((await search({ q: 'guide', programId })).results[0].snippet).toContain('[email]');
    // Speakers of quotes (people's names) are not searchable.
    expect(await found({ q: 'roe', programId })).toEqual([]);
  });

  it('follows edits, submits and withdrawals of forms', async () => {
    expect(await found({ q: 'unfinished', programId })).toEqual([]);
    await t.db.query(`UPDATE observations SET status = 'submitted', submitted_at = now() WHERE id = $1`, [ids.draft]);
    expect(await found({ q: 'unfinished', programId })).toEqual(['draft']);
    await t.db.query(`UPDATE observations SET answers = jsonb_set(answers, '{painPoints}', '["Now about onboarding"]') WHERE id = $1`, [ids.draft]);
    expect(await found({ q: 'unfinished', programId })).toEqual([]);
    expect(await found({ q: 'onboarding', programId })).toEqual(['draft']);
    await t.db.query(`UPDATE observations SET withdrawn_at = now() WHERE id = $1`, [ids.draft]);
    expect(await found({ q: 'onboarding', programId })).toEqual([]);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const bad = async (q: Record<string, unknown>, field: string) => {
      const r = await t.http.get('/api/v1/observations/search').query(q).set(bearer(t.adminToken));
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body)).toContain(field);
    };
    await bad({}, 'q');
    await bad({ q: '' }, 'q');
    await bad({ q: '   ' }, 'q');
    await bad({ q: 'x'.repeat(201) }, 'q');
    await bad({ q: 'the and of' }, 'q');
    await bad({ q: 'csv', limit: 0 }, 'limit');
    await bad({ q: 'csv', limit: 101 }, 'limit');
    await bad({ q: 'csv', programId: 'nope' }, 'programId');
    await bad({ q: 'csv', mode: 'both' }, 'mode');
    await bad({ q: 'csv', themeId: '1' }, 'themeId');
    // Odd input a search box gets is not an error.
    expect((await search({ q: '"unbalanced -' })).results).toEqual([]);
    expect((await search({ q: "O'Brien's & | ! <-> :*" })).results).toEqual([]);
  });

  it('is for the lifecycle team only', async () => {
    const lc = await search({ q: 'csv', programId }, lifecycle.token);
    expect(lc.results.length).toBe(3);
    for (const p of [marketers[0], rep]) {
      const r = await t.http.get('/api/v1/observations/search').query({ q: 'csv' }).set(bearer(p.token));
      expect(r.status).toBe(403);
    }
    expect((await t.http.get('/api/v1/observations/search').query({ q: 'csv' })).status).toBe(401);
    // /observations/:id still answers for ids.
    await t.http.get(`/api/v1/observations/${ids.fridays}`).set(bearer(t.adminToken)).expect(200);
  });

  it('the lifecycle page shows results with marked, redacted snippets and a next-page link', async () => {
    const s = await webSession(t, lifecycle.id);
    const empty = await s.get('/lifecycle/search').expect(200);
    expect(empty.text).toContain('name="q"');
    expect(empty.text).toContain('href="/lifecycle/search"');
    const page = await s.get(`/lifecycle/search?q=${encodeURIComponent('csv export')}&programId=${programId}`).expect(200);
    expect(page.text).toContain('<mark>export</mark>');
    expect(page.text).toContain('Rep note');
    expect(page.text).toContain('Form (observed)');
    expect(page.text).not.toMatch(/globex|jane\.doe|7946|initech/i);
    const first = await s.get(`/lifecycle/search?q=csv&programId=${programId}&limit=1`).expect(200);
    const next = /<a rel="next" href="([^"]+)"/.exec(first.text);
    expect(next).not.toBeNull();
    const second = await s.get(next![1].replace(/&amp;/g, '&')).expect(200);
    expect(second.text).toContain('<mark>');
    const bad = await s.get('/lifecycle/search?q=the').expect(400);
    expect(bad.text).toContain('no word to search for');
    const ms = await webSession(t, marketers[0].id);
    const refused = await ms.get('/lifecycle/search?q=csv');
    expect([403, 404]).toContain(refused.status);
  });
});
