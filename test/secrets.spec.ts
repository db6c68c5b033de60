import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { MailService } from '../src/mail/mail.service.js';
import { SignInService } from '../src/web/sign-in/sign-in.service.js';
import { bearer, startTestApp, TestApp } from './support/app.js';
import { makeProgram, makeUser, type Person } from './support/fixtures.js';
import { createTestDatabase } from './support/database.js';
import { SmtpSink } from './support/smtp.js';
import { CookieBrowser, inputValue, signInLinkIn, webSession } from './support/web.js';

const FAST = { JOBS_POLL_SECONDS: '0.5', JOBS_RETRY_DELAY_SECONDS: '1', MAIL_FROM: 'ridealong <noreply@ridealong.test>' };
const REDACTED = '[redacted]';
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/** Every line the app's logger writes, kept as text. */
class LogCapture extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

describe('secrets and credentials', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let logs: LogCapture;

  beforeAll(async () => {
    sink = new SmtpSink();
    await sink.start();
    logs = new LogCapture();
    t = await startTestApp({ ...FAST, SMTP_URL: sink.url, PUBLIC_URL: 'http://localhost:9999', LOG_LEVEL: 'debug' }, undefined, logs);
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  describe('no secret in a log line', () => {
    it('redacts sign-in links, feed tokens, API tokens and secret query values in the request log and every other line', async () => {
      const marketer = await makeUser(t, ['marketer']);
      const before = logs.chunks.length;

      // A sign-in link, the real way: asked for on the page, emailed, opened, used.
      const b = new CookieBrowser(t);
      const form = await b.get('/sign-in');
      expect((await b.post('/sign-in', { _csrf: inputValue(form.text, '_csrf')!, email: marketer.email })).status).toBe(200);
      await sink.waitFor(() => sink.to(marketer.email).length === 1);
      const path = new URL(signInLinkIn(sink.to(marketer.email)[0].parsed.text ?? '')).pathname;
      const signInToken = path.split('/').pop()!;
      const confirm = await b.get(`${path}?next=/marketer`);
      expect(confirm.status).toBe(200);
      expect((await b.get(`${path}/more?token=${signInToken}`)).status).toBe(404); // a mistyped link, the token in the query too
      const used = await b.post(path, { _csrf: inputValue(confirm.text, '_csrf')!, next: '/marketer' });
      expect(used.status).toBe(303);
      const sessionToken = b.cookies.get('ra_session')!;
      expect(sessionToken).toMatch(/^ss_/);

      // A calendar feed, subscribed to and read.
      const feed = await t.http.post('/api/v1/me/calendar-token').set(bearer(marketer.token)).expect(201);
      const feedToken: string = feed.body.token;
      expect((await t.http.get(`/calendar/${feedToken}.ics`)).status).toBe(200);
      expect((await t.http.get(`/calendar/${feedToken}.ics?key=feed-key-secret`)).status).toBe(200);

      // An API token put in a query string by a careless client, and secret-named parameters.
      await t.http.get(`/api/v1/me?access_token=${marketer.token}&code=oauth-code-secret`).expect(401);

      // Anything else that logs a URL or a token (an error, a library) goes through the same logger.
      new Logger('Probe').error(`could not fetch http://localhost:9999/calendar/${feedToken}.ics?token=probe-token-secret for ${marketer.token}`);
      await new Promise((r) => setTimeout(r, 200));

      const out = logs.chunks.slice(before).join('');
      for (const secret of [signInToken, signInToken.slice(3), sessionToken.slice(3), feedToken.slice(3), marketer.token.slice(3), 'feed-key-secret', 'oauth-code-secret', 'probe-token-secret']) {
        expect(out).not.toContain(secret);
      }
      const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { msg?: string; path?: string; status?: number });
      const requests = lines.filter((l) => l.msg === 'request').map((l) => `${l.path} ${l.status}`);
      expect(requests).toEqual(
        expect.arrayContaining([
          `/sign-in/sl_${REDACTED} 200`,
          `/sign-in/sl_${REDACTED}/more 404`,
          `/sign-in/sl_${REDACTED} 303`,
          `/calendar/rc_${REDACTED}.ics 200`,
        ]),
      );
      expect(out).toContain(`/calendar/rc_${REDACTED}.ics?token=${REDACTED} for ra_${REDACTED}`);
    });
  });

  describe('sign-in emails', () => {
    it('blanks the body of a sign-in message once it is sent, keeping the row for the record', async () => {
      const user = await makeUser(t, ['rep']);
      const b = new CookieBrowser(t);
      const form = await b.get('/sign-in');
      await b.post('/sign-in', { _csrf: inputValue(form.text, '_csrf')!, email: user.email });
      await sink.waitFor(() => sink.to(user.email).length === 1);
      const mail = sink.to(user.email)[0].parsed;
      const link = signInLinkIn(mail.text ?? '');
      expect(mail.html).toContain(link);

      // The row is marked sent in the transaction that sent it; wait for that commit.
      let row: { subject: string; recipient: string; status: string; sent_at: Date | null; text: string; html: string; body_is_secret: boolean } | undefined;
      for (let i = 0; i < 50 && row?.status !== 'sent'; i++) {
        [row] = await t.db.query(`SELECT subject, recipient, status, sent_at, text, html, body_is_secret FROM mail_outbox WHERE recipient = $1 AND dedupe_key LIKE 'sign-in:%'`, [user.email]);
        if (row?.status !== 'sent') await new Promise((r) => setTimeout(r, 100));
      }
      expect(row).toMatchObject({ subject: 'Your ridealong sign-in link', recipient: user.email, status: 'sent', sent_at: expect.any(Date), text: '', html: '', body_is_secret: true });
      const [any] = await t.db.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE text LIKE $1 OR html LIKE $1`, [`%${link.split('/').pop()}%`]);
      expect(any.n).toBe(0);
      // The link still works: blanking the record changes nothing for the person who got it.
      expect((await b.get(new URL(link).pathname)).status).toBe(200);
    });

    it('keeps the body of ordinary messages once sent', async () => {
      const mail = t.app.get(MailService);
      await t.db.transaction((m) =>
        mail.enqueue(m, 'secrets-spec:ordinary', { to: { email: 'ordinary@example.com' }, subject: 'Ordinary', text: 'An ordinary body', html: '<p>An ordinary body</p>' }),
      );
      await sink.waitFor(() => sink.to('ordinary@example.com').length === 1);
      let row: { status: string; text: string; html: string; body_is_secret: boolean } | undefined;
      for (let i = 0; i < 50 && row?.status !== 'sent'; i++) {
        [row] = await t.db.query(`SELECT status, text, html, body_is_secret FROM mail_outbox WHERE dedupe_key = 'secrets-spec:ordinary'`);
        if (row?.status !== 'sent') await new Promise((r) => setTimeout(r, 100));
      }
      expect(row).toEqual({ status: 'sent', text: 'An ordinary body', html: '<p>An ordinary body</p>', body_is_secret: false });
    });
  });

  describe('deactivation revokes for good', () => {
    it('kills the token, session, feed and unused sign-in link at once, and reactivation brings none of them back', async () => {
      const user = await makeUser(t, ['marketer']);
      const signIn = t.app.get(SignInService);
      const session = await webSession(t, user.id);
      const feed = (await t.http.post('/api/v1/me/calendar-token').set(bearer(user.token)).expect(201)).body.token as string;
      const link = new URL(await signIn.issueLink(user.id)).pathname;

      const alive = async () => ({
        token: (await t.http.get('/api/v1/me').set(bearer(user.token))).status,
        session: (await session.get('/')).header.location,
        feed: (await t.http.get(`/calendar/${feed}.ics`)).status,
        link: (await t.http.get(link).set('Accept', 'text/html')).status,
      });
      const dead = { token: 401, session: '/sign-in?next=%2F', feed: 404, link: 410 };
      expect(await alive()).toEqual({ token: 200, session: '/marketer', feed: 200, link: 200 });

      await t.http.patch(`/api/v1/users/${user.id}`).set(bearer(t.adminToken)).send({ active: false }).expect(200);
      expect(await alive()).toEqual(dead);
      const held = async () =>
        (
          await t.db.query(
            `SELECT (SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL)::int AS tokens,
                    (SELECT count(*) FROM web_sessions WHERE user_id = $1)::int AS sessions,
                    (SELECT count(*) FROM calendar_feeds WHERE user_id = $1)::int AS feeds,
                    (SELECT count(*) FROM sign_in_links WHERE user_id = $1)::int AS links`,
            [user.id],
          )
        )[0];
      expect(await held()).toEqual({ tokens: 0, sessions: 0, feeds: 0, links: 0 });
      const [audit] = await t.db.query(`SELECT details FROM audit_log WHERE entity_id = $1 AND action = 'user.deactivate'`, [user.id]);
      expect(audit.details.revoked).toEqual({ apiTokens: 1, sessions: 1, calendarFeeds: 1, signInLinks: 2, calendarConnections: 0, bookingsCancelled: 0, rosterEntriesRemoved: 0, enrolmentsEnded: 0 }); // the session's used link too

      await t.http.patch(`/api/v1/users/${user.id}`).set(bearer(t.adminToken)).send({ active: true }).expect(200);
      expect(await alive()).toEqual(dead);
      expect(await held()).toEqual({ tokens: 0, sessions: 0, feeds: 0, links: 0 });

      // New credentials can be issued, and work.
      const token = (await t.http.post(`/api/v1/users/${user.id}/tokens`).set(bearer(t.adminToken)).send({}).expect(201)).body.token as string;
      await t.http.get('/api/v1/me').set(bearer(token)).expect(200);
      expect((await (await webSession(t, user.id)).get('/')).header.location).toBe('/marketer');
      const newFeed = (await t.http.post('/api/v1/me/calendar-token').set(bearer(token)).expect(201)).body.token as string;
      await t.http.get(`/calendar/${newFeed}.ics`).expect(200);
      await t.http.get(new URL(await signIn.issueLink(user.id)).pathname).set('Accept', 'text/html').expect(200);
      // … and the old ones stay dead.
      expect(await alive()).toEqual(dead);
    });

    it('refuses to issue a credential while the user is deactivated', async () => {
      const user = await makeUser(t, ['rep']);
      await t.http.patch(`/api/v1/users/${user.id}`).set(bearer(t.adminToken)).send({ active: false }).expect(200);
      await t.http.post(`/api/v1/users/${user.id}/tokens`).set(bearer(t.adminToken)).send({}).expect(409);
      await expect(t.app.get(SignInService).issueLink(user.id)).rejects.toMatchObject({ code: 'invalid_state' });
      const [row] = await t.db.query(`SELECT count(*)::int AS n FROM sign_in_links WHERE user_id = $1`, [user.id]);
      expect(row.n).toBe(0);
    });

    it('lets a credential issued alongside a deactivation either land before it (and be revoked) or be refused', async () => {
      const user = await makeUser(t, ['rep']);
      // Hold the deactivation's lock on the user's row, as a slow deactivation would, while a token is asked for.
      const runner = t.db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      await runner.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [user.id]);
      await runner.query(`UPDATE users SET active = false WHERE id = $1`, [user.id]);
      const issuing = t.http.post(`/api/v1/users/${user.id}/tokens`).set(bearer(t.adminToken)).send({}).then((r) => r);
      await new Promise((r) => setTimeout(r, 300));
      await runner.commitTransaction();
      await runner.release();
      expect((await issuing).status).toBe(409); // it waited for the deactivation, then saw it
      const [row] = await t.db.query(`SELECT count(*)::int AS n FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL`, [user.id]);
      expect(row.n).toBe(1); // only the one makeUser issued before (this raw UPDATE skipped the service's revocation)
    });
  });

  describe('reactivation at boot', () => {
    it('brings a deactivated admin back with only the ADMIN_TOKEN, none of what they held before', async () => {
      const database = await createTestDatabase();
      const first = await startTestApp(FAST, database);
      let bob: Person;
      try {
        bob = await makeUser(first, ['marketer']);
        // Credentials left on a deactivated user by an older version (which only checked `active`), and no lifecycle user left.
        await first.db.query(`UPDATE users SET active = false`);
      } finally {
        await first.app.close();
      }
      const token = 'bob-is-back-token-0123456789abcdef';
      const second = await startTestApp({ ...FAST, ADMIN_EMAIL: bob.email, ADMIN_TOKEN: token }, database);
      try {
        await second.http.get('/api/v1/me').set(bearer(token)).expect(200);
        await second.http.get('/api/v1/me').set(bearer(bob.token)).expect(401);
        const [row] = await second.db.query(`SELECT count(*)::int AS n FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL`, [bob.id]);
        expect(row.n).toBe(1);
      } finally {
        await second.app.close();
        await database.drop();
      }
    });
  });

  describe('response headers', () => {
    it('sends nosniff on every response and no-store on everything but the public assets', async () => {
      const lifecycle = await webSession(t, (await t.http.get('/api/v1/me').set(bearer(t.adminToken))).body.id);
      const marketer = await makeUser(t, ['marketer']);
      const page = await webSession(t, marketer.id);
      const feed = (await t.http.post('/api/v1/me/calendar-token').set(bearer(marketer.token)).expect(201)).body.token as string;
      const api = (path: string) => t.http.get(path).set(bearer(marketer.token));
      const samples: [string, () => PromiseLike<{ status: number; header: Record<string, string> }>, number][] = [
        ['health', () => t.http.get('/health'), 200],
        ['OpenAPI JSON', () => t.http.get('/docs-json'), 200],
        ['OpenAPI page', () => t.http.get('/docs/'), 200],
        ['sign-in page', () => t.http.get('/sign-in').set('Accept', 'text/html'), 200],
        ['unknown route', () => t.http.get('/no/such/thing'), 404],
        ['API without a token', () => t.http.get('/api/v1/me'), 401],
        ['bad JSON', () => t.http.post('/api/v1/users').set(bearer(t.adminToken)).set('Content-Type', 'application/json').send('{"a":'), 400],
        ['me', () => api('/api/v1/me'), 200],
        ['programs', () => api('/api/v1/programs'), 200],
        ['observations', () => api('/api/v1/observations?mine=true'), 200],
        ['bookings', () => api('/api/v1/bookings?mine=true'), 200],
        ['rollup of another role', () => api(`/api/v1/rollups/${NO_SUCH_ID}`), 403],
        ['rollup not found', () => t.http.get(`/api/v1/rollups/${NO_SUCH_ID}`).set(bearer(t.adminToken)), 404],
        ['rollup page not found', () => lifecycle.get(`/rollups/${NO_SUCH_ID}`), 404],
        ['invalid input', () => t.http.post('/api/v1/users').set(bearer(t.adminToken)).send({}), 400],
        ['marketer page', () => page.get('/marketer'), 200],
        ['lifecycle page', () => lifecycle.get('/lifecycle'), 200],
        ['calendar feed', () => t.http.get(`/calendar/${feed}.ics`), 200],
        ['calendar feed unknown', () => t.http.get('/calendar/rc_unknownunknownunknownunknown.ics'), 404],
      ];
      for (const [name, send, status] of samples) {
        const res = await send();
        expect([name, res.status]).toEqual([name, status]);
        expect([name, res.header['x-content-type-options']]).toEqual([name, 'nosniff']);
        expect([name, res.header['cache-control']]).toEqual([name, 'no-store']);
      }
      const css = await t.http.get('/assets/app.css');
      expect(css.header['x-content-type-options']).toBe('nosniff');
      expect(css.header['cache-control']).toBe('public, max-age=3600');
    });
  });

  describe('rollup recipients', () => {
    it('shows a program’s rollup recipients to the lifecycle team only', async () => {
      const programId = await makeProgram(t, { rollupRecipients: ['lc-hidden@example.com'] });
      const people: [string, Person | { token: string }, boolean][] = [
        ['rep', await makeUser(t, ['rep']), false],
        ['marketer', await makeUser(t, ['marketer']), false],
        ['rep and marketer', await makeUser(t, ['rep', 'marketer']), false],
        ['lifecycle', { token: t.adminToken }, true],
        ['rep and lifecycle', await makeUser(t, ['rep', 'lifecycle']), true],
      ];
      for (const [who, person, sees] of people) {
        const one = await t.http.get(`/api/v1/programs/${programId}`).set(bearer(person.token)).expect(200);
        const list = await t.http.get('/api/v1/programs').set(bearer(person.token)).expect(200);
        const inList = list.body.programs.find((p: { id: string }) => p.id === programId);
        for (const body of [one.body, inList]) {
          expect([who, body.settings.quota]).toEqual([who, 20]);
          expect([who, body.settings.rollupRecipients]).toEqual([who, sees ? ['lc-hidden@example.com'] : undefined]);
        }
        expect([who, list.text.includes('lc-hidden@example.com')]).toEqual([who, sees]);
      }
    });
  });
});

describe('TRUST_PROXY', () => {
  /** Asks for sign-in links for fresh (unknown) addresses from behind a proxy that says the client is `ip`. */
  async function ask(t: TestApp, ip: string, n: number): Promise<number[]> {
    const b = new CookieBrowser(t, { 'X-Forwarded-For': ip });
    const csrf = inputValue((await b.get('/sign-in')).text, '_csrf')!;
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) statuses.push((await b.post('/sign-in', { _csrf: csrf, email: `nobody-${ip.replace(/[^0-9.]/g, '_')}-${i}-${Math.random().toString(36).slice(2)}@example.com` })).status);
    return statuses;
  }
  const ipsLogged = async (t: TestApp) => (await t.db.query(`SELECT DISTINCT ip FROM sign_in_requests ORDER BY ip`)).map((r: { ip: string }) => r.ip);

  it('counts every client behind the proxy as the proxy when unset', async () => {
    const t = await startTestApp(FAST);
    try {
      expect(new Set(await ask(t, '203.0.113.7', 30))).toEqual(new Set([200]));
      expect(await ask(t, '198.51.100.9', 1)).toEqual([429]); // another client, the same (proxy's) address
      expect(await ipsLogged(t)).toEqual(['127.0.0.1']);
    } finally {
      await t.close();
    }
  });

  it('with TRUST_PROXY=1 counts each client behind the load balancer on its own', async () => {
    const t = await startTestApp({ ...FAST, TRUST_PROXY: '1' });
    try {
      expect(new Set(await ask(t, '203.0.113.7', 30))).toEqual(new Set([200]));
      expect(await ask(t, '203.0.113.7', 1)).toEqual([429]);
      expect(await ask(t, '198.51.100.9', 1)).toEqual([200]);
      expect(await ipsLogged(t)).toEqual(['198.51.100.9', '203.0.113.7']);
      // One hop only: a client's own forged X-Forwarded-For entry in front of the proxy's is not believed.
      expect(await ask(t, '192.0.2.1, 198.51.100.10', 1)).toEqual([200]);
      expect(await ipsLogged(t)).toContain('198.51.100.10');
      expect(await ipsLogged(t)).not.toContain('192.0.2.1');
    } finally {
      await t.close();
    }
  });
});
