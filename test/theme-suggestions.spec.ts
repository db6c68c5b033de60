import { DateTime } from 'luxon';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { makePeriod, makeProgram, makeUser, Person } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';
import { webSession } from './support/web.js';

const LC = 'suggest-team@example.com';

interface Suggestion {
  phrase: string;
  label: string;
  observers: number;
  forms: number;
  weight: number;
  snippets: { text: string; authorId: string }[];
}

/**
 * Planted: four quiet marketers each write about exporting to CSV once, in different words, on forms tagged
 * only "Onboarding friction" (which does not cover it); one loud marketer writes "please add dark mode" on
 * fifteen forms; three marketers write "the pricing page is confusing" on forms tagged "Pricing page" (covered).
 */
async function plant(t: TestApp, programId: string, periodId: string, from: DateTime) {
  const theme = async (name: string) => (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name }).expect(201)).body.id as string;
  const onboarding = await theme(`Onboarding friction ${programId.slice(0, 6)}`);
  const pricing = await theme(`Pricing page ${programId.slice(0, 6)}`);
  const rep = await makeUser(t, ['rep']);
  const quiet: Person[] = [];
  for (let i = 0; i < 4; i++) quiet.push(await makeUser(t, ['marketer']));
  const loud = await makeUser(t, ['marketer']);
  const forms: { author: string; themes: string[]; answers: Record<string, unknown>; marked?: string[]; at: DateTime }[] = [];
  const csv = [
    'They need to export to CSV every Friday for the board.',
    'Exporting to CSV is impossible, so Globex copies tables by hand; write to jane.doe@globex.example.',
    'Asked twice how to export it as CSV.',
    'No way to export into CSV files, which blocks finance.',
  ];
  quiet.forEach((m, i) =>
    forms.push({
      author: m.id,
      themes: [onboarding],
      answers: { painPoints: [csv[i]], negativeFeedback: 'Setup took a while', quotes: [{ text: 'It was fine', speaker: 'Jane Roe' }] },
      marked: i === 1 ? ['Globex'] : [],
      at: from.plus({ days: 1 + i }),
    }),
  );
  for (let k = 0; k < 15; k++) {
    forms.push({ author: loud.id, themes: [onboarding], answers: { ideas: [{ text: `Please add dark mode (${k})`, category: 'product' }], empathy: { says: ['Please add dark mode'] } }, at: from.plus({ days: 2, minutes: k }) });
  }
  for (let i = 0; i < 3; i++) {
    forms.push({ author: quiet[i].id, themes: [pricing], answers: { negativeFeedback: 'The pricing page is confusing' }, at: from.plus({ days: 3, hours: i }) });
  }
  const ids: string[] = [];
  for (const f of forms) {
    const answers = { mode: 'feedback', segment: 'Ops', themeIds: f.themes, ...f.answers };
    const [{ id }] = await t.db.query(
      `INSERT INTO observations (program_id, period_id, author_id, rep_id, template_version, status, answers, marked_names, session_ended_at, due_at, submitted_at, late, revision)
       VALUES ($1, $2, $3, $4, 1, 'submitted', $5, $6, $7, $7::timestamptz + interval '1 day', $7, false, 1) RETURNING id`,
      [programId, periodId, f.author, rep.id, JSON.stringify(answers), f.marked ?? [], f.at.toISO()],
    );
    await t.db.query(`INSERT INTO observation_themes (observation_id, theme_id) SELECT $1, unnest($2::uuid[])`, [id, f.themes]);
    ids.push(id);
  }
  return { quiet, loud, rep, onboarding, pricing, csvForms: ids.slice(0, 4) };
}

