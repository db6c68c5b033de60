import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { RotationsService } from '../src/rotations/rotations.service.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, Person } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';

const parse = (text: string) => {
  const cal = new ICAL.Component(ICAL.parse(text));
  const ev = new ICAL.Event(cal.getFirstSubcomponent('vevent')!);
  return { method: cal.getFirstPropertyValue('method'), uid: ev.uid, sequence: ev.sequence, start: ev.startDate.toJSDate().toISOString() };
};

describe('support shifts: emails, reminders, invites, feed, overrides, forms', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  let programId: string;
  let periodId: string;
  let hire: Person;
  let other: Person;
  const templates: Record<number, string> = {};
  let assigned: { id: string; shiftKey: string; startsAt: string; uid: string }[];

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5' });
    programId = await makeProgram(t, { onboardingShifts: 2, onboardingDays: 10 }, 'UTC', 'support_rotation');
    periodId = await makePeriod(t, programId, daysFromNow(-5), daysFromNow(60));
    for (const weekday of [1, 2, 3, 4, 5, 6, 7]) {
      const res = await t.http.post(`/api/v1/programs/${programId}/shift-templates`).set(bearer(t.adminToken))
        .send({ weekday, start: '10:00', end: '12:00', timeZone: 'America/New_York', queue: 'billing', capacity: 2 }).expect(201);
      templates[weekday] = res.body.id;
    }
    hire = await makeUser(t, ['marketer'], 'Asia/Kolkata', { startedOn: daysFromNow(2, 'Asia/Kolkata') });
    other = await makeUser(t, ['marketer'], 'Europe/Berlin');
    await enrol(t, periodId, hire);
    const gen = await t.http.post(`/api/v1/periods/${periodId}/rotation/generate`).set(bearer(t.adminToken)).expect(200);
    assigned = gen.body.assignments;
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('emails each new assignment with a REQUEST invite and schedules the reminder for 18:00 the evening before, in the marketer’s zone', async () => {
    expect(assigned).toHaveLength(2);
    await sink.waitFor(() => sink.to(hire.email).filter((m) => /^New support shift/.test(m.parsed.subject ?? '')).length === 2);
    const mail = sink.to(hire.email).find((m) => m.raw.includes(assigned[0].uid))!;
    expect(mail.raw).toMatch(/text\/calendar;[^\n]*method=REQUEST/i);
    expect(mail.parsed.text).toContain('(Asia/Kolkata)');
    const jobs = await t.db.query(`SELECT start_after, data FROM pgboss.job WHERE name = 'shift.reminder' AND data->>'assignmentId' = $1`, [assigned[0].id]);
    const expected = DateTime.fromISO(assigned[0].startsAt, { zone: 'Asia/Kolkata' }).startOf('day').minus({ days: 1 }).set({ hour: 18 });
    expect(new Date(jobs[0].start_after).toISOString()).toBe(expected.toUTC().toISO());
  });

  it('moves a shift with a swap: email, SEQUENCE + 1, and only the current sequence’s reminder is sent, once', async () => {
    const taken = new Set(assigned.map((a) => a.shiftKey.split('@')[1]));
    let d = DateTime.fromISO(daysFromNow(3));
    while (taken.has(d.toISODate()!) || [...taken].some((x) => Math.abs(DateTime.fromISO(x).diff(d, 'days').days) < 1)) d = d.plus({ days: 1 });
    const target = `${templates[d.weekday]}@${d.toISODate()}`;
    const moved = await t.http.post(`/api/v1/shift-assignments/${assigned[0].id}/swap`).set(bearer(hire.token)).send({ toShiftKey: target }).expect(200);
    expect(moved.body).toMatchObject({ shiftKey: target, sequence: 1, uid: assigned[0].uid });
    await sink.waitFor(() => sink.to(hire.email).some((m) => /^Support shift moved/.test(m.parsed.subject ?? '')));
    const svc = t.app.get(RotationsService);
    await svc.sendReminder(assigned[0].id, 0); // the job of the old time: stale, nothing
    await svc.sendReminder(assigned[0].id, 1);
    await svc.sendReminder(assigned[0].id, 1); // a retried job
    await sink.waitFor(() => sink.to(hire.email).some((m) => /^Tomorrow: support shift/.test(m.parsed.subject ?? '')));
    await new Promise((r) => setTimeout(r, 1200));
    expect(sink.to(hire.email).filter((m) => /^Tomorrow: support shift/.test(m.parsed.subject ?? ''))).toHaveLength(1);
    const ics = parse((await t.http.get(`/api/v1/shift-assignments/${assigned[0].id}/invite.ics`).set(bearer(hire.token)).expect(200)).text);
    expect(ics).toMatchObject({ method: 'REQUEST', uid: assigned[0].uid, sequence: 1, start: moved.body.startsAt });
    await t.http.get(`/api/v1/shift-assignments/${assigned[0].id}/invite.ics`).set(bearer(other.token)).expect(404);
  });

  it('lists the shifts in the marketer’s secret calendar feed', async () => {
    const { body } = await t.http.post('/api/v1/me/calendar-token').set(bearer(hire.token)).expect(201);
    const feed = await t.http.get(`/calendar/${body.token}.ics`).expect(200);
    const uids = new ICAL.Component(ICAL.parse(feed.text)).getAllSubcomponents('vevent').map((e) => e.getFirstPropertyValue('uid'));
    expect(uids).toEqual(expect.arrayContaining(assigned.map((a) => a.uid)));
  });

  it('lets the lifecycle team cancel an assignment (CANCEL invite, seat freed); the marketer cannot', async () => {
    await t.http.post(`/api/v1/shift-assignments/${assigned[1].id}/cancel`).set(bearer(hire.token)).send({ reason: 'mine' }).expect(403);
    const res = await t.http.post(`/api/v1/shift-assignments/${assigned[1].id}/cancel`).set(bearer(t.adminToken)).send({ reason: 'Queue closed' }).expect(200);
    expect(res.body).toMatchObject({ status: 'cancelled', sequence: 1 });
    await sink.waitFor(() => sink.to(hire.email).some((m) => /^Support shift cancelled/.test(m.parsed.subject ?? '') && /method=CANCEL/i.test(m.raw)));
    expect(parse((await t.http.get(`/api/v1/shift-assignments/${assigned[1].id}/invite.ics`).set(bearer(t.adminToken)).expect(200)).text)).toMatchObject({ method: 'CANCEL', uid: assigned[1].uid });
  });

  it('lets the lifecycle team put a marketer on a shift directly, within capacity and the other rules', async () => {
    const d = DateTime.fromISO(daysFromNow(30));
    const key = `${templates[d.weekday]}@${d.toISODate()}`;
    const extra = [await makeUser(t, ['marketer']), await makeUser(t, ['marketer'])];
    await t.http.post(`/api/v1/periods/${periodId}/shift-assignments`).set(bearer(other.token)).send({ marketerId: other.id, shiftKey: key }).expect(403);
    const bad = await t.http.post(`/api/v1/periods/${periodId}/shift-assignments`).set(bearer(t.adminToken)).send({ marketerId: other.id, shiftKey: 'tomorrow' }).expect(400);
    expect(bad.body.details.fields[0].field).toBe('shiftKey');
    const first = await t.http.post(`/api/v1/periods/${periodId}/shift-assignments`).set(bearer(t.adminToken)).send({ marketerId: other.id, shiftKey: key });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ shiftKey: key, marketerId: other.id, status: 'confirmed', sequence: 0 });
    await t.http.post(`/api/v1/periods/${periodId}/shift-assignments`).set(bearer(t.adminToken)).send({ marketerId: extra[0].id, shiftKey: key }).expect(201);
    const full = await t.http.post(`/api/v1/periods/${periodId}/shift-assignments`).set(bearer(t.adminToken)).send({ marketerId: extra[1].id, shiftKey: key }).expect(409);
    expect(full.body.code).toBe('shift_full');
    const twice = await t.http.post(`/api/v1/periods/${periodId}/shift-assignments`).set(bearer(t.adminToken)).send({ marketerId: other.id, shiftKey: key }).expect(409);
    expect(['shift_full', 'marketer_conflict', 'one_shift_per_day']).toContain(twice.body.code);
    await sink.waitFor(() => sink.to(other.email).some((m) => /^New support shift/.test(m.parsed.subject ?? '')));
  });

  it('opens an observation form when a started shift is marked completed, and refuses attendance before the start', async () => {
    await t.http.post(`/api/v1/shift-assignments/${assigned[0].id}/attendance`).set(bearer(hire.token)).send({ outcome: 'completed' }).expect(409);
    const past = DateTime.utc().minus({ days: 1 });
    const tpl = templates[past.weekday];
    const [row] = await t.db.query(
      `INSERT INTO shift_assignments (period_id, template_id, shift_key, shift_date, starts_at, ends_at, marketer_id, uid) VALUES ($1, $2, $3, $4, $5, $6, $7, 'shift-' || gen_random_uuid() || '@ridealong') RETURNING id`,
      [periodId, tpl, `${tpl}@${past.toISODate()}`, past.toISODate(), past.set({ hour: 14 }).toISO(), past.set({ hour: 16 }).toISO(), other.id],
    );
    await t.http.post(`/api/v1/shift-assignments/${row.id}/attendance`).set(bearer(hire.token)).send({ outcome: 'completed' }).expect(404);
    await t.http.post(`/api/v1/shift-assignments/${row.id}/attendance`).set(bearer(other.token)).send({ outcome: 'maybe' }).expect(400);
    const done = await t.http.post(`/api/v1/shift-assignments/${row.id}/attendance`).set(bearer(other.token)).send({ outcome: 'completed' }).expect(200);
    expect(done.body.status).toBe('completed');
    const forms = await t.http.get('/api/v1/observations?mine=true').set(bearer(other.token)).expect(200);
    const form = forms.body.observations.find((o: { shiftAssignmentId: string }) => o.shiftAssignmentId === row.id);
    expect(form).toMatchObject({ status: 'open', authorId: other.id, bookingId: null });
    await t.http.get(`/api/v1/observations/${form.id}`).set(bearer(hire.token)).expect(404);
  });
});
