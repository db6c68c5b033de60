import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import type { ParsedMail } from 'mailparser';
import type { EntityManager } from 'typeorm';
import { CustomerCallsService } from '../src/customer-calls/customer-calls.service.js';
import type { CalendarChanges } from '../src/customer-calls/reconcile.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { googleFeed } from './support/feed-server.js';
import { IcsServer } from './support/ics-server.js';
import { SmtpSink } from './support/smtp.js';

/** The iCalendar part of an email, read with ical.js (an independent parser). */
function inviteOf(mail: { parsed: ParsedMail }) {
  const part = (mail.parsed as unknown as { attachments: { contentType: string; content: Buffer }[] }).attachments.find((a) => a.contentType.startsWith('text/calendar'));
  const cal = new ICAL.Component(ICAL.parse(part!.content.toString()));
  const ev = cal.getFirstSubcomponent('vevent')!;
  const event = new ICAL.Event(ev);
  return {
    method: cal.getFirstPropertyValue('method'),
    uid: event.uid,
    sequence: event.sequence,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
  };
}

interface EventRow {
  title?: string;
  startsAt: string;
  endsAt: string;
  attendees?: string[];
  busy?: boolean;
  allDay?: boolean;
}

describe('customer calls (HTTP, real PostgreSQL, real SMTP)', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  let periodId: string;
  let rep: Person;
  let rep2: Person;
  let ruleRep: Person;
  let marketers: Person[];
  let connection: string;
  let day: DateTime; // ten days ahead, 00:00 UTC
  const at = (hour: number, minute = 0, d = 0) => day.plus({ days: d, hours: hour, minutes: minute }).toUTC().toISO()!;
  const iso = (s: string) => new Date(s).toISOString();

  /** A calendar event row, as the sync writes it (attendees lower-case, outside the rep). */
  async function insertEvent(e: EventRow, repId = rep.id, conn = connection): Promise<string> {
    const [row] = await t.db.query(
      `INSERT INTO calendar_events (connection_id, rep_id, uid, starts_at, ends_at, all_day, busy, title, attendees)
       VALUES ($1, $2, gen_random_uuid()::text || '@calendar.test', $3, $4, $5, $6, $7, $8) RETURNING id`,
      [conn, repId, e.startsAt, e.endsAt, e.allDay ?? false, e.busy ?? true, e.title ?? 'ACME renewal', e.attendees ?? ['cfo@acme.test', 'bob@example.com']],
    );
    return row.id;
  }

  async function insertConnection(repId: string): Promise<string> {
    const [row] = await t.db.query(`INSERT INTO calendar_connections (rep_id, kind, host, secret) VALUES ($1, 'ics', 'calendar.test', 'sealed-by-the-test') RETURNING id`, [repId]);
    return row.id;
  }

  /** A booking on an opened customer call (as the booking path writes it). */
  async function bookOnCall(callId: string, marketer: Person, startsAt: string, endsAt: string, seat = 1, repId = rep.id): Promise<{ id: string; uid: string }> {
    const [row] = await t.db.query(
      `INSERT INTO bookings (period_id, rep_id, marketer_id, starts_at, ends_at, status, uid, sequence, seat, seats_allowed, customer_call_id)
       VALUES ($1, $2, $3, $4, $5, 'confirmed', 'booking-' || gen_random_uuid() || '@ridealong', 0, $6, 2, $7) RETURNING id, uid`,
      [periodId, repId, marketer.id, startsAt, endsAt, seat, callId],
    );
    return row;
  }

  async function booking(id: string) {
    const [row] = await t.db.query(`SELECT starts_at, ends_at, status, uid, sequence, cancel_reason, customer_call_id FROM bookings WHERE id = $1`, [id]);
    return { ...row, starts_at: row.starts_at.toISOString(), ends_at: row.ends_at.toISOString() };
  }

  /** What the sync does: new times on the row, then reconcile in the same transaction (removed rows deleted after). */
  async function sync(changes: Partial<CalendarChanges>, repId = rep.id): Promise<void> {
    const full: CalendarChanges = { moved: [], removed: [], added: [], ...changes };
    await t.db.transaction(async (m: EntityManager) => {
      for (const mv of full.moved) {
        await m.query(`UPDATE calendar_events SET starts_at = $2, ends_at = $3 WHERE id = $1`, [mv.eventId, mv.to.startsAt.toISOString(), mv.to.endsAt.toISOString()]);
      }
      await t.app.get(CustomerCallsService).reconcile(m, repId, full);
      for (const r of full.removed) await m.query(`DELETE FROM calendar_events WHERE id = $1`, [r.eventId]);
    });
  }

  const list = (who: Person | string, query: Record<string, string> = {}) =>
    t.http
      .get('/api/v1/me/customer-calls')
      .query(query)
      .set(bearer(typeof who === 'string' ? who : who.token));
  const open = (who: Person | string, id: string, body: Record<string, unknown> = {}) =>
    t.http
      .post(`/api/v1/customer-calls/${id}/open`)
      .set(bearer(typeof who === 'string' ? who : who.token))
      .send(body);
  const close = (who: Person | string, id: string) =>
    t.http
      .post(`/api/v1/customer-calls/${id}/close`)
      .set(bearer(typeof who === 'string' ? who : who.token))
      .send({});
  const mailTo = (p: Person, uid: string, subject: RegExp) => sink.to(p.email).filter((x) => subject.test(x.parsed.subject ?? '') && x.raw.includes(uid));

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5' });
    const programId = await makeProgram(t, { minNoticeHours: 1, horizonDays: 60, seatsPerCall: 2, repWeeklyCap: 50, sameRepLimit: 50, quota: 50 });
    periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(80));
    rep = await makeUser(t, ['rep'], 'Europe/Berlin');
    rep2 = await makeUser(t, ['rep'], 'UTC');
    ruleRep = await makeUser(t, ['rep'], 'UTC');
    for (const r of [rep, rep2, ruleRep]) await rosterRep(t, periodId, r);
    marketers = [];
    for (let i = 0; i < 4; i++) {
      const mk = await makeUser(t, ['marketer'], i % 2 ? 'America/New_York' : 'UTC');
      await enrol(t, periodId, mk);
      marketers.push(mk);
    }
    connection = await insertConnection(rep.id);
    day = DateTime.utc().plus({ days: 10 }).startOf('day');
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('documents its routes in /docs-json', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/me/customer-calls', '/api/v1/customer-calls/{id}/open', '/api/v1/customer-calls/{id}/close', '/api/v1/me/customer-call-rule', '/api/v1/organisation']),
    );
    expect(Object.keys(doc.components.schemas.CustomerCallDto.properties)).toEqual(expect.arrayContaining(['state', 'bookedBy', 'externalAttendees', 'label']));
    expect(doc.components.schemas.CustomerCallDto.properties).not.toHaveProperty('attendees');
  });

  describe('the list and who sees it', () => {
    let call: string;
    beforeAll(async () => {
      call = await insertEvent({ title: 'ACME renewal (CFO: Jane Roe)', startsAt: at(14), endsAt: at(15) });
      await insertEvent({ title: 'Team stand-up', startsAt: at(9), endsAt: at(9, 15), attendees: ['amy@example.com', 'Ben@EU.Example.COM'] });
      await insertEvent({ title: 'Declined pitch', startsAt: at(10), endsAt: at(11), busy: false });
      await insertEvent({ title: 'Trade fair', startsAt: at(0), endsAt: at(0, 0, 1), allDay: true });
      await insertEvent({ title: 'Yesterday', startsAt: DateTime.utc().minus({ days: 1 }).toISO()!, endsAt: DateTime.utc().minus({ days: 1 }).plus({ hours: 1 }).toISO()! });
    });

    it('shows the rep their upcoming meetings with someone outside the company, closed, with a count of outside attendees and no addresses', async () => {
      const res = await list(rep).expect(200);
      expect(res.body.calls).toEqual([
        {
          id: call,
          repId: rep.id,
          startsAt: iso(at(14)),
          endsAt: iso(at(15)),
          title: 'ACME renewal (CFO: Jane Roe)',
          state: 'closed',
          label: null,
          callType: null,
          marketingSourced: null,
          openedAt: null,
          bookedBy: [],
          externalAttendees: 1,
        },
      ]);
      expect(res.text).not.toContain('cfo@acme.test');
      const ranged = await list(rep, { from: day.toISODate()!, to: day.toISODate()! }).expect(200);
      expect(ranged.body.calls.map((c: { id: string }) => c.id)).toEqual([call]);
      expect((await list(rep, { from: day.plus({ days: 1 }).toISODate()! }).expect(200)).body.calls).toEqual([]);
    });

    it('lets the lifecycle team read a rep’s calls with ?repId; other reps and marketers get 404', async () => {
      const res = await list(t.adminToken, { repId: rep.id }).expect(200);
      expect(res.body.calls.map((c: { id: string }) => c.id)).toEqual([call]);
      await list(rep2, { repId: rep.id }).expect(404);
      await list(marketers[0], { repId: rep.id }).expect(404);
      expect((await list(rep2).expect(200)).body.calls).toEqual([]);
      await list(marketers[0]).expect(403);
      await open(rep2, call).expect(404);
      await open(marketers[0], call).expect(404);
      await close(marketers[0], call).expect(404);
      expect((await t.db.query(`SELECT opened_at FROM calendar_events WHERE id = $1`, [call]))[0].opened_at).toBeNull();
    });

    it('refuses bad queries with a 400 naming the field', async () => {
      expect((await list(rep, { from: 'yesterday' }).expect(400)).body.message).toContain('from');
      expect((await list(rep, { from: day.plus({ days: 2 }).toISODate()!, to: day.toISODate()! }).expect(400)).body.message).toContain('to');
      expect((await list(t.adminToken, { repId: 'nope' }).expect(400)).body.message).toContain('repId');
      expect((await list(t.adminToken).expect(400)).body.message).toContain('repId');
    });
  });

  describe('open and close', () => {
    it('opens a call with the event’s title as the label by default; a second open changes what is given', async () => {
      const id = await insertEvent({ title: 'Globex discovery', startsAt: at(16, 0, 1), endsAt: at(16, 45, 1) });
      const opened = await open(rep, id).expect(200);
      expect(opened.body).toMatchObject({ id, state: 'open', label: 'Globex discovery', callType: null, marketingSourced: null });
      expect(opened.body.openedAt).toEqual(expect.any(String));
      const again = await open(t.adminToken, id, { callType: 'discovery', marketingSourced: true }).expect(200);
      expect(again.body).toMatchObject({ state: 'open', label: 'Globex discovery', callType: 'discovery', marketingSourced: true });
      const relabel = await open(rep, id, { label: '  Mid-market discovery  ' }).expect(200);
      expect(relabel.body.label).toBe('Mid-market discovery');
      const [row] = await t.db.query(`SELECT opened_by FROM calendar_events WHERE id = $1`, [id]);
      expect(row.opened_by).toBe(rep.id);
    });

    it('refuses to open what is not an upcoming customer call the rep attends (409 with the reason)', async () => {
      const internal = await insertEvent({ title: 'Planning', startsAt: at(11, 0, 2), endsAt: at(12, 0, 2), attendees: ['amy@EXAMPLE.COM'] });
      const declined = await insertEvent({ startsAt: at(13, 0, 2), endsAt: at(14, 0, 2), busy: false });
      const allDay = await insertEvent({ startsAt: at(0, 0, 3), endsAt: at(0, 0, 4), allDay: true });
      const past = await insertEvent({ startsAt: DateTime.utc().minus({ hours: 2 }).toISO()!, endsAt: DateTime.utc().minus({ hours: 1 }).toISO()! });
      for (const [id, reason] of [
        [internal, 'not_customer_call'],
        [declined, 'not_attending'],
        [allDay, 'all_day'],
        [past, 'started'],
      ]) {
        const res = await open(rep, id).expect(409);
        expect(res.body).toMatchObject({ code: 'invalid_state', details: { reason } });
      }
      const opened = await t.db.query(`SELECT id FROM calendar_events WHERE id = ANY($1::uuid[]) AND opened_at IS NOT NULL`, [[internal, declined, allDay, past]]);
      expect(opened).toEqual([]);
    });

    it('refuses bad input with a 400 naming the field, and unknown calls with 404', async () => {
      const id = await insertEvent({ startsAt: at(9, 0, 4), endsAt: at(10, 0, 4) });
      expect((await open(rep, id, { label: '' }).expect(400)).body.message).toContain('label');
      expect((await open(rep, id, { label: 'x'.repeat(101) }).expect(400)).body.message).toContain('label');
      expect((await open(rep, id, { label: null }).expect(400)).body.message).toContain('label');
      expect((await open(rep, id, { marketingSourced: 'yes' }).expect(400)).body.message).toContain('marketingSourced');
      expect((await open(rep, id, { callType: 'y'.repeat(51) }).expect(400)).body.message).toContain('callType');
      expect((await open(rep, id, { attendees: ['x@y.z'] }).expect(400)).body.message).toContain('attendees');
      expect((await open(rep, 'not-a-uuid').expect(400)).body.message).toContain('id');
      await open(rep, '00000000-0000-4000-8000-000000000000').expect(404);
      expect((await t.db.query(`SELECT opened_at FROM calendar_events WHERE id = $1`, [id]))[0].opened_at).toBeNull();
    });

    it('an opened call appears in /slots at its exact times with its label (never the attendees); a marketer books it; closed, it is gone', async () => {
      const id = await insertEvent({ title: 'Wonka renewal', startsAt: at(17, 10, 10), endsAt: at(18, 5, 10), attendees: ['ceo@wonka.test', 'cfo@wonka.test'] });
      const slots = async () =>
        (await t.http.get('/api/v1/slots').query({ periodId, repId: rep.id, from: day.plus({ days: 10 }).toISODate()!, to: day.plus({ days: 10 }).toISODate()!, timeZone: 'UTC' }).set(bearer(marketers[2].token)).expect(200));
      expect((await slots()).body.slots).toEqual([]); // closed: only busy time
      await open(rep, id, { callType: 'renewal', marketingSourced: true }).expect(200);
      const res = await slots();
      expect(res.body.slots).toEqual([
        expect.objectContaining({ repId: rep.id, startsAt: iso(at(17, 10, 10)), endsAt: iso(at(18, 5, 10)), capacityLeft: 2, label: 'Wonka renewal', callType: 'renewal', marketingSourced: true, customerCallId: id }),
      ]);
      expect(res.text).not.toMatch(/wonka\.test/);
      const booked = await t.http.post('/api/v1/bookings').set(bearer(marketers[2].token)).send({ periodId, repId: rep.id, startsAt: iso(at(17, 10, 10)) }).expect(201);
      expect(booked.body).toMatchObject({ customerCallId: id, startsAt: iso(at(17, 10, 10)), endsAt: iso(at(18, 5, 10)), label: 'Wonka renewal' });
      expect(JSON.stringify(booked.body)).not.toMatch(/wonka\.test/);
      const call = (await list(rep, { from: day.plus({ days: 10 }).toISODate()!, to: day.plus({ days: 10 }).toISODate()! }).expect(200)).body.calls[0];
      expect(call).toMatchObject({ id, state: 'booked', externalAttendees: 2, bookedBy: [{ bookingId: booked.body.id, marketerId: marketers[2].id }] });
      await t.http.post(`/api/v1/bookings/${booked.body.id}/cancel`).set(bearer(marketers[2].token)).send({ reason: 'Changed plans' }).expect(200);
      await close(rep, id).expect(200);
      expect((await slots()).body.slots).toEqual([]);
    });

    it('shows who booked an opened call, refuses to close it while booked (409), and closes it once free', async () => {
      const id = await insertEvent({ title: 'Initech QBR', startsAt: at(15, 0, 5), endsAt: at(16, 0, 5) });
      await open(rep, id).expect(200);
      const b = await bookOnCall(id, marketers[0], at(15, 0, 5), at(16, 0, 5));
      const listed = (await list(rep, { from: day.plus({ days: 5 }).toISODate()!, to: day.plus({ days: 5 }).toISODate()! }).expect(200)).body.calls;
      const row = listed.find((c: { id: string }) => c.id === id);
      expect(row).toMatchObject({ state: 'booked', bookedBy: [{ bookingId: b.id, marketerId: marketers[0].id, marketerName: expect.any(String) }] });
      const refused = await close(rep, id).expect(409);
      expect(refused.body).toMatchObject({ code: 'invalid_state', details: { reason: 'booked', bookingIds: [b.id] } });
      await t.http.post(`/api/v1/bookings/${b.id}/cancel`).set(bearer(marketers[0].token)).send({ reason: 'Cannot make it' }).expect(200);
      const closed = await close(rep, id).expect(200);
      expect(closed.body).toMatchObject({ state: 'closed', label: null, openedAt: null, bookedBy: [] });
      await close(rep, id).expect(200); // closing a closed call changes nothing
    });
  });

  describe('the standing rule', () => {
    let ruleConnection: string;
    beforeAll(async () => {
      ruleConnection = await insertConnection(ruleRep.id);
    });

    it('is off until set; only reps set it, and bad input is a 400 naming the field', async () => {
      expect((await t.http.get('/api/v1/me/customer-call-rule').set(bearer(ruleRep.token)).expect(200)).body).toEqual({ enabled: false, keyword: null, callType: null, marketingSourced: null });
      await t.http.put('/api/v1/me/customer-call-rule').set(bearer(marketers[0].token)).send({ enabled: true }).expect(403);
      expect((await t.http.put('/api/v1/me/customer-call-rule').set(bearer(ruleRep.token)).send({ keyword: 'demo' }).expect(400)).body.message).toContain('enabled');
      expect((await t.http.put('/api/v1/me/customer-call-rule').set(bearer(ruleRep.token)).send({ enabled: true, keyword: '' }).expect(400)).body.message).toContain('keyword');
      expect((await t.http.put('/api/v1/me/customer-call-rule').set(bearer(ruleRep.token)).send({ enabled: 'yes' }).expect(400)).body.message).toContain('enabled');
    });

    it('opens new customer calls a sync brings whose title holds the keyword (any case), with the rule’s call type', async () => {
      const put = await t.http.put('/api/v1/me/customer-call-rule').set(bearer(ruleRep.token)).send({ enabled: true, keyword: 'Demo', callType: 'demo', marketingSourced: true }).expect(200);
      expect(put.body).toEqual({ enabled: true, keyword: 'Demo', callType: 'demo', marketingSourced: true, openedNow: 0 });
      const demo = await insertEvent({ title: 'ACME product DEMO', startsAt: at(10, 0, 6), endsAt: at(11, 0, 6) }, ruleRep.id, ruleConnection);
      const other = await insertEvent({ title: 'ACME renewal', startsAt: at(12, 0, 6), endsAt: at(13, 0, 6) }, ruleRep.id, ruleConnection);
      const internal = await insertEvent({ title: 'Internal demo dry run', startsAt: at(14, 0, 6), endsAt: at(15, 0, 6), attendees: ['amy@example.com'] }, ruleRep.id, ruleConnection);
      await sync({ added: [demo, other, internal] }, ruleRep.id);
      const calls = (await list(ruleRep).expect(200)).body.calls;
      expect(calls.map((c: { id: string; state: string }) => [c.id, c.state])).toEqual([
        [demo, 'open'],
        [other, 'closed'],
      ]);
      // No label: the rep has not seen this title on a form, and titles often name the customer.
      expect(calls[0]).toMatchObject({ title: 'ACME product DEMO', label: null, callType: 'demo', marketingSourced: true });
      expect((await t.db.query(`SELECT opened_by, opened_at FROM calendar_events WHERE id = $1`, [demo]))[0]).toMatchObject({ opened_by: null, opened_at: expect.any(Date) });

      // Without a keyword it opens every customer call, the ones already there included.
      const every = await t.http.put('/api/v1/me/customer-call-rule').set(bearer(ruleRep.token)).send({ enabled: true }).expect(200);
      expect(every.body.openedNow).toBe(1);
      expect((await list(ruleRep).expect(200)).body.calls.map((c: { state: string }) => c.state)).toEqual(['open', 'open']);
      // Switched off, a new call stays closed.
      await t.http.put('/api/v1/me/customer-call-rule').set(bearer(ruleRep.token)).send({ enabled: false }).expect(200);
      const later = await insertEvent({ title: 'Late demo', startsAt: at(16, 0, 6), endsAt: at(17, 0, 6) }, ruleRep.id, ruleConnection);
      await sync({ added: [later] }, ruleRep.id);
      expect((await t.db.query(`SELECT opened_at FROM calendar_events WHERE id = $1`, [later]))[0].opened_at).toBeNull();
    });
  });

  describe('when the calendar changes', () => {
    it('moves the booking with the event: same UID, higher SEQUENCE, METHOD:REQUEST to both, the waitlist follows', async () => {
      const from = { startsAt: new Date(at(9, 0, 7)), endsAt: new Date(at(10, 0, 7)) };
      const to = { startsAt: new Date(at(11, 30, 7)), endsAt: new Date(at(12, 45, 7)) };
      const id = await insertEvent({ title: 'Umbrella renewal', startsAt: at(9, 0, 7), endsAt: at(10, 0, 7) });
      await open(rep, id).expect(200);
      const mk = marketers[1];
      // Booked through the booking path, as a marketer does.
      const b = (await t.http.post('/api/v1/bookings').set(bearer(mk.token)).send({ periodId, repId: rep.id, startsAt: iso(at(9, 0, 7)) }).expect(201)).body as { id: string; uid: string };
      expect(await booking(b.id)).toMatchObject({ customer_call_id: id, sequence: 0, ends_at: iso(at(10, 0, 7)) });
      const [w] = await t.db.query(`INSERT INTO waitlist_entries (period_id, rep_id, marketer_id, starts_at) VALUES ($1, $2, $3, $4) RETURNING id`, [periodId, rep.id, marketers[2].id, at(9, 0, 7)]);

      await sync({ moved: [{ eventId: id, from, to }] });

      expect(await booking(b.id)).toMatchObject({ status: 'confirmed', uid: b.uid, sequence: 1, starts_at: to.startsAt.toISOString(), ends_at: to.endsAt.toISOString(), customer_call_id: id });
      const [wait] = await t.db.query(`SELECT status, starts_at FROM waitlist_entries WHERE id = $1`, [w.id]);
      expect(wait).toMatchObject({ status: 'waiting', starts_at: to.startsAt });
      for (const who of [mk, rep]) {
        await sink.waitFor(() => mailTo(who, b.uid, /^Moved/).length > 0);
        const mail = mailTo(who, b.uid, /^Moved/)[0];
        expect(mail.raw).toMatch(/text\/calendar;[^\n]*method=REQUEST/i);
        expect(inviteOf(mail)).toEqual({ method: 'REQUEST', uid: b.uid, sequence: 1, start: to.startsAt.toISOString(), end: to.endsAt.toISOString() });
      }
      const listed = (await list(rep, { from: day.plus({ days: 7 }).toISODate()!, to: day.plus({ days: 7 }).toISODate()! }).expect(200)).body.calls;
      expect(listed.find((c: { id: string }) => c.id === id)).toMatchObject({ state: 'booked', startsAt: to.startsAt.toISOString() });
    });

    it('cancels the booking with a reason naming the clash when the call moves onto the marketer’s other booking, and tells them (METHOD:CANCEL)', async () => {
      const mk = marketers[3]; // America/New_York
      const from = { startsAt: new Date(at(9, 0, 8)), endsAt: new Date(at(10, 0, 8)) };
      const to = { startsAt: new Date(at(13, 0, 8)), endsAt: new Date(at(14, 0, 8)) };
      const id = await insertEvent({ title: 'Hooli pilot', startsAt: at(9, 0, 8), endsAt: at(10, 0, 8) });
      await open(rep, id).expect(200);
      const b = await bookOnCall(id, mk, at(9, 0, 8), at(10, 0, 8));
      // The marketer's other commitment at the new time: a session with rep2.
      await t.db.query(
        `INSERT INTO bookings (period_id, rep_id, marketer_id, starts_at, ends_at, status, uid) VALUES ($1, $2, $3, $4, $5, 'confirmed', 'booking-' || gen_random_uuid() || '@ridealong')`,
        [periodId, rep2.id, mk.id, at(13, 30, 8), at(14, 15, 8)],
      );

      await sync({ moved: [{ eventId: id, from, to }] });

      const after = await booking(b.id);
      expect(after).toMatchObject({ status: 'cancelled', uid: b.uid, sequence: 1, starts_at: from.startsAt.toISOString() });
      const rep2Name = (await t.db.query(`SELECT name FROM users WHERE id = $1`, [rep2.id]))[0].name;
      expect(after.cancel_reason).toContain(`when you are booked to shadow ${rep2Name}'s call`);
      expect(after.cancel_reason).toContain('(America/New_York)');
      await sink.waitFor(() => mailTo(mk, b.uid, /^Cancelled/).length > 0 && mailTo(rep, b.uid, /^Cancelled/).length > 0);
      const told = mailTo(mk, b.uid, /^Cancelled/)[0];
      expect(told.raw).toMatch(/method=CANCEL/i);
      expect(told.parsed.text).toContain(`booked to shadow ${rep2Name}'s call`);
      expect(inviteOf(told)).toMatchObject({ method: 'CANCEL', uid: b.uid, sequence: 1 });
      expect(mailTo(mk, b.uid, /^Moved/)).toEqual([]);
    });

    it('cancels the booking when the call moves onto another shadowed call of the rep', async () => {
      const from = { startsAt: new Date(at(9, 0, 14)), endsAt: new Date(at(10, 0, 14)) };
      const to = { startsAt: new Date(at(12, 0, 14)), endsAt: new Date(at(13, 0, 14)) };
      const id = await insertEvent({ startsAt: at(9, 0, 14), endsAt: at(10, 0, 14) });
      await open(rep, id).expect(200);
      const b = await bookOnCall(id, marketers[1], at(9, 0, 14), at(10, 0, 14));
      await t.db.query(
        `INSERT INTO bookings (period_id, rep_id, marketer_id, starts_at, ends_at, status, uid) VALUES ($1, $2, $3, $4, $5, 'confirmed', 'booking-' || gen_random_uuid() || '@ridealong')`,
        [periodId, rep.id, marketers[2].id, at(12, 30, 14), at(13, 15, 14)],
      );
      await sync({ moved: [{ eventId: id, from, to }] });
      const after = await booking(b.id);
      expect(after).toMatchObject({ status: 'cancelled', sequence: 1 });
      expect(after.cancel_reason).toMatch(/when another shadowed call is booked with them$/);
    });

    it('cancels the booking when the call moves onto the marketer’s support shift', async () => {
      const mk = marketers[0];
      const from = { startsAt: new Date(at(9, 0, 9)), endsAt: new Date(at(10, 0, 9)) };
      const to = { startsAt: new Date(at(10, 30, 9)), endsAt: new Date(at(11, 30, 9)) };
      const id = await insertEvent({ startsAt: at(9, 0, 9), endsAt: at(10, 0, 9) });
      await open(rep, id).expect(200);
      const b = await bookOnCall(id, mk, at(9, 0, 9), at(10, 0, 9));
      const rotation = await makeProgram(t, {}, 'UTC', 'support_rotation');
      const rp = await makePeriod(t, rotation, daysFromNow(0), daysFromNow(80));
      const [{ id: templateId }] = await t.db.query(
        `INSERT INTO shift_templates (program_id, weekday, start_time, end_time, time_zone, queue, capacity) VALUES ($1, 1, '10:00', '12:00', 'UTC', 'billing', 2) RETURNING id`,
        [rotation],
      );
      const d = day.plus({ days: 9 }).toISODate()!;
      await t.db.query(
        `INSERT INTO shift_assignments (period_id, template_id, shift_key, shift_date, starts_at, ends_at, marketer_id, uid) VALUES ($1, $2, $3, $4, $5, $6, $7, 'shift-test-' || gen_random_uuid())`,
        [rp, templateId, `${templateId}@${d}`, d, at(10, 0, 9), at(12, 0, 9), mk.id],
      );

      await sync({ moved: [{ eventId: id, from, to }] });

      const after = await booking(b.id);
      expect(after.status).toBe('cancelled');
      expect(after.cancel_reason).toContain('during your support shift (billing)');
      await sink.waitFor(() => mailTo(mk, b.uid, /^Cancelled/).length > 0);
    });

    it('cancels every booking (METHOD:CANCEL to each) and clears the waitlist when the event is removed', async () => {
      const id = await insertEvent({ title: 'Soylent kickoff', startsAt: at(15, 0, 11), endsAt: at(16, 0, 11) });
      await open(rep, id).expect(200);
      const first = await bookOnCall(id, marketers[0], at(15, 0, 11), at(16, 0, 11), 1);
      const second = await bookOnCall(id, marketers[1], at(15, 0, 11), at(16, 0, 11), 2);
      const [w] = await t.db.query(`INSERT INTO waitlist_entries (period_id, rep_id, marketer_id, starts_at) VALUES ($1, $2, $3, $4) RETURNING id`, [periodId, rep.id, marketers[2].id, at(15, 0, 11)]);

      await sync({ removed: [{ eventId: id, startsAt: new Date(at(15, 0, 11)), endsAt: new Date(at(16, 0, 11)) }] });

      for (const [b, mk] of [
        [first, marketers[0]],
        [second, marketers[1]],
      ] as const) {
        const after = await booking(b.id);
        expect(after).toMatchObject({ status: 'cancelled', sequence: 1, customer_call_id: null });
        expect(after.cancel_reason).toMatch(/customer call was cancelled or removed from their calendar/);
        await sink.waitFor(() => mailTo(mk, b.uid, /^Cancelled/).length > 0 && mailTo(rep, b.uid, /^Cancelled/).length > 0);
        const mail = mailTo(mk, b.uid, /^Cancelled/)[0];
        expect(mail.raw).toMatch(/method=CANCEL/i);
        expect(inviteOf(mail)).toMatchObject({ method: 'CANCEL', uid: b.uid, sequence: 1 });
      }
      expect((await t.db.query(`SELECT status FROM waitlist_entries WHERE id = $1`, [w.id]))[0].status).toBe('expired');
    });

    it('cancels the booking and closes the call when the rep declines the meeting', async () => {
      const id = await insertEvent({ startsAt: at(9, 0, 12), endsAt: at(10, 0, 12) });
      await open(rep, id).expect(200);
      const b = await bookOnCall(id, marketers[2], at(9, 0, 12), at(10, 0, 12));
      await t.db.query(`UPDATE calendar_events SET busy = false WHERE id = $1`, [id]);
      await sync({});
      const after = await booking(b.id);
      expect(after.status).toBe('cancelled');
      expect(after.cancel_reason).toMatch(/no longer attends this customer call/);
      expect((await t.db.query(`SELECT opened_at FROM calendar_events WHERE id = $1`, [id]))[0].opened_at).toBeNull();
      await sink.waitFor(() => mailTo(marketers[2], b.uid, /^Cancelled/).length > 0);
    });

    it('leaves a session that has begun alone when its event moves or goes', async () => {
      const started = { startsAt: DateTime.utc().minus({ minutes: 10 }).toISO()!, endsAt: DateTime.utc().plus({ minutes: 50 }).toISO()! };
      const id = await insertEvent(started);
      await t.db.query(`UPDATE calendar_events SET opened_at = now() WHERE id = $1`, [id]);
      const b = await bookOnCall(id, marketers[3], started.startsAt, started.endsAt);
      const to = { startsAt: new Date(Date.now() + 3_600_000), endsAt: new Date(Date.now() + 7_200_000) };
      await sync({ moved: [{ eventId: id, from: { startsAt: new Date(started.startsAt), endsAt: new Date(started.endsAt) }, to }] });
      expect(await booking(b.id)).toMatchObject({ status: 'confirmed', sequence: 0 });
      await sync({ removed: [{ eventId: id, ...to }] });
      expect(await booking(b.id)).toMatchObject({ status: 'confirmed', sequence: 0 });
    });
  });

  describe('through a real feed and the sync route', () => {
    const feeds = new IcsServer();
    beforeAll(() => feeds.start());
    afterAll(() => feeds.stop());

    it('the standing rule opens a new customer call; a move in the feed moves its booking (same UID, SEQUENCE 1, Moved with METHOD:REQUEST)', async () => {
      const feedRep = await makeUser(t, ['rep'], 'UTC');
      await rosterRep(t, periodId, feedRep);
      await t.http.put('/api/v1/me/customer-call-rule').set(bearer(feedRep.token)).send({ enabled: true, callType: 'prospect' }).expect(200);
      const start = day.plus({ days: 15, hours: 13 });
      const call = { uid: 'acme-call-1@google.com', start, end: start.plus({ minutes: 50 }), summary: 'Acme intro', organizer: feedRep.email, attendees: ['Buyer@ACME-corp.test'] };
      const internal = { uid: 'standup@google.com', start: start.minus({ hours: 3 }), end: start.minus({ hours: 2 }), summary: 'Stand-up', attendees: ['amy@example.com'] };
      const url = feeds.set('/ical/secret-f/basic.ics', googleFeed('Feed rep', [call, internal]));
      const conn = await t.http.post('/api/v1/me/calendar-connections').set(bearer(feedRep.token)).send({ kind: 'ics', url }).expect(201);
      const window = { from: start.toISODate()!, to: start.toISODate()! };
      const [listed] = (await list(feedRep, window).expect(200)).body.calls;
      expect(listed).toMatchObject({ title: 'Acme intro', state: 'open', label: null, callType: 'prospect', externalAttendees: 1 });
      const mk = marketers[0];
      const booked = await t.http.post('/api/v1/bookings').set(bearer(mk.token)).send({ periodId, repId: feedRep.id, startsAt: start.toISO() }).expect(201);
      expect(booked.body.customerCallId).toBe(listed.id);

      const later = { ...call, start: start.plus({ hours: 2 }), end: start.plus({ hours: 2, minutes: 50 }) };
      feeds.set('/ical/secret-f/basic.ics', googleFeed('Feed rep', [later, internal]));
      await t.http.post(`/api/v1/calendar-connections/${conn.body.id}/sync`).set(bearer(feedRep.token)).expect(200);
      expect(await booking(booked.body.id)).toMatchObject({ status: 'confirmed', uid: booked.body.uid, sequence: 1, starts_at: later.start.toUTC().toISO(), customer_call_id: listed.id });
      await sink.waitFor(() => mailTo(mk, booked.body.uid, /^Moved/).length > 0 && mailTo(feedRep, booked.body.uid, /^Moved/).length > 0);
      expect(inviteOf(mailTo(mk, booked.body.uid, /^Moved/)[0])).toMatchObject({ method: 'REQUEST', sequence: 1, start: later.start.toUTC().toISO() });
    });

    it('a booked customer call the rep then marks free in their calendar: the booking is cancelled and the call closed', async () => {
      const feedRep = await makeUser(t, ['rep'], 'UTC');
      await rosterRep(t, periodId, feedRep);
      const start = day.plus({ days: 16, hours: 13 });
      const later = { uid: 'acme-call-2@google.com', start, end: start.plus({ minutes: 50 }), summary: 'Acme follow-up', organizer: feedRep.email, attendees: ['buyer@acme-corp.test'] };
      const internal = { uid: 'standup-2@google.com', start: start.minus({ hours: 3 }), end: start.minus({ hours: 2 }), summary: 'Stand-up', attendees: ['amy@example.com'] };
      const url = feeds.set('/ical/secret-g/basic.ics', googleFeed('Feed rep', [later, internal]));
      const conn = await t.http.post('/api/v1/me/calendar-connections').set(bearer(feedRep.token)).send({ kind: 'ics', url }).expect(201);
      const window = { from: start.toISODate()!, to: start.toISODate()! };
      const [listed] = (await list(feedRep, window).expect(200)).body.calls;
      await open(feedRep, listed.id).expect(200);
      const mk = marketers[1];
      const booked = await t.http.post('/api/v1/bookings').set(bearer(mk.token)).send({ periodId, repId: feedRep.id, startsAt: start.toISO() }).expect(201);

      feeds.set('/ical/secret-g/basic.ics', googleFeed('Feed rep', [{ ...later, transparent: true }, internal]));
      await t.http.post(`/api/v1/calendar-connections/${conn.body.id}/sync`).set(bearer(feedRep.token)).expect(200);
      const after = await booking(booked.body.id);
      expect(after).toMatchObject({ status: 'cancelled', sequence: 1 });
      expect(after.cancel_reason).toMatch(/no longer attends this customer call/);
      expect((await list(feedRep, window).expect(200)).body.calls).toEqual([]);
      await sink.waitFor(() => mailTo(mk, booked.body.uid, /^Cancelled/).length > 0);
      expect(inviteOf(mailTo(mk, booked.body.uid, /^Cancelled/)[0])).toMatchObject({ method: 'CANCEL', uid: booked.body.uid, sequence: 1 });
    });
  });

  describe('the company’s domains', () => {
    const org = (who: Person | string) => t.http.get('/api/v1/organisation').set(bearer(typeof who === 'string' ? who : who.token));
    const putOrg = (who: Person | string, body: unknown) =>
      t.http
        .put('/api/v1/organisation')
        .set(bearer(typeof who === 'string' ? who : who.token))
        .send(body as object);

    it('default to ADMIN_EMAIL’s domain; the lifecycle team edits them, reps read them, marketers neither', async () => {
      expect((await org(rep).expect(200)).body).toMatchObject({ companyDomains: ['example.com'], source: 'default', defaultCompanyDomains: ['example.com'] });
      await org(marketers[0]).expect(403);
      await putOrg(rep, { companyDomains: ['example.com'] }).expect(403);
      await putOrg(marketers[0], { companyDomains: ['example.com'] }).expect(403);
      expect((await org(t.adminToken).expect(200)).body.source).toBe('default');
    });

    it('match ignoring case: a partner’s domain added in capitals stops its meetings being customer calls', async () => {
      const partner = await insertEvent({ title: 'Partner sync', startsAt: at(9, 0, 13), endsAt: at(10, 0, 13), attendees: ['ceo@partner.io'] });
      const window = { from: day.plus({ days: 13 }).toISODate()!, to: day.plus({ days: 13 }).toISODate()! };
      expect((await list(rep, window).expect(200)).body.calls.map((c: { id: string }) => c.id)).toEqual([partner]);

      const put = await putOrg(t.adminToken, { companyDomains: [' Example.COM ', 'PARTNER.io', 'partner.IO'] }).expect(200);
      expect(put.body).toMatchObject({ companyDomains: ['example.com', 'partner.io'], source: 'organisation' });
      expect((await org(rep).expect(200)).body.companyDomains).toEqual(['example.com', 'partner.io']);
      expect((await list(rep, window).expect(200)).body.calls).toEqual([]);
      expect((await open(rep, partner).expect(409)).body.details.reason).toBe('not_customer_call');

      const reset = await putOrg(t.adminToken, { companyDomains: null }).expect(200);
      expect(reset.body).toMatchObject({ companyDomains: ['example.com'], source: 'default' });
      expect((await list(rep, window).expect(200)).body.calls.map((c: { id: string }) => c.id)).toEqual([partner]);
    });

    it('refuses bad domains with a 400 naming the field, and changes nothing', async () => {
      const cases: [unknown, string][] = [
        [{ companyDomains: ['not a domain'] }, 'companyDomains[0]'],
        [{ companyDomains: ['example.com', 'user@example.com'] }, 'companyDomains[1]'],
        [{ companyDomains: ['localhost'] }, 'companyDomains[0]'],
        [{ companyDomains: 'example.com' }, 'companyDomains'],
        [{ companyDomains: [42] }, 'companyDomains'],
        [{}, 'companyDomains'],
        [{ companyDomains: ['example.com'], extra: 1 }, 'extra'],
      ];
      for (const [body, field] of cases) {
        const res = await putOrg(t.adminToken, body).expect(400);
        expect(res.body.message).toContain(field);
      }
      expect((await org(t.adminToken).expect(200)).body).toMatchObject({ companyDomains: ['example.com'], source: 'default' });
    });
  });
});
