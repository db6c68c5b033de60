import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { escapeHtml } from '../src/common/escape-html.js';
import { range } from '../src/web/kit/format.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { inputValue, webSession, WebSession } from './support/web.js';

interface TemplateField {
  key: string;
  label: string;
  required: boolean;
}

describe('web: observation forms of a marketer (real app, real PostgreSQL)', () => {
  let t: TestApp;
  let periodId: string;
  let programId: string;
  let rep: Person;
  let author: Person;
  let other: Person;
  let lifecycle: Person;
  let themeId: string;
  let template: TemplateField[];
  let s: WebSession;

  /** A call that ended `hoursAgo` ago, marked completed by its rep through the API: the form it opened. */
  let n = 0;
  async function completedSession(who: Person, hoursAgo: number) {
    const end = DateTime.utc().minus({ hours: hoursAgo, minutes: n++ }).startOf('minute');
    const start = end.minus({ minutes: 45 });
    const bookingId = await insertBooking(t, { periodId, repId: rep.id, marketerId: who.id, startsAt: start.toISO()!, endsAt: end.toISO()! });
    await t.http.post(`/api/v1/bookings/${bookingId}/attendance`).set(bearer(rep.token)).send({ outcome: 'completed' }).expect(200);
    const list = await t.http.get('/api/v1/observations?mine=true').set(bearer(who.token)).expect(200);
    const form = list.body.observations.find((o: { bookingId: string }) => o.bookingId === bookingId) as { id: string; dueAt: string; status: string };
    expect(form).toBeDefined();
    return { form, start, end };
  }

  /** Every field of the default form answered, as the page posts it. */
  function complete(extra: Record<string, string | string[]> = {}): Record<string, string | string[]> {
    return {
      mode: 'feedback',
      segment: 'Mid-market operations lead',
      account: 'Acme',
      'empathy.says': 'We lose a day a week\nExports are painful',
      'empathy.feels': 'Frustrated',
      painPoints: 'Manual exports',
      'quotes[0].text': 'We lose a day a week to this',
      'quotes[0].speaker': 'customer',
      'quotes[1].text': '',
      'quotes[1].speaker': '',
      themeIds: [themeId],
      proposedThemes: 'Spreadsheet fatigue',
      'lead.marketingSourced': 'yes',
      'lead.followUp': 'Called back the same day',
      'lead.lacked': 'The campaign the lead came from',
      'ideas[0].text': 'Tell reps which campaign a lead came from',
      'ideas[0].category': 'info_to_sales',
      'peak.text': 'Pricing objection',
      'peak.valence': '-2',
      'end.text': 'Agreed to a trial',
      'end.valence': '1',
      negativeFeedback: 'Onboarding took too long',
      focusFinding: '',
      intros: 'Their IT admin',
      markedNames: 'Jane Whitfield',
      ...extra,
    };
  }

  const apiGet = (id: string, who: Person = author) => t.http.get(`/api/v1/observations/${id}`).set(bearer(who.token));

  beforeAll(async () => {
    t = await startTestApp();
    programId = await makeProgram(t, { formDueHours: 24 });
    periodId = await makePeriod(t, programId, daysFromNow(-30), daysFromNow(60));
    rep = await makeUser(t, ['rep'], 'America/New_York');
    await rosterRep(t, periodId, rep);
    author = await makeUser(t, ['marketer'], 'Asia/Kolkata');
    other = await makeUser(t, ['marketer'], 'Europe/Berlin');
    lifecycle = await makeUser(t, ['lifecycle'], 'UTC');
    for (const m of [author, other]) await enrol(t, periodId, m);
    themeId = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: 'Onboarding friction' }).expect(201)).body.id;
    template = (await t.http.get(`/api/v1/programs/${programId}/form-template`).set(bearer(author.token)).expect(200)).body.fields;
    s = await webSession(t, author.id);
  });
  afterAll(async () => t.close());

  it('lists forms due with a countdown to the due instant, the session in the author’s zone, and overdue ones as late', async () => {
    const { form, start, end } = await completedSession(author, 1);
    const late = await completedSession(author, 30);
    const res = await s.get('/marketer/forms').expect(200);
    expect(res.type).toBe('text/html');
    const dueIso = new Date(form.dueAt).toISOString();
    expect(dueIso).toBe(end.plus({ hours: 24 }).toJSDate().toISOString());
    expect(res.text).toMatch(new RegExp(`<time class="badge" data-countdown datetime="${dueIso}">due in 2[23] hours? \\d+ minutes?</time>`));
    expect(res.text).toMatch(new RegExp(`<time class="badge late" data-countdown datetime="${new Date(late.form.dueAt).toISOString()}">overdue by \\d+ hours? \\d+ minutes?</time>`));
    // The session: the rep's name and the time in Asia/Kolkata.
    expect(res.text).toContain(escapeHtml(`Call with rep`));
    expect(res.text).toContain(escapeHtml(range(start.toJSDate(), end.toJSDate(), 'Asia/Kolkata')));
    expect(range(start.toJSDate(), end.toJSDate(), 'Asia/Kolkata')).toMatch(/GMT\+5:30$/);
    expect(res.text).toContain(`<a href="/marketer/forms/${form.id}">Write up</a>`);
    // Another marketer sees none of it.
    const theirs = await (await webSession(t, other.id)).get('/marketer/forms').expect(200);
    expect(theirs.text).not.toContain(form.id);
    expect(theirs.text).toContain('Nothing to write up');
  });

  it('renders every field of the template version with its label, the names field, autosave and the CSRF field', async () => {
    const { form } = await completedSession(author, 2);
    const res = await s.get(`/marketer/forms/${form.id}`).expect(200);
    expect(template.length).toBeGreaterThan(10);
    for (const f of template) {
      const label = escapeHtml(`${f.label}${f.required ? ' (required)' : ''}`);
      expect({ key: f.key, found: new RegExp(`<(label for="f-[^"]+"|legend)>${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</(label|legend)>`).test(res.text) }).toEqual({ key: f.key, found: true });
    }
    expect(res.text).toMatch(/<label for="f-markedNames">Customer names to keep out of rollups<\/label>/);
    expect(res.text).toContain(`data-autosave="/marketer/forms/${form.id}/draft"`);
    expect(res.text).toMatch(/<p[^>]*data-save-status aria-live="polite"/);
    expect(inputValue(res.text, '_csrf')).toBe(s.csrf);
    expect(res.text).toContain('<button type="submit" name="action" value="save" class="secondary">Save draft</button>');
    expect(res.text).toContain('<button type="submit" name="action" value="submit">Submit form</button>');
    // The theme from the taxonomy is a labelled checkbox.
    expect(res.text).toContain(`<input type="checkbox" id="f-themeIds-${themeId}" name="themeIds" value="${themeId}"> <label for="f-themeIds-${themeId}">Onboarding friction</label>`);
  });

  it('saves drafts from the autosave script as answers by field kind, and refuses a post without the CSRF token', async () => {
    const { form } = await completedSession(author, 3);
    const fields = complete({ segment: 'SMB', 'peak.valence': '' });
    const res = await t.http
      .post(`/marketer/forms/${form.id}/draft`)
      .set('Cookie', s.cookie)
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', s.csrf)
      .type('form')
      .send(fields);
    // A peak without its feeling is named by the service; nothing saved.
    expect(res.status).toBe(400);
    expect(res.body.details.fields.map((f: { field: string }) => f.field)).toEqual(['peak.valence']);
    expect((await apiGet(form.id).expect(200)).body).toMatchObject({ status: 'open', answers: {} });

    const ok = await t.http
      .post(`/marketer/forms/${form.id}/draft`)
      .set('Cookie', s.cookie)
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', s.csrf)
      .type('form')
      .send({ ...fields, 'peak.valence': '-2' });
    expect(ok.status).toBe(200);
    expect(Date.parse(ok.body.savedAt)).toBeGreaterThan(Date.now() - 60_000);
    const saved = (await apiGet(form.id).expect(200)).body;
    expect(saved.status).toBe('draft');
    expect(saved.markedNames).toEqual(['Jane Whitfield']);
    expect(saved.answers).toEqual({
      mode: 'feedback',
      segment: 'SMB',
      account: 'Acme',
      empathy: { says: ['We lose a day a week', 'Exports are painful'], feels: ['Frustrated'] },
      painPoints: ['Manual exports'],
      quotes: [{ text: 'We lose a day a week to this', speaker: 'customer' }],
      themeIds: [themeId],
      proposedThemes: ['Spreadsheet fatigue'],
      lead: { marketingSourced: true, followUp: 'Called back the same day', lacked: 'The campaign the lead came from' },
      ideas: [{ text: 'Tell reps which campaign a lead came from', category: 'info_to_sales' }],
      peak: { text: 'Pricing objection', valence: -2 },
      end: { text: 'Agreed to a trial', valence: 1 },
      negativeFeedback: 'Onboarding took too long',
      intros: ['Their IT admin'],
    });

    // No _csrf field and no X-CSRF-Token header: 403, nothing changes.
    const forged = await t.http.post(`/marketer/forms/${form.id}/draft`).set('Cookie', s.cookie).set('Accept', 'application/json').type('form').send({ segment: 'Forged' });
    expect(forged.status).toBe(403);
    const wrong = await t.http
      .post(`/marketer/forms/${form.id}/draft`)
      .set('Cookie', s.cookie)
      .set('Accept', 'application/json')
      .type('form')
      .send({ _csrf: 'not-the-token', segment: 'Forged' });
    expect(wrong.status).toBe(403);
    expect((await apiGet(form.id).expect(200)).body.answers.segment).toBe('SMB');

    // The page shows the saved draft again.
    const page = await s.get(`/marketer/forms/${form.id}`).expect(200);
    expect(inputValue(page.text, 'segment')).toBe('SMB');
    expect(page.text).toContain('>We lose a day a week\nExports are painful</textarea>');
    expect(page.text).toContain('<option value="-2" selected>');
    expect(page.text).toContain(`value="${themeId}" checked>`);
  });

  it('"Save draft" saves and comes back with a notice', async () => {
    const { form } = await completedSession(author, 4);
    const res = await s.post(`/marketer/forms/${form.id}`, { action: 'save', mode: 'behavior', segment: 'Enterprise' });
    expect(res.status).toBe(303);
    expect(res.header.location).toBe(`/marketer/forms/${form.id}?notice=saved`);
    expect((await apiGet(form.id).expect(200)).body).toMatchObject({ status: 'draft', answers: { mode: 'behavior', segment: 'Enterprise' } });
    const page = await s.get(res.header.location).expect(200);
    expect(page.text).toContain('Draft saved.');
    const list = await s.get('/marketer/forms').expect(200);
    expect(list.text).toContain(`<a href="/marketer/forms/${form.id}">Continue draft</a>`);
  });

  it('submitting with a required answer missing re-renders with the error next to it and the input kept; fixed, it submits', async () => {
    const { form } = await completedSession(author, 5);
    const bad = await s.post(`/marketer/forms/${form.id}`, complete({ action: 'submit', segment: '' }));
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/<input id="f-segment" name="segment" type="text" value="" aria-invalid="true" aria-describedby="err-segment">/);
    expect(bad.text).toContain(`<p class="field-error" id="err-segment">Answer this before submitting: ${escapeHtml("The customer's segment or persona")}</p>`);
    expect(bad.text).toContain('class="error-summary"');
    expect(bad.text).toContain('<a href="#f-segment">');
    // Everything else the user typed is still there.
    expect(bad.text).toContain('>We lose a day a week to this</textarea>');
    expect(bad.text).toContain('<option value="feedback" selected>');
    expect(inputValue(bad.text, 'ideas[0].text')).toBe('Tell reps which campaign a lead came from');
    expect(bad.text).toContain('>Jane Whitfield</textarea>');
    // Saved as a draft, not submitted.
    const [row] = await t.db.query(`SELECT status, answers FROM observations WHERE id = $1`, [form.id]);
    expect(row.status).toBe('draft');
    expect(row.answers.segment).toBeUndefined();
    expect(row.answers.account).toBe('Acme');

    // A marketing-sourced lead needs its follow-up: named next to that field.
    const noFollowUp = await s.post(`/marketer/forms/${form.id}`, complete({ action: 'submit', 'lead.followUp': '' }));
    expect(noFollowUp.status).toBe(400);
    expect(noFollowUp.text).toMatch(/<textarea id="f-lead_followUp" name="lead.followUp" rows="2" aria-invalid="true" aria-describedby="hint-lead_followUp err-lead_followUp">/);
    expect(noFollowUp.text).toContain('<p class="field-error" id="err-lead_followUp">lead.followUp is required for a marketing-sourced lead');

    // A required question made of several controls: the error under its legend, tied to its first control.
    const noQuotes = await s.post(`/marketer/forms/${form.id}`, complete({ action: 'submit', 'quotes[0].text': '', 'quotes[0].speaker': '' }));
    expect(noQuotes.status).toBe(400);
    expect(noQuotes.text).toContain(`<p class="field-error" id="err-quotes">Answer this before submitting: ${escapeHtml("Verbatim quotes: the customer's own words, and who said them")}</p>`);
    expect(noQuotes.text).toContain('<textarea id="f-quotes_0__text" name="quotes[0].text" rows="2" aria-invalid="true" aria-describedby="err-quotes"></textarea>');
    expect((await t.db.query(`SELECT status FROM observations WHERE id = $1`, [form.id]))[0].status).toBe('draft');

    const good = await s.post(`/marketer/forms/${form.id}`, complete({ action: 'submit' }));
    expect(good.status).toBe(303);
    expect(good.header.location).toBe('/marketer/forms?notice=submitted');
    const [after] = await t.db.query(`SELECT status, submitted_at, late FROM observations WHERE id = $1`, [form.id]);
    expect(after).toMatchObject({ status: 'submitted', late: false });
    const list = await s.get(good.header.location).expect(200);
    expect(list.text).toContain('Form submitted. Thank you.');
    expect(list.text).toContain(`<a href="/marketer/forms/${form.id}">View form</a>`);
    expect(list.text).not.toContain(`<a href="/marketer/forms/${form.id}">Write up</a>`);

    // The submitted form: a note, no autosave, edits kept in the history.
    const page = await s.get(`/marketer/forms/${form.id}`).expect(200);
    expect(page.text).toMatch(/Submitted on [A-Z][a-z]{2} \d+ [A-Z][a-z]{2} \d{4}, \d\d:\d\d; changes are kept in the history\./);
    expect(page.text).not.toContain('data-autosave');
    expect(page.text).toContain('>Save changes</button>');
    const edit = await s.post(`/marketer/forms/${form.id}`, complete({ action: 'save', segment: 'Enterprise' }));
    expect(edit.status).toBe(303);
    expect(edit.header.location).toBe(`/marketer/forms/${form.id}?notice=edited`);
    const api = (await apiGet(form.id).expect(200)).body;
    expect(api).toMatchObject({ status: 'submitted', answers: { segment: 'Enterprise' } });
    expect(api.history.map((h: { answers: { segment: string } }) => h.answers.segment)).toEqual(['Mid-market operations lead', 'Enterprise']);
    // An edit that breaks a required answer is refused the same way, and changes nothing.
    const broken = await s.post(`/marketer/forms/${form.id}`, complete({ action: 'save', mode: '' }));
    expect(broken.status).toBe(400);
    expect(broken.text).toMatch(/<select id="f-mode" name="mode" aria-invalid="true"/);
    expect((await apiGet(form.id).expect(200)).body.answers.mode).toBe('feedback');
    // The draft endpoint does not write a submitted form.
    const draft = await t.http.post(`/marketer/forms/${form.id}/draft`).set('Cookie', s.cookie).set('Accept', 'application/json').set('X-CSRF-Token', s.csrf).type('form').send(complete());
    expect(draft.status).toBe(409);
  });

  it('keeps forms confidential: another marketer 404, a rep 403, the lifecycle team reads only', async () => {
    const { form } = await completedSession(author, 6);
    await s.post(`/marketer/forms/${form.id}`, complete({ action: 'save' })).expect(303);
    const otherSession = await webSession(t, other.id);
    expect((await otherSession.get(`/marketer/forms/${form.id}`)).status).toBe(404);
    expect((await otherSession.post(`/marketer/forms/${form.id}`, { action: 'save', segment: 'Hijacked' })).status).toBe(404);
    expect((await otherSession.post(`/marketer/forms/${form.id}/draft`, { segment: 'Hijacked' })).status).toBe(404);
    const repSession = await webSession(t, rep.id);
    expect((await repSession.get(`/marketer/forms/${form.id}`)).status).toBe(403);
    expect((await repSession.get('/marketer/forms')).status).toBe(403);
    expect((await repSession.post(`/marketer/forms/${form.id}`, { action: 'save', segment: 'Hijacked' })).status).toBe(403);
    const lc = await webSession(t, lifecycle.id);
    const read = await lc.get(`/marketer/forms/${form.id}`).expect(200);
    expect(read.text).toContain('Read only: only the author writes a form.');
    expect(read.text).toContain('Mid-market operations lead');
    expect(read.text).toContain('Onboarding friction');
    expect(read.text).not.toContain('<textarea');
    expect((await lc.post(`/marketer/forms/${form.id}`, { action: 'save', segment: 'Hijacked' })).status).toBe(403);
    expect((await apiGet(form.id).expect(200)).body.answers.segment).toBe('Mid-market operations lead');
    // Unknown and malformed ids.
    expect((await s.get('/marketer/forms/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await s.get('/marketer/forms/not-an-id')).status).toBe(400);
    // Not signed in: to the sign-in page.
    const anon = await t.http.get(`/marketer/forms/${form.id}`).set('Accept', 'text/html');
    expect(anon.status).toBe(303);
    expect(anon.header.location).toMatch(/^\/sign-in\?next=/);
  });
});
