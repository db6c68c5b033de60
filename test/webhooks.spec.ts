import { DateTime } from 'luxon';
import { PassThrough } from 'node:stream';
import { Webhook } from 'standardwebhooks';
import { BookingsService } from '../src/bookings/bookings.service.js';
import { Secrets } from '../src/common/secrets.js';
import { WebhookEvents } from '../src/webhooks/webhook-events.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { daysFromNow, enrol, insertBooking, makePeriod, makeProgram, makeUser, Person, rosterRep } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';
import { type ReceivedHook, WebhookReceiver } from './support/webhook-receiver.js';

const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '23:00' }));
const SECRET_REASON = 'Customer asked me privately to cancel, call Jane at +1 415 555 2671';

/** Verifies a received request the way a receiver would, with the standardwebhooks library: returns the payload. */
function verified(secret: string, hook: ReceivedHook): { type: string; timestamp: string; data: Record<string, unknown> } {
  return new Webhook(secret).verify(hook.body, hook.headers as Record<string, string>) as { type: string; timestamp: string; data: Record<string, unknown> };
}

describe('webhooks (HTTP, real receiver, real SMTP, real PostgreSQL)', () => {
  let t: TestApp;
  const sink = new SmtpSink();
  const receiver = new WebhookReceiver();
  let lifecycle: Person;
  let rep: Person;
  let marketer: Person;
  let programId: string;
  let periodId: string;
  let day: string;
  const logs: string[] = [];

  const register = (events: string[], url = receiver.url(), who = lifecycle) => t.http.post('/api/v1/webhooks').set(bearer(who.token)).send({ url, events, description: 'CRM' });
  const count = async (table: string) => (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  beforeAll(async () => {
    await sink.start();
    await receiver.start();
    const logStream = new PassThrough();
    logStream.on('data', (c: Buffer) => logs.push(c.toString('utf8')));
    t = await startTestApp({ SMTP_URL: sink.url, JOBS_POLL_SECONDS: '0.5', JOBS_RETRY_DELAY_SECONDS: '1', LOG_LEVEL: 'debug' }, undefined, logStream);
    lifecycle = await makeUser(t, ['lifecycle'], 'Asia/Kathmandu');
    rep = await makeUser(t, ['rep']);
    marketer = await makeUser(t, ['marketer']);
    programId = await makeProgram(t, { minNoticeHours: 1, horizonDays: 60, repWeeklyCap: 50, sameRepLimit: 50, quota: 50 });
    periodId = await makePeriod(t, programId, daysFromNow(-10), daysFromNow(60));
    await rosterRep(t, periodId, rep);
    await enrol(t, periodId, marketer);
    await t.http.put(`/api/v1/reps/${rep.id}/availability`).set(bearer(rep.token)).send({ timeZone: 'UTC', weekly: ALL_DAYS }).expect(200);
    day = DateTime.utc().plus({ days: 5 }).toISODate()!;
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
    await sink.stop();
  });

  it('is the lifecycle team\'s: reps and marketers are refused every route', async () => {
    const created = await register(['booking.created']).expect(201);
    for (const who of [rep, marketer]) {
      await register(['booking.created'], receiver.url(), who).expect(403);
      await t.http.get('/api/v1/webhooks').set(bearer(who.token)).expect(403);
      await t.http.get(`/api/v1/webhooks/${created.body.id}/deliveries`).set(bearer(who.token)).expect(403);
      await t.http.delete(`/api/v1/webhooks/${created.body.id}`).set(bearer(who.token)).expect(403);
    }
    await t.http.delete(`/api/v1/webhooks/${created.body.id}`).set(bearer(lifecycle.token)).expect(204);
    await t.http.get(`/api/v1/webhooks/${created.body.id}`).set(bearer(lifecycle.token)).expect(404);
  });

  it('shows the signing secret once, keeps URL and secret sealed, and shows the host only afterwards', async () => {
    const res = await register(['booking.created']).expect(201);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect(res.body.host).toBe(`127.0.0.1:${receiver.port}`);
    const list = await t.http.get('/api/v1/webhooks').set(bearer(lifecycle.token)).expect(200);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(res.body.secret);
    expect(text).not.toContain('s3cret-path-token');
    expect(list.body.webhooks.find((w: { id: string }) => w.id === res.body.id)).toMatchObject({ host: res.body.host, events: ['booking.created'], enabled: true });
    const [row] = await t.db.query(`SELECT url_sealed, secret_sealed FROM webhook_endpoints WHERE id = $1`, [res.body.id]);
    expect(row.url_sealed).not.toContain('s3cret-path-token');
    expect(row.secret_sealed).not.toContain(res.body.secret.slice(6));
    await t.http.delete(`/api/v1/webhooks/${res.body.id}`).set(bearer(lifecycle.token)).expect(204);
  });

  it('refuses unknown events and addresses the outbound rule refuses, naming the field, storing nothing', async () => {
    const before = await count('webhook_endpoints');
    const unknown = await register(['booking.created', 'booking.exploded']).expect(400);
    expect(JSON.stringify(unknown.body)).toContain('events');
    await register([]).expect(400);
    for (const url of ['ftp://hooks.example.com/x', 'webcal://hooks.example.com/x', 'https://user:pw@hooks.example.com/x', 'http://169.254.169.254/latest', 'not a url']) {
      const r = await register(['booking.created'], url).expect(400);
      expect(r.body.details.field ?? JSON.stringify(r.body)).toContain('url');
    }
    expect(await count('webhook_endpoints')).toBe(before);
  });

  describe('delivery', () => {
    let secret: string;
    let endpointId: string;

    beforeAll(async () => {
      const res = await register(['booking.created', 'booking.cancelled', 'booking.rescheduled', 'booking.attendance', 'observation.submitted', 'rollup.sent']).expect(201);
      secret = res.body.secret;
      endpointId = res.body.id;
    });

    it('signs every booking event per Standard Webhooks, with ids and public facts and never a reason\'s words', async () => {
      const booked = await t.http.post('/api/v1/bookings').set(bearer(marketer.token)).send({ periodId, repId: rep.id, startsAt: `${day}T09:00:00.000Z` }).expect(201);
      await t.http.post(`/api/v1/bookings/${booked.body.id}/reschedule`).set(bearer(marketer.token)).send({ startsAt: `${day}T11:00:00.000Z` }).expect(200);
      await t.http.post(`/api/v1/bookings/${booked.body.id}/cancel`).set(bearer(rep.token)).send({ reason: SECRET_REASON }).expect(200);
      // Each delivery is its own job: they may arrive in any order.
      await receiver.waitFor(() => ['booking.created', 'booking.rescheduled', 'booking.cancelled'].every((type) => receiver.ofType(type).length === 1));

      const created = verified(secret, receiver.ofType('booking.created')[0]);
      expect(created.data).toMatchObject({ bookingId: booked.body.id, programId, periodId, repId: rep.id, marketerId: marketer.id, startsAt: `${day}T09:00:00.000Z`, status: 'confirmed' });
      const moved = verified(secret, receiver.ofType('booking.rescheduled')[0]);
      expect(moved.data).toMatchObject({ bookingId: booked.body.id, startsAt: `${day}T11:00:00.000Z`, previousStartsAt: `${day}T09:00:00.000Z` });
      const cancelled = verified(secret, receiver.ofType('booking.cancelled')[0]);
      expect(cancelled.data).toMatchObject({ bookingId: booked.body.id, status: 'cancelled', cancelledBy: 'rep' });
      for (const h of receiver.received) {
        expect(h.body).not.toContain('Jane');
        // The reason's words, not a bare '555': a random UUID in the payload holds '555' in a few percent of runs.
        expect(h.body).not.toContain('555 2671');
        expect(h.body).not.toContain('privately');
        expect(h.headers['content-type']).toBe('application/json');
      }
      const ids = receiver.received.map((h) => h.headers['webhook-id']);
      expect(new Set(ids).size).toBe(ids.length);
      // A tampered body does not verify.
      const h = receiver.ofType('booking.created')[0];
      expect(() => new Webhook(secret).verify(h.body.replace('confirmed', 'cancelled'), h.headers as Record<string, string>)).toThrow();
    });

    it('emits from the system paths too: a waitlist seat taken, a customer call followed or gone, a deactivation', async () => {
      const other = await makeUser(t, ['marketer']);
      const leaving = await makeUser(t, ['marketer']);
      await enrol(t, periodId, other);
      await enrol(t, periodId, leaving);
      const ofBooking = (type: string, id: string) => receiver.ofType(type).map((h) => verified(secret, h)).filter((p) => p.data.bookingId === id);
      // The waitlist: a cancelled seat is booked for the first marketer waiting (a booking.created nobody asked for by hand).
      const first = await t.http.post('/api/v1/bookings').set(bearer(marketer.token)).send({ periodId, repId: rep.id, startsAt: `${day}T16:00:00.000Z` }).expect(201);
      await t.http.post('/api/v1/waitlist').set(bearer(other.token)).send({ periodId, repId: rep.id, startsAt: `${day}T16:00:00.000Z` }).expect(201);
      await t.http.post(`/api/v1/bookings/${first.body.id}/cancel`).set(bearer(marketer.token)).send({ reason: 'x' }).expect(200);
      const [taken] = await t.db.query(`SELECT id FROM bookings WHERE marketer_id = $1 AND status = 'confirmed'`, [other.id]);
      // The rep's calendar: one customer call moved (its booking follows), another gone (its booking is cancelled).
      const at = (h: number) => DateTime.fromISO(`${day}T00:00:00Z`).plus({ days: 1, hours: h }).toUTC().toISO()!;
      const follows = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: at(9), endsAt: at(9.5) });
      const gone = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: at(12), endsAt: at(12.5) });
      const bookings = t.app.get(BookingsService);
      await t.db.transaction(async (m) => {
        await bookings.followCustomerCall(m, [follows], { startsAt: new Date(at(10)), endsAt: new Date(at(10.5)) }, async () => null);
        await bookings.cancelForCustomerCall(m, gone, 'The customer call was removed from the calendar');
      });
      // A deactivated marketer's future bookings are cancelled by the system.
      const doomed = await insertBooking(t, { periodId, repId: rep.id, marketerId: leaving.id, startsAt: at(14), endsAt: at(14.5) });
      await t.http.patch(`/api/v1/users/${leaving.id}`).set(bearer(t.adminToken)).send({ active: false }).expect(200);

      await receiver.waitFor(
        () => ofBooking('booking.created', taken.id).length === 1 && ofBooking('booking.rescheduled', follows).length === 1 && ofBooking('booking.cancelled', gone).length === 1 && ofBooking('booking.cancelled', doomed).length === 1,
      );
      expect(ofBooking('booking.created', taken.id)[0].data).toMatchObject({ marketerId: other.id, programId, startsAt: `${day}T16:00:00.000Z`, status: 'confirmed' });
      expect(ofBooking('booking.rescheduled', follows)[0].data).toMatchObject({ programId, startsAt: at(10), previousStartsAt: at(9), by: 'calendar' });
      expect(ofBooking('booking.cancelled', gone)[0].data).toMatchObject({ programId, status: 'cancelled', cancelledBy: 'calendar' });
      expect(ofBooking('booking.cancelled', doomed)[0].data).toMatchObject({ programId, marketerId: leaving.id, status: 'cancelled', cancelledBy: 'deactivation' });
      for (const h of receiver.received) expect(h.body).not.toContain('removed from the calendar');
    });

    it('a refused change emits nothing: the event is written in its transaction', async () => {
      const before = await count('webhook_deliveries');
      // The 10:00 slot overlaps nothing yet; book it, then a second marketer's request for it is refused (409).
      const other = await makeUser(t, ['marketer']);
      await enrol(t, periodId, other);
      await t.http.post('/api/v1/bookings').set(bearer(marketer.token)).send({ periodId, repId: rep.id, startsAt: `${day}T14:00:00.000Z` }).expect(201);
      await t.http.post('/api/v1/bookings').set(bearer(other.token)).send({ periodId, repId: rep.id, startsAt: `${day}T14:00:00.000Z` }).expect(409);
      expect(await count('webhook_deliveries')).toBe(before + 1);
    });

    it('attendance, a submitted form and a sent rollup are delivered, each once', async () => {
      const start = DateTime.utc().minus({ hours: 3 }).startOf('hour');
      const bookingId = await insertBooking(t, { periodId, repId: rep.id, marketerId: marketer.id, startsAt: start.toISO()!, endsAt: start.plus({ minutes: 30 }).toISO()! });
      await t.http.post(`/api/v1/bookings/${bookingId}/attendance`).set(bearer(rep.token)).send({ outcome: 'completed' }).expect(200);
      const theme = (await t.http.post('/api/v1/themes').set(bearer(t.adminToken)).send({ name: 'Webhook theme' }).expect(201)).body.id;
      const [form] = await t.db.query(`SELECT id FROM observations WHERE booking_id = $1`, [bookingId]);
      const answers = {
        mode: 'feedback',
        segment: 'Mid-market',
        empathy: { says: ['We lose a day a week'], thinks: [], does: [], feels: [], sees: [], hears: [] },
        painPoints: ['Manual exports'],
        quotes: [{ text: 'Email me at jane.doe@acme.com', speaker: 'customer' }],
        themeIds: [theme],
        lead: { marketingSourced: false },
        ideas: [],
        peak: { text: 'Pricing', valence: -1 },
        end: { text: 'Trial', valence: 1 },
      };
      await t.http.put(`/api/v1/observations/${form.id}`).set(bearer(marketer.token)).send({ answers }).expect(200);
      await t.http.post(`/api/v1/observations/${form.id}/submit`).set(bearer(marketer.token)).expect(201);
      const rollup = await t.http.post('/api/v1/rollups').set(bearer(lifecycle.token)).send({ programId, from: daysFromNow(-9), to: daysFromNow(1) }).expect(201);
      // The same rollup asked for again is not sent again.
      await t.http.post('/api/v1/rollups').set(bearer(lifecycle.token)).send({ programId, from: daysFromNow(-9), to: daysFromNow(1) });
      await receiver.waitFor(() => receiver.ofType('rollup.sent').length >= 1 && receiver.ofType('observation.submitted').length >= 1 && receiver.ofType('booking.attendance').length >= 1);
      await new Promise((r) => setTimeout(r, 1500));

      expect(verified(secret, receiver.ofType('booking.attendance')[0]).data).toMatchObject({ bookingId, status: 'completed', outcome: 'completed' });
      const submitted = receiver.ofType('observation.submitted');
      expect(submitted).toHaveLength(1);
      expect(verified(secret, submitted[0]).data).toMatchObject({ observationId: form.id, programId, authorId: marketer.id, themeIds: [theme] });
      expect(submitted[0].body).not.toContain('jane.doe');
      expect(submitted[0].body).not.toContain('lose a day');
      const sent = receiver.ofType('rollup.sent');
      expect(sent).toHaveLength(1);
      expect(verified(secret, sent[0]).data).toMatchObject({ rollupId: rollup.body.id, programId });

      const page = await t.http.get(`/api/v1/webhooks/${endpointId}/deliveries?limit=2`).set(bearer(lifecycle.token)).expect(200);
      expect(page.body.deliveries).toHaveLength(2);
      expect(page.body.deliveries[0]).toMatchObject({ status: 'delivered', eventType: 'rollup.sent', attempts: [{ statusCode: 200, error: null }] });
      const next = await t.http.get(`/api/v1/webhooks/${endpointId}/deliveries?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`).set(bearer(lifecycle.token)).expect(200);
      expect(next.body.deliveries[0].id).not.toBe(page.body.deliveries[1].id);
      await t.http.get(`/api/v1/webhooks/${endpointId}/deliveries?cursor=forged`).set(bearer(lifecycle.token)).expect(400);
    });

    it('retries a failing receiver with backoff, same webhook-id, until it answers 2xx', async () => {
      // The first two tries of this event get 500; the third 200.
      receiver.respond = (_n, hook) => (hook.body.includes('"retry-probe"') && receiver.received.filter((h) => h.body.includes('"retry-probe"')).length <= 2 ? 500 : 200);
      await t.db.transaction(async (m) => {
        await t.app.get(WebhookEvents).emit(m, 'rollup.sent', { rollupId: 'retry-probe', programId });
      });
      await receiver.waitFor((hooks) => hooks.filter((h) => h.body.includes('"retry-probe"')).length === 3, 30_000);
      const tries = receiver.received.filter((h) => h.body.includes('"retry-probe"'));
      expect(new Set(tries.map((h) => h.headers['webhook-id'])).size).toBe(1);
      for (const h of tries) expect(verified(secret, h).data.rollupId).toBe('retry-probe');
      // The backoff: the second retry waited longer than the first.
      const gaps = [tries[1].at.getTime() - tries[0].at.getTime(), tries[2].at.getTime() - tries[1].at.getTime()];
      expect(gaps[0]).toBeGreaterThanOrEqual(900);
      await new Promise((r) => setTimeout(r, 500));
      const [row] = await t.db.query(`SELECT status, attempts FROM webhook_deliveries WHERE payload->'data'->>'rollupId' = 'retry-probe'`);
      expect(row).toEqual({ status: 'delivered', attempts: 3 });
      const [ep] = await t.db.query(`SELECT consecutive_failures FROM webhook_endpoints WHERE id = $1`, [endpointId]);
      expect(ep.consecutive_failures).toBe(0);
      receiver.respond = () => 200;
    });

    it('does not follow a redirect: the attempt is a failure and the other address hears nothing', async () => {
      const target = new WebhookReceiver();
      const redirecting = new WebhookReceiver();
      await target.start();
      await redirecting.start();
      redirecting.respond = () => ({ status: 307, headers: { location: target.url('/landed') } });
      try {
        const res = await register(['rollup.sent'], redirecting.url('/moved')).expect(201);
        await t.db.transaction((m) => t.app.get(WebhookEvents).emit(m, 'rollup.sent', { rollupId: 'redirect-probe', programId }));
        await redirecting.waitFor((hooks) => hooks.length >= 1);
        await new Promise((r) => setTimeout(r, 500));
        const page = await t.http.get(`/api/v1/webhooks/${res.body.id}/deliveries`).set(bearer(lifecycle.token)).expect(200);
        expect(page.body.deliveries[0]).toMatchObject({ eventType: 'rollup.sent', status: 'pending' });
        expect(page.body.deliveries[0].attempts[0]).toMatchObject({ statusCode: null, error: 'the receiver answered with a redirect, which is not followed' });
        expect(target.received).toHaveLength(0);
        await t.http.delete(`/api/v1/webhooks/${res.body.id}`).set(bearer(lifecycle.token)).expect(204);
      } finally {
        await redirecting.stop();
        await target.stop();
      }
    });

    it('notice.sent carries counts and ids, never the subject or body', async () => {
      const res = await register(['notice.sent']).expect(201);
      const before = receiver.ofType('notice.sent').length;
      const sent = await t.http
        .post('/api/v1/notices')
        .set(bearer(lifecycle.token))
        .send({ programId, periodId, kind: 'rep_alert', subject: 'Pricing change on Monday', body: 'Secret pricing words for reps only' })
        .expect(201);
      await receiver.waitFor(() => receiver.ofType('notice.sent').length === before + 1);
      const hook = receiver.ofType('notice.sent')[before];
      expect(verified(res.body.secret, hook).data).toMatchObject({ noticeId: sent.body.id, programId, periodId, kind: 'rep_alert', recipientCount: 1 });
      expect(hook.body).not.toContain('Pricing change');
      expect(hook.body).not.toContain('Secret pricing');
      await t.http.delete(`/api/v1/webhooks/${res.body.id}`).set(bearer(lifecycle.token)).expect(204);
    });

    it('action.changed on creation and on each change, with the title but never the detail', async () => {
      const res = await register(['action.changed']).expect(201);
      const before = receiver.ofType('action.changed').length;
      const created = await t.http
        .post('/api/v1/actions')
        .set(bearer(lifecycle.token))
        .send({ programId, themeIds: [], kind: 'info_for_sales', title: 'Pricing one-pager', detail: 'Private detail of the plan', ownerId: lifecycle.id })
        .expect(201);
      await t.http.patch(`/api/v1/actions/${created.body.id}`).set(bearer(lifecycle.token)).send({ status: 'in_progress' }).expect(200);
      await receiver.waitFor(() => receiver.ofType('action.changed').length === before + 2);
      // Deliveries are not ordered (each is its own job): a receiver orders by the payload's timestamp.
      const got = receiver.ofType('action.changed').slice(before).map((h) => verified(res.body.secret, h));
      const [first, second] = got.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
      expect(first.data).toMatchObject({ actionId: created.body.id, programId, status: 'open', previousStatus: null, kind: 'info_for_sales', title: 'Pricing one-pager', ownerId: lifecycle.id });
      expect(second.data).toMatchObject({ actionId: created.body.id, status: 'in_progress', previousStatus: 'open', changed: ['status'] });
      for (const h of receiver.ofType('action.changed')) expect(h.body).not.toContain('Private detail');
      await t.http.delete(`/api/v1/webhooks/${res.body.id}`).set(bearer(lifecycle.token)).expect(204);
    });

    it('disables an endpoint after 20 failures in a row and emails its creator once', async () => {
      const failing = new WebhookReceiver();
      await failing.start();
      failing.respond = () => 503;
      try {
        const res = await register(['rollup.sent'], failing.url('/down')).expect(201);
        await t.db.transaction(async (m) => {
          for (let i = 0; i < 22; i++) await t.app.get(WebhookEvents).emit(m, 'rollup.sent', { rollupId: `down-${i}`, programId });
        });
        await sink.waitFor(() => sink.to(lifecycle.email).some((mail) => /disabled/.test(mail.parsed.subject ?? '')), 30_000);
        const ep = (await t.http.get(`/api/v1/webhooks/${res.body.id}`).set(bearer(lifecycle.token)).expect(200)).body;
        expect(ep).toMatchObject({ enabled: false });
        expect(ep.consecutiveFailures).toBeGreaterThanOrEqual(20);
        expect(ep.disabledReason).toContain('HTTP 503');
        const mail = sink.to(lifecycle.email).filter((m) => /disabled/.test(m.parsed.subject ?? ''));
        expect(mail).toHaveLength(1);
        expect(mail[0].parsed.text).toContain(`127.0.0.1:${failing.port}`);
        expect(mail[0].parsed.text).toContain('GMT+5:45'); // the creator's zone (Kathmandu)
        expect(mail[0].parsed.text).not.toContain('/down');
        // Disabled: no further deliveries are written, and what was pending is failed, not retried.
        const before = await count('webhook_deliveries');
        await t.db.transaction(async (m) => {
          await t.app.get(WebhookEvents).emit(m, 'rollup.sent', { rollupId: 'after-disable', programId });
        });
        const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND payload->'data'->>'rollupId' = 'after-disable'`, [res.body.id]);
        expect(n).toBe(0);
        expect(await count('webhook_deliveries')).toBeGreaterThan(before); // the other endpoint still gets it
        await new Promise((r) => setTimeout(r, 1500));
        const [{ pending }] = await t.db.query(`SELECT count(*)::int AS pending FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending'`, [res.body.id]);
        expect(pending).toBe(0);
        // Enabled again: its count starts from zero and it receives new events.
        failing.respond = () => 200;
        const on = await t.http.post(`/api/v1/webhooks/${res.body.id}/enable`).set(bearer(lifecycle.token)).expect(200);
        expect(on.body).toMatchObject({ enabled: true, consecutiveFailures: 0 });
        await t.db.transaction(async (m) => {
          await t.app.get(WebhookEvents).emit(m, 'rollup.sent', { rollupId: 'after-enable', programId });
        });
        await failing.waitFor((hooks) => hooks.some((h) => h.body.includes('after-enable')));
      } finally {
        await failing.stop();
      }
    });

    it('never writes a signing secret or a URL\'s path to the logs or the audit trail', async () => {
      const text = logs.join('');
      expect(text).toContain('webhook endpoint disabled'); // the logs were captured
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(6));
      expect(text).not.toContain('s3cret-path-token');
      expect(text).not.toContain('/down');
      const audit = JSON.stringify(await t.db.query(`SELECT details FROM audit_log WHERE entity = 'webhook_endpoint'`));
      expect(audit).toContain(`127.0.0.1:${receiver.port}`);
      expect(audit).not.toContain('s3cret-path-token');
      expect(audit).not.toContain(secret.slice(6));
    });
  });
});

