import { DateTime } from 'luxon';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, insertBooking, makePeriod, makeProgram, makeUser, Person } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';

/**
 * The rollup's "closing the loop" sections over planted rows (actions, notices, rep notes and forms written
 * with SQL, as their features write them): present and right in the JSON, the page, the email and its text.
 */
describe('rollups: what became of earlier actions, notices, from the reps (HTTP, real SMTP, real PostgreSQL)', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  const LC = `loop-lc-${Date.now()}@example.com`;
  let programId: string;
  let periodId: string;
  let lifecycle: Person;
  let marketers: Person[];
  let reps: Person[];
  let pricing: string;
  let setup: string;
  const now = DateTime.utc();
  const doneAt = now.minus({ days: 5 });

  /** A submitted form of `author` whose session ended at `at`, naming `themes`. */
  async function form(author: Person, rep: Person, at: DateTime, themes: string[]): Promise<void> {
    const [o] = await t.db.query(
      `INSERT INTO observations (program_id, period_id, author_id, rep_id, template_version, status, answers, session_ended_at, due_at, submitted_at, late, revision)
       VALUES ($1, $2, $3, $4, 1, 'submitted', $5, $6, $6, $6, false, 1) RETURNING id`,
      [programId, periodId, author.id, rep.id, JSON.stringify({ mode: 'feedback', themeIds: themes }), at.toISO()],
    );
    for (const th of themes) await t.db.query(`INSERT INTO observation_themes (observation_id, theme_id) VALUES ($1, $2)`, [o.id, th]);
  }

  async function action(a: { title: string; status: string; dueOn?: string; doneAt?: DateTime; themes?: string[] }): Promise<string> {
    const [row] = await t.db.query(
      `INSERT INTO actions (program_id, kind, title, owner_id, due_on, status, done_at, created_by, created_at)
       VALUES ($1, 'info_for_sales', $2, $3, $4, $5, $6, $3, $7) RETURNING id`,
      [programId, a.title, lifecycle.id, a.dueOn ?? null, a.status, a.doneAt?.toISO() ?? null, now.minus({ days: 15 }).toISO()],
    );
    for (const th of a.themes ?? []) await t.db.query(`INSERT INTO action_themes (action_id, theme_id) VALUES ($1, $2)`, [row.id, th]);
    return row.id;
  }

  let noteAt = now.minus({ days: 10 }).startOf('hour');
  async function repNote(rep: Person, n: { wish: string | null; usefulness: number | null; endedAt?: DateTime; marked?: string[] }): Promise<void> {
    noteAt = noteAt.plus({ hours: 1 });
    const ended = n.endedAt ?? noteAt;
    const bookingId = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketers[0].id, startsAt: ended.minus({ minutes: 30 }).toISO()!, endsAt: ended.toISO()!, status: 'completed' });
    await t.db.query(
      `INSERT INTO rep_notes (booking_id, program_id, period_id, rep_id, status, wish, usefulness, marked_names, session_ended_at, due_at, submitted_at)
       VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $7, $8, $8, $8)`,
      [bookingId, programId, periodId, rep.id, n.wish, n.usefulness, n.marked ?? [], ended.toISO()],
    );
  }

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5' });
    lifecycle = await makeUser(t, ['lifecycle'], 'Australia/Adelaide');
    programId = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: [LC] }, 'UTC');
    periodId = await makePeriod(t, programId, daysFromNow(-60), daysFromNow(30));
    marketers = [await makeUser(t, ['marketer']), await makeUser(t, ['marketer']), await makeUser(t, ['marketer'])];
    reps = [await makeUser(t, ['rep']), await makeUser(t, ['rep']), await makeUser(t, ['rep'])];
    pricing = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: 'Pricing confusion' }).expect(201)).body.id;
    setup = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: 'Setup ownership' }).expect(201)).body.id;

    // Before the actions were done: Pricing from one observer of two, Setup from both.
    await form(marketers[0], reps[0], doneAt.minus({ days: 2 }), [pricing, setup]);
    await form(marketers[1], reps[1], doneAt.minus({ days: 2 }), [setup]);
    // After: Pricing from all three observers (still rising), Setup from none (fell).
    for (const [i, mk] of marketers.entries()) await form(mk, reps[i], doneAt.plus({ days: 2 }), [pricing]);

    await action({ title: 'Pricing battlecard', status: 'done', doneAt, themes: [pricing] });
    await action({ title: 'Setup checklist', status: 'done', doneAt, themes: [setup] });
    await action({ title: 'Alert reps to the webinar', status: 'in_progress', dueOn: now.minus({ days: 3 }).toISODate()! });
    await action({ title: 'Case study for fintech', status: 'open', dueOn: now.plus({ days: 10 }).toISODate()! });
    await action({ title: 'Dropped idea', status: 'dropped', dueOn: now.minus({ days: 30 }).toISODate()! });

    // Two notices to three reps: the first acknowledged by everyone, the second by one rep.
    for (const [i, subject] of ['Spring launch', 'New pricing page'].entries()) {
      const [n] = await t.db.query(`INSERT INTO notices (program_id, period_id, kind, subject, body, sent_by, sent_at, recipient_count) VALUES ($1, $2, 'campaign_notification', $3, 'Body', $4, $5, 3) RETURNING id`, [
        programId,
        periodId,
        subject,
        lifecycle.id,
        now.minus({ days: 8 - i }).toISO(),
      ]);
      for (const [j, r] of reps.entries()) {
        await t.db.query(`INSERT INTO notice_recipients (notice_id, rep_id, acknowledged_at) VALUES ($1, $2, $3)`, [n.id, r.id, i === 0 || j === 0 ? now.minus({ days: 1 }).toISO() : null]);
      }
    }

    // Rep notes: one loud rep writes ten (usefulness 1), two quiet reps one each (5); the previous window averaged 2.
    for (let i = 0; i < 10; i++) await repNote(reps[0], { wish: `Loud wish number ${i}`, usefulness: 1 });
    await repNote(reps[1], { wish: 'Tell us which campaign the lead came from; mail jane.doe@acme.com', usefulness: 5 });
    await repNote(reps[2], { wish: 'Jane Whitfield asked for the deck again', usefulness: 5, marked: ['Jane Whitfield'] });
    await repNote(reps[1], { wish: null, usefulness: 2, endedAt: now.minus({ days: 30 }) });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('builds the sections into the JSON, the page, the email and its plain text', async () => {
    const res = await t.http.post('/api/v1/rollups').set(bearer(t.adminToken)).send({ programId, from: daysFromNow(-20), to: daysFromNow(1) }).expect(201);
    const r = (await t.http.get(`/api/v1/rollups/${res.body.id}`).set(bearer(t.adminToken)).expect(200)).body.report;

    const a = r.earlierActions;
    expect(a.counts).toEqual({ doneSinceLast: 2, overdue: 1, open: 1 });
    expect(a.overdue.map((x: { title: string }) => x.title)).toEqual(['Alert reps to the webinar']);
    expect(a.open.map((x: { title: string }) => x.title)).toEqual(['Case study for fintech']);
    const trend = Object.fromEntries(a.themes.map((x: { name: string; trend: string; flagged: boolean; before: number; after: number }) => [x.name, x]));
    expect(trend['Pricing confusion']).toMatchObject({ before: 1, after: 3, trend: 'rose', flagged: true });
    expect(trend['Setup ownership']).toMatchObject({ before: 2, after: 0, trend: 'fell', flagged: false });

    expect(r.notices).toMatchObject({ count: 2, recipients: 3, acknowledged: 1 });
    expect(r.notices.items.map((i: { subject: string; acknowledged: number; recipients: number }) => [i.subject, i.acknowledged, i.recipients])).toEqual([
      ['Spring launch', 3, 3],
      ['New pricing page', 1, 3],
    ]);

    const f = r.fromReps;
    expect(f.notes).toBe(12);
    expect(f.reps).toBe(3);
    expect(f.wishes).toHaveLength(3); // the loud rep is one voice
    expect(f.wishes.filter((w: { repId: string }) => w.repId === reps[0].id)).toEqual([{ repId: reps[0].id, text: 'Loud wish number 9' }]);
    const texts = f.wishes.map((w: { text: string }) => w.text).join('\n');
    expect(texts).toContain('[email]');
    expect(texts).toContain('[name] asked for the deck');
    expect(texts).not.toContain('jane.doe');
    expect(texts).not.toContain('Whitfield');
    expect(f.usefulness).toEqual({ average: 3.67, reps: 3, previousAverage: 2, trend: 'up' });

    const page = await t.http.get(`/rollups/${res.body.id}`).set(bearer(lifecycle.token)).expect(200);
    expect(page.text).toContain(`/lifecycle/actions/new?rollupId=${res.body.id}`);
    expect(page.text).toContain('What became of earlier actions');
    expect(page.text).toContain('FLAGGED: Pricing confusion: 1.00 → 3.00, still rose after');
    expect(page.text).toContain('2 notices, 1 of 3 reps acknowledged.');

    await sink.waitFor(() => sink.to(LC).length === 1);
    const mail = sink.to(LC)[0].parsed;
    for (const part of [String(mail.html), mail.text!]) {
      expect(part).toContain('2 done, 1 overdue, 1 still open');
      expect(part).toContain('Setup ownership: 2.00 → 0.00, fell after');
      expect(part).toContain('2 notices, 1 of 3 reps acknowledged.');
      expect(part).toContain('3.67 of 5');
      expect(part).toContain('Loud wish number 9');
      expect(part).not.toContain('Loud wish number 8');
      expect(part).not.toContain('jane.doe@acme.com');
      expect(part).not.toContain('Dropped idea');
    }
  });

  it('counts "done since the last rollup" from the previous rollup', async () => {
    await new Promise((r) => setTimeout(r, 20));
    const res = await t.http.post('/api/v1/rollups').set(bearer(t.adminToken)).send({ programId, from: daysFromNow(-19), to: daysFromNow(1) }).expect(201);
    const r = (await t.http.get(`/api/v1/rollups/${res.body.id}`).set(bearer(t.adminToken)).expect(200)).body.report;
    expect(r.earlierActions.counts.doneSinceLast).toBe(0);
    expect(r.earlierActions.counts.overdue).toBe(1);
  });
});
