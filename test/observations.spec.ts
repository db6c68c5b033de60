import { DateTime } from 'luxon';
import { ObservationsService } from '../src/observations/observations.service.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';

function answers(themeIds: string[], extra: Record<string, unknown> = {}) {
  return {
    mode: 'feedback',
    segment: 'Mid-market operations lead',
    empathy: { says: ['We lose a day a week'], thinks: ['Is this worth it?'], does: ['Exports to spreadsheets'], feels: ['Frustrated'], sees: [], hears: [] },
    painPoints: ['Manual exports'],
    quotes: [{ text: 'Email me at jane.doe@acme.com or call +1 415 555 2671, ask for Jane Whitfield', speaker: 'customer' }],
    themeIds,
    lead: { marketingSourced: false },
    ideas: [{ text: 'Tell reps which campaign a lead came from', category: 'info_to_sales' }],
    peak: { text: 'Pricing objection', valence: -2 },
    end: { text: 'Agreed to a trial', valence: 1 },
    negativeFeedback: 'Onboarding took too long',
    focusFinding: 'Trials stall when no one owns setup',
    intros: ['Their IT admin'],
    ...extra,
  };
}

describe('observation forms (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  let programId: string;
  let periodId: string;
  let rep: Person;
  let author: Person;
  let other: Person;
  let themeA: string;
  let themeB: string;

  /** A session that ended `hoursAgo` ago, marked completed by the rep: returns the form it opened. */
  let sessions = 0;
  async function completedSession(who: Person, hoursAgo: number) {
    // Each session at its own minute, so neither the rep nor the marketer is in two places at once.
    const end = DateTime.utc().minus({ hours: hoursAgo, minutes: sessions++ }).startOf('minute');
    const r = await makeUser(t, ['rep'], 'America/New_York');
    const id = await insertBooking(t, { periodId, repId: r.id, marketerId: who.id, startsAt: end.minus({ minutes: 45 }).toISO()!, endsAt: end.toISO()! });
    await t.http.post(`/api/v1/bookings/${id}/attendance`).set(bearer(r.token)).send({ outcome: 'completed' }).expect(200);
    const list = await t.http.get('/api/v1/observations?mine=true').set(bearer(who.token)).expect(200);
    const form = list.body.observations.find((o: { bookingId: string }) => o.bookingId === id);
    return { bookingId: id, form, end };
  }

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5' });
    programId = await makeProgram(t, { formDueHours: 24 });
    periodId = await makePeriod(t, programId, daysFromNow(-30), daysFromNow(60));
    await t.http.patch(`/api/v1/periods/${periodId}`).set(bearer(t.adminToken)).send({ focus: 'Why do trials stall in week two?' }).expect(200);
    rep = await makeUser(t, ['rep'], 'America/New_York');
    await rosterRep(t, periodId, rep);
    author = await makeUser(t, ['marketer'], 'Asia/Kolkata');
    other = await makeUser(t, ['marketer'], 'Europe/Berlin');
    for (const m of [author, other]) await enrol(t, periodId, m);
    themeA = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: 'Onboarding friction' }).expect(201)).body.id;
    themeB = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: 'Setup ownership' }).expect(201)).body.id;
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('opens a form when a session is marked completed, due formDueHours after its end, once', async () => {
    const { bookingId, form, end } = await completedSession(author, 1);
    expect(form).toMatchObject({ status: 'open', authorId: author.id, templateVersion: 1 });
    expect(new Date(form.dueAt).toISOString()).toBe(end.plus({ hours: 24 }).toJSDate().toISOString());
    await t.http.post(`/api/v1/bookings/${bookingId}/attendance`).set(bearer(t.adminToken)).send({ outcome: 'completed' }).expect(200);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM observations WHERE booking_id = $1`, [bookingId]);
    expect(n).toBe(1);
    const full = await t.http.get(`/api/v1/observations/${form.id}`).set(bearer(author.token)).expect(200);
    expect(full.body.focus).toBe('Why do trials stall in week two?');
    expect(full.body.template.map((f: { key: string }) => f.key)).toContain('empathy');
  });

  it('saves drafts, names every failing field on submit, then submits, flags lateness and keeps the edit history', async () => {
    const { form } = await completedSession(author, 2);
    const draft = await t.http.put(`/api/v1/observations/${form.id}`).set(bearer(author.token)).send({ answers: { mode: 'behavior', segment: 'SMB' } }).expect(200);
    expect(draft.body).toMatchObject({ status: 'draft', revision: 1 });
    const bad = await t.http.put(`/api/v1/observations/${form.id}`).set(bearer(author.token)).send({ answers: { mode: 'both', peak: { text: 'x', valence: 5 } } }).expect(400);
    expect(bad.body.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['mode', 'peak.valence']);
    const refused = await t.http.post(`/api/v1/observations/${form.id}/submit`).set(bearer(author.token)).expect(400);
    expect(refused.body.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['empathy', 'end', 'focusFinding', 'lead', 'peak', 'quotes', 'themeIds'].sort());
    const stillDraft = await t.http.get(`/api/v1/observations/${form.id}`).set(bearer(author.token)).expect(200);
    expect(stillDraft.body).toMatchObject({ status: 'draft', answers: { mode: 'behavior', segment: 'SMB' } });

    await t.http.put(`/api/v1/observations/${form.id}`).set(bearer(author.token)).send({ markedNames: ['Jane Whitfield'], answers: answers(['00000000-0000-4000-8000-000000000000']) }).expect(200);
    const unknownTheme = await t.http.post(`/api/v1/observations/${form.id}/submit`).set(bearer(author.token)).expect(400);
    expect(unknownTheme.body.details.fields.map((f: { field: string }) => f.field)).toEqual(['themeIds[0]']);

    await t.http
      .put(`/api/v1/observations/${form.id}`)
      .set(bearer(author.token))
      .send({ markedNames: ['Jane Whitfield'], answers: answers([themeA], { proposedThemes: ['Spreadsheet fatigue'] }) })
      .expect(200);
    const submitted = await t.http.post(`/api/v1/observations/${form.id}/submit`).set(bearer(author.token)).expect(201);
    expect(submitted.body).toMatchObject({ status: 'submitted', late: false });
    await t.http.post(`/api/v1/observations/${form.id}/submit`).set(bearer(author.token)).expect(409);
    const proposed = await t.http.get('/api/v1/themes?status=proposed').set(bearer(t.adminToken)).expect(200);
    expect(proposed.body.themes.map((x: { name: string }) => x.name)).toContain('Spreadsheet fatigue');

    const invalidEdit = await t.http.put(`/api/v1/observations/${form.id}`).set(bearer(author.token)).send({ answers: { mode: 'behavior' } }).expect(400);
    expect(invalidEdit.body.details.fields.map((f: { field: string }) => f.field)).toContain('quotes');
    await t.http.put(`/api/v1/observations/${form.id}`).set(bearer(author.token)).send({ markedNames: ['Jane Whitfield'], answers: answers([themeA, themeB], { segment: 'Enterprise' }) }).expect(200);
    const after = await t.http.get(`/api/v1/observations/${form.id}`).set(bearer(author.token)).expect(200);
    expect(after.body).toMatchObject({ status: 'submitted', answers: { segment: 'Enterprise' } });
    expect(after.body.history.map((h: { answers: { segment: string } }) => h.answers.segment)).toEqual(['Mid-market operations lead', 'Enterprise']);

    const late = await completedSession(author, 30); // due 24 h after the end: already past
    await t.http.put(`/api/v1/observations/${late.form.id}`).set(bearer(author.token)).send({ markedNames: ['Jane Whitfield'], answers: answers([themeB]) }).expect(200);
    expect((await t.http.post(`/api/v1/observations/${late.form.id}/submit`).set(bearer(author.token)).expect(201)).body.late).toBe(true);
  });

  it('keeps forms confidential: the author and the lifecycle team read; the rep and other marketers get 404', async () => {
    const { form } = await completedSession(author, 3);
    for (const who of [rep, other]) {
      await t.http.get(`/api/v1/observations/${form.id}`).set(bearer(who.token)).expect(404);
      await t.http.put(`/api/v1/observations/${form.id}`).set(bearer(who.token)).send({ answers: { mode: 'behavior' } }).expect(404);
      await t.http.post(`/api/v1/observations/${form.id}/submit`).set(bearer(who.token)).expect(404);
      const theirs = await t.http.get('/api/v1/observations?mine=false').set(bearer(who.token)).expect(200);
      expect(theirs.body.observations.map((o: { id: string }) => o.id)).not.toContain(form.id);
    }
    await t.http.get(`/api/v1/observations/${form.id}`).set(bearer(t.adminToken)).expect(200);
    await t.http.put(`/api/v1/observations/${form.id}`).set(bearer(t.adminToken)).send({ answers: { mode: 'behavior' } }).expect(403);
    const all = await t.http.get('/api/v1/observations?mine=false').set(bearer(t.adminToken)).expect(200);
    expect(all.body.observations.map((o: { id: string }) => o.id)).toContain(form.id);
    await t.http.get(`/api/v1/observations/${form.id}`).expect(401);
    await t.http.get('/api/v1/observations/not-an-id').set(bearer(author.token)).expect(400);
  });

  it('versions the template: new forms get the new version, old answers keep theirs', async () => {
    const old = (await completedSession(author, 4)).form;
    const current = await t.http.get(`/api/v1/programs/${programId}/form-template`).set(bearer(author.token)).expect(200);
    const fields = [...current.body.fields, { key: 'custom.competitor', label: 'Which competitor did they name?', required: true }];
    await t.http.put(`/api/v1/programs/${programId}/form-template`).set(bearer(author.token)).send({ fields }).expect(403);
    const dropped = await t.http
      .put(`/api/v1/programs/${programId}/form-template`)
      .set(bearer(t.adminToken))
      .send({ fields: current.body.fields.filter((f: { key: string }) => f.key !== 'peak') })
      .expect(400);
    expect(dropped.body.message).toContain('peak');
    const v2 = await t.http.put(`/api/v1/programs/${programId}/form-template`).set(bearer(t.adminToken)).send({ fields }).expect(200);
    expect(v2.body.version).toBe(current.body.version + 1);
    const fresh = (await completedSession(author, 5)).form;
    expect(fresh.templateVersion).toBe(v2.body.version);
    await t.http.put(`/api/v1/observations/${fresh.id}`).set(bearer(author.token)).send({ markedNames: ['Jane Whitfield'], answers: answers([themeA]) }).expect(200);
    const needs = await t.http.post(`/api/v1/observations/${fresh.id}/submit`).set(bearer(author.token)).expect(400);
    expect(needs.body.details.fields.map((f: { field: string }) => f.field)).toEqual(['custom.competitor']);
    await t.http.put(`/api/v1/observations/${fresh.id}`).set(bearer(author.token)).send({ markedNames: ['Jane Whitfield'], answers: answers([themeA], { 'custom.competitor': 'Globex' }) }).expect(200);
    await t.http.post(`/api/v1/observations/${fresh.id}/submit`).set(bearer(author.token)).expect(201);
    // The old form is on version 1: the custom question is not on it.
    const oldSave = await t.http.put(`/api/v1/observations/${old.id}`).set(bearer(author.token)).send({ answers: { 'custom.competitor': 'Globex' } }).expect(400);
    expect(oldSave.body.details.fields[0].field).toBe('custom.competitor');
    await t.http.put(`/api/v1/observations/${old.id}`).set(bearer(author.token)).send({ markedNames: ['Jane Whitfield'], answers: answers([themeB]) }).expect(200);
    await t.http.post(`/api/v1/observations/${old.id}/submit`).set(bearer(author.token)).expect(201);
  });

  it('exports submitted forms as CSV with contact details redacted; a merge moves old forms to the surviving theme', async () => {
    const csv = async () => (await t.http.get(`/api/v1/periods/${periodId}/observations.csv`).set(bearer(t.adminToken)).expect(200).expect('Content-Type', /text\/csv/)).text;
    const text = await csv();
    expect(text).toContain('observation_id,submitted_at,late');
    expect(text).toContain('[email]');
    expect(text).toContain('[phone]');
    expect(text).toContain('[name]');
    expect(text).not.toContain('jane.doe@acme.com');
    expect(text).not.toContain('555 2671');
    expect(text).not.toContain('Jane Whitfield');
    await t.http.get(`/api/v1/periods/${periodId}/observations.csv`).set(bearer(author.token)).expect(403);

    const counts = async () =>
      Object.fromEntries(
        (
          await t.db.query(
            `SELECT c.canonical_id AS id, count(DISTINCT ot.observation_id)::int AS n FROM observation_themes ot
               JOIN observations o ON o.id = ot.observation_id AND o.status = 'submitted'
               JOIN theme_canonical c ON c.theme_id = ot.theme_id GROUP BY c.canonical_id`,
          )
        ).map((r: { id: string; n: number }) => [r.id, r.n]),
      );
    const before = await counts();
    expect(before[themeA]).toBeGreaterThan(0);
    await t.http.post(`/api/v1/themes/${themeA}/merge`).set(bearer(t.adminToken)).send({ intoId: themeB }).expect((r) => expect([200, 201]).toContain(r.status));
    const after = await counts();
    expect(after[themeA]).toBeUndefined();
    expect(after[themeB]).toBeGreaterThan(before[themeB] ?? 0);
    const rows = (await csv()).split('\r\n').filter((l) => l.includes('Setup ownership'));
    expect(rows.length).toBe(after[themeB]);
    expect(await csv()).not.toContain('Onboarding friction');
  });

  it('emails the nudge, the reminder and the overdue notice once each, in the author’s zone, and not after submission', async () => {
    const { form, end } = await completedSession(other, 1);
    const jobs = await t.db.query(`SELECT name, start_after FROM pgboss.job WHERE data->>'observationId' = $1 ORDER BY start_after`, [form.id]);
    const due = end.plus({ hours: 24 });
    expect(jobs.map((j: { name: string }) => j.name)).toEqual(['observation.nudge', 'observation.reminder', 'observation.overdue']);
    expect(new Date(jobs[1].start_after).toISOString()).toBe(due.minus({ hours: 6 }).toJSDate().toISOString());
    expect(new Date(jobs[2].start_after).toISOString()).toBe(due.toJSDate().toISOString());
    await sink.waitFor(() => sink.to(other.email).some((m) => /^Write it up/.test(m.parsed.subject ?? '')));
    const svc = t.app.get(ObservationsService);
    await svc.sendFormMail(form.id, 'reminder');
    await svc.sendFormMail(form.id, 'reminder');
    await sink.waitFor(() => sink.to(other.email).some((m) => /due soon/.test(m.parsed.subject ?? '')));
    const reminder = sink.to(other.email).find((m) => /due soon/.test(m.parsed.subject ?? ''))!;
    expect(reminder.parsed.text).toContain(`${DateTime.fromJSDate(due.toJSDate(), { zone: 'Europe/Berlin' }).setLocale('en-GB').toFormat('cccc d LLLL, HH:mm')} (Europe/Berlin)`);
    expect(reminder.parsed.text).toContain('Why do trials stall in week two?');
    // The template gained a required custom question earlier in this file: this form is on that version.
    const extra = form.templateVersion > 1 ? { 'custom.competitor': 'Initech' } : {};
    await t.http.put(`/api/v1/observations/${form.id}`).set(bearer(other.token)).send({ markedNames: ['Jane Whitfield'], answers: answers([themeB], extra) }).expect(200);
    await t.http.post(`/api/v1/observations/${form.id}/submit`).set(bearer(other.token)).expect(201);
    await svc.sendFormMail(form.id, 'overdue');
    await new Promise((r) => setTimeout(r, 1500));
    expect(sink.to(other.email).filter((m) => /due soon/.test(m.parsed.subject ?? ''))).toHaveLength(1);
    expect(sink.to(other.email).filter((m) => /^Write it up/.test(m.parsed.subject ?? ''))).toHaveLength(1);
    expect(sink.to(other.email).filter((m) => /overdue/.test(m.parsed.subject ?? ''))).toHaveLength(0);
  });
});
