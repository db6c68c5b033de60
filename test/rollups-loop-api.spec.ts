import { DateTime } from 'luxon';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';

/**
 * The rollup's closing-the-loop sections fed by the features themselves, not planted rows: actions made and
 * finished through /api/v1/actions, a notice sent and acknowledged through /api/v1/notices, rep notes opened
 * by marking calls completed and written through /api/v1/rep-notes. Then the rollup (JSON and its email)
 * says what became of them, and the rep notes reach neither the marketer's mailbox nor their API.
 */
describe('rollups: closing the loop end to end through the actions, notices and rep-notes APIs', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  const LC = `loop-api-lc-${Date.now()}@example.com`;
  let programId: string;
  let periodId: string;
  let lifecycle: Person;
  let marketer: Person;
  let reps: Person[];
  let pricing: string;
  let calls = 0;

  /** A call of `rep` with the marketer that ended a few hours ago, marked completed by the rep; returns the rep note it opened. */
  async function completedCall(rep: Person): Promise<string> {
    const end = DateTime.utc().minus({ hours: 2 + calls++ }).startOf('minute');
    const bookingId = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: end.minus({ minutes: 45 }).toISO()!, endsAt: end.toISO()! });
    await t.http.post(`/api/v1/bookings/${bookingId}/attendance`).set(bearer(rep.token)).send({ outcome: 'completed' }).expect(200);
    const list = await t.http.get('/api/v1/rep-notes?mine=true').set(bearer(rep.token)).expect(200);
    return list.body.repNotes.find((n: { bookingId: string }) => n.bookingId === bookingId).id;
  }

  async function writeNote(rep: Person, body: { wish?: string; usefulness?: number }): Promise<void> {
    const id = await completedCall(rep);
    await t.http.put(`/api/v1/rep-notes/${id}`).set(bearer(rep.token)).send(body).expect(200);
    await t.http.post(`/api/v1/rep-notes/${id}/submit`).set(bearer(rep.token)).expect((r) => expect([200, 201]).toContain(r.status));
  }

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5', PUBLIC_URL: 'https://ridealong.example' });
    lifecycle = await makeUser(t, ['lifecycle'], 'Europe/Berlin', { name: 'Lena Cycle' });
    marketer = await makeUser(t, ['marketer'], 'UTC', { name: 'Mara Keter' });
    reps = [await makeUser(t, ['rep'], 'America/New_York'), await makeUser(t, ['rep'], 'Asia/Tokyo'), await makeUser(t, ['rep'], 'UTC')];
    programId = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: [LC], sameRepLimit: 20, repWeeklyCap: 20 });
    periodId = await makePeriod(t, programId, daysFromNow(-20), daysFromNow(30));
    for (const r of reps) await rosterRep(t, periodId, r);
    await enrol(t, periodId, marketer);
    pricing = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: 'Pricing confusion (loop API)' }).expect(201)).body.id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sink.stop();
  });

  it('reports the actions, the notice and the notes the APIs wrote, in the JSON and the email, and keeps notes from marketers', async () => {
    // Actions: one finished (through in_progress), one still open, one dropped (left out).
    const made = async (title: string) =>
      (await t.http.post('/api/v1/actions').set(bearer(lifecycle.token)).send({ programId, themeIds: [pricing], kind: 'info_for_sales', title, ownerId: lifecycle.id }).expect(201)).body.id;
    const done = await made('Pricing battlecard (API)');
    await t.http.patch(`/api/v1/actions/${done}`).set(bearer(lifecycle.token)).send({ status: 'in_progress' }).expect(200);
    await t.http.patch(`/api/v1/actions/${done}`).set(bearer(lifecycle.token)).send({ status: 'done' }).expect(200);
    await made('Webinar one-pager (API)');
    const dropped = await made('Dropped through the API');
    await t.http.patch(`/api/v1/actions/${dropped}`).set(bearer(lifecycle.token)).send({ status: 'dropped' }).expect(200);

    // A notice to the roster's three reps; two press "Got it" (one twice: idempotent).
    const notice = await t.http
      .post('/api/v1/notices')
      .set(bearer(lifecycle.token))
      .send({ programId, periodId, kind: 'campaign_notification', subject: 'Spring launch (API)', body: 'Leads from the spring webinar arrive Monday.', actionId: done })
      .expect(201);
    expect(notice.body.recipientCount).toBe(3);
    for (const r of [reps[0], reps[1], reps[1]]) {
      await t.http.post(`/api/v1/notices/${notice.body.id}/ack`).set(bearer(r.token)).expect((res) => expect([200, 201, 204]).toContain(res.status));
    }

    // Rep notes: rep 0 writes three (usefulness 1 each), rep 1 one (5); rep 2's call stays unwritten (never required).
    for (let i = 0; i < 3; i++) await writeNote(reps[0], { wish: `Loud API wish ${i}`, usefulness: 1 });
    await writeNote(reps[1], { wish: 'Which campaign did the lead come from? Ask jane.doe@acme.com', usefulness: 5 });
    await completedCall(reps[2]);

    const res = await t.http.post('/api/v1/rollups').set(bearer(t.adminToken)).send({ programId, from: daysFromNow(-20), to: daysFromNow(1) }).expect(201);
    const r = (await t.http.get(`/api/v1/rollups/${res.body.id}`).set(bearer(lifecycle.token)).expect(200)).body.report;

    const a = r.earlierActions;
    expect(a.doneSinceLast.map((x: { title: string }) => x.title)).toEqual(['Pricing battlecard (API)']);
    expect(a.doneSinceLast[0]).toMatchObject({ ownerName: 'Lena Cycle', status: 'done', themes: ['Pricing confusion (loop API)'] });
    expect(a.open.map((x: { title: string }) => x.title)).toEqual(['Webinar one-pager (API)']);
    expect(a.counts).toEqual({ doneSinceLast: 1, overdue: 0, open: 1 });
    expect(a.themes).toEqual([expect.objectContaining({ themeId: pricing, actionId: done, trend: 'held', flagged: false })]);

    expect(r.notices).toMatchObject({ count: 1, recipients: 3, acknowledged: 2 });
    expect(r.notices.items).toEqual([expect.objectContaining({ id: notice.body.id, subject: 'Spring launch (API)', recipients: 3, acknowledged: 2 })]);

    const f = r.fromReps;
    expect(f).toMatchObject({ notes: 4, reps: 2 });
    expect(f.wishes.map((w: { repId: string }) => w.repId).sort()).toEqual([reps[0].id, reps[1].id].sort());
    expect(f.wishes.find((w: { repId: string }) => w.repId === reps[0].id).text).toBe('Loud API wish 2');
    expect(f.wishes.find((w: { repId: string }) => w.repId === reps[1].id).text).not.toContain('jane.doe');
    // The mean of per-rep means: (1 + 5) / 2, not (1 + 1 + 1 + 5) / 4.
    expect(f.usefulness).toMatchObject({ average: 3, reps: 2 });

    await sink.waitFor(() => sink.to(LC).length === 1);
    const mail = sink.to(LC)[0].parsed;
    for (const part of [String(mail.html), mail.text!]) {
      expect(part).toContain('Pricing battlecard (API)');
      expect(part).toContain('1 notice, 2 of 3 reps acknowledged.');
      expect(part).toContain('Loud API wish 2');
      expect(part).not.toContain('Loud API wish 1');
      expect(part).not.toContain('Dropped through the API');
      expect(part).not.toContain('jane.doe@acme.com');
    }

    // The session's marketer: the rollup and the notes are not theirs to read, and no email of theirs carries a wish.
    await t.http.get(`/api/v1/rollups/${res.body.id}`).set(bearer(marketer.token)).expect(403);
    await t.http.get(`/rollups/${res.body.id}`).set(bearer(marketer.token)).expect((x) => expect([403, 404]).toContain(x.status));
    expect(sink.to(marketer.email).map((m) => `${m.parsed.text}`).join('\n')).not.toContain('API wish');
  });
});