describe('webhooks with the private-address rule on (WEBHOOK_ALLOW_PRIVATE_HOSTS=false)', () => {
  // A separate app after the main one: Nest's static logger follows the app started last.
  const receiver = new WebhookReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('refuses loopback and private addresses at registration, and again at delivery', async () => {
    const strict = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_HOSTS: 'false', JOBS_POLL_SECONDS: '0.5' });
    try {
      for (const url of [receiver.url(), 'http://10.1.2.3/hook', 'http://[::1]:8080/hook', 'http://192.168.0.10/hook', 'http://localhost:9/hook']) {
        const r = await strict.http.post('/api/v1/webhooks').set(bearer(strict.adminToken)).send({ url, events: ['rollup.sent'] }).expect(400);
        expect(r.body.details).toMatchObject({ field: 'url' });
      }
      expect((await strict.db.query(`SELECT count(*)::int AS n FROM webhook_endpoints`))[0].n).toBe(0);
      // An endpoint whose address became private after registration (DNS moved; planted here) is refused at delivery.
      const seal = (v: string) => strict.app.get(Secrets).seal(v);
      await strict.db.query(`INSERT INTO webhook_endpoints (host, url_sealed, secret_sealed, events) VALUES ($1, $2, $3, '{rollup.sent}')`, [
        `127.0.0.1:${receiver.port}`,
        seal(receiver.url('/strict')),
        seal('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'),
      ]);
      const heard = receiver.received.length;
      await strict.db.transaction((m) => strict.app.get(WebhookEvents).emit(m, 'rollup.sent', { rollupId: 'strict-probe' }));
      const until = Date.now() + 15_000;
      let attempts: { error: string | null; status_code: number | null }[] = [];
      while (!attempts.length && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        attempts = await strict.db.query(`SELECT error, status_code FROM webhook_attempts`);
      }
      expect(attempts[0]).toMatchObject({ status_code: null });
      expect(attempts[0].error).toMatch(/^refused by the outbound rule: url points to a local or private network address/);
      expect(receiver.received.slice(heard).some((h) => h.body.includes('strict-probe'))).toBe(false);
    } finally {
      await strict.close();
    }
  });
});
