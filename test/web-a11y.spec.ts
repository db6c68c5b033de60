/**
 * Accessibility of every page, checked by axe-core (WCAG 2.0/2.1 A and AA) in a real Chromium: every GET
 * route of the web controllers is visited as the role it serves, over data set up so each page has
 * something to show (a booking to cancel, a form to write and one submitted, a rollup, an action, a notice,
 * a webhook, a shift, a connected calendar with customer calls), plus the sign-in pages, an error page, and
 * the pages forms answer with (refusals next to their fields, an import preview, a webhook's secret).
 * No page may have a serious or critical violation; a failure prints each rule and the elements it found.
 * The list of routes comes from the controllers' own metadata, so a new page cannot be left out unnoticed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PAGE_CONTROLLERS } from '../src/web/page-controllers.js';
import { SignInService } from '../src/web/sign-in/sign-in.service.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { describeViolations, seriousViolations } from './support/axe.js';
import { launchChromium } from './support/browser.js';
import { googleFeed } from './support/feed-server.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, type Person, rosterRep } from './support/fixtures.js';
import { IcsServer } from './support/ics-server.js';
import { webSession, type WebSession } from './support/web.js';

type As = 'anonymous' | 'rep' | 'marketer' | 'lifecycle';

/** GET routes that are not pages: files, redirects to a provider. Each says why it is not visited. */
const NOT_PAGES: Record<string, string> = {
  'assets/app.css': 'the stylesheet',
  'assets/app.js': 'the script',
  'marketer/bookings/:id/invite.ics': 'a calendar file',
  'marketer/shifts/:id/invite.ics': 'a calendar file',
  'sign-in/oidc': 'a redirect to the identity provider (404 when none is configured)',
  'sign-in/oidc/callback': 'needs an identity provider; its refusal pages are the layout with a paragraph and a link, like the error page visited here',
};

/** Every GET route of the page controllers, as written in the decorators (`lifecycle/programs/:id`, '' for the start page). */
function pageRoutes(): string[] {
  const routes: string[] = [];
  for (const c of PAGE_CONTROLLERS) {
    const prefix = String(Reflect.getMetadata(PATH_METADATA, c) ?? '').replace(/^\/|\/$/g, '');
    const proto = c.prototype as unknown as Record<string, object>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const path: unknown = Reflect.getMetadata(PATH_METADATA, handler);
      if (path === undefined || Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.GET) continue;
      for (const p of Array.isArray(path) ? path : [path]) routes.push([prefix, String(p).replace(/^\/|\/$/g, '')].filter(Boolean).join('/'));
    }
  }
  return routes;
}

