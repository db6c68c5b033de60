import { DateTime } from 'luxon';
import { launchChromium, screenshot } from './support/browser.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { makePeriod, makeProgram, makeUser, Person } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';
import { webSession, WebSession } from './support/web.js';

const LC = 'lc-empathy@example.com';

type Form = { author: Person; segment: string; mode: 'behavior' | 'feedback'; empathy: Record<string, string[]>; at?: DateTime; marked?: string[] };

/**
 * Planted: "Mid-market", "mid  market" and "MM" are one segment to the team. Three marketers write that the
 * customer asks about pricing (in three wordings, under the three spellings); one loud marketer writes
 * "wants dark mode" on ten forms; two feedback forms say it is too expensive; a contact detail recurs.
 */
async function plant(t: TestApp, programId: string, periodId: string, from: DateTime) {
  const rep = await makeUser(t, ['rep']);
  const m: Person[] = [];
  for (let i = 0; i < 5; i++) m.push(await makeUser(t, ['marketer']));
  const forms: Form[] = [
    { author: m[0], segment: 'Mid-market', mode: 'behavior', empathy: { says: ['Asks about pricing'], does: ['Called Jane Roe on +1 415 555 2671'] }, marked: ['Jane Roe'] },
    { author: m[1], segment: 'mid  market', mode: 'behavior', empathy: { says: ['asked about the price', 'Asks about pricing'], does: ['Called Jane Roe on +1 415 555 2671'] }, marked: ['Jane Roe'] },
    { author: m[2], segment: 'MM', mode: 'behavior', empathy: { says: ['Asking about pricing!'], feels: ['Rushed'] } },
    ...Array.from({ length: 10 }, (): Form => ({ author: m[3], segment: 'Mid-Market', mode: 'behavior', empathy: { says: ['Wants dark mode'] } })),
    { author: m[0], segment: 'Mid-market', mode: 'feedback', empathy: { says: ['Too expensive'], hears: ['Competitors are cheaper'] } },
    { author: m[1], segment: 'MID-MARKET', mode: 'feedback', empathy: { says: ['It is too expensive'], hears: ['competitor is cheaper'] } },
    { author: m[4], segment: 'Enterprise', mode: 'behavior', empathy: { says: ['Asks about SSO'] } },
    { author: m[4], segment: 'Enterprise', mode: 'behavior', empathy: { says: ['Asks about SSO'] } },
    // Outside the window: counts nowhere.
    { author: m[4], segment: 'Mid-market', mode: 'behavior', empathy: { says: ['Asks about pricing'] }, at: from.minus({ days: 3 }) },
  ];
  let k = 0;
  for (const f of forms) {
    k++;
    await t.db.query(
      `INSERT INTO observations (program_id, period_id, author_id, rep_id, template_version, status, answers, marked_names, session_ended_at, due_at, submitted_at, late, revision)
       VALUES ($1, $2, $3, $4, 1, 'submitted', $5, $6, $7, $7::timestamptz + interval '1 day', $7, false, 1)`,
      [programId, periodId, f.author.id, rep.id, JSON.stringify({ mode: f.mode, segment: f.segment, empathy: f.empathy }), f.marked ?? [], (f.at ?? from.plus({ days: 1, minutes: k })).toISO()],
    );
  }
  return { m, rep };
}

interface Entry {
  text: string;
  key: string;
  observers: number;
  forms: number;
  weight: number;
  examples: { text: string; authorId: string }[];
}
interface Seg {
  segmentId: string;
  name: string;
  observers: number;
  forms: number;
  observed: { forms: number; quadrants: Record<string, Entry[]> };
  told: { forms: number; quadrants: Record<string, Entry[]> };
}

