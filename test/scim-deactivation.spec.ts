import { DateTime } from 'luxon';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';

const SCIM = 'application/scim+json';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * Deactivation ends what the person holds, whichever way it comes: SCIM (PATCH active false) or
 * PATCH /api/v1/users. Real PostgreSQL, real SMTP.
 */
describe('deactivation cascade (SCIM and the users API)', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  let token: string;
  let periodId: string;
  let rep: Person;
  let marketer: Person;
  let otherRep: Person;
  const at = (days: number, hour: number) => DateTime.utc().plus({ days }).startOf('day').plus({ hours: hour }).toISO()!;

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5' });
    token = (await t.http.post('/api/v1/scim-tokens').set(bearer(t.adminToken)).send({})).body.token;
    const programId = await makeProgram(t);
    periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(40));
    await t.db.query(`UPDATE periods SET status = 'open' WHERE id = $1`, [periodId]);
    rep = await makeUser(t, ['rep']);
    otherRep = await makeUser(t, ['rep']);
    marketer = await makeUser(t, ['marketer']);
    await rosterRep(t, periodId, rep);
    await rosterRep(t, periodId, otherRep);
    await enrol(t, periodId, marketer);
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  const uidOf = async (id: string) => ((await t.db.query(`SELECT uid FROM bookings WHERE id = $1`, [id])) as { uid: string }[])[0].uid;
  const cancelledTo = (p: Person, uid: string) => sink.to(p.email).filter((x) => /^Cancelled/.test(x.parsed.subject ?? '') && x.raw.includes(uid) && x.raw.includes('METHOD:CANCEL'));

  it('SCIM PATCH active false: the rep\'s future bookings are cancelled with emails to both, their roster entry is removed', async () => {
    const future = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: at(5, 10), endsAt: at(5, 11) });
    const past = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: at(-2, 10), endsAt: at(-2, 11) });
    const untouched = await insertBooking(t, { periodId, repId: otherRep.id, marketerId: marketer.id, startsAt: at(6, 10), endsAt: at(6, 11) });

    const res = await t.http
      .patch(`/scim/v2/Users/${rep.id}`)
      .set({ ...bearer(token), 'Content-Type': SCIM })
      .send(JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }));
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);

    const statuses = await t.db.query(`SELECT id, status, cancel_reason FROM bookings WHERE id = ANY($1::uuid[])`, [[future, past, untouched]]);
    const byId = Object.fromEntries(statuses.map((r: { id: string; status: string }) => [r.id, r.status]));
    expect(byId).toEqual({ [future]: 'cancelled', [past]: 'confirmed', [untouched]: 'confirmed' });
    const [roster] = await t.db.query(`SELECT status FROM roster_entries WHERE period_id = $1 AND rep_id = $2`, [periodId, rep.id]);
    expect(roster.status).toBe('removed');
    const [audit] = await t.db.query(`SELECT details FROM audit_log WHERE entity_id = $1 AND action = 'user.deactivate'`, [rep.id]);
    expect(audit.details.revoked).toMatchObject({ bookingsCancelled: 1, rosterEntriesRemoved: 1, enrolmentsEnded: 0 });

    const uid = await uidOf(future);
    await sink.waitFor(() => cancelledTo(marketer, uid).length > 0 && cancelledTo(rep, uid).length > 0);
    const untouchedUid = await uidOf(untouched);
    expect(sink.messages.filter((x) => x.raw.includes(untouchedUid))).toHaveLength(0);
  });

  it('PATCH /api/v1/users active false (the existing deactivation) runs the same cascade: the marketer\'s bookings and enrolment end', async () => {
    const future = await insertBooking(t, { periodId, repId: otherRep.id, marketerId: marketer.id, startsAt: at(8, 10), endsAt: at(8, 11) });
    const res = await t.http.patch(`/api/v1/users/${marketer.id}`).set(bearer(t.adminToken)).send({ active: false });
    expect(res.status).toBe(200);
    const [b] = await t.db.query(`SELECT status FROM bookings WHERE id = $1`, [future]);
    expect(b.status).toBe('cancelled');
    const [e] = await t.db.query(`SELECT ended_at FROM enrollments WHERE period_id = $1 AND marketer_id = $2`, [periodId, marketer.id]);
    expect(e.ended_at).not.toBeNull();
    const uid = await uidOf(future);
    await sink.waitFor(() => cancelledTo(otherRep, uid).length > 0 && cancelledTo(marketer, uid).length > 0);

    // reactivation restores sign-in ability only
    expect((await t.http.patch(`/api/v1/users/${marketer.id}`).set(bearer(t.adminToken)).send({ active: true })).status).toBe(200);
    const [still] = await t.db.query(`SELECT status FROM bookings WHERE id = $1`, [future]);
    expect(still.status).toBe('cancelled');
  });
});
