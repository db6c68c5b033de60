import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, rosterRep, type Person } from './support/fixtures.js';
import { webSession, type WebSession } from './support/web.js';

/** The links in emails and invites (`/observations/:id`, `/bookings/:id`, `/shifts/:id`) lead to pages. */
describe('links from emails and invites', () => {
  let t: TestApp;
  let rep: Person;
  let marketer: Person;
  let other: Person;
  let periodId: string;
  let future: string;
  let past: string;
  let s: { rep: WebSession; marketer: WebSession; other: WebSession; admin: WebSession };

  beforeAll(async () => {
    t = await startTestApp();
    rep = await makeUser(t, ['rep']);
    marketer = await makeUser(t, ['marketer']);
    other = await makeUser(t, ['marketer']);
    const programId = await makeProgram(t);
    periodId = await makePeriod(t, programId, daysFromNow(-10), daysFromNow(30));
    await rosterRep(t, periodId, rep);
    await enrol(t, periodId, marketer);
    const at = (days: number) => DateTime.utc().plus({ days }).startOf('hour');
    future = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: at(3).toISO()!, endsAt: at(3).plus({ minutes: 45 }).toISO()! });
    past = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: at(-2).toISO()!, endsAt: at(-2).plus({ minutes: 45 }).toISO()! });
    const [admin] = await t.db.query(`SELECT id FROM users WHERE 'lifecycle' = ANY(roles) LIMIT 1`);
    s = {
      rep: await webSession(t, rep.id),
      marketer: await webSession(t, marketer.id),
      other: await webSession(t, other.id),
      admin: await webSession(t, admin.id),
    };
  });
  afterAll(async () => t.close());

  const goes = async (who: WebSession, path: string) => {
    const res = await who.get(path);
    return `${res.status} ${res.header.location ?? ''}`;
  };

  it("takes each person on a booking to their own list, at the booking; others get 404", async () => {
    expect(await goes(s.marketer, `/bookings/${future}`)).toBe('303 /marketer#h-upcoming');
    expect(await goes(s.marketer, `/bookings/${past}`)).toBe('303 /marketer#h-mark');
    expect(await goes(s.rep, `/bookings/${future}`)).toBe(`303 /rep#call-${future}`);
    expect(await goes(s.rep, `/bookings/${past}`)).toBe(`303 /rep#mark-${past}`);
    expect(await goes(s.admin, `/bookings/${future}`)).toBe(`303 /lifecycle/periods/${periodId}`);
    expect((await s.other.get(`/bookings/${future}`)).status).toBe(404);
    // The anchors exist on the pages the links lead to.
    expect((await s.rep.get('/rep')).text).toContain(`id="call-${future}"`);
    expect((await s.marketer.get('/marketer')).text).toContain('id="h-upcoming"');
  });

  it('takes a form link to the form page, and a signed-out reader through sign-in back to it', async () => {
    await t.http.post(`/api/v1/bookings/${past}/attendance`).set(bearer(marketer.token)).send({ outcome: 'completed' }).expect(200);
    const [form] = await t.db.query(`SELECT id FROM observations WHERE booking_id = $1`, [past]);
    expect(await goes(s.marketer, `/observations/${form.id}`)).toBe(`303 /marketer/forms/${form.id}`);
    expect((await s.marketer.get(`/marketer/forms/${form.id}`)).status).toBe(200);
    const anon = await t.http.get(`/observations/${form.id}`).set('Accept', 'text/html');
    expect(`${anon.status} ${anon.header.location}`).toBe(`303 /sign-in?next=${encodeURIComponent(`/observations/${form.id}`)}`);
    expect((await s.marketer.get('/observations/not-a-uuid')).status).toBe(400);
  });

  it('takes a shift link to the marketer’s shifts', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    expect(await goes(s.marketer, `/shifts/${id}`)).toBe('303 /marketer/shifts');
    expect(await goes(s.admin, `/shifts/${id}`)).toBe('303 /lifecycle');
    expect((await s.rep.get(`/shifts/${id}`)).status).toBe(404);
  });
});
