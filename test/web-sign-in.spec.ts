import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../src/config/config.js';
import { startupBanner } from '../src/startup-banner.js';
import { ADMIN_EMAIL, ADMIN_TOKEN, bearer, startTestApp, TestApp } from './support/app.js';
import { makeUser, type Person } from './support/fixtures.js';
import { SmtpSink } from './support/smtp.js';
import { CookieBrowser, inputValue, signInLinkIn, webSession } from './support/web.js';

const FAST = { JOBS_POLL_SECONDS: '0.5', JOBS_RETRY_DELAY_SECONDS: '1', MAIL_FROM: 'ridealong <noreply@ridealong.test>' };

describe('web sign-in by magic link', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let marketer: Person;

  beforeAll(async () => {
    sink = new SmtpSink();
    await sink.start();
    t = await startTestApp({ ...FAST, SMTP_URL: sink.url, PUBLIC_URL: 'http://localhost:9999' });
    marketer = await makeUser(t, ['marketer'], 'Europe/Berlin');
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('sends a browser without a session to the sign-in page, remembering where it was going', async () => {
    const page = '/rollups/00000000-0000-4000-8000-000000000000?x=1';
    const res = await t.http.get(page).set('Accept', 'text/html');
    expect(res.status).toBe(303);
    expect(res.header.location).toBe(`/sign-in?next=${encodeURIComponent(page)}`);
    // A script (no text/html) gets the API's JSON error instead of a redirect.
    const json = await t.http.get(page).set('Accept', 'application/json');
    expect(json.status).toBe(401);
    expect(json.body.code).toBe('unauthenticated');
  });

  it('emails a single-use link that signs in with a secure HTTP-only cookie and goes where the user was going', async () => {
    const b = new CookieBrowser(t);
    const asked = await b.submit('/sign-in?next=/marketer/forms', '/sign-in', { email: marketer.email.toUpperCase(), next: '/marketer/forms' });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('Check your email');
    await sink.waitFor(() => sink.to(marketer.email).length === 1);
    const mail = sink.to(marketer.email)[0].parsed;
    expect(mail.subject).toBe('Your ridealong sign-in link');
    const link = signInLinkIn(mail.text ?? '');
    expect(link.startsWith('http://localhost:9999/sign-in/')).toBe(true);
    expect(mail.html).toContain(link);
    const path = new URL(link).pathname;

    // Opening the link does not use it (mail scanners open links); the button does.
    const confirm = await b.get(`${path}?next=/marketer/forms`);
    expect(confirm.status).toBe(200);
    expect(confirm.header['referrer-policy']).toBe('no-referrer');
    expect(confirm.text).toContain(marketer.email);
    expect((await b.get(path)).status).toBe(200);

    const used = await b.post(path, { _csrf: inputValue(confirm.text, '_csrf')!, next: '/marketer/forms' });
    expect(used.status).toBe(303);
    expect(used.header.location).toBe('/marketer/forms');
    const setCookie = (used.header['set-cookie'] as unknown as string[]).find((c) => c.startsWith('ra_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);

    // Signed in: / goes to the marketer's home.
    const home = await b.get('/');
    expect(home.status).toBe(303);
    expect(home.header.location).toBe('/marketer');

    // Single use: the same link again, from the same or another browser, no longer works.
    expect((await b.get(path)).status).toBe(410);
    const other = new CookieBrowser(t);
    const again = await other.get(path);
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link no longer works');
    const form = await other.get('/sign-in');
    const reuse = await other.post(path, { _csrf: inputValue(form.text, '_csrf')! });
    expect(reuse.status).toBe(410);
    expect(reuse.header['set-cookie']?.toString() ?? '').not.toContain('ra_session=');
  });

  it('gives the same answer for an unknown address, and sends nothing', async () => {
    const b = new CookieBrowser(t);
    const before = await t.db.query(`SELECT count(*)::int AS n FROM mail_outbox`);
    const unknown = await b.submit('/sign-in', '/sign-in', { email: 'nobody-here@example.com' });
    const known = await b.submit('/sign-in', '/sign-in', { email: marketer.email });
    expect(unknown.status).toBe(known.status);
    expect(unknown.text.replace('nobody-here@example.com', 'X')).toBe(known.text.replace(marketer.email, 'X'));
    const after = await t.db.query(`SELECT count(*)::int AS n FROM mail_outbox`);
    expect(after[0].n - before[0].n).toBe(1); // the known address's link only
    const toUnknown = await t.db.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE recipient = 'nobody-here@example.com'`);
    expect(toUnknown[0].n).toBe(0);
  });

  it('opens one session when the same link is used twice at once', async () => {
    const user = await makeUser(t, ['rep']);
    const link = await t.app.get((await import('../src/web/sign-in/sign-in.service.js')).SignInService).issueLink(user.id);
    const path = new URL(link).pathname;
    const browsers = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const b = new CookieBrowser(t);
        const confirm = await b.get(path);
        return { b, csrf: inputValue(confirm.text, '_csrf')! };
      }),
    );
    const answers = await Promise.all(browsers.map(({ b, csrf }) => b.post(path, { _csrf: csrf })));
    expect(answers.map((r) => r.status).sort()).toEqual([303, 410, 410, 410, 410, 410]);
    expect(await t.db.query(`SELECT 1 FROM web_sessions WHERE user_id = $1`, [user.id])).toHaveLength(1);
  });

  it('refuses an expired link', async () => {
    const b = new CookieBrowser(t);
    const user = await makeUser(t, ['rep']);
    await b.submit('/sign-in', '/sign-in', { email: user.email });
    await sink.waitFor(() => sink.to(user.email).length === 1);
    const path = new URL(signInLinkIn(sink.to(user.email)[0].parsed.text ?? '')).pathname;
    const confirm = await b.get(path);
    expect(confirm.status).toBe(200);
    await t.db.query(`UPDATE sign_in_links SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    expect((await b.get(path)).status).toBe(410);
    const used = await b.post(path, { _csrf: inputValue(confirm.text, '_csrf')! });
    expect(used.status).toBe(410);
    expect(await t.db.query(`SELECT 1 FROM web_sessions WHERE user_id = $1`, [user.id])).toHaveLength(0);
    // The next sign-in request clears expired links (and sessions) away.
    await b.submit('/sign-in', '/sign-in', { email: 'someone-else@example.com' });
    expect(await t.db.query(`SELECT 1 FROM sign_in_links WHERE user_id = $1`, [user.id])).toHaveLength(0);
  });

  it('links expire 15 minutes after they are sent', async () => {
    const user = await makeUser(t, ['rep']);
    const b = new CookieBrowser(t);
    await b.submit('/sign-in', '/sign-in', { email: user.email });
    const [row] = await t.db.query(`SELECT extract(epoch FROM expires_at - created_at)::int AS s FROM sign_in_links WHERE user_id = $1`, [user.id]);
    expect(row.s).toBeGreaterThanOrEqual(15 * 60 - 2);
    expect(row.s).toBeLessThanOrEqual(15 * 60 + 2);
  });

  it('rate limits requests per address, the same for known and unknown addresses', async () => {
    const user = await makeUser(t, ['marketer']);
    for (const email of [user.email, 'ghost-rate@example.com']) {
      const b = new CookieBrowser(t);
      for (let i = 0; i < 5; i++) expect((await b.submit('/sign-in', '/sign-in', { email })).status).toBe(200);
      const limited = await b.submit('/sign-in', '/sign-in', { email });
      expect(limited.status).toBe(429);
      expect(limited.text).toMatch(/<p class="field-error" id="err-email">Too many sign-in links asked for/);
      expect(limited.text).toMatch(/id="f-email"[^>]*aria-invalid="true"/);
    }
    const links = await t.db.query(`SELECT count(*)::int AS n FROM sign_in_links WHERE user_id = $1`, [user.id]);
    expect(links[0].n).toBe(5);
  });

  it('rate limits requests per IP across addresses', async () => {
    const b = new CookieBrowser(t);
    expect((await b.submit('/sign-in', '/sign-in', { email: 'ip-probe@example.com' })).status).toBe(200);
    const [{ ip }] = await t.db.query(`SELECT ip FROM sign_in_requests WHERE email = 'ip-probe@example.com'`);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM sign_in_requests WHERE ip = $1`, [ip]);
    // Fill the IP's allowance (30 in 15 minutes) with other addresses, as a script trying many would.
    await t.db.query(`INSERT INTO sign_in_requests (email, ip) SELECT 'spray-' || i || '@example.com', $1 FROM generate_series(1, $2) i`, [ip, 30 - n]);
    const limited = await b.submit('/sign-in', '/sign-in', { email: 'fresh-address@example.com' });
    expect(limited.status).toBe(429);
    expect(limited.text).toContain('Too many sign-in links asked for');
    await t.db.query(`DELETE FROM sign_in_requests WHERE ip = $1`, [ip]); // later tests start from a clean allowance
  });

  it('names the email field when the address is not one, and keeps what was typed', async () => {
    const b = new CookieBrowser(t);
    const res = await b.submit('/sign-in', '/sign-in', { email: 'not an address' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="err-email">email must be an email address/);
    expect(res.text).toContain('value="not an address"');
  });

  it('refuses a sign-in form without its CSRF token, sending nothing', async () => {
    const user = await makeUser(t, ['marketer']);
    const b = new CookieBrowser(t);
    await b.get('/sign-in');
    const res = await b.post('/sign-in', { email: user.email, _csrf: 'forged' });
    expect(res.status).toBe(403);
    const none = await new CookieBrowser(t).post('/sign-in', { email: user.email });
    expect(none.status).toBe(403);
    expect(await t.db.query(`SELECT 1 FROM sign_in_links WHERE user_id = $1`, [user.id])).toHaveLength(0);
  });

  it('never redirects to another site after sign-in', async () => {
    const user = await makeUser(t, ['rep']);
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const s = await t.app.get((await import('../src/web/sign-in/sign-in.service.js')).SignInService).issueLink(user.id);
      const b = new CookieBrowser(t);
      const path = new URL(s).pathname;
      const confirm = await b.get(`${path}?next=${encodeURIComponent(next)}`);
      expect(inputValue(confirm.text, 'next')).toBe('/');
      const res = await b.post(path, { _csrf: inputValue(confirm.text, '_csrf')!, next });
      expect(res.status).toBe(303);
      expect(res.header.location).toBe('/');
    }
  });

  it('signs out (CSRF-checked) and the old cookie stops working', async () => {
    const user = await makeUser(t, ['marketer']);
    const s = await webSession(t, user.id);
    expect((await s.get('/')).header.location).toBe('/marketer');
    const forged = await s.post('/sign-out', { _csrf: 'nope' });
    expect(forged.status).toBe(403);
    expect((await s.get('/')).header.location).toBe('/marketer');
    const out = await s.post('/sign-out');
    expect(out.status).toBe(303);
    expect(out.header.location).toBe('/sign-in?signedOut=1');
    expect((await s.get('/')).header.location).toBe('/sign-in?next=%2F');
  });

  it('ends the sessions of a deactivated user at once', async () => {
    const user = await makeUser(t, ['marketer']);
    const s = await webSession(t, user.id);
    expect((await s.get('/')).header.location).toBe('/marketer');
    await t.http.patch(`/api/v1/users/${user.id}`).set(bearer(t.adminToken)).send({ active: false }).expect(200);
    expect((await s.get('/')).header.location).toBe('/sign-in?next=%2F');
  });

  it('keeps the JSON API on tokens: a session cookie is not an API credential', async () => {
    const s = await webSession(t, marketer.id);
    const res = await t.http.get('/api/v1/me').set('Cookie', s.cookie);
    expect(res.status).toBe(401);
  });

  it('sends pages with a strict Content-Security-Policy and no framing', async () => {
    const res = await t.http.get('/sign-in').set('Accept', 'text/html');
    expect(res.header['content-security-policy']).toContain("script-src 'self'");
    expect(res.header['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.header['x-frame-options']).toBe('DENY');
    expect(res.header['x-content-type-options']).toBe('nosniff');
    expect(res.text).toMatch(/<label for="f-email">Email address<\/label>/);
    const js = await t.http.get('/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.header['content-type']).toMatch(/javascript/);
  });

  it('prints a sign-in link for the bootstrap admin in the embedded default, and only there', async () => {
    const config = loadConfig({ ADMIN_EMAIL, ADMIN_TOKEN, PUBLIC_URL: 'http://localhost:9999' });
    expect(config.databaseUrl).toBeUndefined();
    const lines = (await startupBanner(t.app, config, 'embedded PostgreSQL')).join('\n');
    expect(lines).toContain(`sign in to the web app as ${ADMIN_EMAIL}`);
    const path = new URL(signInLinkIn(lines)).pathname;
    const b = new CookieBrowser(t);
    const confirm = await b.get(path);
    expect(confirm.text).toContain(ADMIN_EMAIL);
    const used = await b.post(path, { _csrf: inputValue(confirm.text, '_csrf')! });
    expect(used.status).toBe(303);
    expect((await b.get('/')).header.location).toBe('/lifecycle');

    const server = (await startupBanner(t.app, loadConfig({ ADMIN_EMAIL, ADMIN_TOKEN, DATABASE_URL: 'postgres://x@127.0.0.1/y' }), 'DATABASE_URL')).join('\n');
    expect(server).toContain('ridealong is listening on');
    expect(server).not.toContain('/sign-in/');
  });
});
