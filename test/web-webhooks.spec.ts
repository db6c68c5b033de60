import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { WebhookEvents } from '../src/webhooks/webhook-events.js';
import { startTestApp, TestApp } from './support/app.js';
import { launchChromium, screenshot } from './support/browser.js';
import { makeUser } from './support/fixtures.js';
import { webSession, WebSession } from './support/web.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

describe('lifecycle page: webhooks (HTTP, real receiver, real PostgreSQL)', () => {
  let t: TestApp;
  let s: WebSession;
  let browser: Browser;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({ JOBS_POLL_SECONDS: '0.5' });
    s = await webSession(t, (await makeUser(t, ['lifecycle'])).id);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
    await receiver.stop();
  });

  it('is in the lifecycle navigation and not open to reps or marketers', async () => {
    const home = await s.get('/lifecycle').expect(200);
    expect(home.text).toContain('<a href="/lifecycle/webhooks"');
    for (const role of ['rep', 'marketer']) {
      const other = await webSession(t, (await makeUser(t, [role])).id);
      const res = await other.get('/lifecycle/webhooks');
      expect(res.status).toBe(403);
      const post = await other.post('/lifecycle/webhooks', { url: receiver.url(), events: ['rollup.sent'] });
      expect(post.status).toBe(403);
    }
    expect((await t.db.query(`SELECT count(*)::int AS n FROM webhook_endpoints`))[0].n).toBe(0);
  });

  it('names the field of a refused form and stores nothing', async () => {
    const none = await s.post('/lifecycle/webhooks', { url: receiver.url() }).expect(400);
    expect(none.text).toContain('Choose at least one event');
    const bad = await s.post('/lifecycle/webhooks', { url: 'ftp://example.com/x', events: ['rollup.sent'] }).expect(400);
    expect(bad.text).toMatch(/has-error[\s\S]*url must start with https:\/\/ or http:\/\//);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM webhook_endpoints`))[0].n).toBe(0);
  });

  it('registers with the secret shown once, then lists the host only, and shows each delivery with its attempts', async () => {
    const created = await s.post('/lifecycle/webhooks', { url: receiver.url(), events: ['rollup.sent', 'notice.sent'], description: 'CRM' }).expect(201);
    const secret = /id="webhook-secret" readonly value="(whsec_[^"]+)"/.exec(created.text)?.[1];
    expect(secret).toBeDefined();
    const list = await s.get('/lifecycle/webhooks').expect(200);
    expect(list.text).toContain(`127.0.0.1:${receiver.port}`);
    expect(list.text).not.toContain(secret!);
    expect(list.text).not.toContain('s3cret-path-token');

    await t.db.transaction((m) => t.app.get(WebhookEvents).emit(m, 'rollup.sent', { rollupId: 'page-probe' }));
    await receiver.waitFor((h) => h.length === 1);
    expect((new Webhook(secret!).verify(receiver.received[0].body, receiver.received[0].headers as Record<string, string>) as { data: { rollupId: string } }).data.rollupId).toBe('page-probe');
    const [ep] = await t.db.query(`SELECT id FROM webhook_endpoints`);
    await new Promise((r) => setTimeout(r, 300));
    const log = await s.get(`/lifecycle/webhooks/${ep.id}`).expect(200);
    expect(log.text).toContain('rollup.sent');
    expect(log.text).toContain('HTTP 200');
    expect(log.text).toContain('Delivered');

    await s.post(`/lifecycle/webhooks/${ep.id}/delete`).expect(303);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM webhook_endpoints`))[0].n).toBe(0);
  });

  it('registers, shows the secret once, enables and deletes through the buttons (Chromium)', async () => {
    const context = await browser.newContext({ baseURL: t.url, viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: 'ra_session', value: s.cookie.split('=')[1], url: t.url, httpOnly: true, sameSite: 'Lax' }]);
    const page: Page = await context.newPage();
    await page.goto('/lifecycle/webhooks');
    await page.getByLabel('Receiver URL').fill(receiver.url('/browser?token=s3cret-path-token'));
    await page.getByLabel('action.changed').check();
    await page.getByLabel('rollup.sent').check();
    await page.getByLabel('Description (optional)').fill('Browser CRM');
    await page.getByRole('button', { name: 'Register' }).click();
    const secret = await page.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await screenshot(page, 'webhooks-registered');
    // Shown once: the next visit has the host, never the secret or the path.
    await page.goto('/lifecycle/webhooks');
    const listed = await page.content();
    expect(listed).toContain(`127.0.0.1:${receiver.port}`);
    expect(listed).not.toContain(secret);
    expect(listed).not.toContain('s3cret-path-token');
    await expect(page.getByLabel('Signing secret').count()).resolves.toBe(0);

    const [ep] = await t.db.query(`SELECT id FROM webhook_endpoints WHERE description = 'Browser CRM'`);
    const heard = receiver.received.length;
    await t.db.transaction((m) => t.app.get(WebhookEvents).emit(m, 'rollup.sent', { rollupId: 'browser-probe' }));
    await receiver.waitFor((h) => h.length === heard + 1);
    const hook = receiver.received[heard];
    expect((new Webhook(secret).verify(hook.body, hook.headers as Record<string, string>) as { data: { rollupId: string } }).data.rollupId).toBe('browser-probe');

    // Disabled (as after 20 failures in a row): the Enable button turns it back on.
    await t.db.query(`UPDATE webhook_endpoints SET enabled = false, consecutive_failures = 20, disabled_at = now(), disabled_reason = 'disabled after 20 failed deliveries in a row' WHERE id = $1`, [ep.id]);
    await page.goto('/lifecycle/webhooks');
    await expect(page.getByText('disabled after 20 failed deliveries in a row').isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.waitForURL((u) => u.pathname === '/lifecycle/webhooks');
    const [on] = await t.db.query(`SELECT enabled, consecutive_failures FROM webhook_endpoints WHERE id = $1`, [ep.id]);
    expect(on).toEqual({ enabled: true, consecutive_failures: 0 });

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL((u) => u.pathname === '/lifecycle/webhooks');
    await expect(page.getByText('No webhooks yet.').isVisible()).resolves.toBe(true);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM webhook_endpoints`))[0].n).toBe(0);
    await context.close();
  });
});