describe('segments and empathy maps', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  let programId: string;
  let planted: Awaited<ReturnType<typeof plant>>;
  const windowFrom = DateTime.utc().minus({ days: 40 }).startOf('day');
  const windowTo = windowFrom.plus({ days: 30 });
  const win = { from: windowFrom.toISODate()!, to: windowTo.minus({ days: 1 }).toISODate()! };
  const segments = async (): Promise<{ id: string; name: string; status: string; mergedInto: string | null; keys: string[]; forms: number; observers: number }[]> =>
    (await t.http.get('/api/v1/segments').query({ programId }).set(bearer(t.adminToken)).expect(200)).body.segments;
  const empathy = async (): Promise<Seg[]> => (await t.http.get(`/api/v1/programs/${programId}/empathy`).query(win).set(bearer(t.adminToken)).expect(200)).body.segments;
  const byName = async (name: string) => (await segments()).find((s) => s.name === name)!;

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5' });
    programId = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: [LC] }, 'UTC');
    const periodId = await makePeriod(t, programId, windowFrom.toISODate()!, windowTo.minus({ days: 1 }).toISODate()!);
    planted = await plant(t, programId, periodId, windowFrom);
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('files each normalised answer as a segment of its own: case, spacing and punctuation do not count', async () => {
    const list = await segments();
    expect(list.map((s) => s.name).sort()).toEqual(['Enterprise', 'MM', 'Mid-market']);
    const mid = list.find((s) => s.name === 'Mid-market')!;
    expect(mid).toMatchObject({ status: 'active', mergedInto: null, keys: ['mid market'], observers: 4, forms: 15 });
    // Listing again files nothing twice.
    expect((await segments()).length).toBe(3);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM segment_history WHERE action = 'create'`);
    expect(n).toBe(3);
  });

  it('maps a segment: recurring entries grouped by english lexemes, ranked by observers, observed and told apart', async () => {
    const maps = await empathy();
    // Enterprise has one observer and MM one: no map of their own.
    expect(maps.map((s) => s.name)).toEqual(['Mid-market']);
    const mid = maps[0];
    expect(mid).toMatchObject({ observers: 3, forms: 14 });
    expect(mid.observed.forms).toBe(12);
    expect(mid.told.forms).toBe(2);
    const says = mid.observed.quadrants.says;
    // "Asks about pricing" and "asked about the price" are one entry; m[1] wrote both on one form: one form.
    expect(says).toHaveLength(1);
    expect(says[0]).toMatchObject({ key: 'ask price', observers: 2, forms: 2, weight: 2 });
    // The loud marketer's ten "wants dark mode" forms are one observer: not recurring.
    expect(JSON.stringify(mid)).not.toMatch(/dark mode/i);
    // Told is apart from observed.
    expect(mid.told.quadrants.says.map((e) => e.key)).toEqual(['expens']);
    expect(mid.told.quadrants.says[0]).toMatchObject({ observers: 2, forms: 2 });
    expect(mid.observed.quadrants.says.some((e) => /expensive/i.test(e.text))).toBe(false);
    expect(mid.told.quadrants.hears[0]).toMatchObject({ key: 'cheaper competitor', observers: 2 });
    // Examples come from different observers and are redacted.
    const does = mid.observed.quadrants.does[0];
    expect(does.observers).toBe(2);
    expect(new Set(does.examples.map((x) => x.authorId)).size).toBe(does.examples.length);
    expect(does.examples).toHaveLength(2);
    expect(JSON.stringify(maps)).not.toMatch(/555 2671|Jane Roe/);
    expect(does.text).toContain('[phone]');
    expect(does.text).toContain('[name]');
  });

  it('merges "MM" into Mid-market: its maps combine, with history, and the merge can be undone', async () => {
    const mid = await byName('Mid-market');
    const mm = await byName('MM');
    const merged = (await t.http.post(`/api/v1/segments/${mm.id}/merge`).set(bearer(t.adminToken)).send({ intoId: mid.id }).expect(200)).body;
    expect(merged).toMatchObject({ id: mid.id, keys: ['mid market', 'mm'], observers: 5 });
    const maps = await empathy();
    expect(maps[0]).toMatchObject({ name: 'Mid-market', observers: 4, forms: 15 });
    const says = maps[0].observed.quadrants.says[0];
    expect(says).toMatchObject({ key: 'ask price', observers: 3, forms: 3, weight: 3 });
    expect(new Set(says.examples.map((x) => x.authorId))).toEqual(new Set([planted.m[0].id, planted.m[1].id, planted.m[2].id]));
    const history = (await t.http.get(`/api/v1/segments/${mm.id}/history`).set(bearer(t.adminToken)).expect(200)).body.history;
    expect(history.map((h: { action: string }) => h.action)).toEqual(['create', 'merge']);
    expect(history[1]).toMatchObject({ details: { intoId: mid.id }, actorId: expect.any(String) });
    expect((await segments()).find((s) => s.id === mm.id)).toMatchObject({ status: 'merged', mergedInto: mid.id });

    // A merged segment cannot be merged or renamed; merging into itself or a merged one is refused.
    await t.http.post(`/api/v1/segments/${mm.id}/merge`).set(bearer(t.adminToken)).send({ intoId: mid.id }).expect(409);
    await t.http.post(`/api/v1/segments/${mid.id}/merge`).set(bearer(t.adminToken)).send({ intoId: mid.id }).expect(409);
    await t.http.post(`/api/v1/segments/${mid.id}/merge`).set(bearer(t.adminToken)).send({ intoId: 'nope' }).expect(400);

    await t.http.post(`/api/v1/segments/${mm.id}/unmerge`).set(bearer(t.adminToken)).expect(200);
    expect((await empathy())[0].observed.quadrants.says[0].observers).toBe(2);
    await t.http.post(`/api/v1/segments/${mm.id}/merge`).set(bearer(t.adminToken)).send({ intoId: mid.id }).expect(200);
    expect((await empathy())[0].observed.quadrants.says[0].observers).toBe(3);
  });

  it('renames with history; a name taken by another active segment is refused and changes nothing', async () => {
    const mid = await byName('Mid-market');
    await t.http.patch(`/api/v1/segments/${mid.id}`).set(bearer(t.adminToken)).send({ name: '  Mid   market (51-1000) ' }).expect(200);
    expect((await empathy())[0].name).toBe('Mid market (51-1000)');
    const res = await t.http.patch(`/api/v1/segments/${mid.id}`).set(bearer(t.adminToken)).send({ name: 'enterprise' }).expect(409);
    expect(res.body.details.field).toBe('name');
    await t.http.patch(`/api/v1/segments/${mid.id}`).set(bearer(t.adminToken)).send({ name: '' }).expect(400);
    const history = (await t.http.get(`/api/v1/segments/${mid.id}/history`).set(bearer(t.adminToken)).expect(200)).body.history;
    expect(history.filter((h: { action: string }) => h.action === 'rename').map((h: { details: unknown }) => h.details)).toEqual([{ oldName: 'Mid-market', newName: 'Mid market (51-1000)' }]);
    await t.http.patch(`/api/v1/segments/${mid.id}`).set(bearer(t.adminToken)).send({ name: 'Mid-market' }).expect(200);
  });

  it('is for the lifecycle team only; bad windows and unknown ids are 4xx', async () => {
    const mid = await byName('Mid-market');
    for (const who of [planted.rep, planted.m[0]]) {
      await t.http.get('/api/v1/segments').set(bearer(who.token)).expect(403);
      await t.http.patch(`/api/v1/segments/${mid.id}`).set(bearer(who.token)).send({ name: 'X' }).expect(403);
      await t.http.post(`/api/v1/segments/${mid.id}/merge`).set(bearer(who.token)).send({ intoId: mid.id }).expect(403);
      await t.http.get(`/api/v1/programs/${programId}/empathy`).set(bearer(who.token)).expect(403);
    }
    await t.http.get(`/api/v1/programs/${programId}/empathy`).query({ from: 'soon' }).set(bearer(t.adminToken)).expect(400);
    await t.http.get(`/api/v1/programs/${programId}/empathy`).query({ from: win.to, to: win.from }).set(bearer(t.adminToken)).expect(400);
    await t.http.get(`/api/v1/programs/00000000-0000-4000-8000-000000000000/empathy`).set(bearer(t.adminToken)).expect(404);
    await t.http.patch(`/api/v1/segments/00000000-0000-4000-8000-000000000000`).set(bearer(t.adminToken)).send({ name: 'X' }).expect(404);
    await t.http.get('/api/v1/segments').query({ programId: 'x' }).set(bearer(t.adminToken)).expect(400);
  });

  it('shows the maps on the lifecycle page, and curates segments from it', async () => {
    const [{ id: lcId }] = await t.db.query(`SELECT id FROM users WHERE email = $1`, ['lifecycle-admin@example.com']);
    const web = await webSession(t, lcId);
    const page = await web.get(`/lifecycle/programs/${programId}/empathy`).query(win).expect(200);
    expect(page.text).toContain('Observed (behaviour forms)');
    expect(page.text).toContain('Told (feedback forms)');
    expect(page.text).toMatch(/Asks about pricing|asked about the price|Asking about pricing/);
    expect(page.text).not.toMatch(/555 2671|Jane Roe/);
    await web.get(`/lifecycle/programs/${programId}/empathy`).query({ from: 'soon' }).expect(400);

    const ent = await byName('Enterprise');
    const bad = await web.post(`/lifecycle/programs/${programId}/segments/${ent.id}/rename`, { name: '' }).expect(400);
    expect(bad.text).toContain('There is a problem');
    await web.post(`/lifecycle/programs/${programId}/segments/${ent.id}/rename`, { name: 'Large accounts' }).expect(303);
    expect((await segments()).some((s) => s.name === 'Large accounts')).toBe(true);
    const mid = await byName('Mid-market');
    await web.post(`/lifecycle/programs/${programId}/segments/${ent.id}/merge`, { intoId: mid.id }).expect(303);
    expect((await empathy())[0]).toMatchObject({ name: 'Mid-market', observers: 5 });
    await web.post(`/lifecycle/programs/${programId}/segments/${ent.id}/unmerge`).expect(303);
    expect((await empathy())[0]).toMatchObject({ observers: 4 });

    const marketer = await webSession(t, planted.m[0].id);
    const refused = await marketer.get(`/lifecycle/programs/${programId}/empathy`);
    expect([403, 404]).toContain(refused.status);
  });

  it('puts a compact empathy map in the rollup JSON, page, email (a 2 x 3 table grid) and text', async () => {
    const res = await t.http.post('/api/v1/rollups').set(bearer(t.adminToken)).send({ programId, ...win }).expect(201);
    const e = res.body.report.empathy;
    expect(e.segments).toBe(1);
    expect(e.top[0]).toMatchObject({ name: 'Mid-market', observers: 4 });
    expect(e.top[0].observed.quadrants.says[0]).toMatchObject({ observers: 3 });
    expect(e.top[0].told.quadrants.says[0]).toMatchObject({ observers: 2 });
    expect(JSON.stringify(e)).not.toMatch(/555 2671|Jane Roe|dark mode/i);

    const page = await t.http.get(`/rollups/${res.body.id}`).set(bearer(t.adminToken)).expect(200);
    expect(page.text).toContain('Empathy maps by segment');

    await sink.waitFor(() => sink.to(LC).length === 1);
    const mail = sink.to(LC)[0];
    const html = String(mail.parsed.html);
    const grid = html.slice(html.indexOf('Empathy maps by segment'));
    const table = grid.slice(grid.indexOf('<table'), grid.indexOf('</table>'));
    expect(table.match(/<tr>/g)).toHaveLength(3);
    expect(table.match(/<td /g)).toHaveLength(6);
    expect(table).not.toMatch(/class=|<style/);
    expect(mail.parsed.text).toContain('EMPATHY MAPS BY SEGMENT');
    expect(mail.parsed.text).toMatch(/Says: .*\(3 observers\)/);
    expect(mail.parsed.text).not.toMatch(/555 2671|Jane Roe/);
  });
  it('merges a segment with the buttons of the page in Chromium, and undoes it', async () => {
    const [{ id: lcId }] = await t.db.query(`SELECT id FROM users WHERE email = $1`, ['lifecycle-admin@example.com']);
    const web: WebSession = await webSession(t, lcId);
    const ent = await byName('Large accounts');
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ baseURL: t.url, viewport: { width: 1280, height: 1000 } });
      await context.addCookies([{ name: 'ra_session', value: web.cookie.split('=')[1], url: t.url, httpOnly: true, sameSite: 'Lax' }]);
      const page = await context.newPage();
      await page.goto(`/lifecycle/programs/${programId}/empathy?from=${win.from}&to=${win.to}`);
      await page.locator(`#merge-${ent.id}`).selectOption({ label: 'Mid-market' });
      await page.locator(`form[action$="/segments/${ent.id}/merge"] button`).click();
      await page.waitForURL(/\/empathy/);
      await screenshot(page, 'segments-merged');
      // Back in the same window, with the merged segment's forms in Mid-market's map.
      expect(page.url()).toContain(`from=${win.from}&to=${win.to}`);
      expect(await page.getByText('5 observers, 17 forms.').count()).toBe(1);
      expect(await page.locator('h2', { hasText: 'Mid-market' }).count()).toBe(1);
      expect((await byName('Large accounts')).status).toBe('merged');
      await page.locator(`form[action$="/segments/${ent.id}/unmerge"] button`).click();
      await page.waitForURL(/\/empathy/);
      expect((await byName('Large accounts')).status).toBe('active');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
