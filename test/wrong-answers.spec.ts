import { DateTime } from 'luxon';
import { backfillBookingWindows } from '../migrations/1795410000000-KeepBookingWindowAndWithdrawForms.js';
import { todayIn } from '../src/common/time/dates.js';
import { PeriodCadenceService } from '../src/programs/period-cadence.service.js';
import { ObservationsService } from '../src/observations/observations.service.js';
import { RollupsService } from '../src/rollups/rollups.service.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { webSession } from './support/web.js';

const ALL_DAYS = (start: string, end: string) => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start, end }));

/** Wrong answers found while hardening (issue 12), each checked through the real service on PostgreSQL. */
describe('wrong answers (issue 12)', () => {
  let t: TestApp;
  const LC = 'wrong-answers-team@example.com';
  const periodStatus = async (id: string) => (await t.db.query(`SELECT status FROM periods WHERE id = $1`, [id]))[0].status as string;

  beforeAll(async () => {
    t = await startTestApp({ JOBS_POLL_SECONDS: '0.5' });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('a period follows its dates from the moment it is created', () => {
    it('is open at once when today (in the program zone) is inside its dates, closed when they are past', async () => {
      // UTC+14: "today" there is a day ahead of UTC for ten hours of every day, and never behind.
      const zone = 'Pacific/Kiritimati';
      const programId = await makeProgram(t, {}, zone);
      const today = todayIn(zone, new Date());
      const res = await t.http.post(`/api/v1/programs/${programId}/periods`).set(bearer(t.adminToken)).send({ startsOn: today, endsOn: today }).expect(201);
      expect(res.body.status).toBe('open');
      expect(await periodStatus(res.body.id)).toBe('open');

      const past = DateTime.fromISO(today).minus({ days: 30 });
      const closed = await t.http
        .post(`/api/v1/programs/${programId}/periods`)
        .set(bearer(t.adminToken))
        .send({ startsOn: past.toISODate(), endsOn: past.plus({ days: 9 }).toISODate() })
        .expect(201);
      expect(closed.body.status).toBe('closed');

      const later = DateTime.fromISO(today).plus({ days: 3 });
      const planned = await t.http
        .post(`/api/v1/programs/${programId}/periods`)
        .set(bearer(t.adminToken))
        .send({ startsOn: later.toISODate(), endsOn: later.plus({ days: 9 }).toISODate() })
        .expect(201);
      expect(planned.body.status).toBe('planned');
    });
  });

  describe('a period is rolled_up once it has ended and its rollup is built, whichever tick runs first', () => {
    const ended = () => {
      const from = DateTime.utc().minus({ days: 20 }).startOf('day');
      return { startsOn: from.toISODate()!, endsOn: from.plus({ days: 9 }).toISODate()! };
    };

    it('the rollup is built before the period tick has closed the period: rolled_up, and the tick leaves it so', async () => {
      const programId = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: [LC] });
      const d = ended();
      const periodId = await makePeriod(t, programId, d.startsOn, d.endsOn);
      // As it stood before the hourly period tick ran past its end.
      await t.db.query(`UPDATE periods SET status = 'open' WHERE id = $1`, [periodId]);
      const now = new Date();
      await t.app.get(RollupsService).enqueueDue(now);
      const [{ id }] = await t.db.query(`SELECT id FROM rollups WHERE period_id = $1 AND kind = 'period'`, [periodId]);
      await t.app.get(RollupsService).build(id);
      expect(await periodStatus(periodId)).toBe('rolled_up');
      await t.app.get(PeriodCadenceService).runOnce(now);
      expect(await periodStatus(periodId)).toBe('rolled_up');
    });

    it('the period tick closes the period after its rollup is built: rolled_up (a period left closed is mended)', async () => {
      const programId = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: [LC] });
      const d = ended();
      const periodId = await makePeriod(t, programId, d.startsOn, d.endsOn);
      await t.app.get(RollupsService).enqueueDue(new Date());
      const [{ id }] = await t.db.query(`SELECT id FROM rollups WHERE period_id = $1 AND kind = 'period'`, [periodId]);
      await t.app.get(RollupsService).build(id);
      // What the old order left behind: the rollup built while the period was open, then the tick closing it.
      await t.db.query(`UPDATE periods SET status = 'closed' WHERE id = $1`, [periodId]);
      const { statusChanges } = await t.app.get(PeriodCadenceService).runOnce(new Date());
      expect(statusChanges).toBeGreaterThanOrEqual(1);
      expect(await periodStatus(periodId)).toBe('rolled_up');
    });

    it('the period tick and the rollup build running at the same moment: rolled_up every time', async () => {
      const programId = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: [LC] });
      const periods: string[] = [];
      for (let i = 0; i < 4; i++) {
        const from = DateTime.utc().minus({ days: 60 - i * 10 }).startOf('day');
        const periodId = await makePeriod(t, programId, from.toISODate()!, from.plus({ days: 8 }).toISODate()!);
        await t.db.query(`UPDATE periods SET status = 'open' WHERE id = $1`, [periodId]);
        periods.push(periodId);
      }
      const now = new Date();
      await t.app.get(RollupsService).enqueueDue(now);
      const rollups: { id: string }[] = await t.db.query(`SELECT id FROM rollups WHERE period_id = ANY($1::uuid[]) AND kind = 'period'`, [periods]);
      expect(rollups).toHaveLength(4);
      await Promise.all([t.app.get(PeriodCadenceService).runOnce(now), ...rollups.map((r) => t.app.get(RollupsService).build(r.id)), t.app.get(PeriodCadenceService).runOnce(now)]);
      const statuses = await t.db.query(`SELECT status FROM periods WHERE id = ANY($1::uuid[])`, [periods]);
      expect(statuses.map((r: { status: string }) => r.status)).toEqual(['rolled_up', 'rolled_up', 'rolled_up', 'rolled_up']);
    });

    it('the period tick closes the period first, the rollup is built later: rolled_up', async () => {
      const programId = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: [LC] });
      const d = ended();
      const periodId = await makePeriod(t, programId, d.startsOn, d.endsOn);
      await t.db.query(`UPDATE periods SET status = 'open' WHERE id = $1`, [periodId]);
      await t.app.get(PeriodCadenceService).runOnce(new Date());
      expect(await periodStatus(periodId)).toBe('closed');
      await t.app.get(RollupsService).enqueueDue(new Date());
      const [{ id }] = await t.db.query(`SELECT id FROM rollups WHERE period_id = $1 AND kind = 'period'`, [periodId]);
      await t.app.get(RollupsService).build(id);
      expect(await periodStatus(periodId)).toBe('rolled_up');
    });
  });

  describe('rollups count named accounts only', () => {
    it("one marketer's 15 forms without an account are not 15 accounts; the forms that named none are shown", async () => {
      const programId = await makeProgram(t, { rollupCadence: 'weekly', rollupRecipients: [LC] });
      const from = DateTime.utc().minus({ days: 30 }).startOf('day');
      const periodId = await makePeriod(t, programId, from.toISODate()!, from.plus({ days: 9 }).toISODate()!);
      const theme = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: `Billing surprises ${Date.now()}` }).expect(201)).body.id;
      const rep = await makeUser(t, ['rep']);
      const loud = await makeUser(t, ['marketer']);
      const quiet = await makeUser(t, ['marketer']);
      const forms = [
        ...Array.from({ length: 15 }, (_, i) => ({ author: loud.id, account: i % 2 ? '' : undefined })), // no account answer, or a blank one
        { author: quiet.id, account: 'Acme' },
        { author: quiet.id, account: ' acme ' }, // the same account, written differently
      ];
      for (const [i, f] of forms.entries()) {
        const answers = { mode: 'feedback', themeIds: [theme], ...(f.account !== undefined ? { account: f.account } : {}) };
        const at = from.plus({ days: 1, minutes: i * 10 }).toISO();
        const [{ id }] = await t.db.query(
          `INSERT INTO observations (program_id, period_id, author_id, rep_id, template_version, status, answers, session_ended_at, due_at, submitted_at, late, revision)
           VALUES ($1, $2, $3, $4, 1, 'submitted', $5, $6, $6::timestamptz + interval '1 day', $6, false, 1) RETURNING id`,
          [programId, periodId, f.author, rep.id, JSON.stringify(answers), at],
        );
        await t.db.query(`INSERT INTO observation_themes (observation_id, theme_id) VALUES ($1, $2)`, [id, theme]);
      }
      const res = await t.http
        .post('/api/v1/rollups')
        .set(bearer(t.adminToken))
        .send({ programId, from: from.toISODate(), to: from.plus({ days: 9 }).toISODate() })
        .expect(201);
      const ranked = res.body.report.themes.find((x: { themeId: string }) => x.themeId === theme);
      expect(ranked).toMatchObject({ mentions: 17, observers: 2, accounts: 1, formsWithoutAccount: 15 });

      const page = await t.http.get(`/rollups/${res.body.id}`).set(bearer(t.adminToken)).expect(200);
      expect(page.text).toContain('Forms without account');
      expect(page.text).toMatch(/<td align="right">1<\/td><td align="right">15<\/td>/);
      const [mail] = await t.db.query(`SELECT text, html FROM mail_outbox WHERE recipient = $1 AND dedupe_key LIKE $2`, [LC, `rollup:${res.body.id}:%`]);
      expect(mail.text).toContain('1 account (15 forms named no account)');
      expect(mail.html).toContain('Forms without account');
    });
  });

  describe('one rule for "at risk", the health page\'s: held + booked against the pace', () => {
    it('a marketer who has booked ahead is not at risk in the rollup', async () => {
      const programId = await makeProgram(t, { rollupCadence: 'weekly', rollupRecipients: [LC] });
      // A 20-day period, 11 days of it passed by the end of today: pace for a quota of 4 is floor(2.2) = 2.
      const start = DateTime.utc().startOf('day').minus({ days: 10 });
      const periodId = await makePeriod(t, programId, start.toISODate()!, start.plus({ days: 19 }).toISODate()!);
      const rep = await makeUser(t, ['rep']);
      const ahead: Person = await makeUser(t, ['marketer']);
      const behind: Person = await makeUser(t, ['marketer']);
      await enrol(t, periodId, ahead, 4);
      await enrol(t, periodId, behind, 4);
      for (const days of [3, 4]) {
        const s = DateTime.utc().plus({ days }).startOf('hour');
        await insertBooking(t, { periodId, repId: rep.id, marketerId: ahead.id, startsAt: s.toISO()!, endsAt: s.plus({ minutes: 45 }).toISO()! });
      }
      const s = DateTime.utc().plus({ days: 5 }).startOf('hour');
      await insertBooking(t, { periodId, repId: rep.id, marketerId: behind.id, startsAt: s.toISO()!, endsAt: s.plus({ minutes: 45 }).toISO()! });
      const res = await t.http
        .post('/api/v1/rollups')
        .set(bearer(t.adminToken))
        .send({ programId, from: start.toISODate(), to: DateTime.utc().toISODate() })
        .expect(201);
      const byId = new Map(res.body.report.coverage.marketers.map((m: { id: string }) => [m.id, m]));
      // The rollup's old rule (0.75 × quota share of held sessions) called both at risk: 0 < 1.65.
      expect(byId.get(ahead.id)).toMatchObject({ sessions: 0, booked: 2, atRisk: false });
      expect(byId.get(behind.id)).toMatchObject({ sessions: 0, booked: 1, atRisk: true });
    });
  });

  describe('bookings', () => {
    let programId: string;
    let periodId: string;
    let rep: Person;
    let a: Person;
    let b: Person;
    let day: string; // ten days ahead, inside the horizon and past the notice
    const at = (hm: string) => `${day}T${hm}:00.000Z`;

    beforeAll(async () => {
      programId = await makeProgram(t, { minNoticeHours: 12, horizonDays: 60, seatsPerCall: 1, repWeeklyCap: 50, sameRepLimit: 50, quota: 50, cancelNoticeHours: 1, slotMinutes: 45, slotGridMinutes: 15 });
      periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(80));
      rep = await makeUser(t, ['rep'], 'UTC');
      await rosterRep(t, periodId, rep);
      await t.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('08:00', '18:00') }).expect(200);
      a = await makeUser(t, ['marketer'], 'UTC');
      b = await makeUser(t, ['marketer'], 'UTC');
      await enrol(t, periodId, a);
      await enrol(t, periodId, b);
      day = daysFromNow(10);
    });

    it('refuses a marketer the waitlist of a call they already hold (409 marketer_conflict); cancelling then serves the next in line', async () => {
      const booked = await t.http.post('/api/v1/bookings').set(bearer(a.token)).send({ periodId, repId: rep.id, startsAt: at('09:00') }).expect(201);
      const own = await t.http.post('/api/v1/waitlist').set(bearer(a.token)).send({ periodId, repId: rep.id, startsAt: at('09:00') }).expect(409);
      expect(own.body).toMatchObject({ code: 'marketer_conflict', details: { bookingId: booked.body.id } });
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM waitlist_entries WHERE marketer_id = $1`, [a.id]);
      expect(n).toBe(0);
      // Someone else still waits for it, and gets the seat when it is released.
      const waiting = await t.http.post('/api/v1/waitlist').set(bearer(b.token)).send({ periodId, repId: rep.id, startsAt: at('09:00') }).expect(201);
      await t.http.post(`/api/v1/bookings/${booked.body.id}/cancel`).set(bearer(a.token)).send({ reason: 'clash' }).expect(200);
      const mine = await t.db.query(`SELECT marketer_id FROM bookings WHERE rep_id = $1 AND starts_at = $2 AND status = 'confirmed'`, [rep.id, at('09:00')]);
      expect(mine.map((r: { marketer_id: string }) => r.marketer_id)).toEqual([b.id]);
      const [entry] = await t.db.query(`SELECT status FROM waitlist_entries WHERE id = $1`, [waiting.body.id]);
      expect(entry.status).toBe('booked');
    });

    it('a marketer waiting from before the rule does not get back the seat they cancel', async () => {
      const booked = await t.http.post('/api/v1/bookings').set(bearer(a.token)).send({ periodId, repId: rep.id, startsAt: at('11:00') }).expect(201);
      // An entry made before joining was refused (the old behaviour), straight into the table.
      await t.db.query(`INSERT INTO waitlist_entries (period_id, rep_id, marketer_id, starts_at) VALUES ($1, $2, $3, $4)`, [periodId, rep.id, a.id, at('11:00')]);
      await t.http.post(`/api/v1/bookings/${booked.body.id}/cancel`).set(bearer(a.token)).send({ reason: 'clash' }).expect(200);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM bookings WHERE rep_id = $1 AND starts_at = $2 AND status = 'confirmed'`, [rep.id, at('11:00')]);
      expect(n).toBe(0);
      const [entry] = await t.db.query(`SELECT status FROM waitlist_entries WHERE marketer_id = $1 AND starts_at = $2`, [a.id, at('11:00')]);
      expect(entry.status).toBe('left');
    });

    it('keeps the label, call type and lead flag it was booked under when the availability changes, and takes the new window on a move', async () => {
      const windows = (label: string, callType: string, marketingSourced: boolean) => ({
        windows: [
          { start: '08:00', end: '12:00', label, callType, marketingSourced },
          { start: '13:00', end: '18:00', label: 'Afternoon renewals', callType: 'renewal' },
        ],
      });
      await t.http.put(`/api/v1/reps/${rep.id}/overrides/${day}`).set(bearer(rep.token)).send(windows('Discovery with Acme', 'discovery', true)).expect(200);
      const booked = await t.http.post('/api/v1/bookings').set(bearer(b.token)).send({ periodId, repId: rep.id, startsAt: at('10:00') }).expect(201);
      expect(booked.body).toMatchObject({ label: 'Discovery with Acme', callType: 'discovery', marketingSourced: true });

      // The rep edits the day afterwards.
      await t.http.put(`/api/v1/reps/${rep.id}/overrides/${day}`).set(bearer(rep.token)).send(windows('Internal demo', 'demo', false)).expect(200);
      const got = await t.http.get(`/api/v1/bookings/${booked.body.id}`).set(bearer(b.token)).expect(200);
      expect(got.body).toMatchObject({ label: 'Discovery with Acme', callType: 'discovery', marketingSourced: true });
      const listed = await t.http.get('/api/v1/bookings?mine=true').set(bearer(b.token)).expect(200);
      expect(listed.body.bookings.find((x: { id: string }) => x.id === booked.body.id)).toMatchObject({ label: 'Discovery with Acme', callType: 'discovery' });
      const repPage = await (await webSession(t, rep.id)).get('/rep').expect(200);
      expect(repPage.text).toContain('Discovery with Acme');
      expect(repPage.text).not.toContain('Internal demo');
      const marketerPage = await (await webSession(t, b.id)).get('/marketer').expect(200);
      expect(marketerPage.text).toContain('Discovery with Acme');
      expect(marketerPage.text).not.toContain('Internal demo');

      // Moved into the afternoon window, it takes that window's label, and no lead flag.
      const moved = await t.http.post(`/api/v1/bookings/${booked.body.id}/reschedule`).set(bearer(b.token)).send({ startsAt: at('14:00') }).expect(200);
      expect(moved.body).toMatchObject({ label: 'Afternoon renewals', callType: 'renewal', marketingSourced: null });
    });

    it('fills in existing bookings from the windows they sit in, best effort, when the columns arrive', async () => {
      const berlinRep = await makeUser(t, ['rep'], 'Europe/Berlin');
      await t.http
        .put(`/api/v1/reps/${berlinRep.id}/availability`)
        .set(bearer(berlinRep.token))
        .send({ timeZone: 'Europe/Berlin', weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '12:00', label: 'Morning discovery', callType: 'discovery', marketingSourced: true })) })
        .expect(200);
      const date = DateTime.fromISO(daysFromNow(20), { zone: 'Europe/Berlin' });
      const inside = date.set({ hour: 9, minute: 30 }); // 09:30 in Berlin (08:30 UTC): inside the window only when read in the rep's zone
      const outside = date.set({ hour: 13 });
      const within = await insertBooking(t, { periodId, repId: berlinRep.id, marketerId: a.id, startsAt: inside.toISO()!, endsAt: inside.plus({ minutes: 45 }).toISO()! });
      const without = await insertBooking(t, { periodId, repId: berlinRep.id, marketerId: b.id, startsAt: outside.toISO()!, endsAt: outside.plus({ minutes: 45 }).toISO()! });
      await backfillBookingWindows(t.db);
      const rows = await t.db.query(`SELECT id, label, call_type, marketing_sourced FROM bookings WHERE id = ANY($1::uuid[])`, [[within, without]]);
      const byId = new Map(rows.map((r: { id: string }) => [r.id, r]));
      expect(byId.get(within)).toMatchObject({ label: 'Morning discovery', call_type: 'discovery', marketing_sourced: true });
      expect(byId.get(without)).toMatchObject({ label: null, call_type: null, marketing_sourced: null });
    });

    it('withdraws the form when a completed session is corrected to a no-show; a submitted one is kept, marked, and counts nowhere', async () => {
      const past = DateTime.utc().minus({ days: 2 }).startOf('hour');
      const open = await insertBooking(t, { periodId, repId: rep.id, marketerId: a.id, startsAt: past.toISO()!, endsAt: past.plus({ minutes: 45 }).toISO()! });
      await t.http.post(`/api/v1/bookings/${open}/attendance`).set(bearer(rep.token)).send({ outcome: 'completed' }).expect(200);
      const due = async () => (await t.http.get('/api/v1/observations?mine=true&status=overdue').set(bearer(a.token)).expect(200)).body.observations as { id: string; bookingId: string }[];
      const form = (await due()).find((o) => o.bookingId === open)!;
      expect(form).toBeDefined();

      const corrected = await t.http.post(`/api/v1/bookings/${open}/attendance`).set(bearer(t.adminToken)).send({ outcome: 'rep_no_show' }).expect(200);
      expect(corrected.body).toMatchObject({ status: 'no_show', noShowParty: 'rep' });
      expect((await due()).map((o) => o.id)).not.toContain(form.id);
      const all = (await t.http.get('/api/v1/observations?mine=true').set(bearer(a.token)).expect(200)).body.observations as { id: string }[];
      expect(all.map((o) => o.id)).not.toContain(form.id);
      const read = await t.http.get(`/api/v1/observations/${form.id}`).set(bearer(a.token)).expect(200);
      expect(read.body.withdrawnAt).toEqual(expect.any(String));
      const withdrawn = (await t.http.get('/api/v1/observations?mine=true&status=withdrawn').set(bearer(a.token)).expect(200)).body.observations as { id: string }[];
      expect(withdrawn.map((o) => o.id)).toEqual([form.id]);
      // Nothing more is sent for it (the jobs of its nudge, reminder and overdue notice find it withdrawn), and it cannot be written up.
      const sent = async () => (await t.db.query(`SELECT dedupe_key FROM mail_outbox WHERE dedupe_key LIKE $1 ORDER BY 1`, [`observation:${form.id}:%`])).map((r: { dedupe_key: string }) => r.dedupe_key);
      const beforeJobs = await sent();
      for (const kind of ['nudge', 'reminder', 'overdue'] as const) await t.app.get(ObservationsService).sendFormMail(form.id, kind);
      await new Promise((r) => setTimeout(r, 1500)); // queued form jobs (0.5 s polling) have had their turn
      expect(await sent()).toEqual(beforeJobs);
      expect(beforeJobs).not.toContain(`observation:${form.id}:reminder`);
      await t.http.put(`/api/v1/observations/${form.id}`).set(bearer(a.token)).send({ answers: { mode: 'feedback' } }).expect(409);
      // Corrected back to completed, the same form stands again.
      await t.http.post(`/api/v1/bookings/${open}/attendance`).set(bearer(t.adminToken)).send({ outcome: 'completed' }).expect(200);
      expect((await due()).map((o) => o.id)).toContain(form.id);
      expect((await t.http.get(`/api/v1/observations/${form.id}`).set(bearer(a.token)).expect(200)).body.withdrawnAt).toBeNull();
      await t.http.post(`/api/v1/bookings/${open}/attendance`).set(bearer(t.adminToken)).send({ outcome: 'marketer_no_show' }).expect(200);
      expect((await due()).map((o) => o.id)).not.toContain(form.id);

      // A submitted form: kept with its answers, marked withdrawn, out of the rollup.
      const theme = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: `No-show theme ${Date.now()}` }).expect(201)).body.id;
      const past2 = past.minus({ hours: 3 });
      const done = await insertBooking(t, { periodId, repId: rep.id, marketerId: b.id, startsAt: past2.toISO()!, endsAt: past2.plus({ minutes: 45 }).toISO()! });
      await t.http.post(`/api/v1/bookings/${done}/attendance`).set(bearer(rep.token)).send({ outcome: 'completed' }).expect(200);
      const [{ id: formB }] = await t.db.query(`SELECT id FROM observations WHERE booking_id = $1`, [done]);
      const [tmpl] = await t.db.query(`SELECT fields FROM form_templates WHERE program_id = $1 ORDER BY version DESC LIMIT 1`, [programId]);
      const required = (tmpl.fields as { key: string; required: boolean }[]).filter((f) => f.required).map((f) => f.key);
      const answers: Record<string, unknown> = { mode: 'feedback', themeIds: [theme], account: 'Acme' };
      const filler: Record<string, unknown> = {
        segment: 'Ops', painPoints: ['Setup'], quotes: [{ text: 'It took a week', speaker: 'admin' }], peak: { text: 'Pricing', valence: -1 }, end: { text: 'Trial', valence: 1 },
        empathy: { says: ['x'], thinks: ['x'], does: ['x'], feels: ['x'], sees: ['x'], hears: ['x'] }, ideas: [{ text: 'Tell reps', category: 'info_to_sales' }],
        lead: { marketingSourced: false }, negativeFeedback: 'Slow', focusFinding: 'None', intros: [], proposedThemes: [],
      };
      for (const k of required) if (!(k in answers)) answers[k] = filler[k];
      await t.http.put(`/api/v1/observations/${formB}`).set(bearer(b.token)).send({ answers }).expect(200);
      await t.http.post(`/api/v1/observations/${formB}/submit`).set(bearer(b.token)).expect(201);
      const window = { programId, from: past2.minus({ days: 1 }).toISO(), to: past2.plus({ days: 1 }).toISO() };
      const before = await t.http.post('/api/v1/rollups').set(bearer(t.adminToken)).send(window).expect(201);
      expect(before.body.report.emerging.map((x: { themeId: string }) => x.themeId)).toContain(theme);

      await t.http.post(`/api/v1/bookings/${done}/attendance`).set(bearer(t.adminToken)).send({ outcome: 'customer_no_show' }).expect(200);
      const kept = await t.http.get(`/api/v1/observations/${formB}`).set(bearer(t.adminToken)).expect(200);
      expect(kept.body).toMatchObject({ status: 'submitted', withdrawnAt: expect.any(String), answers: { account: 'Acme' } });
      const after = await t.http
        .post('/api/v1/rollups')
        .set(bearer(t.adminToken))
        .send({ ...window, to: past2.plus({ days: 1, minutes: 1 }).toISO() })
        .expect(201);
      expect([...after.body.report.themes, ...after.body.report.emerging].map((x: { themeId: string }) => x.themeId)).not.toContain(theme);
      const audit = await t.db.query(`SELECT details FROM audit_log WHERE action = 'observation.withdraw' AND entity_id = $1`, [formB]);
      expect(audit).toHaveLength(1);
    });
  });
});
