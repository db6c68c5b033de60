import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { WebhookEvents } from '../src/webhooks/webhook-events.js';
import { startTestApp, TestApp } from './support/app.js';
import { makeUser } from './support/fixtures.js';
import { webSession, WebSession } from './support/web.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

describe('lifecycle page: webhooks (HTTP, real receiver, real PostgreSQL)', () => {
  let t: TestApp;
  let s: WebSession;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({ JOBS_POLL_SECONDS: '0.5' });
    s = await webSession(t, (await makeUser(t, ['lifecycle'])).id);
  });
  afterAll(async () => {
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
});