describe('themes nobody tagged yet', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  let programId: string;
  let planted: Awaited<ReturnType<typeof plant>>;
  let marketer: Person;
  let rep: Person;
  let browser: Browser | undefined;
  const from = DateTime.utc().minus({ days: 40 }).startOf('day');
  const window = { from: from.toISODate()!, to: from.plus({ days: 20 }).toISODate()! };
  const suggestions = async (q = window): Promise<{ suggestions: Suggestion[]; accepted: { id: string; phrase: string; themeId: string; tagged: number; undoneAt: string | null }[]; dismissed: { phrase: string }[] }> =>
    (await t.http.get(`/api/v1/programs/${programId}/theme-suggestions`).query(q).set(bearer(t.adminToken)).expect(200)).body;

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5' });
    programId = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: [LC] }, 'UTC');
    const periodId = await makePeriod(t, programId, from.toISODate()!, from.plus({ days: 30 }).toISODate()!);
    planted = await plant(t, programId, periodId, from);
    marketer = await makeUser(t, ['marketer']);
    rep = await makeUser(t, ['rep']);
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
    await sink.stop();
  });

  it('suggests a phrase four observers wrote with no theme covering it, not one loud observer repeating a phrase', async () => {
    const body = await suggestions();
    const phrases = body.suggestions.map((s) => s.phrase);
    const csv = body.suggestions.find((s) => s.phrase === 'export csv');
    expect(csv).toMatchObject({ observers: 4, forms: 4, weight: 2.5 }) // three of them wrote one other form each: 0.5 + 0.5 + 0.5 + 1;
    expect(csv!.label).toMatch(/^export(ing)? (to |it as |into )?csv$/);
    // Fifteen forms of one marketer are one observer.
    expect(phrases.some((p) => p.includes('dark') || p.includes('mode'))).toBe(false);
    // "pricing page" is covered by the theme those forms carry (english lexemes: price, page).
    expect(phrases).not.toContain('price page');
    // Snippets: each from a different observer, redacted.
    expect(csv!.snippets).toHaveLength(3);
    expect(new Set(csv!.snippets.map((s) => s.authorId)).size).toBe(3);
    const json = JSON.stringify(body);
    expect(json).not.toMatch(/globex\.example|Globex|jane\.doe/i);
    expect(json).not.toContain('Jane Roe');
  });

  it('lets only the lifecycle team see and decide, and refuses bad input without changing anything', async () => {
    for (const who of [marketer, rep]) {
      await t.http.get(`/api/v1/programs/${programId}/theme-suggestions`).set(bearer(who.token)).expect(403);
      await t.http.post(`/api/v1/programs/${programId}/theme-suggestions/accept`).set(bearer(who.token)).send({ phrase: 'export csv', name: 'CSV export' }).expect(403);
      await t.http.post(`/api/v1/programs/${programId}/theme-suggestions/dismiss`).set(bearer(who.token)).send({ phrase: 'export csv' }).expect(403);
    }
    await t.http.get(`/api/v1/programs/00000000-0000-4000-8000-000000000000/theme-suggestions`).set(bearer(t.adminToken)).expect(404);
    const bad = await t.http.post(`/api/v1/programs/${programId}/theme-suggestions/accept`).set(bearer(t.adminToken)).send({ phrase: 'Export; DROP', name: 'x' }).expect(400);
    expect(JSON.stringify(bad.body)).toContain('phrase');
    await t.http.post(`/api/v1/programs/${programId}/theme-suggestions/accept`).set(bearer(t.adminToken)).send({ phrase: 'export csv', name: '' }).expect(400);
    await t.http.get(`/api/v1/programs/${programId}/theme-suggestions`).query({ from: '2026-02-30' }).set(bearer(t.adminToken)).expect(400);
    // A phrase no form has: refused, nothing created.
    await t.http.post(`/api/v1/programs/${programId}/theme-suggestions/accept`).set(bearer(t.adminToken)).send({ phrase: 'purple elephant', name: 'Purple elephants' }).expect(409);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM themes WHERE name = 'Purple elephants'`);
    expect(n).toBe(0);
    expect((await suggestions()).suggestions.map((s) => s.phrase)).toContain('export csv');
  });

  it('dismisses a phrase for the program, and restores it', async () => {
    await t.http.post(`/api/v1/programs/${programId}/theme-suggestions/dismiss`).set(bearer(t.adminToken)).send({ phrase: 'export csv' }).expect(200);
    let body = await suggestions();
    expect(body.suggestions.map((s) => s.phrase)).not.toContain('export csv');
    expect(body.dismissed.map((d) => d.phrase)).toContain('export csv');
    await t.http.post(`/api/v1/programs/${programId}/theme-suggestions/restore`).set(bearer(t.adminToken)).send({ phrase: 'export csv' }).expect(200);
    body = await suggestions();
    expect(body.suggestions.map((s) => s.phrase)).toContain('export csv');
  });

  it('shows suggestions in the rollup JSON, page, email and text', async () => {
    const res = await t.http.post('/api/v1/rollups').set(bearer(t.adminToken)).send({ programId, ...window }).expect(201);
    const r = res.body.report;
    expect(r.suggestedThemes.find((s: Suggestion) => s.phrase === 'export csv')).toMatchObject({ observers: 4, forms: 4 });
    expect(JSON.stringify(r.suggestedThemes)).not.toMatch(/Globex|jane\.doe/i);
    const page = await t.http.get(`/rollups/${res.body.id}`).set(bearer(t.adminToken)).expect(200);
    expect(page.text).toContain('Suggested themes');
    expect(page.text).toMatch(/export(ing)? [a-z ]*csv&quot;: 4 observers|export(ing)? [a-z ]*csv": 4 observers/);
    expect(page.text).not.toMatch(/Globex|jane\.doe/i);
    await sink.waitFor(() => sink.to(LC).length === 1);
    const mail = sink.to(LC)[0];
    expect(mail.parsed.html).toContain('Suggested themes');
    expect(mail.parsed.text).toContain('SUGGESTED THEMES');
    expect(mail.parsed.text).toMatch(/"export(ing)? [a-z ]*csv": 4 observers, 4 forms/);
    expect(mail.parsed.text).not.toMatch(/Globex|jane\.doe/i);
  });

  it('accepts a suggestion as a theme that tags the forms and counts from then on, and undoes it', async () => {
    const res = await t.http.post(`/api/v1/programs/${programId}/theme-suggestions/accept`).set(bearer(t.adminToken)).send({ phrase: 'export csv', name: 'CSV export' }).expect(201);
    expect(res.body).toMatchObject({ phrase: 'export csv', themeName: 'CSV export', createdTheme: true, tagged: 4, undoneAt: null });
    const themeId = res.body.themeId;
    const tagged = (await t.db.query(`SELECT observation_id FROM observation_themes WHERE theme_id = $1 ORDER BY observation_id`, [themeId])).map((r: { observation_id: string }) => r.observation_id);
    expect(tagged).toEqual([...planted.csvForms].sort());
    const history = (await t.http.get(`/api/v1/themes/${themeId}/history`).set(bearer(t.adminToken)).expect(200)).body.history;
    expect(history[0]).toMatchObject({ action: 'create', details: { source: 'suggestion', phrase: 'export csv' } });
    // No longer suggested; a second accept of the same phrase is refused.
    expect((await suggestions()).suggestions.map((s) => s.phrase)).not.toContain('export csv');
    await t.http.post(`/api/v1/programs/${programId}/theme-suggestions/accept`).set(bearer(t.adminToken)).send({ phrase: 'export csv', name: 'CSV export' }).expect(409);
    // The rollup counts it now: four observers, one unit each shared with their other forms.
    const later = await t.http.post('/api/v1/rollups').set(bearer(t.adminToken)).send({ programId, from: window.from, to: from.plus({ days: 21 }).toISODate() }).expect(201);
    expect(later.body.report.themes.find((x: { themeId: string }) => x.themeId === themeId)).toMatchObject({ observers: 4, mentions: 4 });
    expect(later.body.report.suggestedThemes.map((s: Suggestion) => s.phrase)).not.toContain('export csv');
    // The author edits a tagged form (a complete edit of a submitted form): the accepted theme's tag stays.
    const edit = {
      mode: 'feedback',
      segment: 'Ops',
      empathy: { says: ['We export by hand'], thinks: [], does: [], feels: [], sees: [], hears: [] },
      painPoints: ['They need to export to CSV every Friday for the board, still.'],
      quotes: [{ text: 'It was fine', speaker: 'customer' }],
      themeIds: [planted.onboarding],
      lead: { marketingSourced: false },
      ideas: [],
      peak: { text: 'Exports', valence: -1 },
      end: { text: 'Trial', valence: 1 },
    };
    await t.http.put(`/api/v1/observations/${planted.csvForms[0]}`).set(bearer(planted.quiet[0].token)).send({ answers: edit }).expect(200);
    const kept = await t.db.query(`SELECT theme_id FROM observation_themes WHERE observation_id = $1`, [planted.csvForms[0]]);
    expect(kept.map((r: { theme_id: string }) => r.theme_id).sort()).toEqual([planted.onboarding, themeId].sort());

    // Undo: exactly those tags go, the theme it created is retired, the suggestion is back.
    const undone = await t.http.post(`/api/v1/programs/${programId}/theme-suggestions/acceptances/${res.body.id}/undo`).set(bearer(t.adminToken)).expect(200);
    expect(undone.body.undoneAt).not.toBeNull();
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM observation_themes WHERE theme_id = $1`, [themeId]);
    expect(n).toBe(0);
    expect((await t.http.get(`/api/v1/themes/${themeId}`).set(bearer(t.adminToken)).expect(200)).body.status).toBe('rejected');
    const [{ m }] = await t.db.query(`SELECT count(*)::int AS m FROM observation_themes WHERE theme_id = $1`, [planted.onboarding]);
    expect(m).toBe(19);
    expect((await suggestions()).suggestions.map((s) => s.phrase)).toContain('export csv');
    await t.http.post(`/api/v1/programs/${programId}/theme-suggestions/acceptances/${res.body.id}/undo`).set(bearer(t.adminToken)).expect(409);
  });

  it('shows the section on the themes page, where Accept and Dismiss work', async () => {
    const lc = await makeUser(t, ['lifecycle']);
    const s = await webSession(t, lc.id);
    const page = await s.get(`/lifecycle/themes?programId=${programId}&from=${window.from}&to=${window.to}`).expect(200);
    expect(page.text).toContain('Suggested themes');
    expect(page.text).toContain('export csv');
    expect(page.text).not.toMatch(/Globex|jane\.doe/i);
    await s.post('/lifecycle/theme-suggestions/dismiss', { programId, phrase: 'export csv' }).expect(303);
    expect((await suggestions()).dismissed.map((d) => d.phrase)).toContain('export csv');
    await s.post('/lifecycle/theme-suggestions/restore', { programId, phrase: 'export csv' }).expect(303);
    const bad = await s.post('/lifecycle/theme-suggestions/accept', { programId, phrase: 'export csv', name: '' });
    expect(bad.status).toBe(400);
    await s.post('/lifecycle/theme-suggestions/accept', { programId, phrase: 'export csv', name: 'Exports to CSV' }).expect(303);
    const after = await s.get(`/lifecycle/themes?programId=${programId}`).expect(200);
    expect(after.text).toContain('Exports to CSV');
    expect(after.text).toContain('Undo');
    const ms = await webSession(t, marketer.id);
    const refused = await ms.post('/lifecycle/theme-suggestions/dismiss', { programId, phrase: 'export csv' });
    expect([403, 404]).toContain(refused.status);
  });

  it('undoes, accepts and dismisses with the page’s buttons in Chromium', async () => {
    browser = await launchChromium();
    const lc = await makeUser(t, ['lifecycle']);
    const s = await webSession(t, lc.id);
    const context = await browser.newContext({ baseURL: t.url, viewport: { width: 1280, height: 1000 } });
    await context.addCookies([{ name: 'ra_session', value: s.cookie.split('=')[1], url: t.url, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    const url = `/lifecycle/themes?programId=${programId}&from=${window.from}&to=${window.to}`;
    await page.goto(url);
    // The previous test accepted "export csv" through the form; undo it with its button.
    await page.getByRole('button', { name: 'Undo' }).first().click();
    await page.waitForURL(/\/lifecycle\/themes\?programId=/);
    await page.goto(url);
    const row = page.locator('tr', { hasText: 'export csv' });
    await row.getByLabel('Theme name').fill('CSV from the browser');
    await row.getByRole('button', { name: 'Accept as theme' }).click();
    await page.waitForURL(/notice=theme-created/);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM observation_themes ot JOIN themes th ON th.id = ot.theme_id WHERE th.name = 'CSV from the browser'`,
    );
    expect(n).toBe(4);
    await page.goto(url);
    const other = page.locator('tbody tr').first();
    const phrase = (await other.locator('th .muted').textContent())!.trim();
    await other.getByRole('button', { name: 'Dismiss' }).click();
    await page.waitForURL(/\/lifecycle\/themes\?programId=/);
    expect((await suggestions()).dismissed.map((d) => d.phrase)).toContain(phrase);
  });
});
