import { DateTime } from 'luxon';
import pg from 'pg';
import { RollupsService } from '../src/rollups/rollups.service.js';
import { readTestEnv } from './support/env.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { makePeriod, makeProgram, makeUser, Person } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';

const LC = 'lc-team@example.com';

/**
 * A planted data set with a known true ranking: six marketers each file three forms about T1 (every form),
 * T2 (two of three) and T3 (one of three, five of them); one prolific marketer files thirty forms, all about
 * "Fad" (which one other marketer mentions once) and "Solo" (nobody else). Raw mentions put Fad and Solo
 * first; weights normalised per observer give T1 > T2 > T3 > Fad, and Solo is only emerging.
 */
async function plant(t: TestApp, programId: string, periodId: string, from: DateTime) {
  const themes: Record<string, string> = {};
  for (const name of ['T1 Onboarding friction', 'T2 Pricing confusion', 'T3 Missing integrations', 'Fad', 'Solo']) {
    themes[name.split(' ')[0]] = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name }).expect(201)).body.id;
  }
  const rep = await makeUser(t, ['rep']);
  const marketers: Person[] = [];
  for (let i = 0; i < 7; i++) marketers.push(await makeUser(t, ['marketer'], i % 2 ? 'Europe/Berlin' : 'America/New_York'));
  const forms: { author: string; themes: string[]; at: DateTime; account: string }[] = [];
  marketers.slice(1).forEach((m, i) => {
    for (let k = 0; k < 3; k++) {
      const ts = [themes.T1];
      if (k < 2) ts.push(themes.T2);
      if (k === 0 && i < 5) ts.push(themes.T3);
      if (i === 0 && k === 2) ts.push(themes.Fad);
      forms.push({ author: m.id, themes: ts, at: from.plus({ days: 1 + i, hours: k }), account: `Account ${i}-${k}` });
    }
  });
  for (let k = 0; k < 30; k++) forms.push({ author: marketers[0].id, themes: [themes.Fad, themes.Solo], at: from.plus({ days: 1, minutes: k * 7 }), account: 'Same account' });
  for (const f of forms) {
    const answers = {
      mode: f.themes.includes(themes.Fad) ? 'behavior' : 'feedback',
      segment: 'Ops',
      account: f.account,
      quotes: [{ text: `Call me on +1 415 555 2671 or mail buyer@${f.account.replace(/\W/g, '').toLowerCase()}.example`, speaker: 'customer' }],
      themeIds: f.themes,
      lead: { marketingSourced: true, followUp: 'Rep mentioned the webinar', lacked: 'Which campaign' },
      ideas: [
        { text: 'Share campaign source with reps', category: 'info_to_sales' },
        { text: 'Alert reps about pricing changes', category: 'rep_alerts' },
      ],
      peak: { text: 'Pricing objection', valence: -2 },
      end: { text: 'Agreed to a trial', valence: 1 },
      negativeFeedback: 'Setup took too long',
      focusFinding: 'Nobody owns setup',
      intros: ['Their IT admin'],
    };
    const [{ id }] = await t.db.query(
      `INSERT INTO observations (program_id, period_id, author_id, rep_id, template_version, status, answers, session_ended_at, due_at, submitted_at, late, revision)
       VALUES ($1, $2, $3, $4, 1, 'submitted', $5, $6, $6::timestamptz + interval '1 day', $6, false, 1) RETURNING id`,
      [programId, periodId, f.author, rep.id, JSON.stringify(answers), f.at.toISO()],
    );
    await t.db.query(`INSERT INTO observation_themes (observation_id, theme_id) SELECT $1, unnest($2::uuid[])`, [id, f.themes]);
  }
  return { themes, marketers, rep };
}