/** The route a URL was visited for: its path with ids put back as `:id`. */
const routeOf = (url: string) =>
  new URL(url, 'http://x')
    .pathname.replace(/^\//, '')
    .replace(/\/(sl_[A-Za-z0-9_-]+)$/, '/:token')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id');

describe('accessibility of every page (axe-core in Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  const feeds = new IcsServer();
  let rep: Person;
  let marketer: Person;
  let lifecycle: Person;
  let programId: string;
  let periodId: string;
  const sessions = new Map<As, WebSession>();
  /** The pages to check: who opens them, and the URL (ids from the data below). */
  let visits: { as: As; url: string; status?: number }[] = [];

  beforeAll(async () => {
    await feeds.start();
    t = await startTestApp({ JOBS_POLL_SECONDS: '0.5' });
    browser = await launchChromium();
    rep = await makeUser(t, ['rep'], 'America/New_York', { name: 'Rita Rep' });
    marketer = await makeUser(t, ['marketer'], 'Europe/Berlin', { name: 'Mia Marketer' });
    lifecycle = await makeUser(t, ['lifecycle'], 'Australia/Adelaide', { name: 'Lena Lifecycle' });
    for (const [as, who] of [['rep', rep], ['marketer', marketer], ['lifecycle', lifecycle]] as const) sessions.set(as, await webSession(t, who.id));
    const web = (as: As) => sessions.get(as)!;

    // A call-shadowing program: the rep on the roster with weekly hours, the marketer enrolled, two themes.
    programId = await makeProgram(t, { slotMinutes: 30, slotGridMinutes: 30, minNoticeHours: 12, horizonDays: 28 }, 'America/New_York');
    periodId = await makePeriod(t, programId, daysFromNow(-30), daysFromNow(60));
    await rosterRep(t, periodId, rep);
    await enrol(t, periodId, marketer);
    const weekly = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '12:00' }));
    await t.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'America/New_York', weekly }).expect(200);
    const themeId = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: 'Onboarding friction' }).expect(201)).body.id as string;
    await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: 'Pricing confusion' }).expect(201);

    // A booking to come (reschedule and cancel pages), and three calls that happened, marked done by the rep:
    // one form submitted with every answer, one left open; the rep's note of the first.
    const soon = DateTime.now().setZone('America/New_York').plus({ days: 3 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
    const upcoming = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: soon.toISO()!, endsAt: soon.plus({ minutes: 30 }).toISO()! });
    const done: string[] = [];
    for (let i = 0; i < 3; i++) {
      const end = DateTime.utc().minus({ days: 2 + i }).startOf('hour');
      const id = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: end.minus({ minutes: 30 }).toISO()!, endsAt: end.toISO()! });
      if (i < 2) expect((await web('rep').post(`/rep/bookings/${id}/attendance`, { outcome: 'completed' })).status).toBe(303);
      done.push(id);
    }
    const forms = (await t.db.query(`SELECT id FROM observations WHERE booking_id = ANY($1) ORDER BY session_ended_at`, [done])) as { id: string }[];
    const [openForm, submittedForm] = forms.map((f) => f.id);
    const submitted = await web('marketer').post(`/marketer/forms/${submittedForm}`, {
      action: 'submit',
      mode: 'feedback',
      segment: 'Mid-market operations lead',
      account: 'Acme',
      'empathy.says': 'We lose a day a week\nExports are painful',
      'empathy.thinks': 'There must be a faster way',
      'empathy.does': 'Exports to a spreadsheet every Friday',
      'empathy.feels': 'Frustrated',
      painPoints: 'Manual exports',
      'quotes[0].text': 'We gave up on the import twice',
      'quotes[0].speaker': 'customer',
      themeIds: [themeId],
      proposedThemes: 'Spreadsheet fatigue',
      'lead.marketingSourced': 'yes',
      'lead.followUp': 'Called back the same day',
      'lead.lacked': 'The campaign the lead came from',
      'ideas[0].text': 'Tell reps which campaign a lead came from',
      'ideas[0].category': 'info_to_sales',
      'peak.text': 'The import failed on screen',
      'peak.valence': '-2',
      'end.text': 'Agreed to a trial',
      'end.valence': '1',
      negativeFeedback: 'Onboarding took too long',
      intros: 'Their IT admin',
    });
    expect(`${submitted.status} ${submitted.status === 303 ? '' : submitted.text.slice(0, 2000)}`).toBe('303 ');
    const [{ id: repNoteId }] = await t.db.query(`SELECT id FROM rep_notes WHERE booking_id = $1`, [done[0]]);

    // The lifecycle team's things: a rollup (built), an action from it, a notice to the reps, a webhook.
    const rollup = (await t.http.post('/api/v1/rollups').set(bearer(t.adminToken)).send({ programId, from: daysFromNow(-20), to: daysFromNow(1) }).expect(201)).body.id as string;
    await waitFor(async () => (await t.http.get(`/api/v1/rollups/${rollup}`).set(bearer(t.adminToken))).body.status === 'ready');
    const action = (
      await t.http
        .post('/api/v1/actions')
        .set(bearer(lifecycle.token))
        .send({ programId, rollupId: rollup, themeIds: [themeId], kind: 'info_for_sales', title: 'Campaign source on every lead', ownerId: lifecycle.id, dueOn: daysFromNow(10) })
        .expect(201)
    ).body.id as string;
    expect(
      (await web('lifecycle').post(`/lifecycle/programs/${programId}/notices`, { periodId, kind: 'campaign_notification', subject: 'Webinar leads arrive Monday', body: 'Expect leads from the spring webinar.' }))
        .status,
    ).toBe(303);
    const [{ id: noticeId }] = await t.db.query(`SELECT id FROM notices WHERE program_id = $1`, [programId]);
    const webhook = (await t.http.post('/api/v1/webhooks').set(bearer(t.adminToken)).send({ url: 'http://127.0.0.1:9/ridealong', events: ['rollup.sent'] }).expect(201)).body.id as string;

    // A support rotation with the marketer on a shift next week.
    const rotation = await makeProgram(t, { onboardingShifts: 2, onboardingDays: 10 }, 'UTC', 'support_rotation');
    const rotationPeriod = await makePeriod(t, rotation, daysFromNow(-5), daysFromNow(40));
    const templates: Record<number, string> = {};
    for (let weekday = 1; weekday <= 7; weekday++) {
      const res = await t.http.post(`/api/v1/programs/${rotation}/shift-templates`).set(bearer(t.adminToken)).send({ weekday, start: '09:00', end: '10:00', timeZone: 'UTC', queue: 'billing', capacity: 2 });
      templates[weekday] = res.body.id;
    }
    const shiftDay = daysFromNow(5);
    const shiftKey = `${templates[DateTime.fromISO(shiftDay, { zone: 'UTC' }).weekday]}@${shiftDay}`;
    await t.http.post(`/api/v1/periods/${rotationPeriod}/shift-assignments`).set(bearer(t.adminToken)).send({ marketerId: marketer.id, shiftKey }).expect(201);
    const [{ id: shiftId }] = await t.db.query(`SELECT id FROM shift_assignments WHERE marketer_id = $1`, [marketer.id]);

    // The rep's calendar connected by its address: a stand-up and two customer calls, one opened to marketers,
    // and a standing rule.
    const callDay = DateTime.now().setZone('America/New_York').plus({ days: 4 }).startOf('day');
    const at = (h: number, m = 0) => callDay.set({ hour: h, minute: m });
    const feed = feeds.set(
      '/calendars/rita/basic.ics',
      googleFeed('Rita Rep', [
        { uid: 'standup@google.com', start: at(9), end: at(9, 15), summary: 'Team stand-up', organizer: rep.email, attendees: [rep.email, 'colleague@example.com'] },
        { uid: 'renewal@google.com', start: at(10, 30), end: at(11, 15), summary: 'Acme renewal', organizer: rep.email, attendees: [rep.email, 'buyer@acme-corp.test'] },
        { uid: 'demo@google.com', start: at(14), end: at(14, 30), summary: 'Globex demo', organizer: rep.email, attendees: [rep.email, 'cto@globex.test'] },
      ]),
    );
    expect((await web('rep').post('/rep/calendar', { kind: 'ics', url: feed })).status).toBe(303);
    const [{ id: callId }] = await t.db.query(`SELECT id FROM calendar_events WHERE rep_id = $1 AND uid = 'renewal@google.com'`, [rep.id]);
    expect((await web('rep').post(`/rep/customer-calls/${callId}/open`, { label: 'Renewal call', callType: 'renewal', marketingSourced: '1' })).status).toBe(303);
    expect((await web('rep').post('/rep/customer-calls/rule', { enabled: '1', keyword: 'demo', callType: 'demo' })).status).toBe(303);

    const link = await t.app.get(SignInService).issueLink(rep.id);
    visits = [
      { as: 'anonymous', url: '/' },
      { as: 'anonymous', url: '/sign-in' },
      { as: 'anonymous', url: link.slice(link.indexOf('/sign-in/')) },
      { as: 'rep', url: '/rep' },
      { as: 'rep', url: '/rep/availability' },
      { as: 'rep', url: '/rep/calendar' },
      { as: 'rep', url: '/rep/customer-calls' },
      { as: 'rep', url: `/rep/notes/${repNoteId}` },
      { as: 'rep', url: `/bookings/${upcoming}` },
      { as: 'marketer', url: '/marketer' },
      { as: 'marketer', url: '/marketer/slots' },
      { as: 'marketer', url: `/marketer/slots?week=${DateTime.now().plus({ weeks: 1 }).toISODate()}` },
      { as: 'marketer', url: `/marketer/bookings/${upcoming}/reschedule` },
      { as: 'marketer', url: `/marketer/bookings/${upcoming}/cancel` },
      { as: 'marketer', url: '/marketer/forms' },
      { as: 'marketer', url: `/marketer/forms/${openForm}` },
      { as: 'marketer', url: `/marketer/forms/${submittedForm}` },
      { as: 'marketer', url: '/marketer/shifts' },
      { as: 'marketer', url: `/observations/${openForm}` },
      { as: 'marketer', url: `/shifts/${shiftId}` },
      { as: 'lifecycle', url: '/lifecycle' },
      { as: 'lifecycle', url: `/lifecycle/programs/${programId}` },
      { as: 'lifecycle', url: `/lifecycle/programs/${rotation}` },
      { as: 'lifecycle', url: `/lifecycle/periods/${periodId}` },
      { as: 'lifecycle', url: `/lifecycle/periods/${rotationPeriod}` },
      { as: 'lifecycle', url: `/lifecycle/programs/${programId}/health` },
      { as: 'lifecycle', url: `/lifecycle/programs/${programId}/empathy` },
      { as: 'lifecycle', url: `/lifecycle/programs/${programId}/notices` },
      { as: 'lifecycle', url: `/lifecycle/notices/${noticeId}` },
      { as: 'lifecycle', url: '/lifecycle/people' },
      { as: 'lifecycle', url: '/lifecycle/people/import' },
      { as: 'lifecycle', url: '/lifecycle/themes' },
      { as: 'lifecycle', url: `/lifecycle/themes/${themeId}` },
      { as: 'lifecycle', url: '/lifecycle/search' },
      { as: 'lifecycle', url: '/lifecycle/search?q=import' },
      { as: 'lifecycle', url: '/lifecycle/rollups' },
      { as: 'lifecycle', url: `/rollups/${rollup}` },
      { as: 'lifecycle', url: '/lifecycle/actions' },
      { as: 'lifecycle', url: `/lifecycle/actions/new?rollupId=${rollup}` },
      { as: 'lifecycle', url: `/lifecycle/actions/${action}` },
      { as: 'lifecycle', url: '/lifecycle/webhooks' },
      { as: 'lifecycle', url: `/lifecycle/webhooks/${webhook}` },
      { as: 'lifecycle', url: `/marketer/forms/${submittedForm}` },
      { as: 'lifecycle', url: '/lifecycle/programs/00000000-0000-4000-8000-000000000000', status: 404 },
    ];
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await feeds.stop();
  });

  /** A browser signed in as `as` (or not signed in), with the page's CSP bypassed so axe's script can be added. */
  async function open(as: As): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ baseURL: t.url, viewport: { width: 1280, height: 900 }, bypassCSP: true });
    if (as !== 'anonymous') {
      const cookie = sessions.get(as)!.cookie;
      await context.addCookies([{ name: 'ra_session', value: cookie.slice(cookie.indexOf('=') + 1), url: t.url, httpOnly: true, sameSite: 'Lax' }]);
    }
    return { context, page: await context.newPage() };
  }

  it('visits every GET page route of the web controllers (the route list is read from the controllers)', () => {
    const routes = pageRoutes();
    expect(routes.length).toBeGreaterThan(35);
    const visited = new Set(visits.map((v) => routeOf(v.url)));
    expect(routes.filter((r) => !visited.has(r) && !(r in NOT_PAGES))).toEqual([]);
    // Nothing listed here that is not a route any more.
    expect(Object.keys(NOT_PAGES).filter((r) => !routes.includes(r))).toEqual([]);
    expect([...visited].filter((r) => !routes.includes(r))).toEqual([]);
  });

  it.each(['anonymous', 'rep', 'marketer', 'lifecycle'] as const)('has no serious or critical violation on any page of %s', async (as) => {
    const { context, page } = await open(as);
    const problems: string[] = [];
    const mine = visits.filter((x) => x.as === as);
    expect(mine.length).toBeGreaterThan(2);
    for (const v of mine) {
      const res = await page.goto(v.url);
      expect(`${v.url} ${res?.status()}`).toBe(`${v.url} ${v.status ?? 200}`);
      problems.push(...describeViolations(v.url, await seriousViolations(page)));
    }
    await context.close();
    expect(problems.join('\n')).toBe('');
  }, 180_000);

  it('has no serious or critical violation on forms sent back with their problems', async () => {
    const problems: string[] = [];
    // Sign-in with an address that is not one.
    const anon = await open('anonymous');
    await anon.page.goto('/sign-in');
    await anon.page.getByLabel('Email address').fill('not an address');
    await anon.page.evaluate('document.querySelectorAll("form").forEach((f) => { f.noValidate = true; })'); // the server's answer, not the browser's
    await anon.page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await anon.page.waitForLoadState();
    expect(await anon.page.locator('.error-summary, .field-error').count()).toBeGreaterThan(0);
    problems.push(...describeViolations('sign-in with a bad address', await seriousViolations(anon.page)));
    await anon.context.close();

    // The marketer's form submitted empty, and the rep's availability with a window that ends before it starts.
    const m = await open('marketer');
    const [{ id: formId }] = await t.db.query(`SELECT id FROM observations WHERE author_id = $1 AND status <> 'submitted'`, [marketer.id]);
    await m.page.goto(`/marketer/forms/${formId}`);
    await m.page.getByRole('button', { name: 'Submit form' }).click();
    await m.page.locator('.error-summary').waitFor();
    problems.push(...describeViolations('form submitted empty', await seriousViolations(m.page)));
    await m.context.close();

    const r = await open('rep');
    await r.page.goto('/rep/availability');
    await r.page.getByLabel('Monday window 1 start').fill('12:00');
    await r.page.getByLabel('Monday window 1 end').fill('09:00');
    await r.page.getByRole('button', { name: 'Save weekly availability' }).click();
    await r.page.locator('.error-summary').waitFor();
    problems.push(...describeViolations('availability refused', await seriousViolations(r.page)));
    await r.context.close();

    expect(problems.join('\n')).toBe('');
  }, 120_000);

  /**
   * Posts a form from the page at `from` as that page's own form would (with its CSRF token), as a browser
   * does, and returns the status of the page answered. Field names are the forms' own.
   */
  async function post(page: Page, from: string, action: string, fields: Record<string, string | string[]>): Promise<number | undefined> {
    await page.goto(from);
    const script = `(() => {
      const f = document.createElement('form');
      f.method = 'post';
      f.action = ${JSON.stringify(action)};
      const fields = { _csrf: document.querySelector('input[name=_csrf]').value, ...${JSON.stringify(fields)} };
      for (const [k, v] of Object.entries(fields)) for (const x of [].concat(v)) {
        const i = document.createElement('input');
        i.type = 'hidden'; i.name = k; i.value = x;
        f.append(i);
      }
      document.body.append(f);
      f.submit();
    })()`;
    const [res] = await Promise.all([page.waitForNavigation(), page.evaluate(script)]);
    return res?.status();
  }

  it('has no serious or critical violation on the pages forms answer with: results, and refusals next to their fields', async () => {
    const [{ id: formId }] = await t.db.query(`SELECT id FROM observations WHERE author_id = $1 AND status <> 'submitted'`, [marketer.id]);
    const [{ id: noteId }] = await t.db.query(`SELECT id FROM rep_notes WHERE rep_id = $1`, [rep.id]);
    const [{ id: bookingId }] = await t.db.query(`SELECT id FROM bookings WHERE marketer_id = $1 AND status = 'confirmed' AND starts_at > now()`, [marketer.id]);
    const cases: { as: As; from: string; action: string; fields: Record<string, string | string[]>; status: number }[] = [
      { as: 'rep', from: '/rep/calendar', action: '/rep/calendar', fields: { kind: 'ics', url: 'not a calendar address' }, status: 400 },
      { as: 'rep', from: '/rep/availability', action: '/rep/overrides', fields: { date: 'someday' }, status: 400 },
      { as: 'rep', from: `/rep/notes/${noteId}`, action: `/rep/notes/${noteId}`, fields: { usefulness: '9', intent: 'save' }, status: 400 },
      { as: 'marketer', from: `/marketer/forms/${formId}`, action: `/marketer/forms/${formId}`, fields: { action: 'submit', 'peak.text': 'A peak', 'peak.valence': '' }, status: 400 },
      { as: 'marketer', from: `/marketer/bookings/${bookingId}/cancel`, action: `/marketer/bookings/${bookingId}/cancel`, fields: { reason: 'x'.repeat(2001) }, status: 400 },
      { as: 'lifecycle', from: '/lifecycle', action: '/lifecycle/programs', fields: { name: ' ', kind: 'call_shadowing', timeZone: 'UTC' }, status: 400 },
      { as: 'lifecycle', from: `/lifecycle/programs/${programId}`, action: `/lifecycle/programs/${programId}/periods`, fields: { startsOn: 'soon', endsOn: '' }, status: 400 },
      { as: 'lifecycle', from: '/lifecycle/people', action: '/lifecycle/people', fields: { name: 'No Address', email: 'not-an-address', timeZone: 'UTC', roles: 'rep' }, status: 400 },
      {
        as: 'lifecycle',
        from: '/lifecycle/people/import',
        action: '/lifecycle/people/import',
        fields: { csv: 'email,name,roles,timezone\nnew.person@example.com,New Person,rep,Europe/Paris\nnot-an-address,,wizard,Mars/Base', mode: 'preview' },
        status: 200, // the preview, each row's problems beside it
      },
      { as: 'lifecycle', from: '/lifecycle/themes', action: '/lifecycle/themes', fields: { name: '' }, status: 400 },
      { as: 'lifecycle', from: `/lifecycle/programs/${programId}/notices`, action: `/lifecycle/programs/${programId}/notices`, fields: { periodId, kind: 'rep_alert', subject: ' ', body: 'Hello' }, status: 400 },
      { as: 'lifecycle', from: '/lifecycle/actions/new', action: '/lifecycle/actions', fields: { programId, kind: 'other', title: '' }, status: 400 },
      { as: 'lifecycle', from: '/lifecycle/webhooks', action: '/lifecycle/webhooks', fields: { url: 'ftp://example.com/x', events: 'rollup.sent' }, status: 400 },
      // Registered: the page showing the secret once.
      { as: 'lifecycle', from: '/lifecycle/webhooks', action: '/lifecycle/webhooks', fields: { url: 'http://127.0.0.1:9/second', events: ['rollup.sent', 'booking.created'] }, status: 201 },
    ];
    const problems: string[] = [];
    for (const as of ['rep', 'marketer', 'lifecycle'] as const) {
      const { context, page } = await open(as);
      for (const c of cases.filter((x) => x.as === as)) {
        const status = await post(page, c.from, c.action, c.fields);
        expect(`${c.action} ${status}`).toBe(`${c.action} ${c.status}`);
        if (c.status >= 400) expect(`${c.action}: ${await page.locator('.error-summary, .field-error').count()}`).not.toBe(`${c.action}: 0`);
        problems.push(...describeViolations(`${c.action} (${c.status})`, await seriousViolations(page)));
      }
      await context.close();
    }
    expect(problems.join('\n')).toBe('');
  }, 180_000);

  /**
   * WCAG 2.1 1.4.11 (non-text contrast), which axe does not check: the focus ring of each control reached by
   * Tab must stand out 3:1 from what is behind it (the nearest ancestor with a background, the outline being
   * drawn outside the control). Measured on the rendered page, after each key press.
   */
  it.each([
    ['rep', '/rep'],
    ['marketer', '/marketer/slots'],
    ['lifecycle', '/lifecycle'],
  ] as const)('draws a focus ring with 3:1 contrast around every control Tab reaches (%s, %s)', async (as, url) => {
    const { context, page } = await open(as);
    await page.goto(url);
    const weak: string[] = [];
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      const found = await page.evaluate<string | null>(`(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        // Focus in a part of a control the browser draws itself (a date field's calendar button): no page CSS reaches it.
        if (!el.matches(':focus')) return '';
        const rgb = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return { v: m.slice(0, 3), a: m.length > 3 ? m[3] : 1 }; };
        const lum = ([r, g, b]) => [r, g, b].map((x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; }).reduce((s, x, k) => s + x * [0.2126, 0.7152, 0.0722][k], 0);
        const cs = getComputedStyle(el);
        let bg = null;
        for (let p = el.parentElement; p && !bg; p = p.parentElement) { const c = rgb(getComputedStyle(p).backgroundColor); if (c.a === 1) bg = c.v; }
        bg = bg || [255, 255, 255];
        const ring = rgb(cs.outlineColor).v;
        const [hi, lo] = [lum(ring), lum(bg)].sort((a, b) => b - a);
        const ratio = (hi + 0.05) / (lo + 0.05);
        const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.textContent || el.getAttribute('name') || '').trim().slice(0, 30) + '"';
        if (cs.outlineStyle === 'none' || parseFloat(cs.outlineWidth) < 2) return name + ': no focus ring (outline ' + cs.outlineStyle + ' ' + cs.outlineWidth + ')';
        return ratio < 3 ? name + ': ring ' + cs.outlineColor + ' on ' + 'rgb(' + bg.join(', ') + ') is ' + ratio.toFixed(2) + ':1' : '';
      })()`);
      if (found === null) break;
      if (found) weak.push(found);
    }
    await context.close();
    expect(weak).toEqual([]);
  });

  it('finds the violations it is there to find (a page with an unlabelled field, a nameless button, faint text)', async () => {
    const { context, page } = await open('anonymous');
    await page.setContent(`<!DOCTYPE html><html lang="en"><head><title>Planted</title></head><body><main>
      <p style="color:#bbb;background:#fff">Faint text</p><input type="text"><button></button></main></body></html>`);
    const ids = (await seriousViolations(page)).map((v) => v.id).sort();
    await context.close();
    expect(ids).toEqual(['button-name', 'color-contrast', 'label']);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
