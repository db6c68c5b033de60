/**
 * Actions through the pages: the lifecycle home shows open actions by program (overdue first); the actions
 * page lists and moves them; the form at /lifecycle/actions/new?rollupId=… turns a rollup's themes and ideas
 * into an action in a real Chromium (its owner emailed through the real SMTP listener); one action's page
 * changes owner and due date and shows the history. Marketers and reps get 403 on every page.
 */
import type { Browser } from 'playwright-core';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { launchChromium, screenshot } from './support/browser.js';
import { makeProgram, makeUser, Person } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';
import { webSession, WebSession } from './support/web.js';

const NIL = '00000000-0000-4000-8000-000000000000';

describe('action pages (real app, real SMTP, Chromium)', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  let browser: Browser;
  let lena: Person;
  let olga: Person;
  let marketer: Person;
  let rep: Person;
  let life: WebSession;
  let marketerWeb: WebSession;
  let repWeb: WebSession;
  let alpha: string; // program "Alpha …"
  let beta: string; // program "Beta …"
  let rollupId: string;
  let pricing: string;
  let onboarding: string;

  const count = async (table: string) => (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
  const tables = async () => ({ actions: await count('actions'), history: await count('action_history'), outbox: await count('mail_outbox') });
  const api = (body: Record<string, unknown>) => t.http.post('/api/v1/actions').set(bearer(lena.token)).send({ themeIds: [], kind: 'other', ownerId: olga.id, ...body });

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5', JOBS_RETRY_DELAY_SECONDS: '1', PUBLIC_URL: 'https://ridealong.example' });
    browser = await launchChromium();
    lena = await makeUser(t, ['lifecycle'], 'Europe/London', { name: 'Lena Lifecycle' });
    olga = await makeUser(t, ['lifecycle'], 'Asia/Tokyo', { name: 'Olga Owner' });
    marketer = await makeUser(t, ['marketer'], 'UTC', { name: 'Mark Marketer' });
    rep = await makeUser(t, ['rep'], 'UTC');
    alpha = await makeProgram(t);
    beta = await makeProgram(t);
    await t.db.query(`UPDATE programs SET name = 'Alpha program' WHERE id = $1`, [alpha]);
    await t.db.query(`UPDATE programs SET name = 'Beta program' WHERE id = $1`, [beta]);
    pricing = (await t.db.query(`INSERT INTO themes (name, status) VALUES ('Pricing confusion', 'active') RETURNING id`))[0].id;
    onboarding = (await t.db.query(`INSERT INTO themes (name, status) VALUES ('Onboarding gaps', 'active') RETURNING id`))[0].id;
    const report = {
      themes: [{ themeId: pricing, name: 'Pricing confusion' }],
      emerging: [{ themeId: onboarding, name: 'Onboarding gaps' }],
      ideas: [
        { category: 'Info to Sales', group: 'info_to_sales', text: 'A battlecard for the new competitor', authorId: NIL },
        { category: 'Rep alerts', group: 'rep_alerts', text: 'Warn reps before the price change', authorId: NIL },
      ],
    };
    rollupId = (
      await t.db.query(
        `INSERT INTO rollups (program_id, window_from, window_to, kind, status, report, generated_at) VALUES ($1, '2026-11-01T00:00:00Z', '2026-11-08T00:00:00Z', 'custom', 'ready', $2::jsonb, now()) RETURNING id`,
        [alpha, JSON.stringify(report)],
      )
    )[0].id;
    life = await webSession(t, lena.id);
    marketerWeb = await webSession(t, marketer.id);
    repWeb = await webSession(t, rep.id);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink.stop();
  });

  it('the lifecycle home shows open actions by program, overdue first, without finished ones', async () => {
    await api({ programId: beta, title: 'Beta later', dueOn: '2099-05-01' }).expect(201);
    await api({ programId: beta, title: 'Beta overdue', dueOn: '2020-05-01' }).expect(201);
    await api({ programId: alpha, title: 'Alpha undated' }).expect(201);
    const finished = (await api({ programId: alpha, title: 'Alpha finished' }).expect(201)).body.id;
    await t.http.patch(`/api/v1/actions/${finished}`).set(bearer(lena.token)).send({ status: 'done' }).expect(200);
    const page = (await life.get('/lifecycle').expect(200)).text;
    const section = page.slice(page.indexOf('id="open-actions"'), page.indexOf('</section>', page.indexOf('id="open-actions"')));
    const order = ['Alpha program', 'Alpha undated', 'Beta program', 'Beta overdue', 'Beta later'].map((s) => section.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(section).not.toContain('Alpha finished');
    expect(section).toContain('1 overdue');
    expect(section).toContain('Olga Owner');
    expect(page).toContain('href="/lifecycle/actions"');
  });

  it('turns a rollup’s themes and ideas into an action in Chromium; the owner is emailed', async () => {
    const context = await browser.newContext({ baseURL: t.url, viewport: { width: 1280, height: 1000 } });
    await context.addCookies([{ name: 'ra_session', value: life.cookie.split('=')[1], url: t.url, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    await page.goto(`/lifecycle/actions/new?rollupId=${rollupId}`);
    expect(await page.getByLabel('Pricing confusion').count()).toBe(1);
    expect(await page.getByLabel('Onboarding gaps').count()).toBe(1);
    await page.getByLabel('Pricing confusion').check();
    await page.getByLabel(/Warn reps before the price change/).check();
    await page.getByLabel('Kind').selectOption('rep_alert');
    // Submitted without a title first: the form comes back with the problem next to it, and what was chosen kept.
    await page.getByRole('button', { name: 'Create action' }).click();
    await page.waitForLoadState();
    expect(await page.locator('.error-summary').textContent()).toContain('title');
    expect(await page.getByLabel('Pricing confusion').isChecked()).toBe(true);
    expect(await count('actions')).toBe(4);
    await page.getByLabel('Title').fill('Tell reps about the price change');
    await page.getByLabel(/^Detail/).fill('Before the 1st; with the FAQ.');
    await page.getByLabel('Owner').selectOption({ label: 'Olga Owner' });
    await page.getByLabel(/Due date/).fill('2026-12-18');
    await screenshot(page, 'action-new');
    await page.getByRole('button', { name: 'Create action' }).click();
    await page.waitForURL(/\/lifecycle\/actions\/[0-9a-f-]{36}\?notice=action-created/);
    const id = /actions\/([0-9a-f-]{36})/.exec(page.url())![1];
    const body = await page.locator('main').textContent();
    expect(body).toContain('Action created.');
    expect(body).toContain('Warn reps before the price change');
    expect(body).toContain('Pricing confusion');
    await context.close();

    const [row] = await t.db.query(`SELECT kind, title, owner_id, due_on::text AS due, rollup_id, ideas FROM actions WHERE id = $1`, [id]);
    expect(row).toMatchObject({ kind: 'rep_alert', title: 'Tell reps about the price change', owner_id: olga.id, due: '2026-12-18', rollup_id: rollupId });
    expect(row.ideas).toEqual([{ index: 1, category: 'Rep alerts', text: 'Warn reps before the price change' }]);
    expect((await t.db.query(`SELECT theme_id FROM action_themes WHERE action_id = $1`, [id])).map((r: { theme_id: string }) => r.theme_id)).toEqual([pricing]);
    await sink.waitFor(() => sink.to(olga.email).some((m) => m.parsed.subject === 'Action for you: Tell reps about the price change'));
  });

  it('refuses a forged owner or idea next to its field and writes nothing; bad rollup ids are 400 and 404', async () => {
    const before = await tables();
    const base = { programId: alpha, rollupId, kind: 'other', title: 'Forged', ownerId: olga.id };
    const notLifecycle = await life.post('/lifecycle/actions', { ...base, ownerId: marketer.id });
    expect(notLifecycle.status).toBe(422);
    expect(notLifecycle.text).toContain('ownerId must be an active member of the lifecycle team');
    const idea = await life.post('/lifecycle/actions', { ...base, ideaRefs: '7' });
    expect(idea.status).toBe(422);
    expect(idea.text).toMatch(/ideaRefs must be indexes/);
    const theme = await life.post('/lifecycle/actions', { ...base, themeIds: [pricing, NIL] });
    expect(theme.status).toBe(422);
    expect((await life.post('/lifecycle/actions', { ...base, dueOn: '2026-02-30' })).status).toBe(400);
    expect(await tables()).toEqual(before);
    expect((await life.get('/lifecycle/actions/new?rollupId=nope')).status).toBe(400);
    expect((await life.get(`/lifecycle/actions/new?rollupId=${NIL}`)).status).toBe(404);
    expect((await life.get(`/lifecycle/actions/new?programId=${alpha}`)).status).toBe(200);
  });

  it('the actions page filters by program and moves actions with its buttons; a refused step changes nothing', async () => {
    const id = (await api({ programId: beta, title: 'Move me' }).expect(201)).body.id as string;
    const all = (await life.get('/lifecycle/actions').expect(200)).text;
    expect(all).toContain('Move me');
    expect(all).toContain('Alpha undated');
    const betaOnly = (await life.get(`/lifecycle/actions?programId=${beta}`).expect(200)).text;
    expect(betaOnly).toContain('Move me');
    expect(betaOnly).not.toContain('Alpha undated');
    expect((await life.get('/lifecycle/actions?programId=x')).status).toBe(400);

    const start = await life.post(`/lifecycle/actions/${id}/status`, { status: 'in_progress', back: `/lifecycle/actions?programId=${beta}` });
    expect([start.status, start.headers.location]).toEqual([303, `/lifecycle/actions?programId=${beta}&notice=action-saved`]);
    expect((await t.db.query(`SELECT status FROM actions WHERE id = $1`, [id]))[0].status).toBe('in_progress');
    // Another site is never where a button returns.
    const offsite = await life.post(`/lifecycle/actions/${id}/status`, { status: 'done', back: 'https://evil.example/' });
    expect(offsite.headers.location).toBe(`/lifecycle/actions/${id}?notice=action-saved`);
    const before = await tables();
    const refused = await life.post(`/lifecycle/actions/${id}/status`, { status: 'in_progress' });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('it may become: open');
    expect(await tables()).toEqual(before);
  });

  it('one action’s page changes owner and due date (the new owner emailed) and shows who changed what', async () => {
    const id = (await api({ programId: alpha, title: 'Hand over', ownerId: lena.id, dueOn: '2026-12-01', themeIds: [onboarding] }).expect(201)).body.id as string;
    const saved = await life.post(`/lifecycle/actions/${id}`, { title: 'Hand over', detail: '', ownerId: olga.id, dueOn: '' });
    expect([saved.status, saved.headers.location]).toEqual([303, `/lifecycle/actions/${id}?notice=action-saved`]);
    await sink.waitFor(() => sink.to(olga.email).some((m) => m.parsed.subject === 'Action for you: Hand over'));
    const page = (await life.get(`/lifecycle/actions/${id}`).expect(200)).text;
    expect(page).toContain('Lena Lifecycle: owner: Lena Lifecycle → Olga Owner; due date: 1 Dec 2026 → none');
    expect(page).toContain('themes: Onboarding gaps');
    const bad = await life.post(`/lifecycle/actions/${id}`, { title: '  ', ownerId: olga.id, dueOn: '' });
    expect(bad.status).toBe(400);
    expect((await life.get(`/lifecycle/actions/${NIL}`)).status).toBe(404);
  });

  it('marketers and reps get 403 on every action page and change nothing', async () => {
    const id = (await api({ programId: alpha, title: 'Not yours' }).expect(201)).body.id as string;
    const before = await tables();
    for (const s of [marketerWeb, repWeb]) {
      expect((await s.get('/lifecycle/actions')).status).toBe(403);
      expect((await s.get(`/lifecycle/actions/new?rollupId=${rollupId}`)).status).toBe(403);
      expect((await s.get(`/lifecycle/actions/${id}`)).status).toBe(403);
      expect((await s.post('/lifecycle/actions', { programId: alpha, kind: 'other', title: 'x', ownerId: olga.id })).status).toBe(403);
      expect((await s.post(`/lifecycle/actions/${id}/status`, { status: 'done' })).status).toBe(403);
      expect((await s.post(`/lifecycle/actions/${id}`, { title: 'x', ownerId: olga.id })).status).toBe(403);
    }
    expect(await tables()).toEqual(before);
  });
});
