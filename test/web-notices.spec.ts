/**
 * Notices through the pages: the lifecycle team sends one from the program's notices page and reads the
 * acknowledgement counts there and on the program page; the rep sees a banner on their page and presses
 * "Got it" in a real Chromium, after which the banner is gone and the count moves.
 */
import type { Browser, Page } from 'playwright-core';
import { sentLabel } from '../src/notices/notice-messages.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { launchChromium, screenshot } from './support/browser.js';
import { daysFromNow, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';
import { webSession, WebSession } from './support/web.js';

const NY = 'America/New_York';

describe('notice pages (real app, real SMTP, Chromium)', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  let browser: Browser;
  let lifecycle: Person;
  let rep: Person;
  let rep2: Person;
  let outsider: Person;
  let marketer: Person;
  let programId: string;
  let periodId: string;
  let life: WebSession;
  let repWeb: WebSession;
  let outsiderWeb: WebSession;
  let marketerWeb: WebSession;

  const count = async (table: string) => (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5', JOBS_RETRY_DELAY_SECONDS: '1' });
    browser = await launchChromium();
    lifecycle = await makeUser(t, ['lifecycle'], 'Europe/London', { name: 'Lena Lifecycle' });
    rep = await makeUser(t, ['rep'], NY, { name: 'Rita Rep' });
    rep2 = await makeUser(t, ['rep'], 'UTC', { name: 'Ravi Rep' });
    outsider = await makeUser(t, ['rep'], 'UTC', { name: 'Olga Outside' });
    marketer = await makeUser(t, ['marketer'], 'UTC');
    programId = await makeProgram(t);
    periodId = await makePeriod(t, programId, daysFromNow(-5), daysFromNow(40));
    await rosterRep(t, periodId, rep);
    await rosterRep(t, periodId, rep2);
    life = await webSession(t, lifecycle.id);
    repWeb = await webSession(t, rep.id);
    outsiderWeb = await webSession(t, outsider.id);
    marketerWeb = await webSession(t, marketer.id);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink.stop();
  });

  it('sends from the notices page, refusing bad input next to its field and writing nothing', async () => {
    const page = await life.get(`/lifecycle/programs/${programId}/notices`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Send a notice to the reps');
    expect(page.text).toContain('No notices sent yet.');

    const before = await count('notices');
    const bad = await life.post(`/lifecycle/programs/${programId}/notices`, { periodId, kind: 'rep_alert', subject: '   ', body: 'Hello' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="err-subject"/);
    expect(bad.text).toContain('value="rep_alert" selected');
    const badKind = await life.post(`/lifecycle/programs/${programId}/notices`, { periodId, kind: 'junk', subject: 'Hi', body: 'Hello' });
    expect(badKind.status).toBe(400);
    expect(badKind.text).toMatch(/id="err-kind"/);
    expect(await count('notices')).toBe(before);

    const ok = await life.post(`/lifecycle/programs/${programId}/notices`, {
      periodId,
      kind: 'campaign_notification',
      subject: 'Webinar <leads> arrive Monday',
      body: 'Expect leads from the spring webinar.\nBrief: https://wiki.example.com/spring',
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/lifecycle/programs/${programId}/notices?notice=notice-sent`);
    const list = await life.get(ok.headers.location);
    expect(list.text).toContain('Notice sent.');
    expect(list.text).toContain('Webinar &lt;leads&gt; arrive Monday');
    expect(list.text).toContain('0 of 2 acknowledged');
    const program = await life.get(`/lifecycle/programs/${programId}`);
    expect(program.text).toContain('Notices to reps</a> (1 sent, 0 of 2 acknowledged)');
    await sink.waitFor(() => sink.to(rep.email).length === 1 && sink.to(rep2.email).length === 1);
  });

  it('keeps the pages to their roles', async () => {
    const [{ id }] = await t.db.query(`SELECT id FROM notices WHERE program_id = $1 LIMIT 1`, [programId]);
    expect((await marketerWeb.get(`/lifecycle/programs/${programId}/notices`)).status).toBe(403);
    expect((await repWeb.get(`/lifecycle/notices/${id}`)).status).toBe(403);
    expect((await marketerWeb.post(`/rep/notices/${id}/ack`)).status).toBe(403);
    const before = await t.db.query(`SELECT rep_id, acknowledged_at FROM notice_recipients WHERE notice_id = $1 ORDER BY rep_id`, [id]);
    expect((await outsiderWeb.post(`/rep/notices/${id}/ack`)).status).toBe(404);
    expect(await t.db.query(`SELECT rep_id, acknowledged_at FROM notice_recipients WHERE notice_id = $1 ORDER BY rep_id`, [id])).toEqual(before);
    // a rep who did not get it sees no banner
    expect((await outsiderWeb.get('/rep')).text).not.toContain('rep-notice');
  });

  it('shows the rep a banner until they press "Got it" (Chromium)', async () => {
    const context = await browser.newContext({ baseURL: t.url, viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: 'ra_session', value: repWeb.cookie.split('=')[1], url: t.url, httpOnly: true, sameSite: 'Lax' }]);
    const page: Page = await context.newPage();
    await page.goto('/rep');
    const banner = page.getByRole('region', { name: 'Webinar <leads> arrive Monday' });
    await expect(banner.isVisible()).resolves.toBe(true);
    await expect(banner.getByRole('link', { name: 'https://wiki.example.com/spring' }).getAttribute('href')).resolves.toBe('https://wiki.example.com/spring');
    const [{ sent_at: sentAt }] = await t.db.query(`SELECT sent_at FROM notices WHERE program_id = $1 LIMIT 1`, [programId]);
    await expect(banner.innerText()).resolves.toContain(sentLabel(sentAt, NY));
    await screenshot(page, 'notices-rep-banner');
    // Reloading does not make it go away: only the button does.
    await page.reload();
    await expect(banner.isVisible()).resolves.toBe(true);
    await banner.getByRole('button', { name: 'Got it' }).click();
    await page.waitForURL((u) => u.search === '?notice=notice-acknowledged');
    await expect(page.locator('.notice').innerText()).resolves.toContain('Thanks.');
    await expect(page.locator('.rep-notice').count()).resolves.toBe(0);
    await page.goto('/rep');
    await expect(page.locator('.rep-notice').count()).resolves.toBe(0);
    await context.close();

    const [row] = await t.db.query(
      `SELECT nr.acknowledged_at FROM notice_recipients nr JOIN notices n ON n.id = nr.notice_id WHERE n.program_id = $1 AND nr.rep_id = $2`,
      [programId, rep.id],
    );
    expect(row.acknowledged_at).toBeInstanceOf(Date);
    // the other rep still has theirs
    expect((await (await webSession(t, rep2.id)).get('/rep')).text).toContain('Got it');

    const list = await life.get(`/lifecycle/programs/${programId}/notices`);
    expect(list.text).toContain('1 of 2 acknowledged');
    const [{ id }] = await t.db.query(`SELECT id FROM notices WHERE program_id = $1 LIMIT 1`, [programId]);
    const detail = await life.get(`/lifecycle/notices/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('Rita Rep');
    expect(detail.text).toContain('not yet');
    const api = await t.http.get(`/api/v1/notices/${id}`).set(bearer(lifecycle.token));
    expect(api.body.acknowledgedCount).toBe(1);
  }, 60_000);
});
