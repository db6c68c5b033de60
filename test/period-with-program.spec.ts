import { randomUUID } from 'node:crypto';
import { Period, Program } from '../src/programs/program.entity.js';
import { ProgramsRepository } from '../src/programs/programs.repository.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { makePeriod, makeProgram } from './support/fixtures.js';

/**
 * `findPeriodWithProgram` reads both rows in one raw statement and hydrates them itself: what it returns must
 * be exactly what TypeORM's own reads of the two entities return (types, dates, settings, nulls).
 */
describe('a period with its program, read in one statement', () => {
  let t: TestApp;
  let repo: ProgramsRepository;

  beforeAll(async () => {
    t = await startTestApp({ JOBS_POLL_SECONDS: '60' });
    repo = t.app.get(ProgramsRepository);
  });
  afterAll(() => t.close());

  it.each([
    ['with a preparation note and a focus', { seatsPerCall: 3, minNoticeHours: 5 }, 'America/New_York', true],
    ['without them', {}, 'Asia/Kolkata', false],
  ])('is what TypeORM reads of each row (%s)', async (_, settings, zone, extras) => {
    const programId = await makeProgram(t, settings, zone);
    if (extras) {
      await t.http.patch(`/api/v1/programs/${programId}`).set(bearer(t.adminToken)).send({ preparationNote: 'Read the account notes; “quotes” & <tags>.' }).expect(200);
    }
    const periodId = await makePeriod(t, programId, '2027-03-01', '2027-03-28');
    if (extras) await t.db.query(`UPDATE periods SET focus = 'Spring – wave 1' WHERE id = $1`, [periodId]);

    const found = await repo.findPeriodWithProgram(t.db.manager, periodId);
    const period = await t.db.manager.findOneByOrFail(Period, { id: periodId });
    const program = await t.db.manager.findOneByOrFail(Program, { id: programId });
    expect(found).not.toBeNull();
    expect(found!.period).toStrictEqual(period);
    expect(found!.program).toStrictEqual(program);
    expect(found!.period.startsOn).toBe('2027-03-01');
    expect(found!.program.createdAt).toBeInstanceOf(Date);
    expect(found!.program.settings).toMatchObject(settings);
    expect(found!.program.preparationNote).toBe(extras ? 'Read the account notes; “quotes” & <tags>.' : null);
    expect(found!.period.focus).toBe(extras ? 'Spring – wave 1' : null);
  });

  it('is null for a period that does not exist', async () => {
    expect(await repo.findPeriodWithProgram(t.db.manager, randomUUID())).toBeNull();
  });
});
