import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { BookingsService } from '../src/bookings/bookings.service.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';

const ALL_DAYS = (start: string, end: string) => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start, end }));

function parseIcs(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  const ev = cal.getFirstSubcomponent('vevent')!;
  const event = new ICAL.Event(ev);
  return {
    method: cal.getFirstPropertyValue('method'),
    uid: event.uid,
    sequence: event.sequence,
    status: ev.getFirstPropertyValue('status'),
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    attendees: ev.getAllProperties('attendee').map((p) => String(p.getFirstValue())),
    organizer: String(ev.getFirstPropertyValue('organizer')),
  };
}

describe('bookings (HTTP, real PostgreSQL, real SMTP)', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  let programId: string;
  let periodId: string;
  let rep: Person;
  let rep2: Person;
  let marketers: Person[];
  let day: string; // a Monday at least ten days ahead
  const at = (hm: string, d = day) => `${d}T${hm}:00.000Z`;
  const book = (who: Person, body: Record<string, unknown>, key?: string) => {
    const r = t.http.post('/api/v1/bookings').set(bearer(who.token));
    if (key) r.set('Idempotency-Key', key);
    return r.send({ periodId, ...body });
  };
  const rowCount = async () => (await t.db.query(`SELECT count(*)::int AS n FROM bookings`))[0].n as number;

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5', MAIL_FROM: 'Rep Life <replife@example.com>' });
    programId = await makeProgram(t, { minNoticeHours: 12, horizonDays: 60, seatsPerCall: 1, repWeeklyCap: 50, sameRepLimit: 50, quota: 50, cancelNoticeHours: 24 });
    periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(80));
    rep = await makeUser(t, ['rep'], 'UTC');
    rep2 = await makeUser(t, ['rep'], 'America/New_York');
    for (const r of [rep, rep2]) {
      await rosterRep(t, periodId, r);
      await t.http.put(`/api/v1/reps/${r.id}/availability`).set(bearer(r.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('00:00', '23:00') }).expect(200);
    }
    marketers = [];
    for (let i = 0; i < 50; i++) {
      const m = await makeUser(t, ['marketer'], i % 2 ? 'Europe/Berlin' : 'Asia/Kolkata');
      await enrol(t, periodId, m);
      marketers.push(m);
    }
    let d = DateTime.utc().plus({ days: 10 });
    while (d.weekday !== 1) d = d.plus({ days: 1 });
    day = d.toISODate()!;
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  describe('no double booking, ever', () => {
    it('50 concurrent requests for one single-seat slot: one 201, 49 409, one row', async () => {
      const before = await rowCount();
      const results = await Promise.all(marketers.map((m) => book(m, { repId: rep.id, startsAt: at('09:00') })));
      const codes = results.map((r) => r.status);
      expect(codes.filter((c) => c === 201)).toHaveLength(1);
      expect(codes.filter((c) => c === 409)).toHaveLength(49);
      expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'slot_unavailable')).toBe(true);
      expect(await rowCount()).toBe(before + 1);
    });

    it('overlapping slots with different starts: still one call at a time', async () => {
      const before = await rowCount();
      const starts = ['10:00', '10:15', '10:30']; // each overlaps the others
      const results = await Promise.all(marketers.map((m, i) => book(m, { repId: rep.id, startsAt: at(starts[i % 3], DateTime.fromISO(day).plus({ days: 1 }).toISODate()!) })));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status >= 500)).toHaveLength(0);
      expect(await rowCount()).toBe(before + 1);
      const live = await t.db.query(
        `SELECT a.id FROM bookings a JOIN bookings b ON a.rep_id = b.rep_id AND a.id < b.id AND a.status <> 'cancelled' AND b.status <> 'cancelled'
          AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)`,
      );
      expect(live).toEqual([]);
    });

    it('two service instances on one database: still one seat', async () => {
      const second = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5' }, t.database);
      try {
        const before = await rowCount();
        const d = DateTime.fromISO(day).plus({ days: 2 }).toISODate()!;
        const results = await Promise.all(
          marketers.map((m, i) => (i % 2 ? second.http : t.http).post('/api/v1/bookings').set(bearer(m.token)).send({ periodId, repId: rep.id, startsAt: at('11:00', d) })),
        );
        expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(49).fill(409)]);
        expect(await rowCount()).toBe(before + 1);
      } finally {
        await second.close();
      }
    });

    it('the database refuses a second seat even when the application check is bypassed', async () => {
      const d = DateTime.fromISO(day).plus({ days: 3 }).toISODate()!;
      await insertBooking(t, { periodId, repId: rep.id, marketerId: marketers[0].id, startsAt: at('12:00', d), endsAt: at('12:45', d) });
      await expect(insertBooking(t, { periodId, repId: rep.id, marketerId: marketers[1].id, startsAt: at('12:00', d), endsAt: at('12:45', d) })).rejects.toThrow(/bookings_rep_seat_free/);
      await expect(insertBooking(t, { periodId, repId: rep.id, marketerId: marketers[1].id, startsAt: at('12:30', d), endsAt: at('13:15', d) })).rejects.toThrow(/bookings_rep_/);
      await expect(insertBooking(t, { periodId, repId: rep2.id, marketerId: marketers[0].id, startsAt: at('12:15', d), endsAt: at('13:00', d) })).rejects.toThrow(/bookings_marketer_one_place/);
    });
  });

  describe('support shifts', () => {
    it('keep the marketer’s time: the slot search hides overlapping slots and booking one is a marketer_conflict', async () => {
      const m = marketers[48];
      const d = DateTime.fromISO(day).plus({ days: 26 }).toISODate()!;
      const rotation = await makeProgram(t, {}, 'UTC', 'support_rotation');
      const rp = await makePeriod(t, rotation, daysFromNow(0), daysFromNow(80));
      const [{ id: templateId }] = await t.db.query(
        `INSERT INTO shift_templates (program_id, weekday, start_time, end_time, time_zone, queue, capacity) VALUES ($1, 1, '10:00', '12:00', 'UTC', 'billing', 2) RETURNING id`,
        [rotation],
      );
      await t.db.query(
        `INSERT INTO shift_assignments (period_id, template_id, shift_key, shift_date, starts_at, ends_at, marketer_id, uid) VALUES ($1, $2, $3, $4, $5, $6, $7, 'shift-test-' || gen_random_uuid())`,
        [rp, templateId, `${templateId}@${d}`, d, at('10:00', d), at('12:00', d), m.id],
      );
      const res = await t.http.get('/api/v1/slots').query({ periodId, repId: rep.id, from: d, to: d }).set(bearer(m.token)).expect(200);
      const starts = res.body.slots.map((x: { startsAt: string }) => x.startsAt.slice(11, 16));
      expect(starts).toContain('09:00');
      expect(starts).not.toContain('09:30'); // 09:30-10:15 overlaps the shift
      expect(starts).not.toContain('11:00');
      expect(starts).toContain('12:00');
      const refused = await book(m, { repId: rep.id, startsAt: at('11:00', d) }).expect(409);
      expect(refused.body.code).toBe('marketer_conflict');
      await book(m, { repId: rep.id, startsAt: at('12:00', d) }).expect(201);
    });
  });

  describe('Idempotency-Key', () => {
    it('returns the first response for the same key and body, 422 for another body, one row', async () => {
      const m = marketers[2];
      const d = DateTime.fromISO(day).plus({ days: 4 }).toISODate()!;
      const body = { repId: rep2.id, startsAt: at('14:00', d) };
      const before = await rowCount();
      const [a, b] = await Promise.all([book(m, body, 'key-1'), book(m, body, 'key-1')]);
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(a.body.id).toBe(b.body.id);
      const c = await book(m, body, 'key-1').expect(201);
      expect(c.body.id).toBe(a.body.id);
      expect(c.headers['idempotent-replayed']).toBe('true');
      const other = await book(m, { ...body, startsAt: at('15:00', d) }, 'key-1').expect(422);
      expect(other.body).toMatchObject({ code: 'idempotency_mismatch' });
      expect(await rowCount()).toBe(before + 1);
      // Keys belong to their user: another marketer's same key is a new request.
      const n = await book(marketers[3], { repId: rep2.id, startsAt: at('16:00', d) }, 'key-1').expect(201);
      expect(n.body.id).not.toBe(a.body.id);
    });
  });

  describe('409 codes name the reason', () => {
    it.each([
      ['outside_notice', () => ({ repId: rep.id, startsAt: DateTime.utc().plus({ hours: 3 }).startOf('hour').toISO() })],
      ['outside_horizon', () => ({ repId: rep.id, startsAt: `${daysFromNow(70)}T09:00:00.000Z` })],
      ['slot_unavailable', () => ({ repId: rep.id, startsAt: at('23:15') })], // not published
      ['slot_unavailable', () => ({ repId: rep.id, startsAt: at('09:07') })], // off the grid
    ])('%s', async (code, body) => {
      const before = await rowCount();
      const res = await book(marketers[4], body()).expect(409);
      expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict', code });
      expect(await rowCount()).toBe(before);
    });

    it('not_on_roster, not_enrolled, marketer_conflict, same_rep_limit, rep_weekly_cap, quota_reached', async () => {
      const tight = await makeProgram(t, { minNoticeHours: 12, horizonDays: 60, repWeeklyCap: 3, sameRepLimit: 2, quota: 5 });
      const p = await makePeriod(t, tight, daysFromNow(0), daysFromNow(80));
      const reps: Person[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await makeUser(t, ['rep']);
        await rosterRep(t, p, r);
        await t.http.put(`/api/v1/reps/${r.id}/availability`).set(bearer(r.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('08:00', '18:00') }).expect(200);
        reps.push(r);
      }
      const [m, m2, m3] = [await makeUser(t, ['marketer']), await makeUser(t, ['marketer']), await makeUser(t, ['marketer'])];
      for (const x of [m, m2, m3]) await enrol(t, p, x);
      const bookIn = (who: Person, repId: string, startsAt: string) => t.http.post('/api/v1/bookings').set(bearer(who.token)).send({ periodId: p, repId, startsAt });

      const outsider = await makeUser(t, ['rep']);
      await t.http.put(`/api/v1/reps/${outsider.id}/availability`).set(bearer(outsider.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS('08:00', '18:00') }).expect(200);
      expect((await bookIn(m, outsider.id, at('09:00')).expect(409)).body.code).toBe('not_on_roster');
      const stranger = await makeUser(t, ['marketer']);
      expect((await bookIn(stranger, reps[0].id, at('13:00')).expect(409)).body.code).toBe('not_enrolled');

      const w = DateTime.fromISO(day); // a Monday
      const d = (n: number) => w.plus({ days: n }).toISODate()!;
      await bookIn(m, reps[0].id, at('09:00', d(0))).expect(201);
      expect((await bookIn(m, reps[1].id, at('09:15', d(0))).expect(409)).body.code).toBe('marketer_conflict');
      await bookIn(m, reps[0].id, at('09:00', d(1))).expect(201);
      expect((await bookIn(m, reps[0].id, at('09:00', d(2))).expect(409)).body.code).toBe('same_rep_limit'); // 2 with this rep
      await bookIn(m2, reps[0].id, at('09:00', d(2))).expect(201); // the rep's third call this week
      expect((await bookIn(m3, reps[0].id, at('09:00', d(3))).expect(409)).body.code).toBe('rep_weekly_cap');
      await bookIn(m3, reps[0].id, at('09:00', d(7))).expect(201); // next week is open again
      await bookIn(m, reps[1].id, at('09:00', d(8))).expect(201);
      await bookIn(m, reps[1].id, at('09:00', d(9))).expect(201);
      await bookIn(m, reps[2].id, at('09:00', d(10))).expect(201); // fifth session: the quota
      const q = await bookIn(m, reps[2].id, at('09:00', d(11))).expect(409);
      expect(q.body).toMatchObject({ code: 'quota_reached', details: { reason: 'quota_reached' } });
    });
  });

  describe('cancel, reschedule, attendance', () => {
    it('cancels (marketer, rep or lifecycle; others see 404), frees the seat, flags late cancellations', async () => {
      const d = DateTime.fromISO(day).plus({ days: 5 }).toISODate()!;
      const b = (await book(marketers[10], { repId: rep2.id, startsAt: at('09:00', d) }).expect(201)).body;
      await t.http.post(`/api/v1/bookings/${b.id}/cancel`).set(bearer(marketers[11].token)).send({ reason: 'mine now' }).expect(404);
      await t.http.post(`/api/v1/bookings/${b.id}/cancel`).set(bearer(rep.token)).send({ reason: 'not your rep' }).expect(404);
      await t.http.post(`/api/v1/bookings/${b.id}/cancel`).set(bearer(marketers[10].token)).send({}).expect(400);
      const c = await t.http.post(`/api/v1/bookings/${b.id}/cancel`).set(bearer(rep2.token)).send({ reason: 'Customer moved the call' }).expect(200);
      expect(c.body).toMatchObject({ status: 'cancelled', sequence: 1, lateCancel: false, cancelReason: 'Customer moved the call', uid: b.uid });
      await t.http.post(`/api/v1/bookings/${b.id}/cancel`).set(bearer(rep2.token)).send({ reason: 'again' }).expect(409);
      await book(marketers[11], { repId: rep2.id, startsAt: at('09:00', d) }).expect(201);

      let soon = DateTime.utc().plus({ hours: 13 }).startOf('hour').plus({ hours: 1 });
      if (soon.hour === 23) soon = soon.plus({ hours: 1 }); // 23:00-24:00 is not published
      const late = (await book(marketers[12], { repId: rep.id, startsAt: soon.toISO()! }).expect(201)).body;
      const lc = await t.http.post(`/api/v1/bookings/${late.id}/cancel`).set(bearer(t.adminToken)).send({ reason: 'Sick' }).expect(200);
      expect(lc.body.lateCancel).toBe(true);
    });

    it('reschedules atomically: the new slot is taken and the old freed, or nothing changes', async () => {
      const d = DateTime.fromISO(day).plus({ days: 6 }).toISODate()!;
      const m = marketers[13];
      const b = (await book(m, { repId: rep.id, startsAt: at('09:00', d) }).expect(201)).body;
      const blocker = (await book(marketers[14], { repId: rep.id, startsAt: at('11:00', d) }).expect(201)).body;
      const refused = await t.http.post(`/api/v1/bookings/${b.id}/reschedule`).set(bearer(m.token)).send({ startsAt: at('11:00', d) }).expect(409);
      expect(refused.body.code).toBe('slot_unavailable');
      const still = await t.http.get(`/api/v1/bookings/${b.id}`).set(bearer(m.token)).expect(200);
      expect(still.body).toMatchObject({ status: 'confirmed', startsAt: at('09:00', d), sequence: 0 });
      await t.http.post(`/api/v1/bookings/${b.id}/reschedule`).set(bearer(rep.token)).send({ startsAt: at('13:00', d) }).expect(403);
      const moved = await t.http.post(`/api/v1/bookings/${b.id}/reschedule`).set(bearer(m.token)).send({ startsAt: at('09:30', d) }).expect(200);
      expect(moved.body).toMatchObject({ id: b.id, uid: b.uid, status: 'confirmed', startsAt: at('09:30', d), sequence: 1 });
      // Overlapping its own old time is fine (the old seat is freed in the same transaction); the old slot is free for others.
      await book(marketers[15], { repId: rep2.id, startsAt: at('09:00', d) }).expect(201);
      const other = await t.http.post(`/api/v1/bookings/${b.id}/reschedule`).set(bearer(t.adminToken)).send({ startsAt: at('15:00', d), repId: rep2.id }).expect(200);
      expect(other.body).toMatchObject({ repId: rep2.id, sequence: 2 });
      await book(marketers[16], { repId: rep.id, startsAt: at('09:30', d) }).expect(201);
      void blocker;
    });

    it('marks attendance only after the start, by its rep, marketer or the lifecycle team', async () => {
      const start = DateTime.utc().minus({ hours: 2 }).startOf('hour');
      const id = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketers[20].id, startsAt: start.toISO()!, endsAt: start.plus({ minutes: 45 }).toISO()! });
      await t.db.query(`UPDATE bookings SET uid = 'booking-' || id || '@ridealong' WHERE id = $1`, [id]);
      await t.http.post(`/api/v1/bookings/${id}/attendance`).set(bearer(marketers[21].token)).send({ outcome: 'completed' }).expect(404);
      await t.http.post(`/api/v1/bookings/${id}/attendance`).set(bearer(rep.token)).send({ outcome: 'sort_of' }).expect(400);
      const done = await t.http.post(`/api/v1/bookings/${id}/attendance`).set(bearer(rep.token)).send({ outcome: 'customer_no_show' }).expect(200);
      expect(done.body).toMatchObject({ status: 'no_show', noShowParty: 'customer' });
      await t.http.post(`/api/v1/bookings/${id}/attendance`).set(bearer(marketers[20].token)).send({ outcome: 'completed' }).expect(409);
      const fixed = await t.http.post(`/api/v1/bookings/${id}/attendance`).set(bearer(t.adminToken)).send({ outcome: 'completed' }).expect(200);
      expect(fixed.body).toMatchObject({ status: 'completed', noShowParty: null });
      const future = (await book(marketers[22], { repId: rep2.id, startsAt: at('17:00') }).expect(201)).body;
      const early = await t.http.post(`/api/v1/bookings/${future.id}/attendance`).set(bearer(rep2.token)).send({ outcome: 'completed' }).expect(409);
      expect(early.body.code).toBe('invalid_state');
    });
  });

  describe('waitlist', () => {
    it('gives a freed seat to the first waiting marketer who still fits; the others keep their place', async () => {
      const d = DateTime.fromISO(day).plus({ days: 21 }).toISODate()!;
      const [holder, first, second] = [marketers[30], marketers[31], marketers[32]];
      const held = (await book(holder, { repId: rep2.id, startsAt: at('10:00', d) }).expect(201)).body;
      const free = await t.http.post('/api/v1/waitlist').set(bearer(first.token)).send({ periodId, repId: rep2.id, startsAt: at('11:00', d) }).expect(409);
      expect(free.body.code).toBe('slot_available');
      const w1 = await t.http.post('/api/v1/waitlist').set(bearer(first.token)).send({ periodId, repId: rep2.id, startsAt: at('10:00', d) }).expect(201);
      await t.http.post('/api/v1/waitlist').set(bearer(first.token)).send({ periodId, repId: rep2.id, startsAt: at('10:00', d) }).expect(409);
      const w2 = await t.http.post('/api/v1/waitlist').set(bearer(second.token)).send({ periodId, repId: rep2.id, startsAt: at('10:00', d) }).expect(201);
      await t.http.post('/api/v1/waitlist').set(bearer(rep.token)).send({ periodId, repId: rep2.id, startsAt: at('10:00', d) }).expect(403);
      // The first in line books something else at that time: they no longer fit.
      await book(first, { repId: rep.id, startsAt: at('10:15', d) }).expect(201);
      await t.http.post(`/api/v1/bookings/${held.id}/cancel`).set(bearer(holder.token)).send({ reason: 'Conflict' }).expect(200);
      const entries = await t.db.query(`SELECT id, status, booking_id FROM waitlist_entries WHERE id = ANY($1)`, [[w1.body.id, w2.body.id]]);
      const byId = Object.fromEntries(entries.map((e: { id: string }) => [e.id, e]));
      expect(byId[w1.body.id].status).toBe('waiting');
      expect(byId[w2.body.id].status).toBe('booked');
      const promoted = await t.http.get(`/api/v1/bookings/${byId[w2.body.id].booking_id}`).set(bearer(second.token)).expect(200);
      expect(promoted.body).toMatchObject({ marketerId: second.id, repId: rep2.id, startsAt: at('10:00', d), status: 'confirmed' });
      await sink.waitFor(() => sink.to(second.email).some((m) => /seat opened/i.test(m.parsed.subject ?? '')));
      // Leaving: only the marketer who waits (or the lifecycle team); others are told it does not exist.
      const mine = await t.http.get('/api/v1/waitlist').set(bearer(first.token)).expect(200);
      expect(mine.body.entries.map((e: { id: string }) => e.id)).toEqual([w1.body.id]);
      await t.http.delete(`/api/v1/waitlist/${w1.body.id}`).set(bearer(second.token)).expect(404);
      await t.http.delete(`/api/v1/waitlist/${w1.body.id}`).set(bearer(first.token)).expect(204);
      await t.http.delete(`/api/v1/waitlist/${w1.body.id}`).set(bearer(first.token)).expect(409);
      expect((await t.http.get('/api/v1/waitlist').set(bearer(first.token)).expect(200)).body.entries).toEqual([]);
    });
  });

  describe('calendar', () => {
    it('keeps one UID with a rising SEQUENCE through invite, update and cancellation', async () => {
      const d = DateTime.fromISO(day).plus({ days: 22 }).toISODate()!;
      const m = marketers[40];
      const b = (await book(m, { repId: rep.id, startsAt: at('09:00', d) }).expect(201)).body;
      const ics = async () => parseIcs((await t.http.get(`/api/v1/bookings/${b.id}/invite.ics`).set(bearer(m.token)).expect(200).expect('Content-Type', /text\/calendar/)).text);
      const first = await ics();
      expect(first).toMatchObject({ method: 'REQUEST', uid: b.uid, sequence: 0, start: at('09:00', d), end: at('09:45', d) });
      expect(first.organizer).toBe('mailto:replife@example.com');
      expect(first.attendees.sort()).toEqual([`mailto:${m.email}`, `mailto:${rep.email}`].sort());
      await t.http.post(`/api/v1/bookings/${b.id}/reschedule`).set(bearer(m.token)).send({ startsAt: at('10:00', d) }).expect(200);
      expect(await ics()).toMatchObject({ method: 'REQUEST', uid: b.uid, sequence: 1, start: at('10:00', d) });
      await t.http.post(`/api/v1/bookings/${b.id}/cancel`).set(bearer(m.token)).send({ reason: 'Line 1\r\nEND:VEVENT\r\nBEGIN:VEVENT' }).expect(200);
      expect(await ics()).toMatchObject({ method: 'CANCEL', uid: b.uid, sequence: 2, status: 'CANCELLED' });
      await t.http.get(`/api/v1/bookings/${b.id}/invite.ics`).set(bearer(marketers[41].token)).expect(404);
    });

    it('serves a secret feed of upcoming bookings; rotating the token retires the old URL', async () => {
      const m = marketers[42];
      const d = DateTime.fromISO(day).plus({ days: 23 }).toISODate()!;
      const b = (await book(m, { repId: rep.id, startsAt: at('09:00', d) }).expect(201)).body;
      const first = await t.http.post('/api/v1/me/calendar-token').set(bearer(m.token)).expect(201);
      expect(first.body.url).toMatch(/\/calendar\/rc_[A-Za-z0-9_-]+\.ics$/);
      const feed = await t.http.get(`/calendar/${first.body.token}.ics`).expect(200).expect('Content-Type', /text\/calendar/);
      const cal = new ICAL.Component(ICAL.parse(feed.text));
      const uids = cal.getAllSubcomponents('vevent').map((e) => e.getFirstPropertyValue('uid'));
      expect(uids).toContain(b.uid);
      const second = await t.http.post('/api/v1/me/calendar-token').set(bearer(m.token)).expect(201);
      await t.http.get(`/calendar/${first.body.token}.ics`).expect(404);
      await t.http.get(`/calendar/${second.body.token}.ics`).expect(200);
      await t.http.get('/calendar/not-a-token.ics').expect(404);
    });
  });

  describe('email', () => {
    it('sends the marketer and the rep a confirmation with a METHOD:REQUEST calendar part, and a CANCEL on cancellation', async () => {
      const d = DateTime.fromISO(day).plus({ days: 24 }).toISODate()!;
      const m = marketers[43];
      const b = (await book(m, { repId: rep2.id, startsAt: at('09:00', d) }).expect(201)).body;
      await sink.waitFor(() => sink.to(m.email).length >= 1 && sink.to(rep2.email).some((x) => x.raw.includes(b.uid)));
      const mine = sink.to(m.email).find((x) => x.raw.includes(b.uid))!;
      expect(mine.parsed.subject).toMatch(/^Confirmed: shadowing/);
      expect(mine.parsed.from?.value[0].address).toBe('replife@example.com');
      expect(mine.parsed.text).toContain('How to prepare');
      expect(mine.parsed.html).toContain('<li>');
      expect(mine.raw).toMatch(/text\/calendar;[^\n]*method=REQUEST/i);
      const inviteText = (mine.parsed as unknown as { attachments: { contentType: string; content: Buffer }[] }).attachments.find((a) => a.contentType.startsWith('text/calendar'))?.content.toString();
      expect(parseIcs(inviteText!)).toMatchObject({ method: 'REQUEST', uid: b.uid, start: at('09:00', d) });
      // The Kolkata marketer reads their own zone.
      expect(mine.parsed.text).toMatch(m.email && /(Asia\/Kolkata|Europe\/Berlin)/);

      await t.http.post(`/api/v1/bookings/${b.id}/cancel`).set(bearer(m.token)).send({ reason: 'Customer <b>rescheduled</b>' }).expect(200);
      await sink.waitFor(() => sink.to(rep2.email).some((x) => /^Cancelled/.test(x.parsed.subject ?? '') && x.raw.includes(b.uid)));
      const cancel = sink.to(rep2.email).find((x) => /^Cancelled/.test(x.parsed.subject ?? '') && x.raw.includes(b.uid))!;
      expect(cancel.raw).toMatch(/method=CANCEL/i);
      expect(cancel.parsed.html).toContain('Customer &lt;b&gt;rescheduled&lt;/b&gt;');
      expect(cancel.parsed.html).not.toContain('<b>rescheduled</b>');
    });

    it('schedules a reminder 24 h before, and sends it only while the booking is confirmed and unmoved', async () => {
      const d = DateTime.fromISO(day).plus({ days: 25 }).toISODate()!;
      const m = marketers[44];
      const b = (await book(m, { repId: rep.id, startsAt: at('09:00', d) }).expect(201)).body;
      const [job] = await t.db.query(`SELECT start_after, data FROM pgboss.job WHERE name = 'booking.reminder' AND data->>'bookingId' = $1`, [b.id]);
      expect(new Date(job.start_after).toISOString()).toBe(DateTime.fromISO(at('09:00', d)).minus({ hours: 24 }).toUTC().toISO());
      const svc = t.app.get(BookingsService);
      await svc.sendReminder(b.id, 0);
      await svc.sendReminder(b.id, 0); // a retried job sends nothing twice
      await sink.waitFor(() => sink.to(m.email).some((x) => /^Tomorrow/.test(x.parsed.subject ?? '') && x.raw.includes(b.uid)));
      await t.http.post(`/api/v1/bookings/${b.id}/reschedule`).set(bearer(m.token)).send({ startsAt: at('10:00', d) }).expect(200);
      await svc.sendReminder(b.id, 0); // the old job after a move: stale sequence, nothing
      await t.http.post(`/api/v1/bookings/${b.id}/cancel`).set(bearer(m.token)).send({ reason: 'Off' }).expect(200);
      await svc.sendReminder(b.id, 1); // cancelled: nothing
      await new Promise((r) => setTimeout(r, 1500));
      const reminders = sink.to(m.email).filter((x) => /^Tomorrow/.test(x.parsed.subject ?? '') && x.raw.includes(b.uid));
      expect(reminders).toHaveLength(1);
    });
  });

  describe('authorisation and bad input', () => {
    it('lets only marketers (for themselves) and the lifecycle team (for a marketer) book', async () => {
      const before = await rowCount();
      await book(rep, { repId: rep2.id, startsAt: at('13:00') }).expect(403);
      await book(marketers[45], { repId: rep2.id, startsAt: at('13:00'), marketerId: marketers[46].id }).expect(403);
      const noMarketer = await t.http.post('/api/v1/bookings').set(bearer(t.adminToken)).send({ periodId, repId: rep2.id, startsAt: at('13:00') }).expect(400);
      expect(noMarketer.body.message).toContain('marketerId');
      await t.http.post('/api/v1/bookings').send({ periodId, repId: rep2.id, startsAt: at('13:00') }).expect(401);
      expect(await rowCount()).toBe(before);
      const forMarketer = await t.http.post('/api/v1/bookings').set(bearer(t.adminToken)).send({ periodId, repId: rep2.id, startsAt: at('13:00'), marketerId: marketers[46].id }).expect(201);
      expect(forMarketer.body.marketerId).toBe(marketers[46].id);
      await t.http.get(`/api/v1/bookings/${forMarketer.body.id}`).set(bearer(marketers[45].token)).expect(404);
      await t.http.get(`/api/v1/bookings/${forMarketer.body.id}`).set(bearer(rep2.token)).expect(200);
      const mine = await t.http.get('/api/v1/bookings?mine=true').set(bearer(marketers[46].token)).expect(200);
      expect(mine.body.bookings.map((x: { id: string }) => x.id)).toContain(forMarketer.body.id);
      expect(mine.body.bookings.every((x: { marketerId: string; repId: string }) => x.marketerId === marketers[46].id || x.repId === marketers[46].id)).toBe(true);
    });

    it.each([
      [{ repId: 'R', startsAt: '2027-13-01T09:00:00Z' }, 'startsAt'],
      [{ repId: 'R', startsAt: '2027-03-01' }, 'startsAt'],
      [{ repId: 'R', startsAt: '2027-03-01T09:00:00' }, 'startsAt'],
      [{ repId: 'nope', startsAt: '2027-03-01T09:00:00Z' }, 'repId'],
      [{ startsAt: '2027-03-01T09:00:00Z' }, 'repId'],
      [{ repId: 'R', startsAt: '2027-03-01T09:00:00Z', seats: 2 }, 'seats'],
    ])('answers 400 naming the field for %j and changes nothing', async (raw, field) => {
      const before = await rowCount();
      const body = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === 'R' ? rep.id : v]));
      const res = await book(marketers[47], body).expect(400);
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(await rowCount()).toBe(before);
    });

    it('answers 400 for malformed ids and 404 for unknown bookings on every route', async () => {
      for (const path of ['cancel', 'reschedule', 'attendance']) {
        await t.http.post(`/api/v1/bookings/xyz/${path}`).set(bearer(t.adminToken)).send({}).expect(400);
      }
      const ghost = '00000000-0000-4000-8000-000000000000';
      await t.http.post(`/api/v1/bookings/${ghost}/cancel`).set(bearer(t.adminToken)).send({ reason: 'x' }).expect(404);
      await t.http.post(`/api/v1/bookings/${ghost}/reschedule`).set(bearer(t.adminToken)).send({ startsAt: at('09:00') }).expect(404);
      await t.http.post(`/api/v1/bookings/${ghost}/attendance`).set(bearer(t.adminToken)).send({ outcome: 'completed' }).expect(404);
      await t.http.get(`/api/v1/bookings/${ghost}/invite.ics`).set(bearer(t.adminToken)).expect(404);
      const badKey = await book(marketers[47], { repId: rep.id, startsAt: at('09:00') }, 'bad key with spaces');
      expect(badKey.status).toBe(400);
      const unknownPeriod = await t.http.post('/api/v1/bookings').set(bearer(marketers[47].token)).send({ periodId: ghost, repId: rep.id, startsAt: at('09:00') }).expect(404);
      expect(unknownPeriod.body.details.field).toBe('periodId');
    });
  });
});
