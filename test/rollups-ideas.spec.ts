import { DateTime } from 'luxon';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { makePeriod, makeProgram, makeUser } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';

const LC = 'lc-ideas@example.com';

/** The loud marketer's fifteen wordings of one wish: PostgreSQL's english lexemes put them all near {dark, mode}. */
const LOUD = [
  'More dark mode',
  'more dark mode!',
  'MORE DARK MODE',
  'Dark modes',
  'Dark mode please',
  'More dark mode please',
  'We need more dark mode',
  'dark mode for the dashboard',
  'Dark mode, more of it',
  'more dark mode',
  'Dark mode!!',
  'More dark mode.',
  'Dark mode needed',
  'Add dark mode',
  'More dark mode',
];
/** Three quiet marketers, one form each, the same idea in their own words (identical english lexemes). */
const QUIET = ['Export reports to CSV', 'CSV export of reports', 'Exporting reports as CSV'];

describe('ideas, fairly: near-duplicates grouped and ranked by observers', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  let programId: string;
  const from = DateTime.utc().minus({ days: 40 }).startOf('day');
  const to = from.plus({ days: 30 });
  let loudId: string;
  let quietIds: string[];

  beforeAll(async () => {
    await sink.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5' });
    programId = await makeProgram(t, { rollupCadence: 'period', rollupRecipients: [LC] }, 'UTC');
    const periodId = await makePeriod(t, programId, from.toISODate()!, to.minus({ days: 1 }).toISODate()!);
    const rep = await makeUser(t, ['rep']);
    const loud = await makeUser(t, ['marketer']);
    const quiet = [await makeUser(t, ['marketer']), await makeUser(t, ['marketer']), await makeUser(t, ['marketer'])];
    loudId = loud.id;
    quietIds = quiet.map((q) => q.id);
    const form = async (author: string, at: DateTime, ideas: { text: string; category: string }[], marked: string[] = []) => {
      const answers = { mode: 'feedback', segment: 'Ops', themeIds: [], ideas, peak: { text: 'Fine', valence: 0 }, end: { text: 'Fine', valence: 0 } };
      await t.db.query(
        `INSERT INTO observations (program_id, period_id, author_id, rep_id, template_version, status, answers, session_ended_at, due_at, submitted_at, late, revision, marked_names)
         VALUES ($1, $2, $3, $4, 1, 'submitted', $5, $6, $6::timestamptz + interval '1 day', $6, false, 1, $7)`,
        [programId, periodId, author, rep.id, JSON.stringify(answers), at.toISO(), marked],
      );
    };
    for (const [k, text] of LOUD.entries()) await form(loud.id, from.plus({ days: 1, minutes: k * 11 }), [{ text, category: 'product' }]);
    for (const [k, text] of QUIET.entries()) await form(quiet[k].id, from.plus({ days: 2 + k }), [{ text, category: 'product' }]);
    // A wish written with a contact's details and a marked name: shown redacted, never as written.
    await form(quiet[0].id, from.plus({ days: 5 }), [{ text: 'Tell Dana Whitfield (dana@acme.example, +1 415 555 2671) about SSO pricing', category: 'info_to_sales' }], ['Dana Whitfield']);
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it("shows one marketer's 15 near-identical ideas once (1 observer), below three quiet marketers' shared idea (3 observers), in JSON, page, email and text", async () => {
    const res = await t.http
      .post('/api/v1/rollups')
      .set(bearer(t.adminToken))
      .send({ programId, from: from.toISODate(), to: to.minus({ days: 1 }).toISODate() })
      .expect(201);
    const ideas = res.body.report.ideas as { category: string; group: string; text: string; authorId: string; observers: number; count: number; weight: number; variants: { text: string }[] }[];
    const other = ideas.filter((i) => i.group === 'other');
    expect(other).toHaveLength(2);
    // Weight per observer: the first quiet marketer filed two forms (one is the wish to Sales), so 0.5 + 1 + 1.
    expect(other[0]).toMatchObject({ category: 'product', observers: 3, count: 3, weight: 2.5 });
    expect(QUIET).toContain(other[0].text);
    expect(quietIds).toContain(other[0].authorId);
    expect(other[1]).toMatchObject({ category: 'product', text: 'More dark mode', authorId: loudId, observers: 1, count: 15, weight: 1 });
    expect(other[1].variants.length).toBeGreaterThan(0);
    // The wish to Sales: redacted, its author counted once.
    const sales = ideas.filter((i) => i.group === 'info_to_sales');
    expect(sales).toHaveLength(1);
    expect(sales[0]).toMatchObject({ observers: 1, count: 1, authorId: quietIds[0] });
    expect(JSON.stringify(res.body.report)).not.toMatch(/Dana Whitfield|dana@acme|555 2671/);

    const page = await t.http.get(`/rollups/${res.body.id}`).set(bearer(t.adminToken)).expect(200);
    const shared = `Product: ${other[0].text} (3 observers, 3 ideas)`;
    expect(page.text).toContain(shared);
    expect(page.text).toContain('Product: More dark mode (1 observer, 15 ideas)');
    expect(page.text.indexOf(shared)).toBeLessThan(page.text.indexOf('Product: More dark mode'));
    expect(page.text).not.toMatch(/Dana Whitfield|dana@acme|555 2671/);

    await sink.waitFor(() => sink.to(LC).length === 1);
    const mail = sink.to(LC)[0].parsed;
    expect(mail.text).toContain(`Other ideas (2):\n- ${shared}\n- Product: More dark mode (1 observer, 15 ideas)`);
    expect(mail.html).toContain(shared);
    expect(`${mail.html}${mail.text}`).not.toMatch(/Dana Whitfield|dana@acme|555 2671/);
  });

  it('lets an action take up a grouped idea by its index (a snapshot of the representative text); the action form shows the counts', async () => {
    const [{ id }] = await t.db.query(`SELECT id FROM rollups WHERE program_id = $1`, [programId]);
    const report = (await t.http.get(`/api/v1/rollups/${id}`).set(bearer(t.adminToken)).expect(200)).body.report;
    expect(report.ideas.map((i: { observers: number }) => i.observers)).toEqual([1, 3, 1]);
    // The action form offers each group once, with its observers and ideas.
    const form = await t.http.get(`/lifecycle/actions/new?rollupId=${id}`).set(bearer(t.adminToken)).expect(200);
    expect(form.text).toContain('(product; 3 observers, 3 ideas)');
    expect(form.text).toContain('More dark mode <span class="muted">(product; 1 observer, 15 ideas)</span>');
    const owner = await makeUser(t, ['lifecycle']);
    const res = await t.http
      .post('/api/v1/actions')
      .set(bearer(t.adminToken))
      .send({ programId, rollupId: id, themeIds: [], ideaRefs: [1], kind: 'other', title: 'CSV export', ownerId: owner.id, dueOn: to.plus({ days: 30 }).toISODate() });
    expect(res.status).toBe(201);
    expect(res.body.ideas).toEqual([{ index: 1, category: 'product', text: report.ideas[1].text }]);
  });
});
