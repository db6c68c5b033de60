import { Webhook } from 'standardwebhooks';
import { atLabel } from '../src/actions/action-messages.js';
import { ActionsService } from '../src/actions/actions.service.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { makeProgram, makeUser, Person } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const TOKYO = 'Asia/Tokyo';
const NY = 'America/New_York';
const NIL = '00000000-0000-4000-8000-000000000000';

describe('actions from rollups (HTTP, real SMTP, real webhook receiver, real PostgreSQL)', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  const receiver = new WebhookReceiver();
  let lena: Person; // lifecycle, creates
  let olga: Person; // lifecycle owner in Tokyo
  let nick: Person; // lifecycle owner in New York
  let gone: Person; // lifecycle, deactivated
  let marketer: Person;
  let rep: Person;
  let programId: string;
  let otherProgramId: string;
  let rollupId: string;
  let otherRollupId: string;
  let pendingRollupId: string;
  let pricing: string;
  let onboarding: string;
  let merged: string;
  let rejected: string;
  let secret: string;

  const count = async (table: string) => (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
  const tables = async () => ({
    actions: await count('actions'),
    themes: await count('action_themes'),
    history: await count('action_history'),
    outbox: await count('mail_outbox'),
    deliveries: await count('webhook_deliveries'),
    audit: await count('audit_log'),
  });
  const create = (body: Record<string, unknown>, who: Person = lena) => t.http.post('/api/v1/actions').set(bearer(who.token)).send(body);
  const patch = (id: string, body: Record<string, unknown>, who: Person = lena) => t.http.patch(`/api/v1/actions/${id}`).set(bearer(who.token)).send(body);
  const action = (extra: Record<string, unknown> = {}) => ({
    programId,
    rollupId,
    themeIds: [pricing],
    ideaRefs: [1],
    kind: 'info_for_sales',
    title: 'One-pager on the new pricing',
    detail: 'Reps keep asking about annual plans; write it with them.',
    ownerId: olga.id,
    dueOn: '2026-12-18',
    ...extra,
  });
  const rollup = async (program: string, status: 'ready' | 'pending', from: string) => {
    const report = status === 'ready' ? JSON.stringify({ ideas: [
      { category: 'Info to Sales', group: 'info_to_sales', text: 'A battlecard for the new competitor', authorId: NIL },
      { category: 'Info to Sales', group: 'info_to_sales', text: 'Pricing FAQ for annual plans', authorId: NIL },
      { category: 'Campaign notifications', group: 'campaign_notifications', text: 'Tell reps before the webinar mail goes out', authorId: NIL },
    ] }) : null;
    const [r] = await t.db.query(
      `INSERT INTO rollups (program_id, window_from, window_to, kind, status, report, generated_at) VALUES ($1, $2, $2::timestamptz + interval '7 days', 'custom', $3, $4::jsonb, CASE WHEN $3 = 'ready' THEN now() END) RETURNING id`,
      [program, from, status, report],
    );
    return r.id as string;
  };
  const theme = async (name: string, status: string, mergedInto: string | null = null) =>
    (await t.db.query(`INSERT INTO themes (name, status, merged_into) VALUES ($1, $2, $3) RETURNING id`, [name, status, mergedInto]))[0].id as string;

  beforeAll(async () => {
    await sink.start();
    await receiver.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5', JOBS_RETRY_DELAY_SECONDS: '1', PUBLIC_URL: 'https://ridealong.example' });
    lena = await makeUser(t, ['lifecycle'], 'Europe/Berlin', { name: 'Lena Lifecycle' });
    olga = await makeUser(t, ['lifecycle'], TOKYO, { name: 'Olga Owner' });
    nick = await makeUser(t, ['lifecycle'], NY, { name: 'Nick Newyork' });
    gone = await makeUser(t, ['lifecycle'], 'UTC', { name: 'Gone Person' });
    await t.db.query(`UPDATE users SET active = false WHERE id = $1`, [gone.id]);
    marketer = await makeUser(t, ['marketer'], 'UTC');
    rep = await makeUser(t, ['rep'], 'UTC');
    programId = await makeProgram(t);
    otherProgramId = await makeProgram(t);
    rollupId = await rollup(programId, 'ready', '2026-11-01T00:00:00Z');
    pendingRollupId = await rollup(programId, 'pending', '2026-11-08T00:00:00Z');
    otherRollupId = await rollup(otherProgramId, 'ready', '2026-11-01T00:00:00Z');
    pricing = await theme('Pricing confusion', 'active');
    onboarding = await theme('Onboarding gaps', 'active');
    merged = await theme('Price questions', 'merged', pricing);
    rejected = await theme('Weather', 'rejected');
    const hook = await t.http.post('/api/v1/webhooks').set(bearer(lena.token)).send({ url: receiver.url(), events: ['action.changed'] });
    expect(hook.status).toBe(201);
    secret = hook.body.secret;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await sink.stop();
    await receiver.stop();
  });

  it('creates an action from a rollup: themes (a merged one resolved), an idea snapshot, history, the owner emailed in their zone, a signed action.changed without the detail', async () => {
    const res = await create(action({ themeIds: [merged, onboarding] }));
    expect(res.status).toBe(201);
    const a = res.body;
    expect(a).toMatchObject({
      programId,
      rollupId,
      kind: 'info_for_sales',
      title: 'One-pager on the new pricing',
      detail: 'Reps keep asking about annual plans; write it with them.',
      ideas: [{ index: 1, category: 'Info to Sales', text: 'Pricing FAQ for annual plans' }],
      themeIds: [pricing, onboarding].sort(),
      ownerId: olga.id,
      dueOn: '2026-12-18',
      status: 'open',
      doneAt: null,
      createdBy: lena.id,
    });
    const got = await t.http.get(`/api/v1/actions/${a.id}`).set(bearer(lena.token)).expect(200);
    expect(got.body.history).toHaveLength(1);
    expect(got.body.history[0]).toMatchObject({ actorId: lena.id, changes: { status: { from: null, to: 'open' }, ownerId: { from: null, to: olga.id } } });

    await sink.waitFor(() => sink.to(olga.email).length > 0);
    const mails = sink.to(olga.email);
    expect(mails).toHaveLength(1);
    const m = mails[0].parsed;
    expect(m.subject).toBe('Action for you: One-pager on the new pricing');
    expect(m.text).toContain(`Lena Lifecycle gave you an action of`);
    expect(m.text).toContain(`${atLabel(new Date(a.createdAt), TOKYO)} (${TOKYO})`);
    expect(m.text).toContain('Due: Friday 18 December 2026');
    expect(m.text).toContain(`https://ridealong.example/lifecycle/actions/${a.id}`);
    expect(m.text).not.toContain('annual plans; write it');
    expect(String(m.html)).not.toMatch(/<img|src=/i);

    await receiver.waitFor((hooks) => hooks.some((h) => JSON.parse(h.body).data.actionId === a.id));
    const hook = receiver.received.find((h) => JSON.parse(h.body).data.actionId === a.id)!;
    const payload = new Webhook(secret).verify(hook.body, hook.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
    expect(payload.type).toBe('action.changed');
    expect(payload.data).toMatchObject({ actionId: a.id, programId, rollupId, status: 'open', previousStatus: null, kind: 'info_for_sales', title: 'One-pager on the new pricing', ownerId: olga.id, dueOn: '2026-12-18' });
    expect(payload.data.changed).toEqual(expect.arrayContaining(['status', 'ownerId', 'title']));
    expect(hook.body).not.toContain('annual plans');
    expect(hook.body).not.toContain('Pricing FAQ');
  });

  it('refuses bad input naming the field and writes nothing', async () => {
    const before = await tables();
    const cases: [Record<string, unknown>, number, string][] = [
      [action({ themeIds: [pricing, NIL] }), 422, 'themeIds'],
      [action({ themeIds: [rejected] }), 422, 'themeIds'],
      [action({ ownerId: marketer.id }), 422, 'ownerId'],
      [action({ ownerId: rep.id }), 422, 'ownerId'],
      [action({ ownerId: gone.id }), 422, 'ownerId'],
      [action({ ownerId: NIL }), 422, 'ownerId'],
      [action({ ideaRefs: [3] }), 422, 'ideaRefs'],
      [action({ rollupId: undefined, ideaRefs: [0] }), 422, 'ideaRefs'],
      [action({ rollupId: pendingRollupId, ideaRefs: [0] }), 422, 'rollupId'],
      [action({ rollupId: otherRollupId }), 422, 'rollupId'],
      [action({ rollupId: NIL }), 404, 'rollupId'],
      [action({ programId: NIL, rollupId: undefined, ideaRefs: undefined }), 404, 'programId'],
    ];
    for (const [body, status, field] of cases) {
      const res = await create(body);
      expect([res.status, res.body.details?.field]).toEqual([status, field]);
    }
    const invalid: [Record<string, unknown>, string][] = [
      [action({ kind: 'newsletter' }), 'kind'],
      [action({ title: '   ' }), 'title'],
      [action({ title: 'x'.repeat(201) }), 'title'],
      [action({ detail: '' }), 'detail'],
      [action({ dueOn: '2026-02-30' }), 'dueOn'],
      [action({ dueOn: 'tomorrow' }), 'dueOn'],
      [action({ themeIds: undefined }), 'themeIds'],
      [action({ themeIds: ['nope'] }), 'themeIds'],
      [action({ ideaRefs: [-1] }), 'ideaRefs'],
      [action({ ideaRefs: ['x'] }), 'ideaRefs'],
      [action({ ownerId: 'x' }), 'ownerId'],
      [action({ unknownField: 1 }), 'unknownField'],
    ];
    for (const [body, field] of invalid) {
      const res = await create(body);
      expect(res.status).toBe(400);
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    expect(await tables()).toEqual(before);
  });

  it('moves open -> in_progress -> done, reopens, refuses a bad step naming status, and keeps who changed what', async () => {
    const a = (await create(action({ ownerId: lena.id, dueOn: undefined })).expect(201)).body;
    const step1 = await patch(a.id, { status: 'in_progress' }, olga);
    expect(step1.status).toBe(200);
    expect(step1.body).toMatchObject({ status: 'in_progress', doneAt: null });

    const before = await tables();
    const bad = await patch(a.id, { status: 'open', title: 'Renamed' });
    expect([bad.status, bad.body.details.field, bad.body.details.allowed]).toEqual([409, 'status', ['done', 'dropped']]);
    expect((await patch(a.id, { status: 'finished' })).status).toBe(400);
    expect((await patch(a.id, { dueOn: '2026-13-01' })).status).toBe(400);
    expect((await patch(a.id, { themeIds: [NIL] })).body.details.field).toBe('themeIds');
    expect((await patch(a.id, { ownerId: marketer.id })).body.details.field).toBe('ownerId');
    expect((await patch(NIL, { status: 'done' })).status).toBe(404);
    expect(await tables()).toEqual(before);
    // Changing nothing writes nothing.
    expect((await patch(a.id, { status: 'in_progress', title: 'One-pager on the new pricing' })).status).toBe(200);
    expect(await tables()).toEqual(before);

    const done = await patch(a.id, { status: 'done' });
    expect(done.body.status).toBe('done');
    expect(new Date(done.body.doneAt).getTime()).toBeGreaterThan(0);
    const reopened = await patch(a.id, { status: 'open', dueOn: '2026-12-24', themeIds: [onboarding] });
    expect(reopened.body).toMatchObject({ status: 'open', doneAt: null, dueOn: '2026-12-24', themeIds: [onboarding] });
    const cleared = await patch(a.id, { dueOn: null, detail: null });
    expect(cleared.body).toMatchObject({ dueOn: null, detail: null });

    const { history } = (await t.http.get(`/api/v1/actions/${a.id}`).set(bearer(lena.token)).expect(200)).body;
    expect(history.map((h: { actorId: string; changes: Record<string, unknown> }) => [h.actorId, Object.keys(h.changes).sort()])).toEqual([
      [lena.id, expect.arrayContaining(['status', 'ownerId', 'title', 'kind'])],
      [olga.id, ['status']],
      [lena.id, ['status']],
      [lena.id, ['dueOn', 'status', 'themeIds']],
      [lena.id, ['detail', 'dueOn']],
    ]);
    expect(history[2].changes.status).toEqual({ from: 'in_progress', to: 'done' });
    expect(history[3].changes.themeIds).toEqual({ from: [pricing], to: [onboarding] });
    expect(history[4].changes.detail).toEqual({ from: '(set)', to: null });
    // Every change is one action.changed with the previous status.
    const events = (await t.db.query(`SELECT payload FROM webhook_deliveries WHERE payload -> 'data' ->> 'actionId' = $1 ORDER BY created_at`, [a.id])).map((r: { payload: { data: Record<string, unknown> } }) => r.payload.data);
    expect(events.map((d: Record<string, unknown>) => [d.previousStatus, d.status])).toEqual([
      [null, 'open'],
      ['open', 'in_progress'],
      ['in_progress', 'done'],
      ['done', 'open'],
      ['open', 'open'],
    ]);
    // The creator took it on themselves: no email to them.
    expect(sink.to(lena.email)).toHaveLength(0);
    // Dropped from open, and reopened.
    expect((await patch(a.id, { status: 'dropped' })).body.status).toBe('dropped');
    expect((await patch(a.id, { status: 'done' })).body.details.field).toBe('status');
  });

  it('emails the new owner when the action is handed over, in their zone', async () => {
    const a = (await create(action({ ownerId: lena.id, title: 'Hand me over' })).expect(201)).body;
    const res = await patch(a.id, { ownerId: nick.id });
    expect(res.body.ownerId).toBe(nick.id);
    await sink.waitFor(() => sink.to(nick.email).some((m) => m.parsed.subject === 'Action for you: Hand me over'));
    const m = sink.to(nick.email).find((x) => x.parsed.subject === 'Action for you: Hand me over')!.parsed;
    const at = (await t.db.query(`SELECT at FROM action_history WHERE action_id = $1 ORDER BY at DESC LIMIT 1`, [a.id]))[0].at as Date;
    expect(m.text).toContain(`${atLabel(at, NY)} (${NY})`);
  });

  it('lists overdue first (in the owner’s zone), then by due date, with filters', async () => {
    const p = await makeProgram(t);
    const mk = async (title: string, dueOn: string | undefined, ownerId = olga.id) =>
      (await create({ programId: p, themeIds: [], kind: 'other', title, ownerId, ...(dueOn ? { dueOn } : {}) }).expect(201)).body.id as string;
    const later = await mk('later', '2099-01-10');
    const none = await mk('no date', undefined);
    const overdueOld = await mk('overdue old', '2020-01-01');
    const sooner = await mk('sooner', '2099-01-01');
    const overdueNew = await mk('overdue new', '2021-01-01', nick.id);
    const finished = await mk('finished', '2019-01-01');
    await patch(finished, { status: 'done' }).expect(200);
    const res = await t.http.get(`/api/v1/actions?programId=${p}`).set(bearer(lena.token)).expect(200);
    expect(res.body.actions.map((x: { id: string }) => x.id)).toEqual([overdueOld, overdueNew, finished, sooner, later, none]);
    expect(res.body.actions.map((x: { overdue: boolean }) => x.overdue)).toEqual([true, true, false, false, false, false]);
    const pending = await t.http.get(`/api/v1/actions?programId=${p}&status=pending&ownerId=${olga.id}`).set(bearer(lena.token)).expect(200);
    expect(pending.body.actions.map((x: { id: string }) => x.id)).toEqual([overdueOld, sooner, later, none]);
    expect((await t.http.get(`/api/v1/actions?status=late`).set(bearer(lena.token))).status).toBe(400);
  });

  it('reminds the owner once on the due date in their zone, and again only when the due date moves', async () => {
    const svc = t.app.get(ActionsService);
    const p = await makeProgram(t);
    const tokyo = (await create({ programId: p, themeIds: [], kind: 'rep_alert', title: 'Tokyo due', ownerId: olga.id, dueOn: '2030-03-15' }).expect(201)).body.id as string;
    const ny = (await create({ programId: p, themeIds: [], kind: 'rep_alert', title: 'New York due', ownerId: nick.id, dueOn: '2030-03-15' }).expect(201)).body.id as string;
    const reminders = (email: string, title: string) => sink.to(email).filter((m) => m.parsed.subject === `Action due Friday 15 March 2030: ${title}`);
    // 14 March 23:30 UTC is 15 March 08:30 in Tokyo (due there), 19:30 on the 14th in New York (not yet).
    const first = new Date('2030-03-14T23:30:00Z');
    await svc.enqueueDue(first);
    await svc.enqueueDue(first); // a second instance's tick: the same singleton key
    await sink.waitFor(() => reminders(olga.email, 'Tokyo due').length > 0);
    expect((await t.db.query(`SELECT reminded_on::text AS r FROM actions WHERE id = $1`, [tokyo]))[0].r).toBe('2030-03-15');
    expect((await t.db.query(`SELECT reminded_on FROM actions WHERE id = $1`, [ny]))[0].reminded_on).toBeNull();
    const m = reminders(olga.email, 'Tokyo due')[0].parsed;
    expect(m.text).toContain(`is due Friday 15 March 2030 (${TOKYO}) and still open`);
    expect(m.text).toContain(`https://ridealong.example/lifecycle/actions/${tokyo}`);

    // 15 March 12:30 UTC: 08:30 in New York. Tokyo's was sent already.
    await svc.enqueueDue(new Date('2030-03-15T12:30:00Z'));
    await sink.waitFor(() => reminders(nick.email, 'New York due').length > 0);
    await svc.enqueueDue(new Date('2030-03-16T12:30:00Z'));
    await new Promise((r) => setTimeout(r, 1500));
    expect(reminders(olga.email, 'Tokyo due')).toHaveLength(1);
    expect(reminders(nick.email, 'New York due')).toHaveLength(1);

    // Moved: owed again on the new date; finished: never.
    await patch(tokyo, { dueOn: '2030-03-20' }).expect(200);
    await patch(ny, { status: 'done' }).expect(200);
    await t.db.query(`UPDATE actions SET due_on = '2030-03-16', reminded_on = NULL WHERE id = $1`, [ny]);
    expect(await svc.enqueueDue(new Date('2030-03-21T00:00:00Z'))).toBe(1);
    await sink.waitFor(() => sink.to(olga.email).some((x) => x.parsed.subject === 'Action due Wednesday 20 March 2030: Tokyo due'));
    expect(await svc.enqueueDue(new Date('2030-03-22T00:00:00Z'))).toBe(0);
  });

  it('is the lifecycle team’s only: marketers and reps get 403 everywhere and change nothing', async () => {
    const a = (await create(action({ title: 'Private to lifecycle' })).expect(201)).body;
    const before = await tables();
    for (const who of [marketer, rep]) {
      expect((await create(action(), who)).status).toBe(403);
      expect((await t.http.get('/api/v1/actions').set(bearer(who.token))).status).toBe(403);
      expect((await t.http.get(`/api/v1/actions/${a.id}`).set(bearer(who.token))).status).toBe(403);
      expect((await patch(a.id, { status: 'done' }, who)).status).toBe(403);
    }
    expect((await t.http.get('/api/v1/actions')).status).toBe(401);
    expect(await tables()).toEqual(before);
  });
});
