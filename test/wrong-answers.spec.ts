import { DateTime } from 'luxon';
import { todayIn } from '../src/common/dates.js';
import { PeriodCadenceService } from '../src/programs/period-cadence.service.js';
import { RollupsService } from '../src/rollups/rollups.service.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { enrol, insertBooking, makePeriod, makeProgram, makeUser, Person } from './support/fixtures.js';

/** Wrong answers found while hardening (issue 12), each checked through the real service on PostgreSQL. */
describe('wrong answers (issue 12)', () => {
  let t: TestApp;
  const LC = 'wrong-answers-team@example.com';
  const periodStatus = async (id: string) => (await t.db.query(`SELECT status FROM periods WHERE id = $1`, [id]))[0].status as string;

  beforeAll(async () => {
    t = await startTestApp({ JOBS_POLL_SECONDS: '0.5' });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('a period follows its dates from the moment it is created', () => {
    it('is open at once when today (in the program zone) is inside its dates, closed when they are past', async () => {
      // UTC+14: "today" there is a day ahead of UTC for ten hours of every day, and never behind.
      const zone = 'Pacific/Kiritimati';
      const programId = await makeProgram(t, {}, zone);
      const today = todayIn(zone, new Date());
      const res = await t.http.post(`/api/v1/programs/${programId}/periods`).set(bearer(t.adminToken)).send({ startsOn: today, endsOn: today }).expect(201);
      expect(res.body.status).toBe('open');
      expect(await periodStatus(res.body.id)).toBe('open');

      const past = DateTime.fromISO(today).minus({ days: 30 });
      const closed = await t.http
        .post(`/api/v1/programs/${programId}/periods`)
        .set(bearer(t.adminToken))
        .send({ startsOn: past.toISODate(), endsOn: past.plus({ days: 9 }).toISODate() })
        .expect(201);
      expect(closed.body.status).toBe('closed');

      const later = DateTime.fromISO(today).plus({ days: 3 });
      const planned = await t.http
        .post(`/api/v1/programs/${programId}/periods`)
        .set(bearer(t.adminToken))
        .send({ startsOn: later.toISODate(), endsOn: later.plus({ days: 9 }).toISODate() })
        .expect(201);
      expect(planned.body.status).toBe('planned');
    });
  });

  describe('a period is rolled_up once it has ended and its rollup is built, whichever tick runs first', () => {
    const ended = () => {
      const from = DateTime.utc().minus({ days: 20 }).startOf('day');
      return { startsOn: from.toISODate()!, endsOn: from.plus({ days: 9 }).toISODate()! };
    };

    it('the rollup is built before the period tick has closed the period: rolled_up, and the tick leaves it so', async () => {
      const programId = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: [LC] });
      const d = ended();
      const periodId = await makePeriod(t, programId, d.startsOn, d.endsOn);
      // As it stood before the hourly period tick ran past its end.
      await t.db.query(`UPDATE periods SET status = 'open' WHERE id = $1`, [periodId]);
      const now = new Date();
      await t.app.get(RollupsService).enqueueDue(now);
      const [{ id }] = await t.db.query(`SELECT id FROM rollups WHERE period_id = $1 AND kind = 'period'`, [periodId]);
      await t.app.get(RollupsService).build(id);
      expect(await periodStatus(periodId)).toBe('rolled_up');
      await t.app.get(PeriodCadenceService).runOnce(now);
      expect(await periodStatus(periodId)).toBe('rolled_up');
    });

    it('the period tick closes the period after its rollup is built: rolled_up (a period left closed is mended)', async () => {
      const programId = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: [LC] });
      const d = ended();
      const periodId = await makePeriod(t, programId, d.startsOn, d.endsOn);
      await t.app.get(RollupsService).enqueueDue(new Date());
      const [{ id }] = await t.db.query(`SELECT id FROM rollups WHERE period_id = $1 AND kind = 'period'`, [periodId]);
      await t.app.get(RollupsService).build(id);
      // What the old order left behind: the rollup built while the period was open, then the tick closing it.
      await t.db.query(`UPDATE periods SET status = 'closed' WHERE id = $1`, [periodId]);
      const { statusChanges } = await t.app.get(PeriodCadenceService).runOnce(new Date());
      expect(statusChanges).toBeGreaterThanOrEqual(1);
      expect(await periodStatus(periodId)).toBe('rolled_up');
    });

    it('the period tick closes the period first, the rollup is built later: rolled_up', async () => {
      const programId = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: [LC] });
      const d = ended();
      const periodId = await makePeriod(t, programId, d.startsOn, d.endsOn);
      await t.db.query(`UPDATE periods SET status = 'open' WHERE id = $1`, [periodId]);
      await t.app.get(PeriodCadenceService).runOnce(new Date());
      expect(await periodStatus(periodId)).toBe('closed');
      await t.app.get(RollupsService).enqueueDue(new Date());
      const [{ id }] = await t.db.query(`SELECT id FROM rollups WHERE period_id = $1 AND kind = 'period'`, [periodId]);
      await t.app.get(RollupsService).build(id);
      expect(await periodStatus(periodId)).toBe('rolled_up');
    });
  });

  describe('rollups count named accounts only', () => {
    it("one marketer's 15 forms without an account are not 15 accounts; the forms that named none are shown", async () => {
      const programId = await makeProgram(t, { rollupCadence: 'weekly', rollupRecipients: [LC] });
      const from = DateTime.utc().minus({ days: 30 }).startOf('day');
      const periodId = await makePeriod(t, programId, from.toISODate()!, from.plus({ days: 9 }).toISODate()!);
      const theme = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: `Billing surprises ${Date.now()}` }).expect(201)).body.id;
      const rep = await makeUser(t, ['rep']);
      const loud = await makeUser(t, ['marketer']);
      const quiet = await makeUser(t, ['marketer']);
      const forms = [
        ...Array.from({ length: 15 }, (_, i) => ({ author: loud.id, account: i % 2 ? '' : undefined })), // no account answer, or a blank one
        { author: quiet.id, account: 'Acme' },
        { author: quiet.id, account: ' acme ' }, // the same account, written differently
      ];
      for (const [i, f] of forms.entries()) {
        const answers = { mode: 'feedback', themeIds: [theme], ...(f.account !== undefined ? { account: f.account } : {}) };
        const at = from.plus({ days: 1, minutes: i * 10 }).toISO();
        const [{ id }] = await t.db.query(
          `INSERT INTO observations (program_id, period_id, author_id, rep_id, template_version, status, answers, session_ended_at, due_at, submitted_at, late, revision)
           VALUES ($1, $2, $3, $4, 1, 'submitted', $5, $6, $6::timestamptz + interval '1 day', $6, false, 1) RETURNING id`,
          [programId, periodId, f.author, rep.id, JSON.stringify(answers), at],
        );
        await t.db.query(`INSERT INTO observation_themes (observation_id, theme_id) VALUES ($1, $2)`, [id, theme]);
      }
      const res = await t.http
        .post('/api/v1/rollups')
        .set(bearer(t.adminToken))
        .send({ programId, from: from.toISODate(), to: from.plus({ days: 9 }).toISODate() })
        .expect(201);
      const ranked = res.body.report.themes.find((x: { themeId: string }) => x.themeId === theme);
      expect(ranked).toMatchObject({ mentions: 17, observers: 2, accounts: 1, formsWithoutAccount: 15 });

      const page = await t.http.get(`/rollups/${res.body.id}`).set(bearer(t.adminToken)).expect(200);
      expect(page.text).toContain('Forms without account');
      expect(page.text).toMatch(/<td align="right">1<\/td><td align="right">15<\/td>/);
      const [mail] = await t.db.query(`SELECT text, html FROM mail_outbox WHERE recipient = $1 AND dedupe_key LIKE $2`, [LC, `rollup:${res.body.id}:%`]);
      expect(mail.text).toContain('1 account (15 forms named no account)');
      expect(mail.html).toContain('Forms without account');
    });
  });

  describe('one rule for "at risk", the health page\'s: held + booked against the pace', () => {
    it('a marketer who has booked ahead is not at risk in the rollup', async () => {
      const programId = await makeProgram(t, { rollupCadence: 'weekly', rollupRecipients: [LC] });
      // A 20-day period, 11 days of it passed by the end of today: pace for a quota of 4 is floor(2.2) = 2.
      const start = DateTime.utc().startOf('day').minus({ days: 10 });
      const periodId = await makePeriod(t, programId, start.toISODate()!, start.plus({ days: 19 }).toISODate()!);
      const rep = await makeUser(t, ['rep']);
      const ahead: Person = await makeUser(t, ['marketer']);
      const behind: Person = await makeUser(t, ['marketer']);
      await enrol(t, periodId, ahead, 4);
      await enrol(t, periodId, behind, 4);
      for (const days of [3, 4]) {
        const s = DateTime.utc().plus({ days }).startOf('hour');
        await insertBooking(t, { periodId, repId: rep.id, marketerId: ahead.id, startsAt: s.toISO()!, endsAt: s.plus({ minutes: 45 }).toISO()! });
      }
      const s = DateTime.utc().plus({ days: 5 }).startOf('hour');
      await insertBooking(t, { periodId, repId: rep.id, marketerId: behind.id, startsAt: s.toISO()!, endsAt: s.plus({ minutes: 45 }).toISO()! });
      const res = await t.http
        .post('/api/v1/rollups')
        .set(bearer(t.adminToken))
        .send({ programId, from: start.toISODate(), to: DateTime.utc().toISODate() })
        .expect(201);
      const byId = new Map(res.body.report.coverage.marketers.map((m: { id: string }) => [m.id, m]));
      // The rollup's old rule (0.75 × quota share of held sessions) called both at risk: 0 < 1.65.
      expect(byId.get(ahead.id)).toMatchObject({ sessions: 0, booked: 2, atRisk: false });
      expect(byId.get(behind.id)).toMatchObject({ sessions: 0, booked: 1, atRisk: true });
    });
  });
});
