import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { range } from '../src/web/kit/format.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { inputValue, webSession, WebSession } from './support/web.js';

const NY = 'America/New_York';

/** The text of the error shown next to field `name`, or undefined. */
function fieldErrorText(page: string, name: string): string | undefined {
  const id = `err-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const m = new RegExp(`<p class="field-error" id="${id}">([^<]*)</p>`).exec(page);
  return m?.[1];
}

/** Whether the input/select named `name` is marked invalid and tied to its error text. */
function isInvalid(page: string, name: string): boolean {
  const m = new RegExp(`<(?:input|select)[^>]*name="${name}"[^>]*>`).exec(page);
  return !!m && m[0].includes('aria-invalid="true"') && new RegExp(`aria-describedby="(?:[^"]* )?err-${name}(?: [^"]*)?"`).test(m[0]);
}

/** The HTML of one <section> by its heading text. */
function section(page: string, heading: string): string {
  const start = page.indexOf(`>${heading}</h2>`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const end = page.indexOf('</section>', start);
  return page.slice(start, end);
}

describe('rep pages (real app, real PostgreSQL)', () => {
  let t: TestApp;
  let programId: string;
  let periodId: string;
  let rep: Person;
  let rep2: Person;
  let marketer: Person;
  let s: WebSession;
  let s2: WebSession;
  const MARKETER_NAME = 'Mara Okafor';

  const weeklyRow = async (repId: string) => (await t.db.query(`SELECT time_zone, weekly FROM availability WHERE rep_id = $1`, [repId]))[0] as { time_zone: string; weekly: unknown[] } | undefined;
  const bookingRow = async (id: string) => (await t.db.query(`SELECT status, cancel_reason, no_show_party FROM bookings WHERE id = $1`, [id]))[0];
  const rosterStatus = async (id: string) => (await t.db.query(`SELECT status FROM roster_entries WHERE id = $1`, [id]))[0].status as string;
  const overrideRow = async (repId: string, date: string) =>
    (await t.db.query(`SELECT windows FROM availability_overrides WHERE rep_id = $1 AND on_date = $2`, [repId, date]))[0] as { windows: unknown[] } | undefined;

  beforeAll(async () => {
    t = await startTestApp();
    programId = await makeProgram(t, { minNoticeHours: 12, horizonDays: 28, repWeeklyCap: 50 });
    periodId = await makePeriod(t, programId, daysFromNow(-20), daysFromNow(40));
    rep = await makeUser(t, ['rep'], NY, { name: 'Rita Rep' });
    rep2 = await makeUser(t, ['rep'], 'UTC', { name: 'Other Rep' });
    marketer = await makeUser(t, ['marketer'], 'Europe/Berlin', { name: MARKETER_NAME });
    await rosterRep(t, periodId, rep);
    await rosterRep(t, periodId, rep2);
    await enrol(t, periodId, marketer);
    s = await webSession(t, rep.id);
    s2 = await webSession(t, rep2.id);
  });
  afterAll(async () => t.close());

  describe('roster invitations', () => {
    it('lists a pending invitation with program and dates, and Accept makes the entry active', async () => {
      const other = await t.http.post('/api/v1/programs').set(bearer(t.adminToken)).send({ name: 'Rep Life Spring', kind: 'call_shadowing', timeZone: 'UTC', settings: { periodCadence: 'none' } });
      const p2 = await makePeriod(t, other.body.id, daysFromNow(50), daysFromNow(80));
      const inv = await t.http.post(`/api/v1/periods/${p2}/roster`).set(bearer(t.adminToken)).send({ repId: rep.id }).expect(201);

      const home = await s.get('/rep').expect(200);
      const invitations = section(home.text, 'Roster invitations');
      expect(invitations).toContain('Rep Life Spring');
      expect(invitations).toContain(DateTime.fromISO(daysFromNow(50)).toFormat('ccc d LLL yyyy'));
      expect(invitations).toContain(`action="/rep/roster/${inv.body.id}"`);
      expect(invitations).toMatch(/<button type="submit">Accept<\/button>/);
      expect(invitations).toMatch(/>Decline<\/button>/);
      // The period the rep already works is listed separately.
      expect(section(home.text, 'Periods you are on')).toContain(DateTime.fromISO(daysFromNow(-20)).toFormat('ccc d LLL yyyy'));

      const res = await s.post(`/rep/roster/${inv.body.id}`, { status: 'active' }).expect(303);
      expect(res.header.location).toBe('/rep?notice=roster-accepted');
      expect(await rosterStatus(inv.body.id)).toBe('active');
      const after = await s.get(res.header.location).expect(200);
      expect(after.text).toContain('Invitation accepted.');
      expect(section(after.text, 'Roster invitations')).not.toContain('Rep Life Spring');
      expect(section(after.text, 'Periods you are on')).toContain('Rep Life Spring');
    });

    it('Decline makes the entry declined; a status other than accept/decline is a 400 that changes nothing', async () => {
      const other = await makeProgram(t);
      const p3 = await makePeriod(t, other, daysFromNow(5), daysFromNow(30));
      const inv = await t.http.post(`/api/v1/periods/${p3}/roster`).set(bearer(t.adminToken)).send({ repId: rep.id }).expect(201);

      const bad = await s.post(`/rep/roster/${inv.body.id}`, { status: 'removed' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('status must be active (accept) or declined (decline)');
      expect(await rosterStatus(inv.body.id)).toBe('invited');

      const res = await s.post(`/rep/roster/${inv.body.id}`, { status: 'declined' }).expect(303);
      expect(res.header.location).toBe('/rep?notice=roster-declined');
      expect(await rosterStatus(inv.body.id)).toBe('declined');
      const api = await t.http.get('/api/v1/roster?mine=true').set(bearer(rep.token)).expect(200);
      expect(api.body.entries.find((e: { id: string }) => e.id === inv.body.id).status).toBe('declined');
    });

    it("another rep's roster entry cannot be answered; a POST without _csrf is refused and changes nothing", async () => {
      const other = await makeProgram(t);
      const p4 = await makePeriod(t, other, daysFromNow(5), daysFromNow(30));
      const inv = await t.http.post(`/api/v1/periods/${p4}/roster`).set(bearer(t.adminToken)).send({ repId: rep.id }).expect(201);

      const foreign = await s2.post(`/rep/roster/${inv.body.id}`, { status: 'active' });
      expect(foreign.status).toBe(403);
      expect(await rosterStatus(inv.body.id)).toBe('invited');

      const noCsrf = await t.http.post(`/rep/roster/${inv.body.id}`).set('Cookie', s.cookie).set('Accept', 'text/html').type('form').send({ status: 'active' });
      expect(noCsrf.status).toBe(403);
      expect(await rosterStatus(inv.body.id)).toBe('invited');

      const notUuid = await s.post('/rep/roster/not-a-uuid', { status: 'active' });
      expect(notUuid.status).toBe(400);
    });
  });

  describe('weekly availability editor', () => {
    it('shows one labelled start/end per window row and the zone select defaulting to the rep zone', async () => {
      const page = await s.get('/rep/availability').expect(200);
      expect(page.text).toMatch(/<label for="f-timeZone">Time zone<\/label>/);
      expect(page.text).toMatch(new RegExp(`<option value="${NY}" selected>`));
      for (const [d, name] of [[1, 'Monday'], [7, 'Sunday']] as const) {
        for (const i of [1, 2, 3]) {
          expect(page.text).toContain(`<label for="f-w${d}_${i}_start">${name} window ${i} start</label>`);
          expect(page.text).toContain(`<label for="f-w${d}_${i}_end">${name} window ${i} end</label>`);
          expect(page.text).toMatch(new RegExp(`<input id="f-w${d}_${i}_start" name="w${d}_${i}_start" type="time"`));
        }
      }
      expect(page.text).toContain('<button type="submit">Save weekly availability</button>');
      expect(page.text).toContain('You have not published any availability yet');
    });

    it('saves the windows, pre-fills them, previews them, and marketers then see them as slots', async () => {
      const day = daysFromNow(5, NY);
      const wd = DateTime.fromISO(day).weekday;
      const res = await s.post('/rep/availability', {
        timeZone: NY,
        [`w${wd}_1_start`]: '09:00',
        [`w${wd}_1_end`]: '11:00',
        [`w${wd}_2_start`]: '13:00',
        [`w${wd}_2_end`]: '14:30',
      });
      expect(res.status).toBe(303);
      expect(res.header.location).toBe('/rep/availability?notice=weekly-saved');
      const row = await weeklyRow(rep.id);
      expect(row?.time_zone).toBe(NY);
      expect(row?.weekly).toEqual([
        { weekday: wd, start: '09:00', end: '11:00' },
        { weekday: wd, start: '13:00', end: '14:30' },
      ]);

      const page = await s.get(res.header.location).expect(200);
      expect(page.text).toContain('Weekly availability saved.');
      expect(inputValue(page.text, `w${wd}_1_start`)).toBe('09:00');
      expect(inputValue(page.text, `w${wd}_2_end`)).toBe('14:30');
      expect(inputValue(page.text, `w${wd}_3_start`)).toBe('');
      expect(section(page.text, 'Your next 7 days')).toContain('09:00–11:00');

      const slots = await t.http
        .get(`/api/v1/slots?periodId=${periodId}&from=${day}&to=${day}&repId=${rep.id}&timeZone=${encodeURIComponent(NY)}`)
        .set(bearer(marketer.token))
        .expect(200);
      const starts = slots.body.slots.map((x: { localStart: string }) => x.localStart.slice(11, 16));
      // 45-minute slots on a 15-minute grid inside 09:00–11:00 and 13:00–14:30 New York time.
      expect(starts).toEqual(['09:00', '09:15', '09:30', '09:45', '10:00', '10:15', '13:00', '13:15', '13:30', '13:45']);
      expect(slots.body.slots[0].localStart).toMatch(/^.{19}-0[45]:00$/);
    });

    it('end before start: 400, the error next to that end input, input kept, nothing saved', async () => {
      const before = await weeklyRow(rep.id);
      const res = await s.post('/rep/availability', { timeZone: NY, w2_1_start: '12:00', w2_1_end: '09:00', w4_1_start: '10:00', w4_1_end: '11:00' });
      expect(res.status).toBe(400);
      expect(isInvalid(res.text, 'w2_1_end')).toBe(true);
      expect(fieldErrorText(res.text, 'w2_1_end')).toContain('end (09:00) must be after start (12:00)');
      expect(isInvalid(res.text, 'w2_1_start')).toBe(false);
      expect(isInvalid(res.text, 'w4_1_end')).toBe(false);
      expect(inputValue(res.text, 'w2_1_start')).toBe('12:00');
      expect(inputValue(res.text, 'w4_1_start')).toBe('10:00');
      expect(res.text).toContain('class="error-summary"');
      expect(await weeklyRow(rep.id)).toEqual(before);
    });

    it('"25:00", a half-filled row, overlapping rows and a made-up zone each land on their own field', async () => {
      const before = await weeklyRow(rep.id);
      const res = await s.post('/rep/availability', {
        timeZone: 'Mars/Olympus',
        w3_2_start: '25:00',
        w3_2_end: '26:00',
        w5_1_start: '09:00',
        w6_1_start: '09:00',
        w6_1_end: '12:00',
        w6_2_start: '11:00',
        w6_2_end: '13:00',
      });
      expect(res.status).toBe(400);
      expect(isInvalid(res.text, 'timeZone')).toBe(true);
      expect(fieldErrorText(res.text, 'timeZone')).toContain('timeZone must be an IANA time zone');
      expect(isInvalid(res.text, 'w3_2_start')).toBe(true);
      expect(fieldErrorText(res.text, 'w3_2_start')).toContain('start must be a time from 00:00 to 23:59, not &quot;25:00&quot;');
      expect(isInvalid(res.text, 'w5_1_end')).toBe(true);
      expect(fieldErrorText(res.text, 'w5_1_end')).toContain('Give Friday window 1 an end time too');
      expect(isInvalid(res.text, 'w6_2_start')).toBe(true);
      expect(fieldErrorText(res.text, 'w6_2_start')).toContain('This window overlaps Saturday window 1 (09:00-12:00)');
      expect(isInvalid(res.text, 'w6_1_start')).toBe(false);
      expect(await weeklyRow(rep.id)).toEqual(before);
    });

    it('an end of 00:00 is saved as midnight (24:00) and shown as 00:00 again', async () => {
      const r2 = await makeUser(t, ['rep'], 'Asia/Kathmandu');
      const sr = await webSession(t, r2.id);
      await sr.post('/rep/availability', { timeZone: 'Asia/Kathmandu', w7_1_start: '22:00', w7_1_end: '00:00' }).expect(303);
      expect((await weeklyRow(r2.id))?.weekly).toEqual([{ weekday: 7, start: '22:00', end: '24:00' }]);
      const page = await sr.get('/rep/availability').expect(200);
      expect(inputValue(page.text, 'w7_1_end')).toBe('00:00');
      expect(page.text).toMatch(/<option value="Asia\/Kathmandu" selected>/);
    });

    it('keeps a saved window\'s label, call type and lead flag (set through the API) when the page saves', async () => {
      const r3 = await makeUser(t, ['rep'], 'UTC');
      await t.http
        .put(`/api/v1/reps/${r3.id}/availability`)
        .set(bearer(r3.token))
        .send({ timeZone: 'UTC', weekly: [{ weekday: 2, start: '09:00', end: '10:00', label: 'Demos', callType: 'demo', marketingSourced: true }, { weekday: 2, start: '11:00', end: '12:00' }] })
        .expect(200);
      const sr = await webSession(t, r3.id);
      const page = await sr.get('/rep/availability').expect(200);
      expect(inputValue(page.text, 'w2_1_label')).toBe('Demos');
      expect(page.text).toContain('Kept with this window:');
      // The rep moves the second window; the first keeps what the API gave it.
      await sr
        .post('/rep/availability', { timeZone: 'UTC', w2_1_start: '09:00', w2_1_end: '10:00', w2_1_label: 'Demos', w2_1_callType: 'demo', w2_1_marketingSourced: 'true', w2_2_start: '13:00', w2_2_end: '14:00' })
        .expect(303);
      expect((await weeklyRow(r3.id))?.weekly).toEqual([
        { weekday: 2, start: '09:00', end: '10:00', label: 'Demos', callType: 'demo', marketingSourced: true },
        { weekday: 2, start: '13:00', end: '14:00' },
      ]);
    });

    it('a POST without _csrf is refused and saves nothing', async () => {
      const before = await weeklyRow(rep.id);
      const res = await t.http
        .post('/rep/availability')
        .set('Cookie', s.cookie)
        .set('Accept', 'text/html')
        .type('form')
        .send({ timeZone: 'UTC', w1_1_start: '08:00', w1_1_end: '09:00' });
      expect(res.status).toBe(403);
      expect(await weeklyRow(rep.id)).toEqual(before);
    });
  });

  describe('date overrides', () => {
    it('adds an override with a labelled window (slots carry it), blocks a date, removes an override', async () => {
      const day = daysFromNow(8, NY);
      const res = await s.post('/rep/overrides', {
        date: day,
        o_1_start: '15:00',
        o_1_end: '16:00',
        o_1_label: 'Renewal calls',
        o_1_callType: 'renewal',
        o_1_marketingSourced: '1',
      });
      expect(res.status).toBe(303);
      expect(res.header.location).toBe('/rep/availability?notice=override-saved');
      expect((await overrideRow(rep.id, day))?.windows).toEqual([{ start: '15:00', end: '16:00', label: 'Renewal calls', callType: 'renewal', marketingSourced: true }]);
      const page = await s.get(res.header.location).expect(200);
      expect(page.text).toContain('Date override saved.');
      const list = section(page.text, 'Date overrides');
      expect(list).toContain(DateTime.fromISO(day).toFormat('ccc d LLL yyyy'));
      expect(list).toContain('Renewal calls');

      const slots = await t.http
        .get(`/api/v1/slots?periodId=${periodId}&from=${day}&to=${day}&repId=${rep.id}&timeZone=${encodeURIComponent(NY)}`)
        .set(bearer(marketer.token))
        .expect(200);
      expect(slots.body.slots.map((x: { localStart: string; label?: string }) => [x.localStart.slice(11, 16), x.label])).toEqual([
        ['15:00', 'Renewal calls'],
        ['15:15', 'Renewal calls'],
      ]);

      // A call booked in that window shows the window's label (kept with the booking) on the rep's home.
      const startsAt = DateTime.fromISO(`${day}T15:00`, { zone: NY });
      await t.http.post('/api/v1/bookings').set(bearer(marketer.token)).send({ periodId, repId: rep.id, startsAt: startsAt.toUTC().toISO() }).expect(201);
      const home = await s.get('/rep').expect(200);
      expect(section(home.text, 'Upcoming shadowed calls')).toMatch(/Call: Renewal calls <span class="badge">renewal<\/span>/);

      const blockDay = daysFromNow(9, NY);
      await s.post('/rep/overrides', { date: blockDay, blocked: '1' }).expect(303);
      expect((await overrideRow(rep.id, blockDay))?.windows).toEqual([]);
      const page2 = await s.get('/rep/availability').expect(200);
      expect(section(page2.text, 'Date overrides')).toContain('Not available that day');

      const del = await s.post(`/rep/overrides/${blockDay}/delete`).expect(303);
      expect(del.header.location).toBe('/rep/availability?notice=override-removed');
      expect(await overrideRow(rep.id, blockDay)).toBeUndefined();
      expect(await overrideRow(rep.id, day)).toBeDefined();
      const again = await s.post(`/rep/overrides/${blockDay}/delete`);
      expect(again.status).toBe(404);
    });

    it('bad override input shows errors next to the fields and saves nothing', async () => {
      const day = daysFromNow(10, NY);
      const both = await s.post('/rep/overrides', { date: day, blocked: '1', o_1_start: '09:00', o_1_end: '10:00' });
      expect(both.status).toBe(400);
      expect(isInvalid(both.text, 'blocked')).toBe(true);
      expect(fieldErrorText(both.text, 'blocked')).toContain('not both');
      expect(inputValue(both.text, 'o_1_start')).toBe('09:00');

      const backwards = await s.post('/rep/overrides', { date: day, o_2_start: '11:00', o_2_end: '10:00' });
      expect(backwards.status).toBe(400);
      expect(isInvalid(backwards.text, 'o_2_end')).toBe(true);
      expect(fieldErrorText(backwards.text, 'o_2_end')).toContain('must be after start');

      const outside = await s.post('/rep/overrides', { date: daysFromNow(200, NY), blocked: '1' });
      expect(outside.status).toBe(400);
      expect(isInvalid(outside.text, 'date')).toBe(true);
      expect(fieldErrorText(outside.text, 'date')).toContain('outside every period');

      const noDate = await s.post('/rep/overrides', { o_1_start: '09:00', o_1_end: '10:00' });
      expect(noDate.status).toBe(400);
      expect(fieldErrorText(noDate.text, 'date')).toContain('Give the date');

      expect(await overrideRow(rep.id, day)).toBeUndefined();
      expect(await overrideRow(rep.id, daysFromNow(200, NY))).toBeUndefined();
    });
  });

  describe('upcoming calls, cancelling, attendance', () => {
    it("shows who is coming, in the rep's zone; an empty reason is an error next to the reason field; a reason cancels", async () => {
      const startsAt = DateTime.utc().plus({ days: 3 }).set({ hour: 17, minute: 0, second: 0, millisecond: 0 });
      const endsAt = startsAt.plus({ minutes: 45 });
      const id = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: startsAt.toISO()!, endsAt: endsAt.toISO()! });

      const home = await s.get('/rep').expect(200);
      const upcoming = section(home.text, 'Upcoming shadowed calls');
      expect(upcoming).toContain(`id="call-${id}"`);
      expect(upcoming).toContain(MARKETER_NAME);
      expect(upcoming).toContain(range(startsAt.toJSDate(), endsAt.toJSDate(), NY));
      expect(upcoming).toContain(`action="/rep/bookings/${id}/cancel"`);
      expect(upcoming).toContain('Reason for cancelling');
      expect(section(home.text, 'Calls to mark')).not.toContain(id);

      const empty = await s.post(`/rep/bookings/${id}/cancel`, { reason: '   ' });
      expect(empty.status).toBe(400);
      expect(isInvalid(empty.text, 'reason')).toBe(true);
      expect(fieldErrorText(empty.text, 'reason')).toBe('Give a reason for cancelling; the marketer sees it');
      expect((await bookingRow(id)).status).toBe('confirmed');

      const ok = await s.post(`/rep/bookings/${id}/cancel`, { reason: 'Customer moved the call' }).expect(303);
      expect(ok.header.location).toBe('/rep?notice=booking-cancelled');
      expect(await bookingRow(id)).toMatchObject({ status: 'cancelled', cancel_reason: 'Customer moved the call' });
      const after = await s.get(ok.header.location).expect(200);
      expect(after.text).toContain('Call cancelled.');
      expect(section(after.text, 'Upcoming shadowed calls')).not.toContain(id);
    });

    it('marks a past call done from the page, which opens the observation form; a no-show opens none', async () => {
      const startsAt = DateTime.utc().minus({ hours: 2 }).startOf('minute');
      const id = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: startsAt.toISO()!, endsAt: startsAt.plus({ minutes: 45 }).toISO()! });
      const id2 = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: startsAt.minus({ days: 1 }).toISO()!, endsAt: startsAt.minus({ days: 1 }).plus({ minutes: 45 }).toISO()! });

      const home = await s.get('/rep').expect(200);
      const toMark = section(home.text, 'Calls to mark');
      expect(toMark).toContain(`id="mark-${id}"`);
      expect(toMark).toContain(MARKETER_NAME);
      expect(toMark).toContain('>Mark done</button>');
      expect(toMark).toContain('>Customer did not show</button>');
      expect(section(home.text, 'Upcoming shadowed calls')).not.toContain(id);

      const bad = await s.post(`/rep/bookings/${id}/attendance`, { outcome: 'partly' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('outcome must be one of the following values');
      expect((await bookingRow(id)).status).toBe('confirmed');

      const done = await s.post(`/rep/bookings/${id}/attendance`, { outcome: 'completed' }).expect(303);
      expect(done.header.location).toBe('/rep?notice=attendance-completed');
      const shown = await s.get(done.header.location).expect(200);
      expect(shown.text).toContain('Marked as done. The marketer&#39;s observation form is now open.');
      expect(section(shown.text, 'Calls to mark')).not.toContain(id);
      expect((await bookingRow(id)).status).toBe('completed');
      const obs = await t.db.query(`SELECT author_id FROM observations WHERE booking_id = $1`, [id]);
      expect(obs).toEqual([{ author_id: marketer.id }]);

      const ns = await s.post(`/rep/bookings/${id2}/attendance`, { outcome: 'customer_no_show' }).expect(303);
      expect(ns.header.location).toBe('/rep?notice=attendance-no-show');
      expect(await bookingRow(id2)).toMatchObject({ status: 'no_show', no_show_party: 'customer' });
      expect(await t.db.query(`SELECT id FROM observations WHERE booking_id = $1`, [id2])).toEqual([]);

      expect(section((await s.get('/rep').expect(200)).text, 'Calls to mark')).not.toContain(id2);
    });

    it('attendance before the call starts is refused with the reason in its row', async () => {
      const startsAt = DateTime.utc().plus({ days: 2 }).startOf('hour');
      const id = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: startsAt.toISO()!, endsAt: startsAt.plus({ minutes: 45 }).toISO()! });
      const res = await s.post(`/rep/bookings/${id}/attendance`, { outcome: 'completed' });
      expect(res.status).toBe(409);
      expect(res.text).toContain('Attendance can be marked once the session has started');
      expect((await bookingRow(id)).status).toBe('confirmed');
    });

    it("another rep's booking is 404 on the page routes and stays as it was", async () => {
      const past = DateTime.utc().minus({ hours: 5 }).startOf('minute');
      const id = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: past.toISO()!, endsAt: past.plus({ minutes: 45 }).toISO()! });
      expect((await s2.post(`/rep/bookings/${id}/attendance`, { outcome: 'completed' })).status).toBe(404);
      expect((await s2.post(`/rep/bookings/${id}/cancel`, { reason: 'Not mine' })).status).toBe(404);
      expect((await bookingRow(id)).status).toBe('confirmed');
      const home2 = await s2.get('/rep').expect(200);
      expect(home2.text).not.toContain(id);
      expect((await s.post('/rep/bookings/nope/cancel', { reason: 'x' })).status).toBe(400);
    });
  });

  describe('authorisation', () => {
    it('a marketer-only or lifecycle-only user gets 403 on rep pages; no session goes to sign-in', async () => {
      const ms = await webSession(t, marketer.id);
      expect((await ms.get('/rep')).status).toBe(403);
      expect((await ms.get('/rep/availability')).status).toBe(403);
      const post = await ms.post('/rep/availability', { timeZone: 'UTC', w1_1_start: '09:00', w1_1_end: '10:00' });
      expect(post.status).toBe(403);
      expect(await weeklyRow(marketer.id)).toBeUndefined();

      const lc = await makeUser(t, ['lifecycle']);
      const ls = await webSession(t, lc.id);
      expect((await ls.get('/rep')).status).toBe(403);

      const anon = await t.http.get('/rep/availability').set('Accept', 'text/html');
      expect(anon.status).toBe(303);
      expect(anon.header.location).toBe('/sign-in?next=%2Frep%2Favailability');
    });
  });
});
