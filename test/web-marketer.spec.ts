import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { inputValue, webSession, type WebSession } from './support/web.js';

const ZONE = 'Europe/Berlin';
const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The form holding the button named `button`: its action and hidden fields (what a browser would post). */
function formWith(page: string, button: string): { action: string; fields: Record<string, string> } {
  const forms = page.match(/<form[\s\S]*?<\/form>/g) ?? [];
  const found = forms.find((f) => f.includes(`>${button}</button>`));
  if (!found) throw new Error(`no form with the button "${button}"`);
  const fields: Record<string, string> = {};
  for (const m of found.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]] = decode(m[2]);
  // A named submit button sends its own value (the week view's slot buttons do).
  const pressed = [...found.matchAll(/<button type="submit" name="([^"]+)" value="([^"]*)"([^>]*)>([^<]*)<\/button>/g)].find((m) => decode(m[4]) === button);
  if (pressed) fields[pressed[1]] = decode(pressed[2]);
  // A button's formaction overrides the form's action (the week view's waitlist buttons).
  const formaction = pressed && /formaction="([^"]+)"/.exec(pressed[3]);
  return { action: decode(formaction ? formaction[1] : /action="([^"]+)"/.exec(found)![1]), fields };
}

/** The day column of a week page headed `heading` ("Wednesday 9 December"). */
function dayColumn(page: string, heading: string): string {
  const column = page.split('<section class="day"').find((c) => c.includes(`>${heading}</h3>`));
  if (!column) throw new Error(`no day column "${heading}"`);
  return column.split('</section>')[0];
}

/** The accessible names of every slot button on a week page. */
const slotButtons = (page: string, verb = 'Book') => [...page.matchAll(new RegExp(`<button type="submit"[^>]*>(${verb} [^<]+)</button>`, 'g'))].map((m) => m[1]);

