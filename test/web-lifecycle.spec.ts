import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { inputValue, webSession, WebSession } from './support/web.js';

/** The HTML of one page section: from its <h2 id="…"> to the next such heading (error summaries' <h2> stay inside). */
function section(page: string, id: string): string {
  const start = page.indexOf(`<h2 id="${id}"`);
  if (start < 0) throw new Error(`no section ${id}`);
  const next = page.indexOf('<h2 id="', start + 1);
  return page.slice(start, next < 0 ? undefined : next);
}

/** The field-error text shown for a field, and whether its control is marked invalid. */
function fieldProblem(page: string, name: string): { text: string | undefined; invalid: boolean } {
  const errId = `err-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const m = new RegExp(`<p class="field-error" id="${errId}">([^<]*)</p>`).exec(page);
  const invalid = new RegExp(`name="${name.replace(/[.[\]]/g, '\\$&')}"[^>]*aria-invalid="true" aria-describedby="[^"]*\\b${errId}\\b[^"]*"`).test(page);
  return { text: m?.[1], invalid };
}

const count = async (t: TestApp, sql: string, params: unknown[] = []) => (await t.db.query(sql, params))[0].n as number;

describe('lifecycle pages (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let lc: Person;
  let s: WebSession;
  let marketerSession: WebSession;
  let repSession: WebSession;

  beforeAll(async () => {
    t = await startTestApp();
    lc = await makeUser(t, ['lifecycle'], 'Europe/Berlin');
    s = await webSession(t, lc.id);
    marketerSession = await webSession(t, (await makeUser(t, ['marketer'])).id);
    repSession = await webSession(t, (await makeUser(t, ['rep'])).id);
  });
  afterAll(async () => t.close());

  describe('programs', () => {
    it('lists programs and offers a New program form with the defaults filled in', async () => {
      const id = await makeProgram(t, { quota: 17 }, 'America/New_York');
      const [{ name }] = await t.db.query(`SELECT name FROM programs WHERE id = $1`, [id]);
      const res = await s.get('/lifecycle').expect(200).expect('Content-Type', /text\/html/);
      expect(res.text).toContain(`<a href="/lifecycle/programs/${id}">${name}</a>`);
      expect(res.text).toMatch(/<td>Call shadowing \(Rep Life\)<\/td><td>America\/New_York<\/td><td>17<\/td>/);
      const form = section(res.text, 'new-program');
      for (const label of ['Name', 'Kind', 'Time zone', 'Quota', 'Slot length (minutes)', 'Form due (hours after the session)']) {
        expect(form).toMatch(new RegExp(`<label for="[^"]+">${label.replace(/[()]/g, '\\$&')}</label>`));
      }
      expect(inputValue(form, 'settings.quota')).toBe('20');
      expect(inputValue(form, 'settings.slotMinutes')).toBe('45');
      expect(inputValue(form, 'settings.formDueHours')).toBe('24');
      // The viewer's zone is the default zone.
      expect(form).toContain('<option value="Europe/Berlin" selected>Europe/Berlin</option>');
    });

    it('creates a program from the form and redirects to its page', async () => {
      const res = await s
        .post('/lifecycle/programs', {
          name: 'Support onboarding Nepal',
          kind: 'support_rotation',
          timeZone: 'Asia/Kathmandu',
          'settings.quota': '12',
          'settings.slotMinutes': '30',
          'settings.slotGridMinutes': '15',
          'settings.periodCadence': 'none',
          'settings.rollupCadence': 'weekly',
          'settings.rollupRecipients': 'ops@example.com, lead@example.com',
          'settings.onboardingShifts': '4',
        })
        .expect(303);
      const m = /^\/lifecycle\/programs\/([0-9a-f-]{36})\?notice=program-created$/.exec(res.header.location);
      expect(m).not.toBeNull();
      const api = await t.http.get(`/api/v1/programs/${m![1]}`).set(bearer(t.adminToken)).expect(200);
      expect(api.body).toMatchObject({ name: 'Support onboarding Nepal', kind: 'support_rotation', timeZone: 'Asia/Kathmandu' });
      expect(api.body.settings).toMatchObject({ quota: 12, slotMinutes: 30, periodCadence: 'none', rollupCadence: 'weekly', onboardingShifts: 4, formDueHours: 24 });
      expect(api.body.settings.rollupRecipients).toEqual(['ops@example.com', 'lead@example.com']);
      const page = await s.get(res.header.location).expect(200);
      expect(page.text).toContain('<div class="notice" role="status">Program created.</div>');
      expect(page.text).toMatch(/<h1>Support onboarding Nepal<\/h1>/);
    });

    it('re-renders the form with the problem next to the field, keeping the input, and creates nothing', async () => {
      const before = await count(t, `SELECT count(*)::int AS n FROM programs`);
      const res = await s.post('/lifecycle/programs', { name: 'Bad quota program', kind: 'call_shadowing', timeZone: 'UTC', 'settings.quota': 'lots' }).expect(400);
      const p = fieldProblem(res.text, 'settings.quota');
      expect(p.text).toMatch(/quota/);
      expect(p.invalid).toBe(true);
      expect(inputValue(res.text, 'name')).toBe('Bad quota program');
      expect(inputValue(res.text, 'settings.quota')).toBe('lots');
      expect(res.text).toContain('class="error-summary"');
      const badZone = await s.post('/lifecycle/programs', { name: 'Zone', kind: 'call_shadowing', timeZone: 'Mars/Olympus' }).expect(400);
      expect(fieldProblem(badZone.text, 'timeZone').text).toMatch(/IANA time zone/);
      expect(await count(t, `SELECT count(*)::int AS n FROM programs`)).toBe(before);
    });

    it('saves settings from the program page, and names the field when they do not fit together', async () => {
      const id = await makeProgram(t);
      const page = await s.get(`/lifecycle/programs/${id}`).expect(200);
      const settings = section(page.text, 'settings');
      expect(inputValue(settings, 'settings.quota')).toBe('20');
      // Call shadowing programs do not show the support rotation settings.
      expect(settings).not.toContain('settings.onboardingShifts');
      const bad = await s.post(`/lifecycle/programs/${id}`, { name: 'Renamed', timeZone: 'UTC', 'settings.slotMinutes': '30', 'settings.slotGridMinutes': '60' }).expect(400);
      expect(fieldProblem(bad.text, 'settings.slotGridMinutes')).toEqual({ text: 'slotGridMinutes must not be longer than slotMinutes', invalid: true });
      const unchanged = await t.http.get(`/api/v1/programs/${id}`).set(bearer(t.adminToken)).expect(200);
      expect(unchanged.body.settings.slotMinutes).toBe(45);

      const ok = await s
        .post(`/lifecycle/programs/${id}`, { name: 'Renamed program', timeZone: 'Europe/Madrid', 'settings.quota': '15', 'settings.slotGridMinutes': '15', preparationNote: 'Listen first.' })
        .expect(303);
      expect(ok.header.location).toBe(`/lifecycle/programs/${id}?notice=program-saved`);
      const saved = await t.http.get(`/api/v1/programs/${id}`).set(bearer(t.adminToken)).expect(200);
      expect(saved.body).toMatchObject({ name: 'Renamed program', timeZone: 'Europe/Madrid', preparationNote: 'Listen first.' });
      expect(saved.body.settings).toMatchObject({ quota: 15, slotMinutes: 45 });
    });

    it('404s an unknown program and 400s a malformed id', async () => {
      await s.get('/lifecycle/programs/00000000-0000-4000-8000-000000000000').expect(404);
      await s.get('/lifecycle/programs/not-a-uuid').expect(400);
    });
  });

  describe('periods', () => {
    it('creates a period from the program page and shows an overlap next to the dates (409), creating nothing', async () => {
      const id = await makeProgram(t);
      const res = await s.post(`/lifecycle/programs/${id}/periods`, { startsOn: '2031-01-01', endsOn: '2031-03-31', focus: 'Why do trials stall?' }).expect(303);
      const m = /^\/lifecycle\/periods\/([0-9a-f-]{36})\?notice=period-created$/.exec(res.header.location);
      expect(m).not.toBeNull();
      const [row] = await t.db.query(`SELECT to_char(starts_on, 'YYYY-MM-DD') AS s, to_char(ends_on, 'YYYY-MM-DD') AS e, focus FROM periods WHERE id = $1`, [m![1]]);
      expect(row).toEqual({ s: '2031-01-01', e: '2031-03-31', focus: 'Why do trials stall?' });

      const program = await s.get(`/lifecycle/programs/${id}`).expect(200);
      const periods = section(program.text, 'periods');
      expect(periods).toContain(`<a href="/lifecycle/periods/${m![1]}">1 Jan 2031 – 31 Mar 2031</a>`);
      expect(periods).toContain('<td>Planned</td>');
      expect(program.text).toContain(`<a href="/lifecycle/programs/${id}/health">Program health</a>`);
      expect(program.text).toContain(`<a href="/lifecycle/rollups?program=${id}">Rollups of this program</a>`);

      const overlap = await s.post(`/lifecycle/programs/${id}/periods`, { startsOn: '2031-03-01', endsOn: '2031-05-31' }).expect(409);
      const form = section(overlap.text, 'new-period');
      expect(fieldProblem(form, 'startsOn').text).toMatch(/overlaps another period/);
      expect(fieldProblem(form, 'startsOn').invalid).toBe(true);
      expect(fieldProblem(form, 'endsOn').invalid).toBe(true);
      expect(inputValue(form, 'startsOn')).toBe('2031-03-01');
      expect(inputValue(form, 'endsOn')).toBe('2031-05-31');
      expect(await count(t, `SELECT count(*)::int AS n FROM periods WHERE program_id = $1`, [id])).toBe(1);

      const backwards = await s.post(`/lifecycle/programs/${id}/periods`, { startsOn: '2032-02-01', endsOn: '2032-01-01' }).expect(400);
      expect(fieldProblem(backwards.text, 'endsOn').text).toBe('endsOn must be on or after startsOn');
      const notDate = await s.post(`/lifecycle/programs/${id}/periods`, { startsOn: '2032-02-30', endsOn: '2032-03-01' }).expect(400);
      expect(fieldProblem(notDate.text, 'startsOn').text).toBe('startsOn must be a date like 2026-11-02');
      expect(await count(t, `SELECT count(*)::int AS n FROM periods WHERE program_id = $1`, [id])).toBe(1);
    });

    it('invites a rep, enrols a marketer and changes a quota from the period page', async () => {
      const programId = await makeProgram(t, { quota: 11 });
      const periodId = await makePeriod(t, programId, '2031-04-01', '2031-06-30');
      const rep = await makeUser(t, ['rep']);
      const marketer = await makeUser(t, ['marketer']);
      const [{ name: repName }] = await t.db.query(`SELECT name FROM users WHERE id = $1`, [rep.id]);
      const [{ name: marketerName }] = await t.db.query(`SELECT name FROM users WHERE id = $1`, [marketer.id]);

      const page = await s.get(`/lifecycle/periods/${periodId}`).expect(200);
      expect(page.text).toMatch(/<label for="f-repId">Invite a rep<\/label>/);
      expect(page.text).toContain(`<option value="${rep.id}">${repName} (${rep.email})</option>`);
      expect(page.text).toMatch(/<label for="f-marketerId">Enrol a marketer<\/label>/);
      expect(page.text).toContain(`<option value="${marketer.id}">${marketerName} (${marketer.email})</option>`);
      expect(page.text).toContain("Optional; the program&#39;s quota is 11");

      const invited = await s.post(`/lifecycle/periods/${periodId}/roster`, { repId: rep.id }).expect(303);
      expect(invited.header.location).toBe(`/lifecycle/periods/${periodId}?notice=invited`);
      const roster = await t.http.get(`/api/v1/roster?periodId=${periodId}`).set(bearer(t.adminToken)).expect(200);
      const entries = roster.body.entries;
      expect(entries).toEqual(expect.arrayContaining([expect.objectContaining({ repId: rep.id, status: 'invited' })]));

      const enrolled = await s.post(`/lifecycle/periods/${periodId}/enrollments`, { marketerId: marketer.id, quota: '7' }).expect(303);
      expect(enrolled.header.location).toBe(`/lifecycle/periods/${periodId}?notice=enrolled`);
      const [enrolment] = await t.db.query(`SELECT id, quota FROM enrollments WHERE period_id = $1 AND marketer_id = $2`, [periodId, marketer.id]);
      expect(enrolment.quota).toBe(7);

      const after = await s.get(enrolled.header.location).expect(200);
      expect(after.text).toContain('Marketer enrolled.');
      expect(section(after.text, 'roster')).toContain(`<tr><th scope="row">${repName}</th><td>Invited</td>`);
      // Neither is offered again.
      expect(after.text).not.toContain(`<option value="${rep.id}">`);
      expect(after.text).not.toContain(`<option value="${marketer.id}">`);
      const enrolments = section(after.text, 'enrolments');
      expect(enrolments).toContain(`<label for="f-quota-${enrolment.id}">Quota for ${marketerName}</label>`);
      expect(inputValue(enrolments, 'quota')).toBe('7');

      const badQuota = await s.post(`/lifecycle/periods/${periodId}/enrollments/${enrolment.id}`, { quota: '-3' }).expect(400);
      expect(fieldProblem(badQuota.text, 'quota')).toEqual({ text: 'quota must not be less than 0', invalid: true });
      expect((await t.db.query(`SELECT quota FROM enrollments WHERE id = $1`, [enrolment.id]))[0].quota).toBe(7);
      await s.post(`/lifecycle/periods/${periodId}/enrollments/${enrolment.id}`, { quota: '9' }).expect(303);
      expect((await t.db.query(`SELECT quota FROM enrollments WHERE id = $1`, [enrolment.id]))[0].quota).toBe(9);
      // An enrolment of another period is not reachable through this one.
      const other = await makePeriod(t, programId, '2031-07-01', '2031-09-30');
      await s.post(`/lifecycle/periods/${other}/enrollments/${enrolment.id}`, { quota: '1' }).expect(404);

      // A rep is not a marketer: the problem is shown next to the select.
      const wrong = await s.post(`/lifecycle/periods/${periodId}/enrollments`, { marketerId: rep.id }).expect(400);
      expect(fieldProblem(wrong.text, 'marketerId')).toEqual({ text: 'Only an active user with the marketer role can be enrolled', invalid: true });
      const missing = await s.post(`/lifecycle/periods/${periodId}/roster`, { repId: '' }).expect(400);
      expect(fieldProblem(missing.text, 'repId')).toEqual({ text: 'repId must be a UUID', invalid: true });
      expect(await count(t, `SELECT count(*)::int AS n FROM enrollments WHERE period_id = $1`, [periodId])).toBe(1);
    });
  });

  describe('people', () => {
    it('lists people and adds a person from the form; a taken email is shown next to Email', async () => {
      const existing = await makeUser(t, ['marketer'], 'Asia/Tokyo');
      const list = await s.get('/lifecycle/people').expect(200);
      expect(list.text).toContain(`<td>${existing.email}</td><td>Marketer</td><td>Asia/Tokyo</td>`);
      const form = section(list.text, 'add-person');
      for (const label of ['Name', 'Email', 'Time zone', 'Rep', 'Marketer', 'Lifecycle team', 'First day at the company']) {
        expect(form).toMatch(new RegExp(`<label for="[^"]+">${label}</label>`));
      }

      const res = await s
        .post('/lifecycle/people', { name: 'Ana Ruiz', email: 'ana.ruiz@example.com', timeZone: 'Europe/Madrid', roles: ['marketer', 'rep'], startedOn: '2031-02-03' })
        .expect(303);
      expect(res.header.location).toBe('/lifecycle/people?notice=person-added');
      const [row] = await t.db.query(`SELECT name, time_zone, roles, to_char(started_on, 'YYYY-MM-DD') AS started FROM users WHERE email = 'ana.ruiz@example.com'`);
      expect(row).toEqual({ name: 'Ana Ruiz', time_zone: 'Europe/Madrid', roles: ['marketer', 'rep'], started: '2031-02-03' });
      const after = await s.get(res.header.location).expect(200);
      expect(after.text).toContain('<th scope="row">Ana Ruiz</th><td>ana.ruiz@example.com</td><td>Marketer, Rep</td><td>Europe/Madrid</td><td>Yes</td><td>3 Feb 2031</td>');

      const taken = await s.post('/lifecycle/people', { name: 'Ana Again', email: 'ANA.RUIZ@example.com', timeZone: 'UTC', roles: 'rep' }).expect(409);
      const p = fieldProblem(taken.text, 'email');
      expect(p.text).toMatch(/already exists/);
      expect(p.invalid).toBe(true);
      expect(inputValue(taken.text, 'name')).toBe('Ana Again');
      expect(taken.text).toMatch(/<input type="checkbox" id="f-roles" name="roles" value="rep" checked>/);

      const noRole = await s.post('/lifecycle/people', { name: 'No Role', email: 'no.role@example.com', timeZone: 'UTC' }).expect(400);
      expect(fieldProblem(noRole.text, 'roles').text).toBe('Choose at least one role');
      const badEmail = await s.post('/lifecycle/people', { name: 'Bad', email: 'not-an-email', timeZone: 'UTC', roles: 'rep' }).expect(400);
      expect(fieldProblem(badEmail.text, 'email')).toEqual({ text: 'email must be an email address', invalid: true });
      expect(await count(t, `SELECT count(*)::int AS n FROM users WHERE lower(email) IN ('ana.ruiz@example.com', 'no.role@example.com', 'not-an-email')`)).toBe(1);
    });
  });

  describe('themes', () => {
    it('shows the tree, creates a theme under a parent, accepts and rejects proposals, merges with history', async () => {
      const parent = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: 'Pricing' }).expect(201)).body.id;
      const created = await s.post('/lifecycle/themes', { name: 'Discount confusion', parentId: parent, description: 'Reps and customers read discounts differently' }).expect(303);
      expect(created.header.location).toBe('/lifecycle/themes?notice=theme-created');
      const [child] = await t.db.query(`SELECT id, parent_id, status FROM themes WHERE name = 'Discount confusion'`);
      expect(child).toMatchObject({ parent_id: parent, status: 'active' });

      const page = await s.get('/lifecycle/themes').expect(200);
      const tree = section(page.text, 'taxonomy');
      expect(tree).toContain(`<li><a href="/lifecycle/themes/${parent}">Pricing</a><ul><li><a href="/lifecycle/themes/${child.id}">Discount confusion</a>`);

      const dup = await s.post('/lifecycle/themes', { name: 'pricing' }).expect(409);
      expect(fieldProblem(section(dup.text, 'new-theme'), 'name').text).toMatch(/already exists/);

      const marketer = await makeUser(t, ['marketer']);
      const [keep] = await t.db.query(`INSERT INTO themes (name, status, proposed_by) VALUES ('Spreadsheet fatigue', 'proposed', $1) RETURNING id`, [marketer.id]);
      const [drop] = await t.db.query(`INSERT INTO themes (name, status, proposed_by) VALUES ('Weather', 'proposed', $1) RETURNING id`, [marketer.id]);
      const withProposals = await s.get('/lifecycle/themes').expect(200);
      const proposed = section(withProposals.text, 'proposed');
      expect(proposed).toContain('Spreadsheet fatigue');
      expect(proposed).toContain(`action="/lifecycle/themes/${keep.id}/accept"`);
      expect(proposed).toContain(`action="/lifecycle/themes/${drop.id}/reject"`);
      await s.post(`/lifecycle/themes/${keep.id}/accept`).expect(303);
      await s.post(`/lifecycle/themes/${drop.id}/reject`).expect(303);
      expect((await t.db.query(`SELECT status FROM themes WHERE id = $1`, [keep.id]))[0].status).toBe('active');
      expect((await t.db.query(`SELECT status FROM themes WHERE id = $1`, [drop.id]))[0].status).toBe('rejected');
      // Deciding twice is a 409 shown on the page, not a crash.
      const twice = await s.post(`/lifecycle/themes/${keep.id}/accept`).expect(409);
      expect(twice.text).toMatch(/Only a proposed theme can be accepted/);

      const merged = await s.post('/lifecycle/themes/merge', { id: keep.id, intoId: child.id }).expect(303);
      expect(merged.header.location).toBe(`/lifecycle/themes/${child.id}?notice=merged`);
      expect((await t.db.query(`SELECT status, merged_into FROM themes WHERE id = $1`, [keep.id]))[0]).toEqual({ status: 'merged', merged_into: child.id });
      const into = await s.get(merged.header.location).expect(200);
      expect(into.text).toContain('Themes merged.');
      expect(section(into.text, 'history')).toContain('Absorbed &quot;Spreadsheet fatigue&quot;');
      const gone = await s.get(`/lifecycle/themes/${keep.id}`).expect(200);
      expect(gone.text).toContain(`<dt>Merged into</dt><dd><a href="/lifecycle/themes/${child.id}">Discount confusion</a></dd>`);
      expect(section(gone.text, 'history')).toContain('Merged into &quot;Discount confusion&quot;');
      expect(section(gone.text, 'history')).toContain('Accepted');

      const self = await s.post('/lifecycle/themes/merge', { id: child.id, intoId: child.id }).expect(409);
      expect(fieldProblem(section(self.text, 'merge'), 'intoId').text).toBe('A theme cannot be merged into itself');
      const none = await s.post('/lifecycle/themes/merge', { id: '', intoId: child.id }).expect(400);
      expect(fieldProblem(section(none.text, 'merge'), 'id')).toEqual({ text: 'Choose the theme to merge', invalid: true });
      expect((await t.db.query(`SELECT status FROM themes WHERE id = $1`, [child.id]))[0].status).toBe('active');
    });
  });

  describe('rollups', () => {
    it('runs a rollup from the program page, lists it, and the list links to a page that opens', async () => {
      const programId = await makeProgram(t, {}, 'UTC');
      const [{ name }] = await t.db.query(`SELECT name FROM programs WHERE id = $1`, [programId]);
      const bad = await s.post(`/lifecycle/programs/${programId}/rollups`, { from: '2031-03-01', to: '2031-02-01' }).expect(400);
      expect(fieldProblem(section(bad.text, 'run-rollup'), 'to')).toEqual({ text: 'to must be after from', invalid: true });
      const notDate = await s.post(`/lifecycle/programs/${programId}/rollups`, { from: 'soon', to: '2031-02-01' }).expect(400);
      expect(fieldProblem(notDate.text, 'from').text).toBe('From must be a date like 2026-10-01');
      expect(await count(t, `SELECT count(*)::int AS n FROM rollups WHERE program_id = $1`, [programId])).toBe(0);

      const run = await s.post(`/lifecycle/programs/${programId}/rollups`, { from: '2031-01-01', to: '2031-03-31' }).expect(303);
      const m = /^\/rollups\/([0-9a-f-]{36})$/.exec(run.header.location);
      expect(m).not.toBeNull();
      const api = await t.http.get(`/api/v1/rollups/${m![1]}`).set(bearer(t.adminToken)).expect(200);
      expect(api.body).toMatchObject({ programId, status: 'ready', kind: 'custom' });

      const list = await s.get('/lifecycle/rollups').expect(200);
      const link = `<a href="/rollups/${m![1]}">Open rollup ${name} 2031-01-01–2031-03-31</a>`;
      expect(list.text).toContain(link);
      const filtered = await s.get(`/lifecycle/rollups?program=${programId}`).expect(200);
      expect(filtered.text).toContain(link);
      const otherProgram = await makeProgram(t);
      expect((await s.get(`/lifecycle/rollups?program=${otherProgram}`).expect(200)).text).not.toContain(link);
      await s.get('/lifecycle/rollups?program=nonsense').expect(400);

      const opened = await s.get(`/rollups/${m![1]}`).expect(200).expect('Content-Type', /text\/html/);
      expect(opened.text).toContain(`Rollup: ${name}`);
      expect(opened.text).toContain('<a href="/lifecycle/rollups" style="color:#0a58ca">← All rollups</a>');

      // The same window again opens the stored rollup instead of a second one.
      const again = await s.post(`/lifecycle/programs/${programId}/rollups`, { from: '2031-01-01', to: '2031-03-31' }).expect(303);
      expect(again.header.location).toBe(run.header.location);
      expect(await count(t, `SELECT count(*)::int AS n FROM rollups WHERE program_id = $1`, [programId])).toBe(1);
    });

    it('lists a rollup still being built without a link, and shows the building notice as a fixed text', async () => {
      const programId = await makeProgram(t);
      const from = DateTime.fromISO('2032-01-01', { zone: 'UTC' });
      const [{ id }] = await t.db.query(`INSERT INTO rollups (program_id, window_from, window_to, kind, status) VALUES ($1, $2, $3, 'custom', 'pending') RETURNING id`, [
        programId,
        from.toJSDate(),
        from.plus({ days: 1 }).toJSDate(),
      ]);
      const list = await s.get(`/lifecycle/rollups?program=${programId}`).expect(200);
      expect(list.text).toContain('<span class="badge">Being built</span>');
      expect(list.text).not.toContain(`href="/rollups/${id}"`);
      const page = await s.get('/lifecycle/rollups?notice=building').expect(200);
      expect(page.text).toContain('<div class="notice" role="status">The rollup is being built; it appears here when it is ready.</div>');
      const odd = await s.get('/lifecycle/rollups?notice=%3Cscript%3E').expect(200);
      expect(odd.text).not.toContain('<div class="notice"');
    });
  });

  describe('program health', () => {
    it('shows coverage, a late form and an at-risk marketer from seeded data', async () => {
      const programId = await makeProgram(t, { formDueHours: 24 }, 'UTC');
      // 60 days, today the 31st: half the period has passed (pace 10 of a quota of 20).
      const periodId = await makePeriod(t, programId, daysFromNow(-30), daysFromNow(29));
      const rep = await makeUser(t, ['rep'], 'America/New_York');
      await rosterRep(t, periodId, rep);
      await t.http
        .put(`/api/v1/reps/${rep.id}/availability`)
        .set(bearer(rep.token))
        .send({ timeZone: 'America/New_York', weekly: [{ weekday: 2, start: '09:00', end: '12:00' }] })
        .expect(200);
      const idle = await makeUser(t, ['rep']);
      await rosterRep(t, periodId, idle);
      const behind = await makeUser(t, ['marketer']);
      const fine = await makeUser(t, ['marketer']);
      await enrol(t, periodId, behind, 20);
      await enrol(t, periodId, fine, 1);
      const names = new Map<string, string>((await t.db.query(`SELECT id, name FROM users WHERE id = ANY($1)`, [[rep.id, behind.id, fine.id]])).map((r: { id: string; name: string }) => [r.id, r.name]));

      // A call three days ago, marked held: its form was due two days ago and is not submitted.
      const end = DateTime.utc().minus({ days: 3 }).startOf('minute');
      const bookingId = await insertBooking(t, { periodId, repId: rep.id, marketerId: behind.id, startsAt: end.minus({ minutes: 45 }).toISO()!, endsAt: end.toISO()! });
      await t.http.post(`/api/v1/bookings/${bookingId}/attendance`).set(bearer(rep.token)).send({ outcome: 'completed' }).expect(200);
      const [form] = await t.db.query(`SELECT id, status, due_at FROM observations WHERE booking_id = $1`, [bookingId]);
      expect(form.status).toBe('open');
      expect(new Date(form.due_at).getTime()).toBeLessThan(Date.now());
      // A booked call to come for the marketer on pace.
      const soon = DateTime.utc().plus({ days: 2 }).startOf('hour');
      await insertBooking(t, { periodId, repId: rep.id, marketerId: fine.id, startsAt: soon.toISO()!, endsAt: soon.plus({ minutes: 45 }).toISO()! });

      const page = await s.get(`/lifecycle/programs/${programId}/health`).expect(200);
      expect(page.text).toMatch(/<label for="f-period">Period<\/label>/);
      expect(page.text).toContain(`<option value="${periodId}" selected>`);

      const coverage = section(page.text, 'coverage');
      expect(coverage).toContain('<tr><th scope="row">Sessions completed</th><td>1</td></tr>');
      expect(coverage).toContain('<tr><th scope="row">Sessions booked, not yet held</th><td>1</td></tr>');
      expect(coverage).toContain('2 of 21 (10%)');
      expect(coverage).toContain('<tr><th scope="row">Reps on the roster</th><td>2 active</td></tr>');
      expect(coverage).toContain('<tr><th scope="row">Roster reps with availability published</th><td>1 of 2 (50%)</td></tr>');
      expect(coverage).toContain('<tr><th scope="row">Completed sessions with a submitted form</th><td>0 of 1 (0%)</td></tr>');

      const late = section(page.text, 'forms-late');
      expect(late).toContain(`<th scope="row">${names.get(behind.id)}</th>`);
      expect(late).toContain(`Call with ${names.get(rep.id)}`);
      expect(late).toMatch(/<span class="badge late">2 days( \d+ hours?)?<\/span>/);
      expect(late).toContain('Not started');

      const risk = section(page.text, 'at-risk');
      expect(risk).toContain(`<th scope="row">${names.get(behind.id)}</th><td>20</td><td>1</td><td>0</td><td>10</td>`);
      expect(risk).toContain('Behind pace: 1 session done or booked, 10 expected by now for a quota of 20; 1 form overdue');
      expect(risk).not.toContain(names.get(fine.id)!);
      expect(risk).toContain('1 of 2 enrolled marketers are on pace with no forms overdue.');

      // Once submitted late, the form leaves the list and the marketer is at risk for pace alone.
      await t.db.query(`UPDATE observations SET status = 'submitted', submitted_at = now(), late = true WHERE id = $1`, [form.id]);
      const after = await s.get(`/lifecycle/programs/${programId}/health?period=${periodId}`).expect(200);
      expect(section(after.text, 'forms-late')).toContain('No forms are late.');
      expect(section(after.text, 'at-risk')).toContain('Behind pace: 1 session done or booked, 10 expected by now for a quota of 20</td>');
      expect(section(after.text, 'coverage')).toContain('<td>1 of 1 (100%)</td>');

      // A period of another program is not one to choose here.
      const other = await makePeriod(t, await makeProgram(t), daysFromNow(-1), daysFromNow(1));
      const wrong = await s.get(`/lifecycle/programs/${programId}/health?period=${other}`).expect(400);
      expect(fieldProblem(wrong.text, 'period').text).toBe("Choose one of this program&#39;s periods");
    });
  });

  describe('access', () => {
    const pages = (ids: { program: string; period: string; theme: string }) => [
      '/lifecycle',
      `/lifecycle/programs/${ids.program}`,
      `/lifecycle/programs/${ids.program}/health`,
      `/lifecycle/periods/${ids.period}`,
      '/lifecycle/people',
      '/lifecycle/themes',
      `/lifecycle/themes/${ids.theme}`,
      '/lifecycle/rollups',
    ];

    it('gives a marketer or a rep 403 on every lifecycle page and form', async () => {
      const program = await makeProgram(t);
      const period = await makePeriod(t, program, '2033-01-01', '2033-01-31');
      const theme = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: 'Access check theme' }).expect(201)).body.id;
      const before = await count(t, `SELECT count(*)::int AS n FROM programs`);
      for (const who of [marketerSession, repSession]) {
        for (const path of pages({ program, period, theme })) {
          const res = await who.get(path);
          expect([path, res.status]).toEqual([path, 403]);
          expect(res.text).toContain('This page is for the lifecycle role');
        }
        await who.post('/lifecycle/programs', { name: 'Sneaky', kind: 'call_shadowing', timeZone: 'UTC' }).expect(403);
        await who.post(`/lifecycle/periods/${period}/roster`, { repId: program }).expect(403);
        await who.post('/lifecycle/themes/merge', { id: theme, intoId: theme }).expect(403);
      }
      expect(await count(t, `SELECT count(*)::int AS n FROM programs`)).toBe(before);
      // The lifecycle session opens all of them.
      for (const path of pages({ program, period, theme })) expect([path, (await s.get(path)).status]).toEqual([path, 200]);
    });

    it('refuses a form without the CSRF token (403) and changes nothing', async () => {
      const before = await count(t, `SELECT count(*)::int AS n FROM users`);
      const res = await t.http
        .post('/lifecycle/people')
        .set('Cookie', s.cookie)
        .set('Accept', 'text/html')
        .type('form')
        .send({ name: 'No Token', email: 'no.token@example.com', timeZone: 'UTC', roles: 'rep' });
      expect(res.status).toBe(403);
      await s.post('/lifecycle/programs', { _csrf: 'not-the-token', name: 'Forged', kind: 'call_shadowing', timeZone: 'UTC' }).expect(403);
      expect(await count(t, `SELECT count(*)::int AS n FROM users`)).toBe(before);
      expect(await count(t, `SELECT count(*)::int AS n FROM programs WHERE name = 'Forged'`)).toBe(0);
    });

    it('sends a browser without a session to sign in', async () => {
      const res = await t.http.get('/lifecycle/people').set('Accept', 'text/html').expect(303);
      expect(res.header.location).toBe('/sign-in?next=%2Flifecycle%2Fpeople');
    });
  });
});
