import request from 'supertest';
import { hashToken } from '../../src/people/tokens.js';
import { SignInService } from '../../src/web/sign-in/sign-in.service.js';
import type { TestApp } from './app.js';

export interface WebSession {
  /** The Cookie header value of the session. */
  cookie: string;
  /** The session's CSRF token (what every form carries as `_csrf`). */
  csrf: string;
  /** GET a page as this browser. */
  get(path: string): request.Test;
  /** POST a form (urlencoded) as this browser; `_csrf` is added unless `fields` has it. */
  post(path: string, fields?: Record<string, string | string[]>): request.Test;
}

/** Signs a user in through the real magic-link code (link issued, then used) and returns their browser session. */
export async function webSession(t: TestApp, userId: string): Promise<WebSession> {
  const signIn = t.app.get(SignInService);
  const link = await signIn.issueLink(userId);
  const session = await signIn.consume(link.slice(link.lastIndexOf('/') + 1));
  if (!session) throw new Error('webSession: the link did not sign in');
  const [row] = await t.db.query(`SELECT csrf_token FROM web_sessions WHERE token_hash = $1`, [hashToken(session.sessionToken)]);
  const cookie = `ra_session=${session.sessionToken}`;
  return {
    cookie,
    csrf: row.csrf_token,
    get: (path) => t.http.get(path).set('Cookie', cookie).set('Accept', 'text/html'),
    post: (path, fields = {}) =>
      t.http
        .post(path)
        .set('Cookie', cookie)
        .set('Accept', 'text/html')
        .type('form')
        .send({ _csrf: row.csrf_token, ...fields }),
  };
}

/** The value of a hidden or text input named `name` in a page (first match). */
export function inputValue(page: string, name: string): string | undefined {
  const m = new RegExp(`<input[^>]*name="${name.replace(/[[\]]/g, '\\$&')}"[^>]*value="([^"]*)"`).exec(page);
  return m?.[1];
}

/** A browser before sign-in: keeps the cookies the pages set (the anonymous CSRF cookie, then the session). */
export class CookieBrowser {
  cookies = new Map<string, string>();
  constructor(
    private readonly t: TestApp,
    private readonly headers: Record<string, string> = {},
  ) {}

  private keep(res: { header: Record<string, unknown> }): void {
    for (const c of (res.header['set-cookie'] as string[] | undefined) ?? []) {
      const [pair] = c.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string) {
    const res = await this.t.http.get(path).set(this.headers).set('Accept', 'text/html').set('Cookie', this.cookie);
    this.keep(res);
    return res;
  }

  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await this.t.http.post(path).set({ ...this.headers, ...headers }).set('Accept', 'text/html').set('Cookie', this.cookie).type('form').send(fields);
    this.keep(res);
    return res;
  }

  /** Opens the page, then posts its form with the CSRF token the page carried. */
  async submit(pagePath: string, action: string, fields: Record<string, string>) {
    const page = await this.get(pagePath);
    return this.post(action, { _csrf: inputValue(page.text, '_csrf') ?? '', ...fields });
  }
}

/** The sign-in link in an email's text. */
export function signInLinkIn(text: string): string {
  const m = /(http:\/\/\S+\/sign-in\/sl_[A-Za-z0-9_-]+)/.exec(text);
  if (!m) throw new Error(`no sign-in link in: ${text}`);
  return m[1];
}
