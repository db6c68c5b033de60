import { DateTime } from 'luxon';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, makePeriod, makeProgram, makeUser, Person } from './support/fixtures.js';

/**
 * A form that names a theme and a theme merged into it, or two themes merged into the same one, counts once
 * for the theme they became: in the ranking (mentions, observers, weight per observer) and in the trend of an
 * earlier action on that theme. The rollup's reads drop those duplicates without sorting every tag of the
 * window, so these forms are planted to catch a duplicate counted twice.
 */
describe('rollups: merged themes count once per form (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let programId: string;
  let periodId: string;
  let owner: Person;
  const now = DateTime.utc();

  async function theme(name: string): Promise<string> {
    return (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name }).expect(201)).body.id;
  }

  async function form(author: Person, at: DateTime, themes: string[]): Promise<void> {
    const [o] = await t.db.query(
      `INSERT INTO observations (program_id, period_id, author_id, template_version, status, answers, session_ended_at, due_at, submitted_at, late, revision)
       VALUES ($1, $2, $3, 1, 'submitted', $4, $5, $5, $5, false, 1) RETURNING id`,
      [programId, periodId, author.id, JSON.stringify({ mode: 'feedback', themeIds: themes }), at.toISO()],
    );
    for (const th of themes) await t.db.query(`INSERT INTO observation_themes (observation_id, theme_id) VALUES ($1, $2)`, [o.id, th]);
  }

  beforeAll(async () => {
    t = await startTestApp();
    owner = await makeUser(t, ['lifecycle']);
    programId = await makeProgram(t, {}, 'UTC');
    periodId = await makePeriod(t, programId, daysFromNow(-60), daysFromNow(30));
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts a form once for the theme its tags were merged into, in the ranking and in trends', async () => {
    const stamp = Date.now();
    const [alpha, beta, gamma, other] = [await theme(`Alpha ${stamp}`), await theme(`Beta ${stamp}`), await theme(`Gamma ${stamp}`), await theme(`Other ${stamp}`)];
    const [m1, m2] = [await makeUser(t, ['marketer']), await makeUser(t, ['marketer'])];
    const at = (days: number) => now.minus({ days });
    // m1: one form names Alpha and Gamma, one names Alpha and Beta; m2: one names Beta, one names something else.
    await form(m1, at(3), [alpha, gamma]);
    await form(m1, at(2), [alpha, beta]);
    await form(m2, at(3), [beta]);
    await form(m2, at(2), [other]);
    for (const id of [alpha, beta]) await t.http.post(`/api/v1/themes/${id}/merge`).set(bearer(t.adminToken)).send({ intoId: gamma }).expect(200);
    // An action on Gamma done before the window: its trend's "after" stretch is the window.
    const [action] = await t.db.query(
      `INSERT INTO actions (program_id, kind, title, owner_id, status, done_at, created_by, created_at)
       VALUES ($1, 'info_for_sales', 'Gamma guide', $2, 'done', $3, $2, $3) RETURNING id`,
      [programId, owner.id, at(5).toISO()],
    );
    await t.db.query(`INSERT INTO action_themes (action_id, theme_id) VALUES ($1, $2)`, [action.id, gamma]);

    const res = await t.http.post('/api/v1/rollups').set(bearer(t.adminToken)).send({ programId, from: daysFromNow(-4), to: daysFromNow(1) }).expect(201);
    const report = (await t.http.get(`/api/v1/rollups/${res.body.id}`).set(bearer(t.adminToken)).expect(200)).body.report;
    const all = [...report.themes, ...report.emerging] as { name: string; mentions: number; observers: number; weight: number }[];
    // Three forms name Gamma (as itself, Alpha or Beta): m1's two of two, m2's one of two.
    expect(all.find((x) => x.name === `Gamma ${stamp}`)).toMatchObject({ mentions: 3, observers: 2, weight: 1.5 });
    expect(all.find((x) => x.name === `Other ${stamp}`)).toMatchObject({ mentions: 1, observers: 1, weight: 0.5 });
    expect(all.map((x) => x.name)).not.toEqual(expect.arrayContaining([`Alpha ${stamp}`]));
    expect(report.earlierActions.themes).toEqual([expect.objectContaining({ name: `Gamma ${stamp}`, actionTitle: 'Gamma guide', before: 0, after: 1.5 })]);
  });
});
