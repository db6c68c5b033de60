import { Webhook } from 'standardwebhooks';
import { NoticesService } from '../src/notices/notices.service.js';
import { sentLabel } from '../src/notices/notice-messages.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const NY = 'America/New_York';
const TOKYO = 'Asia/Tokyo';

describe('notices to reps (HTTP, real SMTP, real webhook receiver, real PostgreSQL)', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  const receiver = new WebhookReceiver();
  let lifecycle: Person;
  let repNy: Person;
  let repTokyo: Person;
  let repInvited: Person;
  let repElsewhere: Person;
  let marketer: Person;
  let programId: string;
  let periodId: string;
  let otherProgramId: string;
  let otherPeriodId: string;
  let secret: string;

  const count = async (table: string) => (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
  const tables = async () => ({ notices: await count('notices'), recipients: await count('notice_recipients'), outbox: await count('mail_outbox'), deliveries: await count('webhook_deliveries') });
  const send = (body: Record<string, unknown>, who: Person = lifecycle) => t.http.post('/api/v1/notices').set(bearer(who.token)).send(body);
  const notice = (extra: Record<string, unknown> = {}) => ({ programId, periodId, kind: 'campaign_notification', subject: 'Spring campaign starts Monday', body: 'Leads from the spring webinar arrive Monday.\nBrief: https://wiki.example.com/spring', ...extra });

  beforeAll(async () => {
    await sink.start();
    await receiver.start();
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5', JOBS_RETRY_DELAY_SECONDS: '1', PUBLIC_URL: 'https://ridealong.example' });
    lifecycle = await makeUser(t, ['lifecycle'], 'Europe/Berlin');
    repNy = await makeUser(t, ['rep'], NY, { name: 'Nora York' });
    repTokyo = await makeUser(t, ['rep'], TOKYO, { name: 'Taro Kyo' });
    repInvited = await makeUser(t, ['rep'], 'UTC', { name: 'Ivy Invited' });
    repElsewhere = await makeUser(t, ['rep'], 'UTC', { name: 'Elsa Where' });
    marketer = await makeUser(t, ['marketer'], 'UTC');
    programId = await makeProgram(t);
    periodId = await makePeriod(t, programId, daysFromNow(-10), daysFromNow(60));
    await rosterRep(t, periodId, repNy);
    await rosterRep(t, periodId, repTokyo);
    await t.http.post(`/api/v1/periods/${periodId}/roster`).set(bearer(t.adminToken)).send({ repId: repInvited.id }).expect(201);
    await enrol(t, periodId, marketer);
    otherProgramId = await makeProgram(t);
    otherPeriodId = await makePeriod(t, otherProgramId, daysFromNow(-10), daysFromNow(60));
    await rosterRep(t, otherPeriodId, repElsewhere);
    const hook = await t.http.post('/api/v1/webhooks').set(bearer(lifecycle.token)).send({ url: receiver.url(), events: ['notice.sent'] });
    expect(hook.status).toBe(201);
    secret = hook.body.secret;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await sink.stop();
    await receiver.stop();
  });

  it('sends to the reps who accepted the roster: one email each in their zone, and a signed notice.sent without text', async () => {
    const res = await send(notice());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ programId, periodId, kind: 'campaign_notification', subject: 'Spring campaign starts Monday', recipientCount: 2, acknowledgedCount: 0, actionId: null });
    const id = res.body.id as string;
    const reps = (await t.db.query(`SELECT rep_id FROM notice_recipients WHERE notice_id = $1`, [id])).map((r: { rep_id: string }) => r.rep_id).sort();
    expect(reps).toEqual([repNy.id, repTokyo.id].sort());

    await sink.waitFor(() => sink.to(repNy.email).length > 0 && sink.to(repTokyo.email).length > 0);
    const sentAt = new Date(res.body.sentAt);
    for (const [rep, zone] of [[repNy, NY], [repTokyo, TOKYO]] as const) {
      const mails = sink.to(rep.email);
      expect(mails).toHaveLength(1);
      const m = mails[0].parsed;
      expect(m.subject).toBe('Campaign notification: Spring campaign starts Monday');
      expect(m.text).toContain(`Sent ${sentLabel(sentAt, zone)} (${zone}).`);
      expect(m.text).toContain('Leads from the spring webinar arrive Monday.');
      expect(m.text).toContain('https://ridealong.example/rep');
      const html = String(m.html);
      expect(html).toContain(`Sent ${sentLabel(sentAt, zone)} (${zone}).`);
      expect(html).not.toMatch(/<img|src=/i);
      expect([...html.matchAll(/href="([^"]+)"/g)].map((x) => x[1]).sort()).toEqual(['https://ridealong.example/rep', 'https://wiki.example.com/spring']);
    }
    expect(sink.to(repInvited.email)).toHaveLength(0);
    expect(sink.to(repElsewhere.email)).toHaveLength(0);

    await receiver.waitFor((hooks) => hooks.some((h) => JSON.parse(h.body).data.noticeId === id));
    const hook = receiver.received.find((h) => JSON.parse(h.body).data.noticeId === id)!;
    const payload = new Webhook(secret).verify(hook.body, hook.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
    expect(payload.type).toBe('notice.sent');
    expect(payload.data).toEqual({ noticeId: id, programId, periodId, kind: 'campaign_notification', recipientCount: 2, actionId: null });
    expect(hook.body).not.toContain('spring webinar');
    expect(hook.body).not.toContain('Spring campaign');
  });

  it('sends to chosen reps of the roster only, and to the program’s period when none is named', async () => {
    const res = await send(notice({ periodId: undefined, kind: 'rep_alert', subject: 'Pricing changed', repIds: [repTokyo.id] }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ periodId, recipientCount: 1, kind: 'rep_alert' });
    await sink.waitFor(() => sink.to(repTokyo.email).some((m) => m.parsed.subject === 'Rep alert: Pricing changed'));
    expect(sink.to(repNy.email).some((m) => m.parsed.subject === 'Rep alert: Pricing changed')).toBe(false);
  });

  it('refuses bad input naming the field and writes nothing', async () => {
    const [action] = await t.db.query(`INSERT INTO actions (program_id, kind, title, owner_id) VALUES ($1, 'rep_alert', 'Tell the reps', $2) RETURNING id`, [otherProgramId, lifecycle.id]);
    const before = await tables();
    const cases: [Record<string, unknown>, number, string][] = [
      [notice({ repIds: [repNy.id, repInvited.id] }), 422, 'repIds'],
      [notice({ repIds: [repElsewhere.id] }), 422, 'repIds'],
      [notice({ actionId: action.id }), 422, 'actionId'],
      [notice({ actionId: '00000000-0000-4000-8000-000000000000' }), 422, 'actionId'],
      [notice({ periodId: otherPeriodId }), 422, 'periodId'],
      [notice({ periodId: '00000000-0000-4000-8000-000000000000' }), 404, 'periodId'],
      [notice({ programId: '00000000-0000-4000-8000-000000000000' }), 404, 'programId'],
    ];
    for (const [body, status, field] of cases) {
      const res = await send(body);
      expect([res.status, res.body.details?.field]).toEqual([status, field]);
    }
    const invalid: [Record<string, unknown>, string][] = [
      [notice({ kind: 'newsletter' }), 'kind'],
      [notice({ subject: '   ' }), 'subject'],
      [notice({ subject: 'x'.repeat(201) }), 'subject'],
      [notice({ body: '' }), 'body'],
      [notice({ repIds: [] }), 'repIds'],
      [notice({ repIds: ['nope'] }), 'repIds'],
      [notice({ programId: 'x' }), 'programId'],
    ];
    for (const [body, field] of invalid) {
      const res = await send(body);
      expect(res.status).toBe(400);
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    // A program whose period has no one on its roster yet.
    const empty = await makeProgram(t);
    await makePeriod(t, empty, daysFromNow(-1), daysFromNow(10));
    const none = await send({ programId: empty, kind: 'rep_alert', subject: 'Hello', body: 'Anyone?' });
    expect([none.status, none.body.details.field]).toEqual([422, 'programId']);
    const noPeriod = await send({ programId: await makeProgram(t), kind: 'rep_alert', subject: 'Hello', body: 'Anyone?' });
    expect([noPeriod.status, noPeriod.body.details.field]).toEqual([422, 'periodId']);
    expect(await tables()).toEqual(before);
  });

  it('links a notice to an action of the same program', async () => {
    const [action] = await t.db.query(`INSERT INTO actions (program_id, kind, title, owner_id) VALUES ($1, 'campaign_notification', 'Announce spring', $2) RETURNING id`, [programId, lifecycle.id]);
    const res = await send(notice({ actionId: action.id, repIds: [repNy.id] }));
    expect(res.status).toBe(201);
    expect(res.body.actionId).toBe(action.id);
  });

  it('lets reps read and acknowledge only their own notices; marketers none; the lifecycle team sees the counts', async () => {
    const sent = await send(notice({ subject: 'Only for the roster' }));
    const id = sent.body.id as string;
    const onlyTokyo = (await send(notice({ subject: 'Only Taro', repIds: [repTokyo.id] }))).body.id as string;

    // marketers: nothing at all
    expect((await send(notice(), marketer)).status).toBe(403);
    expect((await t.http.get('/api/v1/notices').set(bearer(marketer.token))).status).toBe(403);
    expect((await t.http.get(`/api/v1/notices/${id}`).set(bearer(marketer.token))).status).toBe(403);
    expect((await t.http.post(`/api/v1/notices/${id}/ack`).set(bearer(marketer.token))).status).toBe(403);
    // reps cannot send
    expect((await send(notice(), repNy)).status).toBe(403);

    // a rep lists only what was sent to them (default mine), never another's
    const nyList = await t.http.get('/api/v1/notices').set(bearer(repNy.token));
    expect(nyList.status).toBe(200);
    const nyIds = nyList.body.notices.map((n: { id: string }) => n.id);
    expect(nyIds).toContain(id);
    expect(nyIds).not.toContain(onlyTokyo);
    expect(nyList.body.notices.every((n: Record<string, unknown>) => !('recipientCount' in n))).toBe(true);
    const nyAll = await t.http.get('/api/v1/notices').query({ mine: 'false' }).set(bearer(repNy.token));
    expect(nyAll.status).toBe(403);
    expect((await t.http.get(`/api/v1/notices/${onlyTokyo}`).set(bearer(repNy.token))).status).toBe(404);
    expect((await t.http.get(`/api/v1/notices/${id}`).set(bearer(repNy.token))).body).toMatchObject({ id, acknowledgedAt: null, subject: 'Only for the roster' });
    const mine = await t.http.get('/api/v1/notices').query({ mine: 'true', programId }).set(bearer(repTokyo.token));
    expect(mine.body.notices.map((n: { id: string }) => n.id)).toEqual(expect.arrayContaining([id, onlyTokyo]));
    expect((await t.http.get('/api/v1/notices').query({ mine: 'true', programId: otherProgramId }).set(bearer(repTokyo.token))).body.notices).toEqual([]);
    const invited = await t.http.get('/api/v1/notices').set(bearer(repInvited.token));
    expect(invited.body.notices).toEqual([]);

    // acknowledgement: the recipient only, once
    expect((await t.http.post(`/api/v1/notices/${onlyTokyo}/ack`).set(bearer(repNy.token))).status).toBe(404);
    expect((await t.http.post(`/api/v1/notices/${id}/ack`).set(bearer(lifecycle.token))).status).toBe(404);
    expect((await t.http.post(`/api/v1/notices/${id}/ack`).set(bearer(repInvited.token))).status).toBe(404);
    const ack = await t.http.post(`/api/v1/notices/${id}/ack`).set(bearer(repNy.token));
    expect(ack.status).toBe(200);
    expect(ack.body.acknowledgedAt).toEqual(expect.any(String));
    const again = await t.http.post(`/api/v1/notices/${id}/ack`).set(bearer(repNy.token));
    expect(again.status).toBe(200);
    expect(again.body.acknowledgedAt).toBe(ack.body.acknowledgedAt);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'notice.ack' AND entity_id = $1`, [id]))[0].n).toBe(1);

    // the lifecycle team: counts per notice, and who acknowledged
    const list = await t.http.get('/api/v1/notices').query({ programId }).set(bearer(lifecycle.token));
    expect(list.status).toBe(200);
    const row = list.body.notices.find((n: { id: string }) => n.id === id);
    expect(row).toMatchObject({ recipientCount: 2, acknowledgedCount: 1 });
    expect(list.body.notices.every((n: { programId: string }) => n.programId === programId)).toBe(true);
    const one = await t.http.get(`/api/v1/notices/${id}`).set(bearer(lifecycle.token));
    expect(one.body.acknowledgedCount).toBe(1);
    expect(one.body.recipients.map((r: { repId: string; acknowledgedAt: string | null }) => [r.repId, r.acknowledgedAt !== null]).sort()).toEqual(
      [[repNy.id, true], [repTokyo.id, false]].sort(),
    );
    expect((await t.http.get(`/api/v1/notices/00000000-0000-4000-8000-000000000000`).set(bearer(lifecycle.token))).status).toBe(404);
  });

  it('fans out past one batch: a roster of 250 gets 250 emails, one each', async () => {
    const big = await makePeriod(t, programId, daysFromNow(70), daysFromNow(100));
    const reps: string[] = (
      await t.db.query(
        `INSERT INTO users (email, name, time_zone, roles) SELECT 'bulk' || i || '@example.com', 'Bulk ' || i, 'Asia/Kolkata', ARRAY['rep'] FROM generate_series(1, 250) i RETURNING id`,
      )
    ).map((r: { id: string }) => r.id);
    await t.db.query(`INSERT INTO roster_entries (period_id, rep_id, status) SELECT $1, unnest($2::uuid[]), 'active'`, [big, reps]);
    const res = await send(notice({ periodId: big, subject: 'To everyone' }));
    expect(res.body.recipientCount).toBe(250);
    const outbox = async () => (await t.db.query(`SELECT count(DISTINCT recipient)::int AS n FROM mail_outbox WHERE dedupe_key LIKE $1`, [`notice:${res.body.id}:%`]))[0].n as number;
    for (const until = Date.now() + 20_000; (await outbox()) < 250 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
    expect(await outbox()).toBe(250);
  }, 30_000);

  it('a retried fan-out sends nothing twice', async () => {
    const res = await send(notice({ subject: 'Retry me' }));
    const id = res.body.id as string;
    await sink.waitFor(() => sink.messages.filter((m) => m.parsed.subject === 'Campaign notification: Retry me').length === 2);
    await t.app.get(NoticesService).fanOut(id);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE dedupe_key LIKE $1`, [`notice:${id}:%`]))[0].n).toBe(2);
    await new Promise((r) => setTimeout(r, 1000));
    expect(sink.messages.filter((m) => m.parsed.subject === 'Campaign notification: Retry me')).toHaveLength(2);
  });
});