describe('theme rollups', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  let programId: string;
  let periodId: string;
  let planted: Awaited<ReturnType<typeof plant>>;
  const windowFrom = DateTime.utc().minus({ days: 40 }).startOf('day');
  const windowTo = windowFrom.plus({ days: 30 });

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5' });
    programId = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: [LC] }, 'UTC');
    periodId = await makePeriod(t, programId, windowFrom.toISODate()!, windowTo.minus({ days: 1 }).toISODate()!);
    planted = await plant(t, programId, periodId, windowFrom);
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('ranks themes by weight normalised per observer, where raw counts would not', async () => {
    const res = await t.http
      .post('/api/v1/rollups')
      .set(bearer(t.adminToken))
      .send({ programId, from: windowFrom.toISODate(), to: windowTo.minus({ days: 1 }).toISODate() })
      .expect(201);
    const r = res.body.report;
    const { T1, T2, T3, Fad, Solo } = planted.themes;
    expect(r.themes.map((x: { themeId: string }) => x.themeId)).toEqual([T1, T2, T3, Fad]);
    expect(r.themes[0]).toMatchObject({ weight: 6, mentions: 18, observers: 6, reps: 1, accounts: 18 });
    expect(r.themes[3]).toMatchObject({ weight: 1.333, mentions: 31, observers: 2, accounts: 2 });
    expect(r.emerging.map((x: { themeId: string }) => x.themeId)).toEqual([Solo]);
    // The raw count alone would have put Fad (and Solo) first.
    const byMentions = [...r.themes, ...r.emerging].sort((a, b) => b.mentions - a.mentions).map((x: { themeId: string }) => x.themeId);
    expect(byMentions.slice(0, 2)).toEqual([Fad, Solo]);
    // Quotes are redacted and come from different observers first.
    const quotes = r.themes[0].quotes;
    expect(quotes).toHaveLength(3);
    expect(new Set(quotes.map((q: { authorId: string }) => q.authorId)).size).toBe(3);
    expect(JSON.stringify(r)).not.toMatch(/555 2671|buyer@/);
    expect(quotes[0].text).toContain('[phone]');
    expect(r.byMode).toEqual({ behavior: 31, feedback: 17 });
    expect(r.ideas.map((i: { group: string }) => i.group)).toEqual(expect.arrayContaining(['info_to_sales', 'rep_alerts']));
    expect(r.leads.marketingSourced).toBe(48);
    expect(r.moments).toMatchObject({ peakAverage: -2, endAverage: 1 });
    expect(r.changes.find((c: { themeId: string }) => c.themeId === T1)).toMatchObject({ change: 'new', previousWeight: 0, weight: 6 });

    const again = await t.http
      .post('/api/v1/rollups')
      .set(bearer(t.adminToken))
      .send({ programId, from: windowFrom.toISODate(), to: windowTo.minus({ days: 1 }).toISODate() })
      .expect(200);
    expect(again.body.id).toBe(res.body.id);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM rollups WHERE program_id = $1`, [programId]);
    expect(n).toBe(1);

    await sink.waitFor(() => sink.to(LC).length === 1);
    const mail = sink.to(LC)[0];
    expect(mail.parsed.html).toContain('T1 Onboarding friction');
    expect(mail.parsed.html).not.toMatch(/<img|<svg/i);
    expect(mail.parsed.text).toContain('T1 Onboarding friction');
    const csv = (mail.parsed as unknown as { attachments: { filename: string; content: Buffer }[] }).attachments.find((a) => a.filename === 'themes.csv');
    expect(csv?.content.toString()).toContain('T2 Pricing confusion');
  });

  it('shows the rollup as JSON and as a page to the lifecycle team only', async () => {
    const [{ id }] = await t.db.query(`SELECT id FROM rollups WHERE program_id = $1`, [programId]);
    await t.http.get(`/api/v1/rollups/${id}`).set(bearer(t.adminToken)).expect(200);
    const page = await t.http.get(`/rollups/${id}`).set(bearer(t.adminToken)).expect(200).expect('Content-Type', /text\/html/);
    expect(page.text).toContain('T1 Onboarding friction');
    for (const who of [planted.rep, planted.marketers[1]]) {
      await t.http.get(`/api/v1/rollups/${id}`).set(bearer(who.token)).expect(403);
      await t.http.get(`/rollups/${id}`).set(bearer(who.token)).expect(403);
      await t.http.post('/api/v1/rollups').set(bearer(who.token)).send({ programId, from: '2026-01-01', to: '2026-01-31' }).expect(403);
    }
    await t.http.post('/api/v1/rollups').set(bearer(t.adminToken)).send({ programId, from: 'soon', to: '2026-01-31' }).expect(400);
    await t.http.post('/api/v1/rollups').set(bearer(t.adminToken)).send({ programId, from: '2026-02-01', to: '2026-01-31' }).expect(400);
  });

  it('runs on schedule once however many instances tick, and a killed build retries into one email', async () => {
    const p2 = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: ['second-team@example.com'] }, 'Europe/Berlin');
    const from = DateTime.utc().minus({ days: 20 }).startOf('day');
    const per = await makePeriod(t, p2, from.toISODate()!, from.plus({ days: 9 }).toISODate()!);
    const second = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5' }, t.database);
    const admin = new pg.Client({ connectionString: t.database.url });
    await admin.connect();
    try {
      // Hold the new row locked so the queued build cannot finish, then kill the build mid-run.
      const now = new Date();
      const [a, b] = await Promise.all([t.app.get(RollupsService).enqueueDue(now), second.app.get(RollupsService).enqueueDue(now)]);
      const mine = [...a, ...b];
      const rows = await t.db.query(`SELECT id FROM rollups WHERE program_id = $1`, [p2]);
      expect(rows).toHaveLength(1);
      expect(mine.filter((id) => id === rows[0].id)).toHaveLength(1);
      await sink.waitFor(() => sink.to('second-team@example.com').length >= 1, 20_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(sink.to('second-team@example.com')).toHaveLength(1);
      const [{ status }] = await t.db.query(`SELECT status FROM periods WHERE id = $1`, [per]);
      expect(status).toBe('rolled_up');

      // A worker killed mid-run: lock the row, start a build on it, terminate that backend, retry.
      const p3 = await makeProgram(t, { rollupRecipients: ['third-team@example.com'] }, 'UTC');
      const claimed = await t.db.query(`INSERT INTO rollups (program_id, window_from, window_to, kind) VALUES ($1, $2, $3, 'custom') RETURNING id`, [p3, from.toISO(), from.plus({ days: 7 }).toISO()]);
      const rid = claimed[0].id;
      await admin.query('BEGIN');
      await admin.query('SELECT 1 FROM rollups WHERE id = $1 FOR UPDATE', [rid]);
      const running = t.app.get(RollupsService).build(rid);
      let victim: number | undefined;
      for (let i = 0; i < 50 && !victim; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const w = await t.db.query(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%rollups%FOR UPDATE%' AND pid <> pg_backend_pid()`);
        victim = w[0]?.pid;
      }
      expect(victim).toBeDefined();
      const killer = new pg.Client({ connectionString: readTestEnv().adminUrl });
      await killer.connect();
      await killer.query('SELECT pg_terminate_backend($1)', [victim]);
      await killer.end();
      await expect(running).rejects.toThrow();
      await admin.query('ROLLBACK');
      const [{ status: st }] = await t.db.query(`SELECT status FROM rollups WHERE id = $1`, [rid]);
      expect(st).toBe('pending');
      await t.app.get(RollupsService).build(rid);
      await t.app.get(RollupsService).build(rid); // a retried job finds it ready
      await sink.waitFor(() => sink.to('third-team@example.com').length >= 1);
      await new Promise((r) => setTimeout(r, 1500));
      const got = sink.to('third-team@example.com');
      expect(got).toHaveLength(1);
      expect(got[0].parsed.text).toMatch(/No sessions/i); // an empty window sends a short note
    } finally {
      await admin.end().catch(() => undefined);
      await second.close();
    }
  });

  it('delivers the rollup email once when SMTP was down and comes back', async () => {
    const late = new SmtpSink();
    await late.start();
    const port = late.port;
    await late.stop(); // nothing listens on the port for now
    // A database of its own: no other instance's worker (with a working SMTP) may pick the message up.
    const app = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}`, JOBS_POLL_SECONDS: '0.5', JOBS_RETRY_DELAY_SECONDS: '1', JOBS_RETRY_LIMIT: '20' });
    try {
      const p4 = await makeProgram(app, { rollupRecipients: ['down-team@example.com'] }, 'UTC');
      await app.http.post('/api/v1/rollups').set(bearer(app.adminToken)).send({ programId: p4, from: windowFrom.toISODate(), to: windowFrom.plus({ days: 2 }).toISODate() }).expect(201);
      await new Promise((r) => setTimeout(r, 2500));
      const back = new SmtpSink();
      await back.start(port);
      try {
        await back.waitFor(() => back.to('down-team@example.com').length >= 1, 30_000);
        await new Promise((r) => setTimeout(r, 2000));
        expect(back.to('down-team@example.com')).toHaveLength(1);
      } finally {
        await back.stop();
      }
    } finally {
      await app.close();
    }
  });
});
