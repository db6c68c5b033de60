/**
 * Rep notes through the pages: the rep's home lists the notes they may write, the note's page saves a draft
 * and sends it (in a real Chromium), bad input comes back next to its field and changes nothing, and no
 * marketer page, the session's own marketer's included, ever shows a note's text.
 */
import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { launchChromium, screenshot } from './support/browser.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { webSession, WebSession } from './support/web.js';

describe('rep note pages (real app, Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let rep: Person;
  let otherRep: Person;
  let marketer: Person;
  let lifecycle: Person;
  let periodId: string;
  let repWeb: WebSession;
  let bookingId: string;
  let noteId: string;

  const note = async () => (await t.db.query(`SELECT status, wish, usefulness, follow_up, marked_names, submitted_at FROM rep_notes WHERE id = $1`, [noteId]))[0];

  beforeAll(async () => {
    t = await startTestApp({});
    browser = await launchChromium();
    rep = await makeUser(t, ['rep'], 'America/New_York', { name: 'Rita Rep' });
    otherRep = await makeUser(t, ['rep'], 'UTC');
    marketer = await makeUser(t, ['marketer'], 'UTC', { name: 'Milo Marketer' });
    lifecycle = await makeUser(t, ['lifecycle'], 'UTC');
    const programId = await makeProgram(t);
    periodId = await makePeriod(t, programId, daysFromNow(-10), daysFromNow(40));
    await rosterRep(t, periodId, rep);
    await enrol(t, periodId, marketer);
    const end = DateTime.utc().minus({ hours: 2 }).startOf('minute');
    bookingId = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: end.minus({ minutes: 45 }).toISO()!, endsAt: end.toISO()! });
    repWeb = await webSession(t, rep.id);
    // Marked done from the rep's page: that opens the note.
    const marked = await repWeb.post(`/rep/bookings/${bookingId}/attendance`, { outcome: 'completed' });
    expect(marked.status).toBe(303);
    [{ id: noteId }] = await t.db.query(`SELECT id FROM rep_notes WHERE booking_id = $1`, [bookingId]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists the note on the rep’s page, optional, and on no one else’s', async () => {
    const home = await repWeb.get('/rep').expect(200);
    expect(home.text).toContain('Notes for Marketing (optional)');
    expect(home.text).toContain(`href="/rep/notes/${noteId}"`);
    expect(home.text).toContain('Milo Marketer');
    const other = await (await webSession(t, otherRep.id)).get('/rep').expect(200);
    expect(other.text).not.toContain(noteId);
    expect(other.text).toContain('No notes waiting.');
  });

  it('refuses bad input next to its field, keeping what was typed and saving nothing', async () => {
    const before = await note();
    const bad = await repWeb.post(`/rep/notes/${noteId}`, { wish: 'Typed <words>', usefulness: '6', followUp: '', markedNames: '', intent: 'save' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="err-usefulness"');
    expect(bad.text).toContain('Typed &lt;words&gt;');
    const long = await repWeb.post(`/rep/notes/${noteId}`, { wish: 'x'.repeat(5001), intent: 'submit' });
    expect(long.status).toBe(400);
    expect(long.text).toContain('id="err-wish"');
    const empty = await repWeb.post(`/rep/notes/${noteId}`, { wish: ' ', usefulness: '', followUp: '', intent: 'submit' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Answer at least one question');
    expect(await note()).toEqual(before);
  });

  it('is the rep’s page alone: another rep gets 404, marketers and the lifecycle team cannot open it', async () => {
    const other = await webSession(t, otherRep.id);
    expect((await other.get(`/rep/notes/${noteId}`)).status).toBe(404);
    expect((await other.post(`/rep/notes/${noteId}`, { wish: 'hijack', intent: 'submit' })).status).toBe(404);
    for (const who of [marketer, lifecycle]) {
      const s = await webSession(t, who.id);
      const res = await s.get(`/rep/notes/${noteId}`);
      expect([403, 404]).toContain(res.status);
      expect((await s.post(`/rep/notes/${noteId}`, { wish: 'hijack', intent: 'submit' })).status).toBeGreaterThanOrEqual(400);
    }
    expect((await note()).wish).toBeNull();
  });

  it('saves a draft and sends the note from the page (Chromium); the marketer’s pages never show it', async () => {
    const context = await browser.newContext({ baseURL: t.url, viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: 'ra_session', value: repWeb.cookie.split('=')[1], url: t.url, httpOnly: true, sameSite: 'Lax' }]);
    const page: Page = await context.newPage();
    await page.goto('/rep');
    await page.getByRole('link', { name: 'Write a note' }).click();
    await page.waitForURL(`**/rep/notes/${noteId}`);
    await page.getByLabel('What do you wish Marketing knew?').fill('They already use a competitor for invoicing');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL((u) => u.search === '?notice=rep-note-saved');
    expect(await note()).toMatchObject({ status: 'draft', wish: 'They already use a competitor for invoicing' });
    await expect(page.getByLabel('What do you wish Marketing knew?').inputValue()).resolves.toBe('They already use a competitor for invoicing');

    await page.getByRole('radio', { name: /^4/ }).check();
    await page.getByLabel('Anything the marketer should follow up?').fill('Send the case study about Globex');
    await page.getByLabel('Customer names to keep out (optional)').fill('Globex, Initech');
    await screenshot(page, 'rep-note-form');
    await page.getByRole('button', { name: 'Send to the lifecycle team' }).click();
    await page.waitForURL((u) => u.pathname === '/rep' && u.search === '?notice=rep-note-sent');
    await expect(page.locator('.notice').innerText()).resolves.toContain('not to the marketer');
    await expect(page.locator(`#rep-note-${noteId}`).count()).resolves.toBe(0);
    await context.close();

    expect(await note()).toMatchObject({ status: 'submitted', usefulness: 4, follow_up: 'Send the case study about Globex', marked_names: ['Globex', 'Initech'] });
    const sent = await repWeb.get(`/rep/notes/${noteId}`).expect(200);
    expect(sent.text).toContain('4 of 5 (Useful)');
    expect(sent.text).not.toContain('Save draft');

    const m = await webSession(t, marketer.id);
    const forms = await t.http.get('/api/v1/observations?mine=true').set(bearer(marketer.token)).expect(200);
    const formId = forms.body.observations.find((o: { bookingId: string }) => o.bookingId === bookingId).id;
    for (const path of ['/marketer', '/marketer/forms', `/marketer/forms/${formId}`]) {
      const res = await m.get(path);
      expect(res.status).toBe(200);
      expect(res.text).not.toMatch(/competitor for invoicing|case study about Globex/);
    }
  });
});
