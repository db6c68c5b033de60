import { DateTime } from 'luxon';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person } from './support/fixtures.js';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const weekdayOf = (date: string) => DateTime.fromISO(date, { zone: 'UTC' }).weekday;
const fieldsOf = (body: { details?: { fields?: { field: string }[] } }) => (body.details?.fields ?? []).map((f) => f.field);

describe('rotations (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let admin: { token: string };
  const post = (who: { token: string }, path: string, body: unknown = {}) => t.http.post(path).set(bearer(who.token)).send(body as object);
  const get = (who: { token: string }, path: string) => t.http.get(path).set(bearer(who.token));

  /** One template per weekday at the given local times; returns template ids by weekday. */
  async function weekly(programId: string, start: string, end: string, timeZone: string, capacity: number): Promise<Record<number, string>> {
    const out: Record<number, string> = {};
    for (const weekday of WEEKDAYS) {
      const res = await post(admin, `/api/v1/programs/${programId}/shift-templates`, { weekday, start, end, timeZone, queue: 'billing', capacity });
      expect(res.status).toBe(201);
      out[weekday] = res.body.id;
    }
    return out;
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = { token: t.adminToken };
  });
  afterAll(async () => {
    await t.close();
  });

  describe('shift templates', () => {
    let programId: string;
    let marketer: Person;
    let rep: Person;

    beforeAll(async () => {
      programId = await makeProgram(t, {}, 'UTC', 'support_rotation');
      marketer = await makeUser(t, ['marketer']);
      rep = await makeUser(t, ['rep']);
    });

    const good = { weekday: 1, start: '09:00', end: '12:00', timeZone: 'America/New_York', queue: 'billing', capacity: 2 };

    it('lets the lifecycle team create and anyone list them; reps and marketers may not create', async () => {
      const res = await post(admin, `/api/v1/programs/${programId}/shift-templates`, good);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ ...good, programId, active: true });
      expect((await post(marketer, `/api/v1/programs/${programId}/shift-templates`, good)).status).toBe(403);
      expect((await post(rep, `/api/v1/programs/${programId}/shift-templates`, good)).status).toBe(403);
      const list = await get(marketer, `/api/v1/programs/${programId}/shift-templates`).expect(200);
      expect(list.body.templates).toEqual([expect.objectContaining({ id: res.body.id, start: '09:00', end: '12:00' })]);
      const [audit] = await t.db.query(`SELECT action FROM audit_log WHERE entity_id = $1`, [res.body.id]);
      expect(audit.action).toBe('shift_template.create');
    });

    it.each([
      ['weekday', { weekday: 8 }],
      ['weekday', { weekday: 'monday' }],
      ['start', { start: '25:00' }],
      ['start', { start: '9am' }],
      ['end', { end: '08:00' }],
      ['timeZone', { timeZone: 'Mars/Olympus' }],
      ['capacity', { capacity: 0 }],
      ['capacity', { capacity: 101 }],
      ['queue', { queue: '' }],
    ])('refuses a bad %s with a 400 naming it', async (field, patch) => {
      const before = (await t.db.query(`SELECT count(*)::int AS n FROM shift_templates`))[0].n;
      const res = await post(admin, `/api/v1/programs/${programId}/shift-templates`, { ...good, ...patch });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toContain(field);
      expect((await t.db.query(`SELECT count(*)::int AS n FROM shift_templates`))[0].n).toBe(before);
    });

    it('refuses templates on a call_shadowing program with 409 invalid_state, and 404 for an unknown program', async () => {
      const shadowing = await makeProgram(t, {}, 'UTC', 'call_shadowing');
      const res = await post(admin, `/api/v1/programs/${shadowing}/shift-templates`, good);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('invalid_state');
      expect((await post(admin, `/api/v1/programs/00000000-0000-4000-8000-000000000000/shift-templates`, good)).status).toBe(404);
      expect((await post(admin, `/api/v1/programs/nope/shift-templates`, good)).status).toBe(400);
    });
  });

  describe('time off', () => {
    it('is recorded by that user or the lifecycle team, and validated', async () => {
      const m = await makeUser(t, ['marketer']);
      const other = await makeUser(t, ['marketer']);
      const body = { startsAt: '2030-01-01T00:00:00Z', endsAt: '2030-01-03T00:00:00Z', reason: 'holiday' };
      expect((await post(m, `/api/v1/users/${m.id}/time-off`, body)).status).toBe(201);
      expect((await post(admin, `/api/v1/users/${m.id}/time-off`, { ...body, startsAt: '2030-02-01T00:00:00Z', endsAt: '2030-02-02T00:00:00Z' })).status).toBe(201);
      expect((await post(other, `/api/v1/users/${m.id}/time-off`, body)).status).toBe(403);
      const bad = await post(m, `/api/v1/users/${m.id}/time-off`, { startsAt: '2030-01-03T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' });
      expect(bad.status).toBe(400);
      expect(fieldsOf(bad.body)).toContain('endsAt');
      const bad2 = await post(m, `/api/v1/users/${m.id}/time-off`, { startsAt: 'tomorrow', endsAt: '2030-01-01T00:00:00Z' });
      expect(fieldsOf(bad2.body)).toContain('startsAt');
      const list = await get(m, `/api/v1/users/${m.id}/time-off`).expect(200);
      expect(list.body.timeOff).toHaveLength(2);
      expect((await get(other, `/api/v1/users/${m.id}/time-off`)).status).toBe(403);
    });
  });

  describe('generate', () => {
    const K = 3;
    const N = 10;
    let programId: string;
    let periodId: string;
    let hires: Person[];
    const zones = ['UTC', 'Asia/Kolkata', 'America/New_York'];
    const startedOn = daysFromNow(2);

    beforeAll(async () => {
      programId = await makeProgram(t, { onboardingShifts: K, onboardingDays: N }, 'UTC', 'support_rotation');
      periodId = await makePeriod(t, programId, daysFromNow(0), daysFromNow(60));
      await weekly(programId, '09:00', '12:00', 'America/New_York', 2);
      await weekly(programId, '14:00', '17:00', 'America/New_York', 2);
      hires = [];
      for (const zone of zones) {
        const m = await makeUser(t, ['marketer'], zone, { startedOn });
        await enrol(t, periodId, m);
        hires.push(m);
      }
    });

    /** Checks the rotation rule for one hire from the rows. */
    async function checkHire(h: Person, zone: string, timeOff?: { start: Date; end: Date }) {
      const rows: { starts_at: Date; ends_at: Date; status: string; sequence: number; uid: string; id: string }[] = await t.db.query(
        `SELECT id, starts_at, ends_at, status, sequence, uid FROM shift_assignments WHERE period_id = $1 AND marketer_id = $2`,
        [periodId, h.id],
      );
      expect(rows).toHaveLength(K);
      const days = rows.map((r) => DateTime.fromJSDate(r.starts_at, { zone }).toISODate()!);
      expect(new Set(days).size).toBe(K);
      for (const d of days) {
        expect(d >= startedOn).toBe(true);
        expect(d < DateTime.fromISO(startedOn).plus({ days: N }).toISODate()!).toBe(true);
      }
      for (const r of rows) {
        expect(r).toMatchObject({ status: 'confirmed', sequence: 0, uid: `shift-${r.id}@ridealong` });
        if (timeOff) expect(r.starts_at < timeOff.end && timeOff.start < r.ends_at).toBe(false);
      }
    }

    it('is for the lifecycle team only', async () => {
      const rep = await makeUser(t, ['rep']);
      expect((await post(rep, `/api/v1/periods/${periodId}/rotation/generate`)).status).toBe(403);
      expect((await post(hires[0], `/api/v1/periods/${periodId}/rotation/generate`)).status).toBe(403);
      expect(await t.db.query(`SELECT 1 FROM shift_assignments WHERE period_id = $1`, [periodId])).toHaveLength(0);
    });

    it('gives each hire K shifts within N days, one per local day; reports hires without a start date', async () => {
      const noStart = await makeUser(t, ['marketer']);
      await enrol(t, periodId, noStart);
      const res = await post(admin, `/api/v1/periods/${periodId}/rotation/generate`);
      expect(res.status).toBe(200);
      expect(res.body.assignments).toHaveLength(K * hires.length);
      expect(res.body.assignments[0]).toEqual(expect.objectContaining({ periodId, status: 'confirmed', sequence: 0, localStart: expect.any(String) }));
      expect(res.body.report.unmet).toEqual([expect.objectContaining({ marketerId: noStart.id, missing: K, reason: 'no start date' })]);
      for (let i = 0; i < hires.length; i++) await checkHire(hires[i], zones[i]);
      const audits = await t.db.query(`SELECT 1 FROM audit_log WHERE action = 'rotation.generate' AND entity_id = $1`, [periodId]);
      expect(audits).toHaveLength(1);

      const mine = await get(hires[1], `/api/v1/shifts?mine=true`).expect(200);
      expect(mine.body.shifts).toHaveLength(K);
      const s = mine.body.shifts[0];
      expect(DateTime.fromISO(s.localStart, { setZone: true }).toMillis()).toBe(Date.parse(s.startsAt));
      expect(s.localStart).toMatch(/\+05:30$/);
      const all = await get(admin, `/api/v1/shifts?periodId=${periodId}`).expect(200);
      expect(all.body.shifts).toHaveLength(K * hires.length);
      const noPeriod = await get(admin, `/api/v1/shifts`);
      expect(noPeriod.status).toBe(400);
      // A marketer asking for everyone's sees only their own.
      const theirs = await get(hires[0], `/api/v1/shifts?periodId=${periodId}`).expect(200);
      expect(theirs.body.shifts.every((x: { marketerId: string }) => x.marketerId === hires[0].id)).toBe(true);
    });

    it('only adds when run again after a new hire; the new hire’s time off is respected', async () => {
      const before = await t.db.query(`SELECT id, shift_key, marketer_id, starts_at, sequence, updated_at FROM shift_assignments WHERE period_id = $1 ORDER BY id`, [periodId]);
      const late = await makeUser(t, ['marketer'], 'UTC', { startedOn });
      const off = { start: DateTime.fromISO(`${startedOn}T00:00:00Z`).toJSDate(), end: DateTime.fromISO(`${startedOn}T00:00:00Z`).plus({ days: 4 }).toJSDate() };
      await post(late, `/api/v1/users/${late.id}/time-off`, { startsAt: off.start.toISOString(), endsAt: off.end.toISOString() }).expect(201);
      await enrol(t, periodId, late);
      const res = await post(admin, `/api/v1/periods/${periodId}/rotation/generate`);
      expect(res.status).toBe(200);
      expect(res.body.assignments).toHaveLength(K);
      expect(res.body.assignments.every((a: { marketerId: string }) => a.marketerId === late.id)).toBe(true);
      const after = await t.db.query(`SELECT id, shift_key, marketer_id, starts_at, sequence, updated_at FROM shift_assignments WHERE period_id = $1 AND marketer_id <> $2 ORDER BY id`, [periodId, late.id]);
      expect(after).toEqual(before);
      await checkHire(late, 'UTC', off);
      // Capacity is never exceeded.
      const over = await t.db.query(
        `SELECT a.shift_key FROM shift_assignments a JOIN shift_templates tp ON tp.id = a.template_id WHERE a.period_id = $1 GROUP BY a.shift_key, tp.capacity HAVING count(*) > tp.capacity`,
        [periodId],
      );
      expect(over).toEqual([]);
      // And a third run with nothing new adds nothing.
      const again = await post(admin, `/api/v1/periods/${periodId}/rotation/generate`).expect(200);
      expect(again.body.assignments).toEqual([]);
    });

    it('refuses a call_shadowing period with 409 invalid_state', async () => {
      const p = await makeProgram(t, {}, 'UTC', 'call_shadowing');
      const pe = await makePeriod(t, p, daysFromNow(0), daysFromNow(10));
      const res = await post(admin, `/api/v1/periods/${pe}/rotation/generate`);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('invalid_state');
    });
  });

  describe('swap', () => {
    let programId: string;
    let periodId: string;
    let morning: Record<number, string>;
    let afternoon: Record<number, string>;
    let m1: Person;
    let m2: Person;
    const mkey = (d: string) => `${morning[weekdayOf(d)]}@${d}`;
    const akey = (d: string) => `${afternoon[weekdayOf(d)]}@${d}`;

    /** An assignment row straight into the table (the seam generate writes through). */
    async function assign(marketerId: string, key: string): Promise<string> {
      const [tpl, date] = key.split('@');
      const [row] = await t.db.query(`SELECT start_time, end_time FROM shift_templates WHERE id = $1`, [tpl]);
      const [a] = await t.db.query(
        `INSERT INTO shift_assignments (period_id, template_id, shift_key, shift_date, starts_at, ends_at, marketer_id, uid)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'shift-' || gen_random_uuid() || '@test') RETURNING id`,
        [periodId, tpl, key, date, `${date}T${row.start_time}:00Z`, `${date}T${row.end_time}:00Z`, marketerId],
      );
      return a.id;
    }
    const swap = (who: { token: string }, id: string, toShiftKey: string) => post(who, `/api/v1/shift-assignments/${id}/swap`, { toShiftKey });

    beforeAll(async () => {
      programId = await makeProgram(t, { onboardingShifts: 1, onboardingDays: 3 }, 'UTC', 'support_rotation');
      periodId = await makePeriod(t, programId, daysFromNow(-3), daysFromNow(50));
      morning = await weekly(programId, '09:00', '10:00', 'UTC', 1);
      afternoon = await weekly(programId, '13:00', '14:00', 'UTC', 1);
      m1 = await makeUser(t, ['marketer']);
      m2 = await makeUser(t, ['marketer']);
    });

    it('moves the assignment, keeps its UID and raises its sequence', async () => {
      const id = await assign(m1.id, mkey(daysFromNow(5)));
      const res = await swap(m1, id, mkey(daysFromNow(6)));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, shiftKey: mkey(daysFromNow(6)), shiftDate: daysFromNow(6), sequence: 1, startsAt: `${daysFromNow(6)}T09:00:00.000Z` });
      const [row] = await t.db.query(`SELECT uid, sequence, shift_key FROM shift_assignments WHERE id = $1`, [id]);
      expect(row).toMatchObject({ uid: expect.stringMatching(/^shift-/), sequence: 1, shift_key: mkey(daysFromNow(6)) });
      const [audit] = await t.db.query(`SELECT action FROM audit_log WHERE entity_id = $1`, [id]);
      expect(audit.action).toBe('shift_assignment.swap');
      // The lifecycle team may move it too.
      const back = await swap(admin, id, mkey(daysFromNow(5)));
      expect(back.status).toBe(200);
      expect(back.body.sequence).toBe(2);
    });

    it('refuses with a code naming the reason, and changes nothing', async () => {
      const id = await assign(m1.id, mkey(daysFromNow(12)));
      await assign(m2.id, mkey(daysFromNow(13)));
      await post(m1, `/api/v1/users/${m1.id}/time-off`, { startsAt: `${daysFromNow(14)}T00:00:00Z`, endsAt: `${daysFromNow(15)}T00:00:00Z` }).expect(201);
      const rep = await makeUser(t, ['rep']);
      await insertBooking(t, { periodId, repId: rep.id, marketerId: m1.id, startsAt: `${daysFromNow(16)}T09:15:00Z`, endsAt: `${daysFromNow(16)}T10:00:00Z` });
      await assign(m1.id, akey(daysFromNow(17)));

      const cases: [string, string][] = [
        [mkey(daysFromNow(13)), 'shift_full'],
        [mkey(daysFromNow(14)), 'time_off'],
        [mkey(daysFromNow(16)), 'marketer_conflict'],
        [mkey(daysFromNow(17)), 'one_shift_per_day'],
        [mkey(daysFromNow(-1)), 'shift_started'],
      ];
      for (const [key, code] of cases) {
        const res = await swap(m1, id, key);
        expect({ key, status: res.status, code: res.body.code }).toEqual({ key, status: 409, code });
      }
      const [row] = await t.db.query(`SELECT shift_key, sequence FROM shift_assignments WHERE id = $1`, [id]);
      expect(row).toEqual({ shift_key: mkey(daysFromNow(12)), sequence: 0 });

      const unknown = await swap(m1, id, `${morning[1]}@${daysFromNow(200)}`);
      expect(unknown.status).toBe(404);
      const garbage = await swap(m1, id, 'nope');
      expect(garbage.status).toBe(400);
      expect(fieldsOf(garbage.body)).toContain('toShiftKey');
    });

    it("hides someone else's assignment from a marketer (404)", async () => {
      const id = await assign(m1.id, mkey(daysFromNow(20)));
      const res = await swap(m2, id, mkey(daysFromNow(21)));
      expect(res.status).toBe(404);
      expect((await swap(m2, '00000000-0000-4000-8000-000000000000', mkey(daysFromNow(21)))).status).toBe(404);
    });

    it('never exceeds capacity under concurrent swaps into one shift', async () => {
      const target = akey(daysFromNow(30));
      const people: Person[] = [];
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const m = await makeUser(t, ['marketer']);
        people.push(m);
        ids.push(await assign(m.id, mkey(daysFromNow(31 + (i % 12)))));
      }
      const results = await Promise.all(people.map((m, i) => swap(m, ids[i], target)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(people.length - 1);
      expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'shift_full')).toBe(true);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM shift_assignments WHERE shift_key = $1 AND status <> 'cancelled'`, [target]);
      expect(n).toBe(1);
    });
  });
});
