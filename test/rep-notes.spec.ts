import { DateTime } from 'luxon';
import { RepNotesService } from '../src/rep-notes/rep-notes.service.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';

const NY = 'America/New_York';
const SUBJECT = 'Optional: what do you wish Marketing knew?';

describe('rep notes (HTTP, real SMTP, real PostgreSQL)', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  let programId: string;
  let periodId: string;
  let marketer: Person;
  let otherMarketer: Person;
  let otherRep: Person;
  let lifecycle: Person;

  let sessions = 0;
  /** A session of a fresh rep with `marketer`, ending `endsInMinutes` from now (negative: ended), marked completed by the rep. */
  async function completedSession(endsInMinutes: number, zone = NY, withMarketer?: Person) {
    // Past sessions 50 minutes apart, so the marketer is never in two places at once.
    const end = DateTime.utc().plus({ minutes: endsInMinutes }).minus({ minutes: withMarketer ? 0 : 50 * sessions++ }).startOf('minute');
    const rep = await makeUser(t, ['rep'], zone, { name: `Rep ${sessions}` });
    await rosterRep(t, periodId, rep);
    const bookingId = await insertBooking(t, { periodId, repId: rep.id, marketerId: (withMarketer ?? marketer).id, startsAt: end.minus({ minutes: 45 }).toISO()!, endsAt: end.toISO()! });
    await t.http.post(`/api/v1/bookings/${bookingId}/attendance`).set(bearer(rep.token)).send({ outcome: 'completed' }).expect(200);
    const list = await t.http.get('/api/v1/rep-notes?mine=true').set(bearer(rep.token)).expect(200);
    const note = list.body.repNotes.find((n: { bookingId: string }) => n.bookingId === bookingId);
    return { rep, bookingId, note, end };
  }
  const row = async (id: string) => (await t.db.query(`SELECT status, wish, usefulness, follow_up, submitted_at, updated_at FROM rep_notes WHERE id = $1`, [id]))[0];
  const asks = (rep: Person) => sink.to(rep.email).filter((m) => m.parsed.subject?.startsWith(SUBJECT));

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5', PUBLIC_URL: 'https://ridealong.example' });
    programId = await makeProgram(t, { formDueHours: 24 });
    periodId = await makePeriod(t, programId, daysFromNow(-30), daysFromNow(60));
    marketer = await makeUser(t, ['marketer'], 'Asia/Kolkata', { name: 'Mara Keter' });
    otherMarketer = await makeUser(t, ['marketer'], 'UTC');
    otherRep = await makeUser(t, ['rep'], 'UTC');
    lifecycle = await makeUser(t, ['lifecycle'], 'Europe/Berlin');
    await enrol(t, periodId, marketer);
    await enrol(t, periodId, otherMarketer);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sink.stop();
  });

  it('opens a note when the call is marked completed, due like the form, and sends one gentle email in the rep’s zone', async () => {
    const { rep, bookingId, note, end } = await completedSession(-60);
    expect(note).toMatchObject({ bookingId, programId, periodId, repId: rep.id, status: 'open', wish: null, usefulness: null, followUp: null, submittedAt: null, late: false });
    expect(new Date(note.dueAt).toISOString()).toBe(end.plus({ hours: 24 }).toJSDate().toISOString());
    expect(note.session.marketerName).toBe('Mara Keter');

    await sink.waitFor(() => asks(rep).length > 0);
    const mail = asks(rep)[0].parsed;
    const start = end.minus({ minutes: 45 }).setZone(NY).setLocale('en-GB');
    expect(mail.subject).toBe(`${SUBJECT} (${start.toFormat('cccc d LLLL, HH:mm')})`);
    expect(mail.text).toContain('optional');
    expect(mail.text).toContain(`(${NY})`);
    expect(mail.text).toContain(`https://ridealong.example/rep/notes/${note.id}`);
    expect(String(mail.html)).not.toMatch(/<img|src=/i);

    // Marking it completed again (the lifecycle team) opens nothing new and sends nothing more.
    await t.http.post(`/api/v1/bookings/${bookingId}/attendance`).set(bearer(t.adminToken)).send({ outcome: 'completed' }).expect(200);
    await t.app.get(RepNotesService).sendAsk(note.id);
    await new Promise((r) => setTimeout(r, 1500));
    expect(asks(rep)).toHaveLength(1);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM rep_notes WHERE booking_id = $1`, [bookingId]))[0].n).toBe(1);
    expect(sink.to(marketer.email).some((m) => m.parsed.subject?.startsWith(SUBJECT))).toBe(false);
  });

  it('lets the rep save a draft and send it, late if past due; a sent note is final', async () => {
    const { rep, note } = await completedSession(-60 * 30); // due 24 h after its end: already past
    const saved = await t.http.put(`/api/v1/rep-notes/${note.id}`).set(bearer(rep.token)).send({ wish: '  That the webinar leads were already customers  ', usefulness: 4 }).expect(200);
    expect(saved.body).toMatchObject({ status: 'draft', wish: 'That the webinar leads were already customers', usefulness: 4, followUp: null });
    const cleared = await t.http.put(`/api/v1/rep-notes/${note.id}`).set(bearer(rep.token)).send({ usefulness: null, followUp: 'Send them the pricing sheet' }).expect(200);
    expect(cleared.body).toMatchObject({ wish: 'That the webinar leads were already customers', usefulness: null, followUp: 'Send them the pricing sheet' });
    const sent = await t.http.post(`/api/v1/rep-notes/${note.id}/submit`).set(bearer(rep.token)).send({ usefulness: 5 }).expect(201);
    expect(sent.body).toMatchObject({ status: 'submitted', usefulness: 5, late: true });
    expect(sent.body.submittedAt).toBeTruthy();
    const again = await t.http.put(`/api/v1/rep-notes/${note.id}`).set(bearer(rep.token)).send({ wish: 'changed' });
    expect([again.status, again.body.code]).toEqual([409, 'invalid_state']);
    expect((await row(note.id)).wish).toBe('That the webinar leads were already customers');
  });

  it('refuses bad input naming the field and changes nothing', async () => {
    const { rep, note } = await completedSession(-90);
    await t.http.put(`/api/v1/rep-notes/${note.id}`).set(bearer(rep.token)).send({ wish: 'Keep it', usefulness: 3 }).expect(200);
    const before = await row(note.id);
    const cases: [Record<string, unknown>, string][] = [
      [{ usefulness: 0 }, 'usefulness'],
      [{ usefulness: 6 }, 'usefulness'],
      [{ usefulness: 'x' }, 'usefulness'],
      [{ usefulness: 2.5 }, 'usefulness'],
      [{ wish: 'x'.repeat(5001) }, 'wish'],
      [{ wish: 42 }, 'wish'],
      [{ followUp: ['a'] }, 'followUp'],
      [{ markedNames: 'Acme' }, 'markedNames'],
      [{ mood: 'great' }, 'mood'],
    ];
    for (const [body, field] of cases) {
      for (const res of [await t.http.put(`/api/v1/rep-notes/${note.id}`).set(bearer(rep.token)).send(body), await t.http.post(`/api/v1/rep-notes/${note.id}/submit`).set(bearer(rep.token)).send(body)]) {
        expect(res.status).toBe(400);
        expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
      }
    }
    expect(await row(note.id)).toEqual(before);

    // Sending a note with no answer at all is refused (it stays optional: leaving it is fine).
    const empty = await completedSession(-100);
    const res = await t.http.post(`/api/v1/rep-notes/${empty.note.id}/submit`).set(bearer(empty.rep.token)).send({ wish: '   ' });
    expect(res.status).toBe(400);
    expect(res.body.details.fields[0].field).toBe('wish');
    expect((await row(empty.note.id)).status).toBe('open');

    const badQuery = await t.http.get('/api/v1/rep-notes?status=late').set(bearer(rep.token));
    expect(badQuery.status).toBe(400);
    const badId = await t.http.get('/api/v1/rep-notes/not-a-uuid').set(bearer(rep.token));
    expect(badId.status).toBe(400);
  });

  it('only the rep writes; the lifecycle team reads; marketers, the session’s own included, and other reps get 404', async () => {
    const { rep, bookingId, note } = await completedSession(-120);
    await t.http.post(`/api/v1/rep-notes/${note.id}/submit`).set(bearer(rep.token)).send({ wish: 'Secret wish from the rep', usefulness: 2, followUp: 'Private follow-up' }).expect(201);
    const before = await row(note.id);

    for (const who of [marketer, otherMarketer, otherRep]) {
      const get = await t.http.get(`/api/v1/rep-notes/${note.id}`).set(bearer(who.token));
      const put = await t.http.put(`/api/v1/rep-notes/${note.id}`).set(bearer(who.token)).send({ wish: 'hijack' });
      const submit = await t.http.post(`/api/v1/rep-notes/${note.id}/submit`).set(bearer(who.token)).send({});
      expect([get.status, put.status, submit.status]).toEqual([404, 404, 404]);
      expect(JSON.stringify([get.body, put.body, submit.body])).not.toContain('Secret wish');
    }
    for (const who of [marketer, otherMarketer]) {
      const list = await t.http.get('/api/v1/rep-notes').set(bearer(who.token));
      expect(list.status).toBe(404);
      expect(JSON.stringify(list.body)).not.toContain('Secret wish');
    }
    const theirs = await t.http.get('/api/v1/rep-notes').set(bearer(otherRep.token)).expect(200);
    expect(theirs.body.repNotes).toEqual([]);
    // The marketer's own views of the session say nothing of the note.
    const forms = await t.http.get('/api/v1/observations?mine=true').set(bearer(marketer.token)).expect(200);
    const form = forms.body.observations.find((o: { bookingId: string }) => o.bookingId === bookingId);
    const formBody = await t.http.get(`/api/v1/observations/${form.id}`).set(bearer(marketer.token)).expect(200);
    const booking = await t.http.get(`/api/v1/bookings/${bookingId}`).set(bearer(marketer.token));
    for (const body of [forms.body, formBody.body, booking.body]) expect(JSON.stringify(body)).not.toMatch(/Secret wish|Private follow-up/);

    // The lifecycle team reads (one note, or the program's), and may not write.
    const read = await t.http.get(`/api/v1/rep-notes/${note.id}`).set(bearer(lifecycle.token)).expect(200);
    expect(read.body).toMatchObject({ id: note.id, repId: rep.id, status: 'submitted', wish: 'Secret wish from the rep', usefulness: 2, followUp: 'Private follow-up' });
    const listed = await t.http.get(`/api/v1/rep-notes?programId=${programId}&status=submitted`).set(bearer(lifecycle.token)).expect(200);
    expect(listed.body.repNotes.map((n: { id: string }) => n.id)).toContain(note.id);
    expect(listed.body.repNotes.every((n: { status: string; programId: string }) => n.status === 'submitted' && n.programId === programId)).toBe(true);
    const own = await t.http.get('/api/v1/rep-notes?mine=true').set(bearer(lifecycle.token)).expect(200);
    expect(own.body.repNotes).toEqual([]);
    const write = await t.http.put(`/api/v1/rep-notes/${note.id}`).set(bearer(lifecycle.token)).send({ wish: 'edited' });
    expect(write.status).toBe(403);
    expect(await row(note.id)).toEqual(before);
  });

  it('withdraws an unwritten note when the call is corrected to a no-show (no email), and reinstates it when corrected back', async () => {
    // The session is still running: its email waits for the end, and the correction comes first.
    const { rep, bookingId, note } = await completedSession(30, 'UTC', otherMarketer);
    await t.http.put(`/api/v1/rep-notes/${note.id}`).set(bearer(rep.token)).send({ wish: 'Half a thought' }).expect(200);
    await t.http.post(`/api/v1/bookings/${bookingId}/attendance`).set(bearer(lifecycle.token)).send({ outcome: 'customer_no_show' }).expect(200);
    expect((await row(note.id)).status).toBe('withdrawn');
    const refused = await t.http.put(`/api/v1/rep-notes/${note.id}`).set(bearer(rep.token)).send({ wish: 'More' });
    expect([refused.status, refused.body.code]).toEqual([409, 'invalid_state']);
    const waiting = await t.http.get('/api/v1/rep-notes?status=withdrawn').set(bearer(rep.token)).expect(200);
    expect(waiting.body.repNotes.map((n: { id: string }) => n.id)).toEqual([note.id]);
    // Its email, when its time comes, is not sent.
    await t.app.get(RepNotesService).sendAsk(note.id);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE dedupe_key = $1`, [`rep-note:${note.id}`]))[0].n).toBe(0);

    await t.http.post(`/api/v1/bookings/${bookingId}/attendance`).set(bearer(lifecycle.token)).send({ outcome: 'completed' }).expect(200);
    expect(await row(note.id)).toMatchObject({ status: 'draft', wish: 'Half a thought' });
  });

  it('keeps a sent note when the call is corrected to a no-show', async () => {
    const { rep, bookingId, note } = await completedSession(-150);
    await t.http.post(`/api/v1/rep-notes/${note.id}/submit`).set(bearer(rep.token)).send({ usefulness: 1 }).expect(201);
    await t.http.post(`/api/v1/bookings/${bookingId}/attendance`).set(bearer(lifecycle.token)).send({ outcome: 'marketer_no_show' }).expect(200);
    expect((await row(note.id)).status).toBe('submitted');
  });

  it('opens nothing for a no-show and blocks nothing: the marketer’s form is open without any note written', async () => {
    const end = DateTime.utc().minus({ days: 3 }).startOf('minute');
    const rep = await makeUser(t, ['rep'], 'UTC');
    const bookingId = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: end.minus({ minutes: 45 }).toISO()!, endsAt: end.toISO()! });
    await t.http.post(`/api/v1/bookings/${bookingId}/attendance`).set(bearer(rep.token)).send({ outcome: 'customer_no_show' }).expect(200);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM rep_notes WHERE booking_id = $1`, [bookingId]))[0].n).toBe(0);

    const done = await completedSession(-200);
    const forms = await t.http.get('/api/v1/observations?mine=true').set(bearer(marketer.token)).expect(200);
    expect(forms.body.observations.some((o: { bookingId: string; status: string }) => o.bookingId === done.bookingId && o.status === 'open')).toBe(true);
  });
});
