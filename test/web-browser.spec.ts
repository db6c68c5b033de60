/**
 * The web app in a real browser: Debian's Chromium, headless, driven by playwright-core. One story from
 * sign-in to a rollup, through the pages only (the API sets up what a lifecycle user would have set up
 * before: people, a program, a period, a roster invitation, an enrolment, a theme). Screenshots of each page
 * go to test-results/. (Code run in the page is passed as strings: the project's types have no DOM.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN_EMAIL, bearer, startTestApp, TestApp } from './support/app.js';
import { launchChromium, screenshot } from './support/browser.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, type Person } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';
import { webSession } from './support/web.js';

const REP_ZONE = 'America/New_York';
const MARKETER_ZONE = 'Europe/Berlin';

describe('the web app in Chromium', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let browser: Browser;
  let rep: Person;
  let marketer: Person;
  let programId: string;
  let periodId: string;
  const repName = 'Rita Rep';

  beforeAll(async () => {
    sink = new SmtpSink();
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5', JOBS_RETRY_DELAY_SECONDS: '1', MAIL_FROM: 'ridealong <noreply@ridealong.test>' });
    browser = await launchChromium();
    rep = await makeUser(t, ['rep'], REP_ZONE, { name: repName });
    marketer = await makeUser(t, ['marketer'], MARKETER_ZONE, { name: 'Mia Marketer' });
    programId = await makeProgram(t, { slotMinutes: 30, slotGridMinutes: 30, minNoticeHours: 12, horizonDays: 28 }, REP_ZONE);
    periodId = await makePeriod(t, programId, daysFromNow(-14, REP_ZONE), daysFromNow(60, REP_ZONE));
    await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: rep.id }).expect(201);
    await enrol(t, periodId, marketer);
    await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: 'Onboarding friction' }).expect(201);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.stop();
  });

  /** Signs in through the pages: ask for a link, read it from the real SMTP listener, open it, press the button. */
  async function signIn(email: string, shots?: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ baseURL: t.url, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    const before = sink.to(email).length;
    await page.getByLabel('Email address').fill(email);
    if (shots) await screenshot(page, `${shots}-sign-in`);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await expect(page.getByRole('heading', { name: 'Check your email' }).isVisible()).resolves.toBe(true);
    if (shots) await screenshot(page, `${shots}-check-email`);
    await sink.waitFor(() => sink.to(email).length > before);
    const mail = sink.to(email)[before].parsed;
    const link = /\/sign-in\/sl_[A-Za-z0-9_-]+/.exec(mail.text ?? '')![0];
    await page.goto(link);
    if (shots) await screenshot(page, `${shots}-sign-in-confirm`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname !== link);
    // The session cookie is HTTP-only: page script cannot read it.
    expect(await page.evaluate<string>('document.cookie')).not.toContain('ra_session');
    return { context, page };
  }

  const noticeText = (page: Page) => page.locator('.notice').innerText();

  it('walks from sign-in to a rollup', async () => {
    // ---- the rep: sign in by magic link, accept the invitation, publish weekly availability
    const { page: repPage } = await signIn(rep.email, '01-rep');
    expect(new URL(repPage.url()).pathname).toBe('/rep');
    await repPage.getByRole('button', { name: 'Accept' }).click();
    await screenshot(repPage, '02-rep-home');
    await repPage.goto('/rep/availability');
    await repPage.getByLabel('Time zone').selectOption(REP_ZONE);
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) {
      await repPage.getByLabel(`${day} window 1 start`).fill('09:00');
      await repPage.getByLabel(`${day} window 1 end`).fill('12:00');
    }
    await repPage.getByRole('button', { name: 'Save weekly availability' }).click();
    expect(await noticeText(repPage)).toContain('Weekly availability saved.');
    await screenshot(repPage, '03-rep-availability');
    const saved = await t.http.get(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).expect(200);
    expect(saved.body.weekly).toHaveLength(5);

    // ---- the marketer, in Berlin: next week's Monday 09:00 in New York is shown at Berlin's time
    const { page: mPage } = await signIn(marketer.email);
    expect(new URL(mPage.url()).pathname).toBe('/marketer');
    await mPage.goto('/marketer/slots');
    await mPage.getByRole('link', { name: 'Next week' }).click();
    await mPage.waitForURL(/week=/);
    const monday = DateTime.now().setZone(MARKETER_ZONE).startOf('week').plus({ weeks: 1 });
    const start = DateTime.fromObject({ year: monday.year, month: monday.month, day: monday.day, hour: 9 }, { zone: REP_ZONE });
    const local = `${start.setZone(MARKETER_ZONE).toFormat('HH:mm')}–${start.plus({ minutes: 30 }).setZone(MARKETER_ZONE).toFormat('HH:mm')}`;
    expect(local).not.toBe('09:00–09:30'); // another zone indeed
    expect(await mPage.getByText(`Times in ${MARKETER_ZONE}`).isVisible()).toBe(true);
    const mondayColumn = mPage.getByRole('region', { name: monday.toFormat('cccc d LLLL') });
    const slotButton = mondayColumn.getByRole('button', { name: `Book ${local} with ${repName}` });
    await screenshot(mPage, '04-marketer-week');
    await slotButton.click();
    expect(await noticeText(mPage)).toContain('Booked. The invite is in your email.');
    await screenshot(mPage, '05-marketer-home-booked');
    const week = `/marketer/slots?week=${monday.toISODate()}`;
    await mPage.goto(week);
    await expect(mondayColumn.getByText(`Your session ${local} with ${repName}`).isVisible()).resolves.toBe(true);
    expect(await slotButton.count()).toBe(0);
    await screenshot(mPage, '06-marketer-week-booked');

    // ---- cancel, then book the same slot again
    await mPage.goto('/marketer');
    const upcoming = mPage.locator('li', { hasText: `with ${repName}` }).filter({ has: mPage.getByRole('button', { name: 'Cancel booking' }) });
    await upcoming.getByLabel('Reason for cancelling').fill('Customer moved the call');
    await upcoming.getByRole('button', { name: 'Cancel booking' }).click();
    expect(await noticeText(mPage)).toContain('Cancelled.');
    await mPage.goto(week);
    await slotButton.click();
    expect(await noticeText(mPage)).toContain('Booked.');
    const rows = await t.db.query(`SELECT status FROM bookings WHERE marketer_id = $1 AND starts_at = $2 ORDER BY created_at`, [marketer.id, start.toJSDate()]);
    expect(rows.map((r: { status: string }) => r.status)).toEqual(['cancelled', 'confirmed']);

    // ---- a session that already happened: mark it done, then write the form (fixing a mistake on the way)
    const past = DateTime.now().setZone(REP_ZONE).minus({ days: 2 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
    await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: past.toISO()!, endsAt: past.plus({ minutes: 30 }).toISO()! });
    await mPage.goto('/marketer');
    await mPage.getByRole('button', { name: 'Mark done' }).click();
    expect(await noticeText(mPage)).toContain('Marked as done.');
    await mPage.goto('/marketer/forms');
    await screenshot(mPage, '07-forms-due');
    await mPage.getByRole('link', { name: 'Write up' }).click();
    await mPage.getByLabel('Did you watch behaviour or gather feedback?', { exact: false }).selectOption({ label: 'Feedback: I gathered what the customer told us' });
    // The segment is left empty on purpose.
    await mPage.getByLabel('Says', { exact: true }).fill('Setup takes too long');
    await mPage.getByLabel('Feels', { exact: true }).fill('Frustrated');
    await mPage.getByLabel('Quote 1', { exact: true }).fill('We gave up on the import twice');
    await mPage.getByLabel('Who said quote 1', { exact: true }).fill('Ops lead');
    await mPage.getByRole('checkbox', { name: 'Onboarding friction' }).check();
    await mPage.getByLabel('Was it a marketing-sourced lead?', { exact: true }).selectOption({ label: 'No' });
    await mPage.getByLabel('What happened at the most intense moment').fill('The import failed on screen');
    await mPage.getByLabel('How the most intense moment felt').selectOption({ label: '-2: very negative' });
    await mPage.getByLabel('How the session ended').fill('Agreed to a follow-up');
    await mPage.getByLabel('How the end felt').selectOption({ label: '+1: positive' });
    // The draft saves itself while typing.
    await mPage.locator('[data-save-status]').filter({ hasText: 'Draft saved' }).waitFor();
    await mPage.getByRole('button', { name: 'Submit form' }).click();
    const segment = mPage.getByLabel("The customer's segment or persona", { exact: false });
    expect(await segment.getAttribute('aria-invalid')).toBe('true');
    const segmentError = mPage.locator(`#${(await segment.getAttribute('aria-describedby'))!.split(' ').pop()}`);
    expect(await segmentError.innerText()).toMatch(/segment/i);
    expect(await mPage.getByLabel('Says', { exact: true }).inputValue()).toBe('Setup takes too long'); // input kept
    await screenshot(mPage, '08-form-error-next-to-field', false); // the top: the summary and the field
    await segment.fill('Mid-market operations team');
    await mPage.getByRole('button', { name: 'Submit form' }).click();
    expect(await noticeText(mPage)).toContain('Form submitted. Thank you.');
    await screenshot(mPage, '09-forms-submitted');
    const [form] = await t.db.query(`SELECT status, answers->>'segment' AS segment FROM observations WHERE author_id = $1`, [marketer.id]);
    expect(form).toEqual({ status: 'submitted', segment: 'Mid-market operations team' });

    // ---- the same week view on a phone-width screen
    const phone = await mPage.context().browser()!.newContext({ baseURL: t.url, viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.addCookies(await mPage.context().cookies());
    const phonePage = await phone.newPage();
    await phonePage.goto(week);
    expect(await phonePage.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
    await screenshot(phonePage, '10-marketer-week-phone');
    await phone.close();

    // ---- the lifecycle team: run the rollup of the last two weeks from the program page, open it from the list
    const { page: lPage } = await signIn(ADMIN_EMAIL);
    expect(new URL(lPage.url()).pathname).toBe('/lifecycle');
    const [{ name: programName }] = await t.db.query(`SELECT name FROM programs WHERE id = $1`, [programId]);
    await lPage.getByRole('link', { name: programName, exact: true }).click();
    await lPage.getByLabel('From', { exact: true }).fill(daysFromNow(-14, REP_ZONE));
    await lPage.getByLabel('To', { exact: true }).fill(daysFromNow(0, REP_ZONE));
    await screenshot(lPage, '11-lifecycle-program');
    await lPage.getByRole('button', { name: 'Run rollup' }).click();
    await lPage.waitForURL(/\/rollups\/[0-9a-f-]{36}$|\/lifecycle\/rollups/);
    const [rollup] = await t.db.query(`SELECT id FROM rollups WHERE program_id = $1`, [programId]);
    await waitFor(async () => (await t.http.get(`/api/v1/rollups/${rollup.id}`).set(bearer(t.adminToken))).body.status === 'ready');
    await lPage.goto('/lifecycle/rollups');
    await screenshot(lPage, '12-lifecycle-rollups');
    await lPage.getByRole('link', { name: /^Open rollup/ }).first().click();
    await lPage.waitForURL(`**/rollups/${rollup.id}`);
    expect(await lPage.getByText('Onboarding friction').first().isVisible()).toBe(true);
    await screenshot(lPage, '13-rollup');
  }, 120_000);

  it('renders every page on a phone-width screen with labelled controls, no script or CSP errors and no sideways scroll', async () => {
    const [form] = await t.db.query(`SELECT id FROM observations WHERE author_id = $1`, [marketer.id]);
    const [theme] = await t.db.query(`SELECT id FROM themes LIMIT 1`);
    const [admin] = await t.db.query(`SELECT id FROM users WHERE email = $1`, [ADMIN_EMAIL]);
    const pages: [string, string, string[]][] = [
      ['rep', rep.id, ['/rep', '/rep/availability']],
      ['marketer', marketer.id, ['/marketer', '/marketer/slots', '/marketer/forms', '/marketer/shifts', ...(form ? [`/marketer/forms/${form.id}`] : [])]],
      [
        'lifecycle',
        admin.id,
        ['/lifecycle', `/lifecycle/programs/${programId}`, `/lifecycle/periods/${periodId}`, `/lifecycle/programs/${programId}/health`, '/lifecycle/people', '/lifecycle/themes', `/lifecycle/themes/${theme.id}`, '/lifecycle/rollups'],
      ],
    ];
    for (const [role, userId, paths] of pages) {
      const session = await webSession(t, userId);
      const context = await browser.newContext({ baseURL: t.url, viewport: { width: 390, height: 844 }, isMobile: true });
      await context.addCookies([{ name: 'ra_session', value: session.cookie.split('=')[1], url: t.url, httpOnly: true, secure: true, sameSite: 'Lax' }]);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`${page.url()}: console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
      for (const path of paths) {
        const res = await page.goto(path);
        expect(`${path} ${res?.status()}`).toBe(`${path} 200`);
        expect(await page.locator('h1').count()).toBe(1);
        const unlabelled = await page.evaluate<string[]>(`[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
          .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
          .map((el) => el.name || el.id || el.outerHTML.slice(0, 80))`);
        expect(`${path}: ${unlabelled.join(', ')}`).toBe(`${path}: `);
        expect(`${path} fits: ${await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth + 1')}`).toBe(`${path} fits: true`);
        await screenshot(page, `pages/${role}${path.replace(/\/[0-9a-f-]{36}/g, '/id').replace(/\//g, '-')}`);
      }
      expect(problems).toEqual([]);
      await context.close();
    }
  }, 120_000);

  it('is usable by keyboard: the first Tab reaches the skip link, and Enter follows it', async () => {
    const context = await browser.newContext({ baseURL: t.url });
    const page = await context.newPage();
    await page.goto('/sign-in');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('main');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.name')).toBe('email');
    await context.close();
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