describe('marketer pages: week view, booking, waitlist, cancel, reschedule, attendance, quota, calendar', () => {
  let t: TestApp;
  let periodId: string;
  let repA: Person; // America/New_York: Wednesday 09:00 discovery (marketing-sourced), Thursday 09:00 renewal
  let repB: Person; // Asia/Kolkata: Wednesday 14:00, no metadata
  let nameA: string;
  let nameB: string;
  /** Mondays (in the marketer's zone) at least ten days ahead, one week per flow so flows do not meet. */
  let weeks: DateTime[];

  const nameOf = async (id: string) => (await t.db.query(`SELECT name FROM users WHERE id = $1`, [id]))[0].name as string;
  const marketer = async (quota?: number) => {
    const m = await makeUser(t, ['marketer'], ZONE);
    await enrol(t, periodId, m, quota);
    return { m, s: await webSession(t, m.id) };
  };
  /** The slot of a rep's weekly window on the given weekday of `monday`'s week, as instants and as the marketer sees it. */
  const slotOf = (monday: DateTime, weekday: number, repZone: string, hm: string) => {
    const date = monday.plus({ days: weekday - 1 }).toISODate()!;
    const start = DateTime.fromISO(`${date}T${hm}`, { zone: repZone });
    const end = start.plus({ minutes: 45 });
    return {
      startsAt: start.toUTC().toISO()!,
      local: `${start.setZone(ZONE).toFormat('HH:mm')}–${end.setZone(ZONE).toFormat('HH:mm')}`,
      dayHeading: start.setZone(ZONE).toFormat('cccc d LLLL'),
    };
  };
  const weekUrl = (monday: DateTime, extra: Record<string, string> = {}) =>
    `/marketer/slots?${new URLSearchParams({ periodId, week: monday.toISODate()!, ...extra })}`;
  const bookingsOf = async (marketerId: string) =>
    (await t.db.query(`SELECT id, status, rep_id, starts_at, cancel_reason FROM bookings WHERE marketer_id = $1 ORDER BY created_at`, [marketerId])) as {
      id: string;
      status: string;
      rep_id: string;
      starts_at: Date;
      cancel_reason: string | null;
    }[];
  const apiBook = async (who: Person, repId: string, startsAt: string) => {
    const res = await t.http.post('/api/v1/bookings').set(bearer(who.token)).send({ periodId, repId, startsAt });
    if (res.status !== 201) throw new Error(`book: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };

  beforeAll(async () => {
    t = await startTestApp();
    const programId = await makeProgram(t, { minNoticeHours: 12, horizonDays: 60, seatsPerCall: 1, repWeeklyCap: 50, sameRepLimit: 50, quota: 5, cancelNoticeHours: 24 });
    periodId = await makePeriod(t, programId, daysFromNow(-5), daysFromNow(80));
    repA = await makeUser(t, ['rep'], 'America/New_York');
    repB = await makeUser(t, ['rep'], 'Asia/Kolkata');
    for (const r of [repA, repB]) await rosterRep(t, periodId, r);
    await t.http
      .put(`/api/v1/reps/${repA.id}/availability`)
      .set(bearer(repA.token))
      .send({
        timeZone: 'America/New_York',
        weekly: [
          { weekday: 3, start: '09:00', end: '09:45', label: 'Inbound demos', callType: 'discovery', marketingSourced: true },
          { weekday: 4, start: '09:00', end: '09:45', callType: 'renewal' },
        ],
      })
      .expect(200);
    await t.http
      .put(`/api/v1/reps/${repB.id}/availability`)
      .set(bearer(repB.token))
      .send({ timeZone: 'Asia/Kolkata', weekly: [{ weekday: 3, start: '14:00', end: '14:45' }] })
      .expect(200);
    nameA = await nameOf(repA.id);
    nameB = await nameOf(repB.id);
    const first = DateTime.now().setZone(ZONE).plus({ days: 10 }).startOf('week').plus({ weeks: 1 });
    weeks = [0, 1, 2, 3, 4, 5].map((i) => first.plus({ weeks: i }));
  });
  afterAll(async () => t.close());

  describe('the week view', () => {
    it("lists each rep's slot at the marketer's local time, in seven day columns headed by day", async () => {
      const { s } = await marketer();
      const wed = slotOf(weeks[0], 3, 'America/New_York', '09:00');
      const thu = slotOf(weeks[0], 4, 'America/New_York', '09:00');
      const b = slotOf(weeks[0], 3, 'Asia/Kolkata', '14:00');
      const res = await s.get(weekUrl(weeks[0])).expect(200);
      expect(res.text).toContain(`Times in ${ZONE}`);
      expect(res.text).toContain('<div class="week">');
      expect(res.text.match(/<section class="day"/g)).toHaveLength(7);
      expect(res.text).toContain(`>${weeks[0].toFormat('cccc d LLLL')}</h3>`);
      expect(res.text).toContain(`>${wed.dayHeading}</h3>`);
      expect(res.text).toContain('No open slots'); // Monday has none
      expect(slotButtons(res.text).sort()).toEqual([`Book ${b.local} with ${nameB}`, `Book ${thu.local} with ${nameA}`, `Book ${wed.local} with ${nameA}`].sort());
      // 09:00 in New York, shown in Berlin's time (15:00 on most dates; Luxon decides, not the test).
      expect(wed.local).not.toMatch(/^09:00/);
      // The Wednesday slot sits in the Wednesday column, with its label and call type next to the button.
      const wedColumn = res.text.split('<section class="day"')[3];
      expect(wedColumn).toContain(`Book ${wed.local} with ${nameA}`);
      expect(wedColumn).toContain('Inbound demos · discovery · marketing-sourced lead');
      // The day's booking form carries the period and a fresh page key; the button names the slot.
      const f = formWith(res.text, `Book ${wed.local} with ${nameA}`);
      expect(f.action).toBe('/marketer/bookings');
      expect(f.fields).toMatchObject({ periodId, slot: `${repA.id} ${new Date(wed.startsAt).toISOString()}` });
      expect(f.fields.pageKey).toMatch(/^[0-9a-f-]{36}$/);
      // Filters: labels, and the current period chosen by default.
      for (const label of ['Period', 'Week of', 'Rep', 'Call type']) expect(res.text).toContain(`>${label}</label>`);
      expect(res.text).toContain('Marketing-sourced leads only');
      expect(res.text).toContain('<option value="">Any rep</option>');
      expect(res.text).toContain('<option value="">Any call type</option>');
      expect(res.text).toMatch(/<option value="discovery">discovery<\/option>/);
      const noPeriod = await s.get('/marketer/slots').expect(200);
      expect(noPeriod.text).toContain(`<option value="${periodId}" selected>`);
    });

    it('normalises "Week of" to the Monday and links the previous and next weeks', async () => {
      const { s } = await marketer();
      const res = await s.get(weekUrl(weeks[0].plus({ days: 3 }))).expect(200);
      expect(inputValue(res.text, 'week')).toBe(weeks[0].toISODate());
      expect(res.text).toContain(`Week of ${weeks[0].toFormat('cccc d LLLL yyyy')}`);
      const next = decode(/<a href="([^"]+)">Next week<\/a>/.exec(res.text)![1]);
      expect(new URL(next, t.url).searchParams.get('week')).toBe(weeks[1].toISODate());
      const prev = decode(/<a href="([^"]+)">Previous week<\/a>/.exec(res.text)![1]);
      expect(new URL(prev, t.url).searchParams.get('week')).toBe(weeks[0].minus({ weeks: 1 }).toISODate());
    });

    it('narrows the list by rep, call type and marketing-sourced leads', async () => {
      const { s } = await marketer();
      const wed = slotOf(weeks[0], 3, 'America/New_York', '09:00');
      const thu = slotOf(weeks[0], 4, 'America/New_York', '09:00');
      const b = slotOf(weeks[0], 3, 'Asia/Kolkata', '14:00');
      expect(slotButtons((await s.get(weekUrl(weeks[0], { repId: repB.id })).expect(200)).text)).toEqual([`Book ${b.local} with ${nameB}`]);
      const byRepA = await s.get(weekUrl(weeks[0], { repId: repA.id })).expect(200);
      expect(slotButtons(byRepA.text)).toEqual([`Book ${wed.local} with ${nameA}`, `Book ${thu.local} with ${nameA}`]);
      expect(byRepA.text).toContain(`<option value="${repA.id}" selected>${nameA}</option>`);
      expect(slotButtons((await s.get(weekUrl(weeks[0], { callType: 'renewal' })).expect(200)).text)).toEqual([`Book ${thu.local} with ${nameA}`]);
      expect(slotButtons((await s.get(weekUrl(weeks[0], { marketingSourced: 'true' })).expect(200)).text)).toEqual([`Book ${wed.local} with ${nameA}`]);
      expect(slotButtons((await s.get(weekUrl(weeks[0], { callType: 'renewal', marketingSourced: 'true' })).expect(200)).text)).toEqual([]);
    });

    it('names the field of a bad filter with a 400, and offers only periods the marketer is enrolled in', async () => {
      const { s } = await marketer();
      const bad = await s.get(weekUrl(weeks[0], { week: 'next tuesday' })).expect(400);
      expect(bad.text).toMatch(/<p class="field-error" id="err-week">Week of must be a date/);
      expect(bad.text).toMatch(/<input id="f-week" name="week" type="date" value="next tuesday" aria-invalid="true"/);
      const badRep = await s.get(weekUrl(weeks[0], { repId: 'nobody' })).expect(400);
      expect(badRep.text).toContain('repId must be a UUID');
      const otherProgram = await makeProgram(t);
      const otherPeriod = await makePeriod(t, otherProgram, daysFromNow(0), daysFromNow(30));
      const notMine = await s.get(`/marketer/slots?periodId=${otherPeriod}`).expect(400);
      expect(notMine.text).toMatch(/id="err-periodId">Period must be one you are enrolled in/);
      expect(slotButtons(notMine.text)).toEqual([]);
    });
  });

  describe('booking', () => {
    it('books from the page exactly once; the slot then disappears; a stale page gets a 409 and can join the waitlist', async () => {
      const { m: m1, s: s1 } = await marketer();
      const { m: m3, s: s3 } = await marketer();
      const wed = slotOf(weeks[0], 3, 'America/New_York', '09:00');
      const button = `Book ${wed.local} with ${nameA}`;
      const stale = formWith(dayColumn((await s3.get(weekUrl(weeks[0])).expect(200)).text, wed.dayHeading), button);

      const f = formWith(dayColumn((await s1.get(weekUrl(weeks[0])).expect(200)).text, wed.dayHeading), button);
      const res = await s1.post(f.action, f.fields).expect(303);
      expect(res.header.location).toBe('/marketer?notice=booked');
      const rows = await bookingsOf(m1.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'confirmed', rep_id: repA.id });
      expect(rows[0].starts_at.toISOString()).toBe(new Date(wed.startsAt).toISOString());
      const home = await s1.get(res.header.location).expect(200);
      expect(home.text).toContain('Booked. The invite is in your email.');
      expect(home.text).toContain(`with ${nameA}`);
      expect(home.text).toContain(`href="/marketer/bookings/${rows[0].id}/reschedule">Reschedule</a>`);
      const wedAfter = (who: WebSession) => who.get(weekUrl(weeks[0])).expect(200).then((r) => dayColumn(r.text, wed.dayHeading));
      expect(await wedAfter(s1)).not.toContain(button);
      // The booker sees the session in its day of the week view, in their own zone; the other marketer does not.
      expect(await wedAfter(s1)).toContain(`Your session ${wed.local} with ${nameA}`);
      expect(await wedAfter(s3)).not.toContain('Your session');
      expect(await wedAfter(s3)).not.toContain(button);
      // The full call stays in the week for others, to wait for; not for the marketer who holds the seat.
      const fullButton = `Join the waitlist: ${wed.local} with ${nameA} (full)`;
      expect(await wedAfter(s3)).toContain(fullButton);
      expect(await wedAfter(s1)).not.toContain(fullButton);
      const { m: m4, s: s4 } = await marketer();
      const wait = formWith(await wedAfter(s4), fullButton);
      expect(wait.action).toBe('/marketer/waitlist');
      expect((await s4.post(wait.action, wait.fields).expect(303)).header.location).toBe('/marketer?notice=waitlisted');
      const [waiting] = await t.db.query(`SELECT status, rep_id, starts_at FROM waitlist_entries WHERE marketer_id = $1`, [m4.id]);
      expect(waiting).toMatchObject({ status: 'waiting', rep_id: repA.id });
      expect(waiting.starts_at.toISOString()).toBe(new Date(wed.startsAt).toISOString());
      expect(await wedAfter(s4)).toContain(`Full: ${wed.local} with ${nameA}. You are on the waitlist.`);
      expect(await wedAfter(s4)).not.toContain(fullButton);
      expect(slotButtons(await wedAfter(s3))).toEqual([`Book ${slotOf(weeks[0], 3, 'Asia/Kolkata', '14:00').local} with ${nameB}`]);

      // Someone who loaded the page before gets the week again with the reason and the waitlist.
      const taken = await s3.post(stale.action, stale.fields).expect(409);
      expect(taken.text).toContain('class="error-summary"');
      expect(taken.text).toContain('Every seat on this call is taken');
      expect(taken.text).toContain(`Week of ${weeks[0].toFormat('cccc d LLLL yyyy')}`); // the same week again
      expect(await bookingsOf(m3.id)).toHaveLength(0);
      const join = formWith(taken.text, 'Join the waitlist for this time');
      expect(join.action).toBe('/marketer/waitlist');
      const joined = await s3.post(join.action, join.fields).expect(303);
      expect(joined.header.location).toBe('/marketer?notice=waitlisted');
      const [entry] = await t.db.query(`SELECT id, status, rep_id, starts_at FROM waitlist_entries WHERE marketer_id = $1`, [m3.id]);
      expect(entry).toMatchObject({ status: 'waiting', rep_id: repA.id });
      expect(entry.starts_at.toISOString()).toBe(new Date(wed.startsAt).toISOString());
      const home3 = await s3.get(joined.header.location).expect(200);
      expect(home3.text).toContain('You are on the waitlist.');
      expect(home3.text).toContain(`with ${nameA}`);
      // Leaving the waitlist.
      const leave = formWith(home3.text, 'Leave');
      expect(leave.action).toBe(`/marketer/waitlist/${entry.id}/leave`);
      expect((await s3.post(leave.action, leave.fields).expect(303)).header.location).toBe('/marketer?notice=left');
      expect((await t.db.query(`SELECT status FROM waitlist_entries WHERE id = $1`, [entry.id]))[0].status).toBe('left');
    });

    it('ten marketers pressing the same slot at once: one is booked, nine see the week again with the reason', async () => {
      const thu = slotOf(weeks[1], 4, 'America/New_York', '09:00');
      const people = await Promise.all(Array.from({ length: 10 }, () => marketer()));
      const forms = await Promise.all(
        people.map(async ({ s }) => formWith(dayColumn((await s.get(weekUrl(weeks[1])).expect(200)).text, thu.dayHeading), `Book ${thu.local} with ${nameA}`)),
      );
      const answers = await Promise.all(people.map(({ s }, i) => s.post(forms[i].action, forms[i].fields)));
      expect(answers.map((r) => r.status).sort()).toEqual([303, ...Array(9).fill(409)]);
      for (const r of answers.filter((x) => x.status === 409)) expect(r.text).toContain('Every seat on this call is taken');
      const rows = await t.db.query(`SELECT marketer_id FROM bookings WHERE rep_id = $1 AND starts_at = $2 AND status = 'confirmed'`, [repA.id, thu.startsAt]);
      expect(rows).toHaveLength(1);
      expect(people[answers.findIndex((r) => r.status === 303)].m.id).toBe(rows[0].marketer_id);
    });

    it('the same form posted twice (same idempotency key) books once', async () => {
      const { m, s } = await marketer();
      const b = slotOf(weeks[1], 3, 'Asia/Kolkata', '14:00');
      const f = formWith((await s.get(weekUrl(weeks[1])).expect(200)).text, `Book ${b.local} with ${nameB}`);
      const first = await s.post(f.action, f.fields).expect(303);
      const second = await s.post(f.action, f.fields).expect(303);
      expect(first.header.location).toBe('/marketer?notice=booked');
      expect(second.header.location).toBe('/marketer?notice=booked');
      const rows = await bookingsOf(m.id);
      expect(rows).toHaveLength(1);
      expect(rows[0].rep_id).toBe(repB.id);
    });

    it('a full quota is a 409 with the reason, and the week says so', async () => {
      const { m, s } = await marketer(1);
      const wed = slotOf(weeks[4], 3, 'America/New_York', '09:00');
      const thu = slotOf(weeks[4], 4, 'America/New_York', '09:00');
      const page = (await s.get(weekUrl(weeks[4])).expect(200)).text;
      const later = formWith(dayColumn(page, thu.dayHeading), `Book ${thu.local} with ${nameA}`);
      const first = formWith(dayColumn(page, wed.dayHeading), `Book ${wed.local} with ${nameA}`);
      expect(later.fields.slot).toBe(`${repA.id} ${new Date(thu.startsAt).toISOString()}`);
      expect(later.fields.pageKey).toBe(first.fields.pageKey); // one page, two slots: two bookings, not a replay
      await s.post(first.action, first.fields).expect(303);
      const full = await s.post(later.action, later.fields).expect(409);
      expect(full.text).toContain("The marketer&#39;s quota for this period is reached");
      expect(full.text).not.toContain('Join the waitlist for this time');
      expect(full.text).toContain('You have reached your quota of 1 session in this period');
      expect(slotButtons(full.text)).toEqual([]);
      expect(await bookingsOf(m.id)).toHaveLength(1);
    });

    it('a bad slot in the form is a 400 naming the field and books nothing', async () => {
      const { m, s } = await marketer();
      const res = await s.post('/marketer/bookings', { periodId, repId: repA.id, startsAt: 'tomorrow', idempotencyKey: 'k1' }).expect(400);
      expect(res.text).toContain('startsAt must be an instant with an offset');
      expect(await bookingsOf(m.id)).toHaveLength(0);
    });
  });

  describe('one booking', () => {
    it('cancelling needs a reason (400 next to the field); with one it cancels', async () => {
      const { m, s } = await marketer();
      const wed = slotOf(weeks[2], 3, 'America/New_York', '09:00');
      const id = await apiBook(m, repA.id, wed.startsAt);
      const home = await s.get('/marketer').expect(200);
      expect(home.text).toContain('>Reason for cancelling</label>');
      const f = formWith(home.text, 'Cancel booking');
      expect(f.action).toBe(`/marketer/bookings/${id}/cancel`);
      const empty = await s.post(f.action, { ...f.fields, reason: '  ' }).expect(400);
      expect(empty.text).toMatch(/<p class="field-error" id="err-reason">reason must be longer than or equal to 1 characters<\/p>/);
      expect(empty.text).toMatch(/<input id="f-reason" name="reason" type="text" value="" maxlength="1000" required aria-invalid="true" aria-describedby="err-reason">/);
      expect((await bookingsOf(m.id))[0].status).toBe('confirmed');
      const done = await s.post(f.action, { ...f.fields, reason: 'Customer moved the call' }).expect(303);
      expect(done.header.location).toBe('/marketer?notice=cancelled');
      expect((await bookingsOf(m.id))[0]).toMatchObject({ status: 'cancelled', cancel_reason: 'Customer moved the call' });
      expect((await s.get('/marketer').expect(200)).text).toContain('No upcoming sessions.');
    });

    it('reschedule shows the week in "move" mode and moves the booking (same id, new time)', async () => {
      const { m, s } = await marketer();
      const wed = slotOf(weeks[3], 3, 'America/New_York', '09:00');
      const thu = slotOf(weeks[3], 4, 'America/New_York', '09:00');
      const id = await apiBook(m, repA.id, wed.startsAt);
      const page = await s.get(`/marketer/bookings/${id}/reschedule`).expect(200);
      expect(page.text).toContain(`Moving your session with ${nameA}`);
      expect(inputValue(page.text, 'week')).toBe(weeks[3].toISODate()); // the booking's week
      expect(page.text).toContain(`<option value="${repA.id}" selected>`); // the booking's rep
      expect(slotButtons(page.text, 'Move to')).toEqual([`Move to ${thu.local} with ${nameA}`]);
      expect(slotButtons(page.text, 'Book')).toEqual([]);
      const f = formWith(page.text, `Move to ${thu.local} with ${nameA}`);
      expect(f.action).toBe(`/marketer/bookings/${id}/reschedule`);
      const moved = await s.post(f.action, f.fields).expect(303);
      expect(moved.header.location).toBe('/marketer?notice=moved');
      const rows = await bookingsOf(m.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id, status: 'confirmed' });
      expect(rows[0].starts_at.toISOString()).toBe(new Date(thu.startsAt).toISOString());
      // Any rep: the other rep's slot shows too.
      const any = await s.get(`/marketer/bookings/${id}/reschedule?repId=&week=${weeks[3].toISODate()}`).expect(200);
      expect(slotButtons(any.text, 'Move to')).toContain(`Move to ${slotOf(weeks[3], 3, 'Asia/Kolkata', '14:00').local} with ${nameB}`);
      // Moving onto a taken time re-renders with the reason.
      const other = await marketer();
      const otherId = await apiBook(other.m, repA.id, wed.startsAt);
      const refused = await s.post(f.action, { ...f.fields, slot: `${repA.id} ${new Date(wed.startsAt).toISOString()}` }).expect(409);
      expect(refused.text).toContain('Every seat on this call is taken');
      expect(refused.text).toContain(`Moving your session with ${nameA}`);
      expect((await bookingsOf(m.id))[0].starts_at.toISOString()).toBe(new Date(thu.startsAt).toISOString());
      // Someone else's booking is not found.
      await s.get(`/marketer/bookings/${otherId}/reschedule`).expect(404);
      await s.post(`/marketer/bookings/${otherId}/cancel`, { reason: 'mine now' }).expect(404);
      expect((await bookingsOf(other.m.id))[0].status).toBe('confirmed');
    });

    it('serves the invite file of an own booking as text/calendar, and 404 for someone else’s', async () => {
      const { m, s } = await marketer();
      const b = slotOf(weeks[2], 3, 'Asia/Kolkata', '14:00');
      const id = await apiBook(m, repB.id, b.startsAt);
      const home = await s.get('/marketer').expect(200);
      expect(home.text).toContain(`href="/marketer/bookings/${id}/invite.ics"`);
      const res = await s.get(`/marketer/bookings/${id}/invite.ics`).expect(200);
      expect(res.header['content-type']).toMatch(/^text\/calendar/);
      expect(res.header['content-disposition']).toMatch(/^attachment; filename="ridealong-.*\.ics"$/);
      expect(res.text).toContain('BEGIN:VCALENDAR');
      expect(res.text).toContain('METHOD:REQUEST');
      expect(res.text).toContain(`UID:booking-${id}@ridealong`);
      const stranger = await marketer();
      await stranger.s.get(`/marketer/bookings/${id}/invite.ics`).expect(404);
    });

    it('marks attendance from "Sessions to mark"; the quota progress counts the completed session', async () => {
      const { m, s } = await marketer();
      const start = DateTime.utc().minus({ days: 1 }).startOf('hour');
      const id = await insertBooking(t, { periodId, repId: repA.id, marketerId: m.id, startsAt: start.toISO()!, endsAt: start.plus({ minutes: 45 }).toISO()! });
      const before = await s.get('/marketer').expect(200);
      expect(before.text).toMatch(/: 0 of 5 sessions done, 1 booked<\/label>/);
      const markSection = before.text.split('id="h-mark"')[1].split('</section>')[0];
      expect(markSection).toContain(`with ${nameA}`);
      for (const label of ['Mark done', 'Rep did not come', 'Customer did not come']) expect(markSection).toContain(`>${label}</button>`);
      const f = formWith(before.text, 'Mark done');
      expect(f).toEqual({ action: `/marketer/bookings/${id}/attendance`, fields: { _csrf: s.csrf, outcome: 'completed' } });
      const res = await s.post(f.action, f.fields).expect(303);
      expect(res.header.location).toBe('/marketer?notice=done');
      expect((await bookingsOf(m.id))[0].status).toBe('completed');
      const after = await s.get(res.header.location).expect(200);
      expect(after.text).toContain('Marked as done. Your observation form is open on the Forms page.');
      expect(after.text).toContain('href="/marketer/forms"');
      expect(after.text).toMatch(/: 1 of 5 sessions done, 0 booked<\/label>/);
      expect(after.text).toMatch(/<progress id="progress-[0-9a-f-]+" class="progress" max="5" value="1">/);
      expect(after.text.split('id="h-mark"')[1].split('</section>')[0]).toContain('Nothing to mark.');
      // Marking again is refused with the reason, changing nothing.
      const again = await s.post(f.action, { ...f.fields, outcome: 'rep_no_show' }).expect(409);
      expect(again.text).toContain('The booking is completed');
      expect((await bookingsOf(m.id))[0].status).toBe('completed');
    });

    it('attendance of a session that has not started is refused', async () => {
      const { m, s } = await marketer();
      const id = await apiBook(m, repA.id, slotOf(weeks[5], 3, 'America/New_York', '09:00').startsAt);
      const res = await s.post(`/marketer/bookings/${id}/attendance`, { outcome: 'completed' }).expect(409);
      expect(res.text).toContain('Attendance can be marked once the session has started');
      expect((await bookingsOf(m.id))[0].status).toBe('confirmed');
    });
  });

  describe('calendar feed', () => {
    it('shows a new feed link once (no-store) that the feed accepts; a newer link stops it', async () => {
      const { m, s } = await marketer();
      await apiBook(m, repB.id, slotOf(weeks[4], 3, 'Asia/Kolkata', '14:00').startsAt);
      const home = await s.get('/marketer').expect(200);
      const f = formWith(home.text, 'Create my calendar link');
      expect(f.action).toBe('/marketer/calendar-token');
      const res = await s.post(f.action, f.fields).expect(200);
      expect(res.header['cache-control']).toBe('no-store');
      const url = inputValue(res.text, 'feed-url') ?? /<input id="feed-url" type="url" readonly value="([^"]+)">/.exec(res.text)?.[1];
      expect(url).toMatch(/^https?:\/\/[^/]+\/calendar\/rc_[A-Za-z0-9_-]+\.ics$/);
      const path = new URL(url!).pathname;
      expect(res.text).toContain(`href="webcal://${url!.replace(/^https?:\/\//, '')}">Subscribe in my calendar app</a>`);
      const feed = await t.http.get(path).expect(200);
      expect(feed.header['content-type']).toMatch(/^text\/calendar/);
      expect(feed.text).toContain('BEGIN:VEVENT');
      // The link is not shown again on the home page; a new one stops the old one.
      expect((await s.get('/marketer').expect(200)).text).not.toContain(path);
      await s.post(f.action, f.fields).expect(200);
      await t.http.get(path).expect(404);
    });
  });

  describe('authorisation and CSRF', () => {
    it('a user without the marketer role gets 403 on every marketer page', async () => {
      const rep = await makeUser(t, ['rep']);
      const s: WebSession = await webSession(t, rep.id);
      await s.get('/marketer').expect(403);
      await s.get('/marketer/slots').expect(403);
      const post = await s.post('/marketer/bookings', { periodId, repId: repA.id, startsAt: slotOf(weeks[5], 4, 'America/New_York', '09:00').startsAt }).expect(403);
      expect(post.text).toContain('This page is for the marketer role');
      await s.post('/marketer/calendar-token').expect(403);
    });

    it('a POST without _csrf is refused with 403 and books nothing', async () => {
      const { m, s } = await marketer();
      const thu = slotOf(weeks[5], 4, 'America/New_York', '09:00');
      const f = formWith(dayColumn((await s.get(weekUrl(weeks[5])).expect(200)).text, thu.dayHeading), `Book ${thu.local} with ${nameA}`);
      const { _csrf, ...noCsrf } = f.fields;
      expect(_csrf).toBe(s.csrf);
      await t.http.post(f.action).set('Cookie', s.cookie).set('Accept', 'text/html').type('form').send(noCsrf).expect(403);
      await t.http.post(f.action).set('Cookie', s.cookie).set('Accept', 'text/html').type('form').send({ ...noCsrf, _csrf: 'forged' }).expect(403);
      expect(await bookingsOf(m.id)).toHaveLength(0);
    });

    it('a browser without a session goes to sign-in', async () => {
      const res = await t.http.get('/marketer/slots').set('Accept', 'text/html').expect(303);
      expect(res.header.location).toBe('/sign-in?next=%2Fmarketer%2Fslots');
    });
  });
});
