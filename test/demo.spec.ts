import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DemoCalendars } from '../src/demo/calendars.js';
import { DemoRefusal, seedDemo, signInLinks, type DemoResult } from '../src/demo/seed.js';
import { startTestApp, TestApp } from './support/app.js';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { CookieBrowser } from './support/web.js';

jest.setTimeout(420_000); // the seed makes ~1,300 requests: 75-140 s here on 2 cores at load average 10-15

/** `npm run demo`'s program, seeded through the service's API on a database of its own. */
describe('the demo program', () => {
  let t: TestApp;
  const calendars = new DemoCalendars();
  let demo: DemoResult;

  beforeAll(async () => {
    await calendars.start();
    t = await startTestApp({ JOBS_POLL_SECONDS: '0.5' });
    const started = Date.now();
    demo = await seedDemo(t.app, { baseUrl: t.url, calendars, log: (line) => process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)}s ${line}\n`) });
  });
  afterAll(async () => {
    await t?.close();
    await calendars.stop();
  });

  const one = async (sql: string, params: unknown[] = []) => (await t.db.query(sql, params))[0];

  it('has twelve reps in five zones, Kathmandu and Adelaide among them, with availability and customer calls', async () => {
    const reps = await one(`SELECT count(*)::int AS n, count(DISTINCT time_zone)::int AS zones, array_agg(DISTINCT time_zone) AS list FROM users WHERE 'rep' = ANY(roles)`);
    expect(reps.n).toBe(12);
    expect(reps.zones).toBe(5);
    expect(reps.list).toEqual(expect.arrayContaining(['Asia/Kathmandu', 'Australia/Adelaide']));
    const withWindows = await one(`SELECT count(*)::int AS n FROM availability WHERE jsonb_array_length(weekly) > 0`);
    expect(withWindows.n).toBe(12);
    expect(demo.counts.customerCallsOpened).toBeGreaterThan(0);
    const open = await one(`SELECT count(*)::int AS n FROM calendar_events WHERE opened_at IS NOT NULL AND starts_at > now()`);
    expect(open.n).toBeGreaterThan(0);
  });

  it('has thirty marketers and a closed period of about 150 submitted forms, rolled up with themes', async () => {
    const marketers = await one(`SELECT count(*)::int AS n FROM users WHERE 'marketer' = ANY(roles) AND started_on IS NULL`);
    expect(marketers.n).toBe(30);
    const forms = await one(`SELECT count(*)::int AS n, count(DISTINCT author_id)::int AS authors FROM observations WHERE period_id = $1 AND status = 'submitted'`, [demo.closedPeriodId]);
    expect(forms.n).toBeGreaterThanOrEqual(135);
    expect(forms.n).toBeLessThanOrEqual(165);
    expect(forms.authors).toBeGreaterThanOrEqual(25);
    // The loud marketer wrote the same idea on every form.
    const loud = await one(`SELECT count(*)::int AS n FROM observations WHERE author_id = $1 AND status = 'submitted' AND answers->'ideas'->0->>'text' LIKE '%battle-card%'`, [demo.loudMarketer.id]);
    expect(loud.n).toBeGreaterThanOrEqual(8);
    const rollup = await one(`SELECT status, report, period_id FROM rollups WHERE id = $1`, [demo.rollupId]);
    expect(rollup.status).toBe('ready');
    expect(rollup.period_id).toBe(demo.closedPeriodId);
    expect(rollup.report.themes.length).toBeGreaterThanOrEqual(3);
    // Ideas in every category were written, and the rollup shows every heading.
    const written = await t.db.query(`SELECT DISTINCT idea->>'category' AS c FROM observations, jsonb_array_elements(answers->'ideas') idea WHERE period_id = $1`, [demo.closedPeriodId]);
    expect(written.map((x: { c: string }) => x.c).sort()).toEqual(['campaign_notifications', 'content', 'info_to_sales', 'other', 'product', 'rep_alerts']);
    expect(new Set(rollup.report.ideas.map((i: { group: string }) => i.group))).toEqual(new Set(['info_to_sales', 'rep_alerts', 'campaign_notifications', 'other']));
    const period = await one(`SELECT status FROM periods WHERE id = $1`, [demo.closedPeriodId]);
    expect(period.status).toBe('rolled_up');
    const mail = await one(`SELECT count(*)::int AS n FROM mail_outbox WHERE dedupe_key LIKE 'rollup:%'`);
    expect(mail.n).toBe(2);
  });

  it('has actions, notices, a current period with bookings ahead, a waitlist and forms due', async () => {
    expect((await one(`SELECT count(*)::int AS n FROM actions WHERE program_id = $1`, [demo.programId])).n).toBeGreaterThanOrEqual(1);
    expect((await one(`SELECT count(*)::int AS n FROM notices WHERE program_id = $1`, [demo.programId])).n).toBeGreaterThanOrEqual(1);
    expect((await one(`SELECT count(*)::int AS n FROM bookings WHERE period_id = $1 AND status = 'confirmed' AND starts_at > now()`, [demo.currentPeriodId])).n).toBeGreaterThanOrEqual(10);
    expect((await one(`SELECT count(*)::int AS n FROM waitlist_entries WHERE period_id = $1`, [demo.currentPeriodId])).n).toBeGreaterThanOrEqual(1);
    expect((await one(`SELECT count(*)::int AS n FROM observations WHERE period_id = $1 AND status <> 'submitted'`, [demo.currentPeriodId])).n).toBeGreaterThanOrEqual(1);
    expect((await one(`SELECT status FROM periods WHERE id = $1`, [demo.currentPeriodId])).status).toBe('open');
  });

  it('has a support rotation for five new hires', async () => {
    const hires = await one(`SELECT count(DISTINCT marketer_id)::int AS n FROM shift_assignments WHERE period_id = $1`, [demo.rotationPeriodId]);
    expect(hires.n).toBe(5);
    expect(demo.newHires).toHaveLength(5);
  });

  it('refuses to seed a second time', async () => {
    await expect(seedDemo(t.app, { baseUrl: t.url, calendars })).rejects.toThrow(DemoRefusal);
  });

  it('gives one working sign-in link per role', async () => {
    const links = await signInLinks(t.app, demo);
    expect(links.map((l) => l.role).sort()).toEqual(['lifecycle', 'marketer', 'rep']);
    for (const link of links) {
      const path = new URL(link.url).pathname;
      const b = new CookieBrowser(t);
      const page = await b.get(path);
      expect(page.status).toBe(200);
      expect(page.text).toContain(link.email);
      let res = await b.submit(path, path, {});
      expect(res.status).toBe(303);
      // Signed in: the redirects end on the role's home page.
      for (let hops = 0; res.status === 303 && hops < 3; hops++) res = await b.get(res.header.location as string);
      expect(res.status).toBe(200);
      expect(res.text).toContain(link.name.split(' ')[0]);
    }
  });

  /**
   * Every role's main pages open in Chromium with the demo's data. With DEMO_SCREENSHOTS=1 it also writes the
   * README's screenshots (docs/screenshots/demo-*.png) from them.
   */
  it('shows each role its pages in Chromium', async () => {
    const links = await signInLinks(t.app, demo);
    const shots = process.env.DEMO_SCREENSHOTS ? path.resolve('docs/screenshots') : null;
    const pages: Record<string, { path: string; shot?: string; then?: (page: Page) => Promise<unknown> }[]> = {
      rep: [{ path: '/rep', shot: 'demo-rep-home' }, { path: '/rep/customer-calls', shot: 'demo-rep-customer-calls' }],
      marketer: [{ path: '/marketer' }, { path: '/marketer/slots', shot: 'demo-marketer-book', then: (page) => page.getByRole('link', { name: 'Next week' }).click() }, { path: '/marketer/forms' }],
      lifecycle: [{ path: '/lifecycle' }, { path: `/rollups/${demo.rollupId}`, shot: 'demo-lifecycle-rollup' }, { path: `/lifecycle/programs/${demo.programId}/empathy`, shot: 'demo-lifecycle-empathy' }, { path: '/lifecycle/actions' }],
    };
    const browser = await launchChromium();
    try {
      for (const link of links) {
        const context = await browser.newContext({ baseURL: t.url, viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        const signIn = new URL(link.url).pathname;
        await page.goto(signIn);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL((u) => u.pathname !== signIn);
        for (const target of pages[link.role]) {
          const res = await page.goto(target.path);
          expect(res?.status()).toBe(200);
          await expect(page.locator('main, body').first().innerText()).resolves.not.toMatch(/Internal Server Error/);
          if (target.then) await target.then(page);
          if (shots && target.shot) {
            mkdirSync(shots, { recursive: true });
            await page.screenshot({ path: path.join(shots, `${target.shot}.png`) });
          }
        }
        await context.close();
      }
    } finally {
      await browser.close();
    }
  });
});
