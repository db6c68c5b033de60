import { PeriodCadenceService } from '../src/programs/period-cadence.service.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { makePeriod, makeProgram, makeUser, Person } from './support/fixtures.js';

async function tableCounts(t: TestApp) {
  const [row] = await t.db.query(
    `SELECT (SELECT count(*) FROM programs)::int AS programs, (SELECT count(*) FROM periods)::int AS periods,
            (SELECT count(*) FROM roster_entries)::int AS roster, (SELECT count(*) FROM enrollments)::int AS enrollments,
            (SELECT count(*) FROM audit_log)::int AS audit`,
  );
  return row;
}

describe('programs, periods, rosters, enrolments (HTTP)', () => {
  let t: TestApp;
  let rep: Person;
  let otherRep: Person;
  let marketer: Person;

  beforeAll(async () => {
    t = await startTestApp();
    rep = await makeUser(t, ['rep'], 'America/New_York');
    otherRep = await makeUser(t, ['rep'], 'Europe/London');
    marketer = await makeUser(t, ['marketer'], 'Europe/Berlin');
  });
  afterAll(() => t.close());

  describe('programs', () => {
    it('fills every setting DESIGN.md names with its default', async () => {
      const res = await t.http.post('/api/v1/programs').set(bearer(t.adminToken)).send({ name: 'Rep Life', kind: 'call_shadowing', timeZone: 'Europe/London' }).expect(201);
      expect(res.body.settings).toEqual({
        slotMinutes: 45,
        slotGridMinutes: 15,
        minNoticeHours: 12,
        horizonDays: 28,
        seatsPerCall: 1,
        repWeeklyCap: 3,
        quota: 20,
        sameRepLimit: 4,
        cancelNoticeHours: 24,
        formDueHours: 24,
        periodCadence: 'quarter',
        rollupCadence: 'period',
        rollupRecipients: [],
        onboardingShifts: 3,
        onboardingDays: 30,
      });
    });

    it('keeps given settings, and a PATCH changes only the named ones', async () => {
      const res = await t.http
        .post('/api/v1/programs')
        .set(bearer(t.adminToken))
        .send({ name: 'Support onboarding', kind: 'support_rotation', timeZone: 'America/Chicago', settings: { onboardingShifts: 4, quota: 10, rollupRecipients: ['lc@example.com'] } })
        .expect(201);
      expect(res.body.settings).toMatchObject({ onboardingShifts: 4, quota: 10, slotMinutes: 45, rollupRecipients: ['lc@example.com'] });
      const patched = await t.http.patch(`/api/v1/programs/${res.body.id}`).set(bearer(t.adminToken)).send({ settings: { slotMinutes: 30 } }).expect(200);
      expect(patched.body.settings).toMatchObject({ slotMinutes: 30, onboardingShifts: 4, quota: 10 });
      // A PATCH is checked like a create, and cannot change the kind.
      for (const [body, field] of [
        [{ settings: { slotMinutes: 5 } }, 'settings.slotMinutes'],
        [{ name: '   ' }, 'name'],
        [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
        [{ kind: 'call_shadowing' }, 'kind'],
      ] as const) {
        const bad = await t.http.patch(`/api/v1/programs/${res.body.id}`).set(bearer(t.adminToken)).send(body).expect(400);
        expect(bad.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
      }
      const renamed = await t.http.patch(`/api/v1/programs/${res.body.id}`).set(bearer(t.adminToken)).send({ name: '  Support onboarding 2  ' }).expect(200);
      expect(renamed.body).toMatchObject({ name: 'Support onboarding 2', kind: 'support_rotation', settings: { slotMinutes: 30 } });
    });

    it.each([
      [{ kind: 'webinar' }, 'kind'],
      [{ timeZone: 'Nowhere/City' }, 'timeZone'],
      [{ settings: { slotGridMinutes: 7 } }, 'settings.slotGridMinutes'],
      [{ settings: { slotMinutes: 30, slotGridMinutes: 60 } }, 'settings.slotGridMinutes'],
      [{ settings: { quota: -1 } }, 'settings.quota'],
      [{ settings: { seatsPerCall: 1.5 } }, 'settings.seatsPerCall'],
      [{ settings: { periodCadence: 'yearly' } }, 'settings.periodCadence'],
      [{ settings: { rollupRecipients: ['not-an-email'] } }, 'settings.rollupRecipients'],
      [{ settings: { surprise: true } }, 'settings.surprise'],
      [{ settings: 'everything' }, 'settings'],
    ])('answers 400 naming the field for %j, and writes nothing', async (patch, field) => {
      const before = await tableCounts(t);
      const res = await t.http.post('/api/v1/programs').set(bearer(t.adminToken)).send({ name: 'Bad', kind: 'call_shadowing', timeZone: 'UTC', ...patch }).expect(400);
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(await tableCounts(t)).toEqual(before);
    });

    it('lets only the lifecycle team create or change programs; everyone may read them', async () => {
      for (const who of [rep, marketer]) {
        await t.http.post('/api/v1/programs').set(bearer(who.token)).send({ name: 'X', kind: 'call_shadowing', timeZone: 'UTC' }).expect(403);
      }
      const id = await makeProgram(t);
      await t.http.patch(`/api/v1/programs/${id}`).set(bearer(marketer.token)).send({ name: 'Mine now' }).expect(403);
      await t.http.get(`/api/v1/programs/${id}`).set(bearer(marketer.token)).expect(200);
      await t.http.get('/api/v1/programs').set(bearer(rep.token)).expect(200);
      await t.http.get('/api/v1/programs/00000000-0000-4000-8000-000000000000').set(bearer(rep.token)).expect(404);
    });
  });

  describe('periods', () => {
    it('creates periods, refuses overlaps in the database, and allows adjacent ones', async () => {
      const programId = await makeProgram(t);
      const first = await t.http.post(`/api/v1/programs/${programId}/periods`).set(bearer(t.adminToken)).send({ startsOn: '2027-01-01', endsOn: '2027-03-31', focus: 'Why do trials stall in week two?' }).expect(201);
      expect(first.body).toMatchObject({ status: 'planned', focus: 'Why do trials stall in week two?', startsOn: '2027-01-01', endsOn: '2027-03-31' });
      const before = await tableCounts(t);
      const overlap = await t.http.post(`/api/v1/programs/${programId}/periods`).set(bearer(t.adminToken)).send({ startsOn: '2027-03-31', endsOn: '2027-06-30' }).expect(409);
      expect(overlap.body).toMatchObject({ code: 'period_overlap', details: { field: 'startsOn' } });
      expect(await tableCounts(t)).toEqual(before);
      await t.http.post(`/api/v1/programs/${programId}/periods`).set(bearer(t.adminToken)).send({ startsOn: '2027-04-01', endsOn: '2027-06-30' }).expect(201);
      // Another program may use the same dates.
      await makePeriod(t, await makeProgram(t), '2027-01-01', '2027-03-31');
    });

    it('holds the no-overlap rule under concurrent creates', async () => {
      const programId = await makeProgram(t);
      const results = await Promise.all(
        ['2027-01-01', '2027-01-15', '2027-02-01', '2027-01-20'].map((startsOn) =>
          t.http.post(`/api/v1/programs/${programId}/periods`).set(bearer(t.adminToken)).send({ startsOn, endsOn: '2027-03-31' }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM periods WHERE program_id = $1`, [programId]);
      expect(n).toBe(1);
    });

    it.each([
      [{ startsOn: '2027-03-01', endsOn: '2027-02-01' }, 'endsOn'],
      [{ startsOn: '2027-02-30', endsOn: '2027-03-31' }, 'startsOn'],
      [{ startsOn: '01/02/2027', endsOn: '2027-03-31' }, 'startsOn'],
      [{ startsOn: '2027-01-01' }, 'endsOn'],
    ])('answers 400 naming the field for %j', async (body, field) => {
      const programId = await makeProgram(t);
      const res = await t.http.post(`/api/v1/programs/${programId}/periods`).set(bearer(t.adminToken)).send(body).expect(400);
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    });

    it('is created by cadence before the current one ends, once, however many instances tick', async () => {
      const programId = await makeProgram(t, { periodCadence: 'month', horizonDays: 28 }, 'Pacific/Auckland');
      const cadence = t.app.get(PeriodCadenceService);
      // No period yet: the tick creates the month holding today (in the program's zone), open.
      const now = new Date('2027-05-10T12:00:00Z');
      await cadence.runOnce(now);
      let periods = (await t.http.get(`/api/v1/programs/${programId}/periods`).set(bearer(t.adminToken)).expect(200)).body.periods;
      expect(periods.map((p: { startsOn: string; endsOn: string; status: string }) => [p.startsOn, p.endsOn, p.status])).toEqual([
        ['2027-05-01', '2027-05-31', 'open'],
        ['2027-06-01', '2027-06-30', 'planned'], // within the 28-day lead of May's end
      ]);

      // A second instance on the same database, ticking at the same moment as the first.
      const second = await startTestApp({}, t.database);
      try {
        const later = new Date('2027-06-10T00:00:00Z');
        const [{ n: before }] = await t.db.query(`SELECT count(*)::int AS n FROM periods`);
        const results = await Promise.all([cadence.runOnce(later), second.app.get(PeriodCadenceService).runOnce(later), cadence.runOnce(later)]);
        const [{ n: after }] = await t.db.query(`SELECT count(*)::int AS n FROM periods`);
        // Whoever ran first did all the work (other programs' periods too); the others found nothing due.
        expect(results.filter((r) => r.created > 0)).toHaveLength(1);
        expect(results.reduce((n, r) => n + r.created, 0)).toBe(after - before);
      } finally {
        await second.close();
      }
      periods = (await t.http.get(`/api/v1/programs/${programId}/periods`).set(bearer(t.adminToken)).expect(200)).body.periods;
      expect(periods.map((p: { startsOn: string; status: string }) => [p.startsOn, p.status])).toEqual([
        ['2027-05-01', 'closed'],
        ['2027-06-01', 'open'],
        ['2027-07-01', 'planned'],
      ]);
      const audit = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'period.create' AND details->>'programId' = $1`, [programId]);
      expect(audit[0].n).toBe(3);
    });

    it('reads period dates in the program zone when moving statuses', async () => {
      const programId = await makeProgram(t, {}, 'Pacific/Auckland');
      const periodId = await makePeriod(t, programId, '2027-05-11', '2027-05-20');
      const cadence = t.app.get(PeriodCadenceService);
      await cadence.runOnce(new Date('2027-05-10T11:00:00Z')); // 23:00 on the 10th in Auckland
      expect((await t.http.get(`/api/v1/periods/${periodId}`).set(bearer(t.adminToken))).body.status).toBe('planned');
      await cadence.runOnce(new Date('2027-05-10T12:30:00Z')); // 00:30 on the 11th in Auckland
      expect((await t.http.get(`/api/v1/periods/${periodId}`).set(bearer(t.adminToken))).body.status).toBe('open');
    });
  });

  describe('rosters', () => {
    let periodId: string;
    beforeAll(async () => {
      periodId = await makePeriod(t, await makeProgram(t), '2027-01-01', '2027-03-31');
    });

    it('invites a rep, who accepts; only that rep or the lifecycle team may change the entry', async () => {
      const inv = await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: rep.id }).expect(201);
      expect(inv.body).toMatchObject({ status: 'invited', repId: rep.id, periodId });
      const mine = await t.http.get('/api/v1/roster?mine=true').set(bearer(rep.token)).expect(200);
      expect(mine.body.entries.map((e: { id: string }) => e.id)).toContain(inv.body.id);
      await t.http.patch(`/api/v1/roster/${inv.body.id}`).set(bearer(otherRep.token)).send({ status: 'active' }).expect(403);
      await t.http.patch(`/api/v1/roster/${inv.body.id}`).set(bearer(marketer.token)).send({ status: 'active' }).expect(403);
      const accepted = await t.http.patch(`/api/v1/roster/${inv.body.id}`).set(bearer(rep.token)).send({ status: 'active' }).expect(200);
      expect(accepted.body).toMatchObject({ status: 'active', respondedAt: expect.any(String) });
      const removed = await t.http.patch(`/api/v1/roster/${inv.body.id}`).set(bearer(t.adminToken)).send({ status: 'removed' }).expect(200);
      expect(removed.body.status).toBe('removed');
      const refused = await t.http.patch(`/api/v1/roster/${inv.body.id}`).set(bearer(rep.token)).send({ status: 'active' }).expect(409);
      expect(refused.body).toMatchObject({ code: 'invalid_state', details: { field: 'status', from: 'removed' } });
      // Re-inviting brings the same entry back to invited.
      const again = await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: rep.id }).expect(201);
      expect(again.body).toMatchObject({ id: inv.body.id, status: 'invited' });
    });

    it('lets a rep decline', async () => {
      const inv = await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: otherRep.id }).expect(201);
      const declined = await t.http.patch(`/api/v1/roster/${inv.body.id}`).set(bearer(otherRep.token)).send({ status: 'declined' }).expect(200);
      expect(declined.body.status).toBe('declined');
      await t.http.patch(`/api/v1/roster/${inv.body.id}`).set(bearer(otherRep.token)).send({ status: 'removed' }).expect(409);
    });

    it('refuses duplicates, non-reps, strangers and bad bodies without writing', async () => {
      const before = await tableCounts(t);
      await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: rep.id }).expect(409);
      const notRep = await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: marketer.id }).expect(400);
      expect(notRep.body.details.field).toBe('repId');
      await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: 'nope' }).expect(400);
      await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: '00000000-0000-4000-8000-000000000000' }).expect(404);
      await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(marketer.token)).send({ repId: rep.id }).expect(403);
      await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(rep.token)).send({ repId: rep.id }).expect(403);
      await t.http.patch(`/api/v1/roster/00000000-0000-4000-8000-000000000000`).set(bearer(rep.token)).send({ status: 'active' }).expect(404);
      await t.http.get(`/api/v1/periods/${periodId}/roster`).set(bearer(rep.token)).expect(403);
      expect(await tableCounts(t)).toEqual(before);
      const all = await t.http.get(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).expect(200);
      expect(all.body.entries).toHaveLength(2);
    });
  });

  describe('enrolments', () => {
    it('enrols marketers with the program quota by default or a given one; marketers see their own', async () => {
      const programId = await makeProgram(t, { quota: 12 });
      const periodId = await makePeriod(t, programId, '2027-01-01', '2027-03-31');
      const other = await makeUser(t, ['marketer']);
      const a = await t.http.post(`/api/v1/periods/${periodId}/enrollments`).set(bearer(t.adminToken)).send({ marketerId: marketer.id }).expect(201);
      expect(a.body.quota).toBe(12);
      const b = await t.http.post(`/api/v1/periods/${periodId}/enrollments`).set(bearer(t.adminToken)).send({ marketerId: other.id, quota: 5 }).expect(201);
      expect(b.body.quota).toBe(5);
      const dup = await t.http.post(`/api/v1/periods/${periodId}/enrollments`).set(bearer(t.adminToken)).send({ marketerId: marketer.id }).expect(409);
      expect(dup.body.details.field).toBe('marketerId');
      await t.http.post(`/api/v1/periods/${periodId}/enrollments`).set(bearer(t.adminToken)).send({ marketerId: rep.id }).expect(400);
      await t.http.post(`/api/v1/periods/${periodId}/enrollments`).set(bearer(t.adminToken)).send({ marketerId: other.id, quota: -2 }).expect(400);
      await t.http.post(`/api/v1/periods/${periodId}/enrollments`).set(bearer(marketer.token)).send({ marketerId: marketer.id }).expect(403);
      const seen = await t.http.get(`/api/v1/periods/${periodId}/enrollments`).set(bearer(marketer.token)).expect(200);
      expect(seen.body.enrollments.map((e: { marketerId: string }) => e.marketerId)).toEqual([marketer.id]);
      const all = await t.http.get(`/api/v1/periods/${periodId}/enrollments`).set(bearer(t.adminToken)).expect(200);
      expect(all.body.enrollments).toHaveLength(2);
      const changed = await t.http.patch(`/api/v1/enrollments/${b.body.id}`).set(bearer(t.adminToken)).send({ quota: 8 }).expect(200);
      expect(changed.body.quota).toBe(8);
      await t.http.patch(`/api/v1/enrollments/${b.body.id}`).set(bearer(other.token)).send({ quota: 80 }).expect(403);
    });
  });
});
