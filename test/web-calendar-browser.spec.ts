/**
 * A rep's real calendar in a real browser (Debian's Chromium, headless, playwright-core): the rep connects
 * a feed served by a real HTTP server (a Google-style ICS with an internal meeting and a meeting with a
 * customer), opens the customer call for shadowing, and a marketer books it from their week view. The
 * marketer sees the label the rep gave, never the customer's address. Screenshots go to test-results/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, TestApp } from './support/app.js';
import { launchChromium, screenshot } from './support/browser.js';
import { googleFeed } from './support/feed-server.js';
import { IcsServer } from './support/ics-server.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, rosterRep, type Person } from './support/fixtures.js';
import { webSession } from './support/web.js';

const REP_ZONE = 'America/New_York';
const MARKETER_ZONE = 'Europe/Berlin';
const CUSTOMER = 'jane.doe@globex-customer.test';

describe('a customer call from the rep calendar, in Chromium', () => {
  let t: TestApp;
  let feeds: IcsServer;
  let browser: Browser;
  let rep: Person;
  let marketer: Person;
  let periodId: string;
  let feedUrl: string;
  const day = daysFromNow(4, REP_ZONE);
  const at = (hhmm: string) => DateTime.fromISO(`${day}T${hhmm}`, { zone: REP_ZONE });

  beforeAll(async () => {
    feeds = new IcsServer();
    await feeds.start();
    t = await startTestApp();
    browser = await launchChromium();
    rep = await makeUser(t, ['rep'], REP_ZONE, { name: 'Rita Rep' });
    marketer = await makeUser(t, ['marketer'], MARKETER_ZONE, { name: 'Mia Marketer' });
    const programId = await makeProgram(t, { slotMinutes: 30, slotGridMinutes: 30, minNoticeHours: 12, horizonDays: 28 }, REP_ZONE);
    periodId = await makePeriod(t, programId, daysFromNow(-7, REP_ZONE), daysFromNow(40, REP_ZONE));
    await rosterRep(t, periodId, rep);
    await enrol(t, periodId, marketer);
    feedUrl = feeds.set(
      '/calendar/ical/rita%40example.com/private-0a1b2c3d4e/basic.ics',
      googleFeed('Rita Rep', [
        { uid: 'standup@google.com', start: at('09:00'), end: at('09:30'), summary: 'Team stand-up', organizer: rep.email, attendees: [rep.email, 'sam@example.com'] },
        { uid: 'globex@google.com', start: at('14:00'), end: at('14:45'), summary: 'Globex: onboarding review', organizer: rep.email, attendees: [rep.email, CUSTOMER] },
      ]),
    );
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await feeds?.stop();
  });

  /** A browser signed in as the user (the session cookie of a real sign-in). */
  async function signedIn(userId: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const session = await webSession(t, userId);
    const context = await browser.newContext({ baseURL: t.url, viewport });
    await context.addCookies([{ name: 'ra_session', value: session.cookie.split('=')[1], url: t.url, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      // The app has no favicon; Chromium asks for one on the first page of a desktop context.
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(`${page.url()}: console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    return { context, page, problems };
  }

  const noticeText = (page: Page) => page.locator('.notice').innerText();

  it('a rep connects a feed and opens a customer call; a marketer books it', async () => {
    // ---- the rep connects their calendar by its secret address
    const { context: repContext, page: repPage, problems: repProblems } = await signedIn(rep.id);
    await repPage.goto('/rep');
    await repPage.getByRole('link', { name: 'Your calendar' }).click();
    await repPage.waitForURL('**/rep/calendar');
    await repPage.getByLabel('Calendar address', { exact: true }).fill(feedUrl);
    await repPage.getByRole('button', { name: 'Connect calendar', exact: true }).click();
    expect(await noticeText(repPage)).toContain('Calendar connected.');
    const connection = repPage.locator('li', { hasText: '127.0.0.1' });
    await expect(connection.getByText('Up to date').isVisible()).resolves.toBe(true);
    await expect(connection.getByText('2 events').isVisible()).resolves.toBe(true);
    expect(await repPage.content()).not.toContain('private-0a1b2c3d4e');
    await screenshot(repPage, 'calendar-01-rep-connected');

    // ---- the availability preview shows the stand-up as busy
    await repPage.getByRole('link', { name: 'Availability' }).click();
    const busy = repPage.getByRole('list', { name: 'Busy in your calendar' });
    await expect(busy.getByText('09:00–09:30').isVisible()).resolves.toBe(true);

    // ---- the customer call, opened with a label of the rep's choosing
    await repPage.getByRole('link', { name: 'Customer calls' }).click();
    await repPage.waitForURL('**/rep/customer-calls');
    const call = repPage.locator('li', { hasText: 'Globex: onboarding review' });
    expect(await call.getByLabel('Label marketers see').inputValue()).toBe('Globex: onboarding review');
    expect(await repPage.getByText('Team stand-up').count()).toBe(0);
    expect(await repPage.content()).not.toContain(CUSTOMER);
    await screenshot(repPage, 'calendar-02-rep-customer-calls');
    await call.getByLabel('Label marketers see').fill('Onboarding review');
    await call.getByLabel('Call type').fill('onboarding');
    await call.getByLabel('A marketing-sourced lead').check();
    await call.getByRole('button', { name: 'Open for shadowing' }).click();
    expect(await noticeText(repPage)).toContain('Call opened for shadowing.');
    await expect(repPage.locator('li', { hasText: 'Globex: onboarding review' }).getByRole('button', { name: 'Close' }).isVisible()).resolves.toBe(true);
    const [event] = await t.db.query(`SELECT id, opened_at FROM calendar_events WHERE uid = 'globex@google.com'`);
    expect(event.opened_at).not.toBeNull();

    // ---- the marketer, in Berlin, books it from the week view
    const { context: mContext, page: mPage, problems: mProblems } = await signedIn(marketer.id);
    await mPage.goto(`/marketer/slots?week=${day}`);
    const start = at('14:00').setZone(MARKETER_ZONE);
    const end = at('14:45').setZone(MARKETER_ZONE);
    const column = mPage.getByRole('region', { name: start.toFormat('cccc d LLLL') });
    const slot = column.locator('li.customer-call');
    await expect(slot.getByText('Customer call').isVisible()).resolves.toBe(true);
    await expect(slot.getByText('Onboarding review').isVisible()).resolves.toBe(true);
    expect(await mPage.content()).not.toContain(CUSTOMER);
    expect(await mPage.content()).not.toContain('Globex');
    await screenshot(mPage, 'calendar-03-marketer-week-customer-call');
    await slot.getByRole('button', { name: `Book ${start.toFormat('HH:mm')}–${end.toFormat('HH:mm')} with Rita Rep` }).click();
    expect(await noticeText(mPage)).toContain('Booked.');
    const [booking] = await t.db.query(`SELECT starts_at, ends_at, customer_call_id, status FROM bookings WHERE marketer_id = $1`, [marketer.id]);
    expect(booking).toEqual({ starts_at: at('14:00').toJSDate(), ends_at: at('14:45').toJSDate(), customer_call_id: event.id, status: 'confirmed' });
    await screenshot(mPage, 'calendar-04-marketer-booked');
    // Back in the week view, the session shows where it was booked, labelled as the customer call.
    await mPage.goto(`/marketer/slots?week=${day}`);
    const session = column.locator('li.booked');
    await expect(session.getByText(`Your session ${start.toFormat('HH:mm')}–${end.toFormat('HH:mm')} with Rita Rep`).isVisible()).resolves.toBe(true);
    await expect(session.getByText('Customer call').isVisible()).resolves.toBe(true);
    await expect(session.getByText('Onboarding review').isVisible()).resolves.toBe(true);
    expect(await column.locator('li.customer-call').count()).toBe(0);

    // ---- the rep sees who booked it; Close is no longer offered
    await repPage.reload();
    const booked = repPage.locator('li', { hasText: 'Globex: onboarding review' });
    await expect(booked.getByText('Booked by: Mia Marketer').isVisible()).resolves.toBe(true);
    expect(await booked.getByRole('button', { name: 'Close' }).count()).toBe(0);
    await screenshot(repPage, 'calendar-05-rep-call-booked');

    expect([...repProblems, ...mProblems]).toEqual([]);
    await repContext.close();
    await mContext.close();
  }, 120_000);

  it('renders the calendar pages on a phone-width screen with labelled controls and no sideways scroll', async () => {
    const { context, page, problems } = await signedIn(rep.id, { width: 390, height: 844 });
    for (const path of ['/rep/calendar', '/rep/customer-calls', '/rep/availability']) {
      const res = await page.goto(path);
      expect(`${path} ${res?.status()}`).toBe(`${path} 200`);
      const unlabelled = await page.evaluate<string[]>(`[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        .map((el) => el.name || el.id || el.outerHTML.slice(0, 80))`);
      expect(`${path}: ${unlabelled.join(', ')}`).toBe(`${path}: `);
      const duplicateIds = await page.evaluate<string[]>(`(() => { const seen = new Set(), dup = []; for (const el of document.querySelectorAll('[id]')) { if (seen.has(el.id)) dup.push(el.id); seen.add(el.id); } return dup; })()`);
      expect(`${path}: ${duplicateIds.join(', ')}`).toBe(`${path}: `);
      expect(`${path} fits: ${await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth + 1')}`).toBe(`${path} fits: true`);
      await screenshot(page, `pages/rep${path.replace(/\//g, '-')}-phone`);
    }
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
