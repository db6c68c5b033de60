import { randomUUID } from 'node:crypto';
import { DomainError } from '../../src/common/errors.js';
import { JOBS_SCHEMA } from '../../src/jobs/jobs.service.js';
import { User } from '../../src/people/user.entity.js';
import { DEFAULT_SETTINGS } from '../../src/programs/program-settings.js';
import { RotationsRepository, isPlaceConflict } from '../../src/rotations/rotations.repository.js';
import { RotationsService, SHIFT_REMINDER_JOB } from '../../src/rotations/rotations.service.js';
import { seeder, startServices, TestServices } from '../support/services.js';

/**
 * RotationsService on its own: built with `new` on a real database, no Nest app, no HTTP. What it checks
 * is the service's own word on a swap: which rule refuses it with which code (and that a refusal changes
 * nothing), and who may swap or cancel an assignment.
 */
describe('RotationsService (services with new, real PostgreSQL)', () => {
  let s: TestServices;
  let rotations: RotationsService;
  let lifecycle: User;
  let rep: User;
  let m1: User;
  let m2: User;
  let m3: User;
  let periodId: string;
  /** Template ids: Monday 09:00-12:00 and 14:00-17:00 (one place each), Tuesday 09:00-12:00 (two places), UTC. */
  let monAm: string;
  let monPm: string;
  let tueAm: string;
  // March 2027 starts on a Monday; the clock stands a week before it unless a test moves it.
  const BEFORE = '2027-02-22T00:00:00Z';

  /** The DomainError a call throws (fails the test when it does not throw one). */
  async function refused(call: Promise<unknown>): Promise<DomainError> {
    try {
      await call;
    } catch (e) {
      if (e instanceof DomainError) return e;
      throw e;
    }
    throw new Error('expected a refusal, the call succeeded');
  }
  /** A lifecycle override puts the marketer on the shift; the assignment's id. */
  const place = async (who: User, templateId: string, date: string) => (await rotations.assign(lifecycle, periodId, who.id, `${templateId}@${date}`)).id;
  /** What a refused change must leave as it was: the assignment's row and the outbox. */
  async function state(id: string) {
    const [row] = await s.db.query(`SELECT shift_key, sequence, status, marketer_id FROM shift_assignments WHERE id = $1`, [id]);
    const [{ n }] = await s.db.query(`SELECT count(*)::int AS n FROM mail_outbox`);
    return { row, mails: n as number };
  }
  const outboxKeys = async (id: string): Promise<string[]> =>
    (await s.db.query(`SELECT dedupe_key FROM mail_outbox WHERE dedupe_key LIKE $1 ORDER BY dedupe_key`, [`shift:${id}:%`])).map((r: { dedupe_key: string }) => r.dedupe_key);

  beforeAll(async () => {
    s = await startServices();
    s.clock.set(BEFORE);
    rotations = new RotationsService(s.db, new RotationsRepository(), s.programs, s.audit, s.clock, s.notifier, s.observations);
    const seed = seeder(s.db);
    lifecycle = await seed.user(['lifecycle']);
    rep = await seed.user(['rep']);
    m1 = await seed.user(['marketer']);
    m2 = await seed.user(['marketer']);
    m3 = await seed.user(['marketer']);
    const [program] = await s.db.query(`INSERT INTO programs (name, kind, time_zone, settings) VALUES ('Support rotation', 'support_rotation', 'UTC', $1) RETURNING id`, [
      JSON.stringify({ ...DEFAULT_SETTINGS, periodCadence: 'none' }),
    ]);
    periodId = await seed.period(program.id, '2027-03-01', '2027-03-31');
    for (const m of [m1, m2, m3]) await seed.enrol(periodId, m.id);
    const template = async (weekday: number, start: string, end: string, capacity: number) =>
      (await rotations.createTemplate(lifecycle, program.id, { weekday, start, end, timeZone: 'UTC', queue: 'support', capacity })).id;
    monAm = await template(1, '09:00', '12:00', 1);
    monPm = await template(1, '14:00', '17:00', 1);
    tueAm = await template(2, '09:00', '12:00', 2);
  });

  afterEach(() => s.clock.set(BEFORE));

  afterAll(async () => {
    await s?.close();
  });

  describe('swap refusals', () => {
    it('shift_full: every place on the target shift is taken; nothing changes', async () => {
      const a = await place(m1, tueAm, '2027-03-02');
      await place(m2, monAm, '2027-03-01');
      const before = await state(a);
      const e = await refused(rotations.swap(m1, a, `${monAm}@2027-03-01`));
      expect(e.code).toBe('shift_full');
      expect(e.details).toEqual({ shiftKey: `${monAm}@2027-03-01`, capacity: 1 });
      expect(await state(a)).toEqual(before);
    });

    it('time_off: the marketer has time off during the target shift; nothing changes', async () => {
      const a = await place(m1, tueAm, '2027-03-09');
      await rotations.addTimeOff(m1, m1.id, { startsAt: '2027-03-08T00:00:00Z', endsAt: '2027-03-09T00:00:00Z' });
      const before = await state(a);
      expect((await refused(rotations.swap(m1, a, `${monAm}@2027-03-08`))).code).toBe('time_off');
      expect(await state(a)).toEqual(before);
    });

    it('one_shift_per_day: the marketer already has a shift that local day (not overlapping); nothing changes', async () => {
      await place(m2, monAm, '2027-03-15');
      const a = await place(m2, tueAm, '2027-03-16');
      const before = await state(a);
      const e = await refused(rotations.swap(m2, a, `${monPm}@2027-03-15`));
      expect(e.code).toBe('one_shift_per_day');
      expect(e.details).toEqual({ date: '2027-03-15' });
      expect(await state(a)).toEqual(before);
    });

    it('shift_started: the assignment’s own shift, or the target shift, has started (by the injected clock)', async () => {
      const a = await place(m1, tueAm, '2027-03-23');
      const before = await state(a);
      s.clock.set('2027-03-23T09:00:00Z');
      const own = await refused(rotations.swap(m1, a, `${tueAm}@2027-03-30`));
      expect(own.code).toBe('shift_started');
      expect(own.details).toEqual({ shiftKey: `${tueAm}@2027-03-23` });
      s.clock.set('2027-03-22T14:00:00Z');
      const target = await refused(rotations.swap(m1, a, `${monPm}@2027-03-22`));
      expect(target.code).toBe('shift_started');
      expect(target.details).toEqual({ shiftKey: `${monPm}@2027-03-22` });
      expect(await state(a)).toEqual(before);
      s.clock.set('2027-03-22T13:59:00Z');
      expect((await rotations.swap(m1, a, `${monPm}@2027-03-22`)).shiftKey).toBe(`${monPm}@2027-03-22`);
    });
  });

  describe('the database backstop under the rules', () => {
    it('isPlaceConflict recognises PostgreSQL refusing a marketer a second place (overlap, same shift twice) and nothing else', async () => {
      const repo = new RotationsRepository();
      const x = await seeder(s.db).user(['marketer']);
      const row = (key: string, start: string, end: string) => ({
        id: randomUUID(),
        periodId,
        templateId: key.split('@')[0],
        shiftKey: key,
        shiftDate: key.split('@')[1],
        startsAt: new Date(start),
        endsAt: new Date(end),
        marketerId: x.id,
        createdBy: lifecycle.id,
      });
      const error = async (call: Promise<unknown>) => call.then(() => undefined, (e: unknown) => e);
      await repo.insertAssignment(s.db.manager, row(`${monAm}@2027-03-01`, '2027-03-01T09:00:00Z', '2027-03-01T12:00:00Z'));
      const overlap = await error(repo.insertAssignment(s.db.manager, row(`${monPm}@2027-03-01`, '2027-03-01T11:00:00Z', '2027-03-01T13:00:00Z')));
      const twice = await error(repo.insertAssignment(s.db.manager, row(`${monAm}@2027-03-01`, '2027-03-01T20:00:00Z', '2027-03-01T21:00:00Z')));
      const inverted = await error(repo.insertAssignment(s.db.manager, row(`${monPm}@2027-03-08`, '2027-03-08T17:00:00Z', '2027-03-08T14:00:00Z')));
      expect([overlap, twice, inverted].map((e) => (e as { driverError?: { code?: string } })?.driverError?.code)).toEqual(['23P01', '23505', '23514']);
      expect([overlap, twice, inverted, new Error('other')].map((e) => isPlaceConflict(e))).toEqual([true, true, false, false]);
    });
  });

  describe('who may swap', () => {
    it('another marketer and a rep get not_found; its marketer and the lifecycle team swap it, each move announced', async () => {
      const a = await place(m1, monAm, '2027-03-29');
      const before = await state(a);
      for (const who of [m3, rep]) {
        const e = await refused(rotations.swap(who, a, `${monPm}@2027-03-29`));
        expect(e.code).toBe('not_found');
      }
      expect(await state(a)).toEqual(before);

      const mine = await rotations.swap(m1, a, `${monPm}@2027-03-29`);
      expect(mine).toMatchObject({ id: a, marketerId: m1.id, shiftKey: `${monPm}@2027-03-29`, sequence: 1, status: 'confirmed' });
      const byLifecycle = await rotations.swap(lifecycle, a, `${tueAm}@2027-03-30`);
      expect(byLifecycle).toMatchObject({ id: a, marketerId: m1.id, shiftKey: `${tueAm}@2027-03-30`, sequence: 2 });
      expect(await outboxKeys(a)).toEqual([`shift:${a}:assigned:0`, `shift:${a}:changed:1`, `shift:${a}:changed:2`]);
      // The evening-before reminder (18:00 in the marketer's zone) of each version of the shift.
      const reminders = await s.db.query(`SELECT start_after, data FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND data->>'assignmentId' = $2 ORDER BY (data->>'sequence')::int`, [SHIFT_REMINDER_JOB, a]);
      expect(reminders.map((j: { start_after: Date; data: object }) => [new Date(j.start_after).toISOString(), j.data])).toEqual([
        ['2027-03-28T18:00:00.000Z', { assignmentId: a, sequence: 0 }],
        ['2027-03-28T18:00:00.000Z', { assignmentId: a, sequence: 1 }],
        ['2027-03-29T18:00:00.000Z', { assignmentId: a, sequence: 2 }],
      ]);
    });

    it('cancel: its marketer is forbidden (they swap instead), another marketer gets not_found, the lifecycle team cancels', async () => {
      const a = await place(m3, tueAm, '2027-03-30');
      const before = await state(a);
      expect((await refused(rotations.cancel(m3, a, 'sick'))).code).toBe('forbidden');
      expect((await refused(rotations.cancel(m1, a, 'sick'))).code).toBe('not_found');
      expect(await state(a)).toEqual(before);
      expect(await rotations.cancel(lifecycle, a, 'sick')).toMatchObject({ id: a, status: 'cancelled', sequence: 1 });
      expect(await outboxKeys(a)).toEqual([`shift:${a}:assigned:0`, `shift:${a}:cancelled:1`]);
    });
  });
});
