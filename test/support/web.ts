import request from 'supertest';
import { hashToken } from '../../src/people/tokens.js';
import { SignInService } from '../../src/web/sign-in.service.js';
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
