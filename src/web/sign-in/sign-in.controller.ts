import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsEmail, MaxLength } from 'class-validator';
import type { CookieOptions, Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { DomainError } from '../../common/errors.js';
import { APP_CONFIG, type AppConfig, type OidcConfig } from '../../config/config.js';
import { Public } from '../../people/auth.decorators.js';
import { formProblem, parseDto, seeOther, sendHtml, text, type FormBody } from '../kit/forms.js';
import { errorSummary, html, input, type FieldErrors } from '../kit/html.js';
import { page } from '../kit/layout.js';
import { LINK_MINUTES, SESSION_DAYS, SignInService } from './sign-in.service.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { ANON_CSRF_COOKIE, SESSION_COOKIE, type WebRequest } from '../kit/web-request.js';
import { sameSecret } from '../kit/web.guard.js';
import { safeNext, WebErrorFilter } from '../kit/web.filter.js';

class SignInForm {
  @IsEmail({}, { message: 'email must be an email address, like name@example.com' })
  @MaxLength(254)
  email!: string;
}

/** Cookies are Secure unless the service is reached over plain http on a host other than this machine. */
export function secureCookies(publicUrl: string): boolean {
  const u = new URL(publicUrl);
  return u.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
}

@Controller()
@ApiExcludeController()
@UseFilters(WebErrorFilter)
export class SignInController {
  /** Every cookie of the pages: out of reach of scripts, same-site, Secure where the browser allows it. */
  private readonly cookieOptions: CookieOptions;
  /** Company single sign-on, when configured: the button, and with OIDC_ONLY no email link. */
  private readonly oidc: OidcConfig | undefined;

  constructor(
    private readonly signIn: SignInService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cookieOptions = { httpOnly: true, secure: secureCookies(config.publicUrl), sameSite: 'lax', path: '/' };
    this.oidc = config.oidc;
  }

  @Get('sign-in')
  @Public()
  form(@Req() req: WebRequest, @Res() res: Response, @Query('next') next?: string): void {
    sendHtml(res, 200, this.askPage(this.anonCsrf(req, res), { next: safeNext(next) }));
  }

  @Post('sign-in')
  @Public()
  async ask(@Req() req: WebRequest, @Res() res: Response, @Body() body: FormBody): Promise<void> {
    const csrf = this.anonCsrf(req, res);
    const next = safeNext(text(body, 'next'));
    if (this.oidc?.only) return sendHtml(res, 403, this.askPage(csrf, { next, message: 'Email sign-in links are turned off here; sign in with single sign-on.' }));
    if (!this.anonCsrfOk(req, body)) {
      return sendHtml(res, 403, this.askPage(csrf, { next, email: text(body, 'email'), message: 'The form had expired; send it again.' }));
    }
    const parsed = await parseDto(SignInForm, { email: text(body, 'email') });
    if (!parsed.ok) return sendHtml(res, 400, this.askPage(csrf, { next, email: text(body, 'email'), errors: parsed.errors }));
    try {
      await this.signIn.requestLink(parsed.value.email, clientIp(req));
    } catch (e) {
      const p = formProblem(e);
      return sendHtml(res, p.status, this.askPage(csrf, { next, email: parsed.value.email, errors: p.errors, message: p.message }));
    }
    // The same answer whether or not the address belongs to someone.
    sendHtml(
      res,
      200,
      page({
        title: 'Check your email',
        body: html`<p>If <strong>${parsed.value.email}</strong> belongs to someone here, a sign-in link is on its way to it.
The link works once, for ${LINK_MINUTES} minutes.</p><p><a href="/sign-in">Use another address</a></p>`,
      }),
    );
  }

  @Get('sign-in/:token')
  @Public()
  async confirm(@Req() req: WebRequest, @Res() res: Response, @Param('token') token: string, @Query('next') next?: string): Promise<void> {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const user = await this.signIn.peek(token);
    if (!user) return sendHtml(res, 410, this.usedPage());
    const csrf = this.anonCsrf(req, res);
    // A button, not an automatic sign-in: mail scanners that open links must not use them up.
    sendHtml(
      res,
      200,
      page({
        title: 'Sign in',
        body: html`<p>Sign in as <strong>${user.name}</strong> (${user.email})?</p>
<form method="post" action="/sign-in/${token}"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="next" value="${safeNext(next)}">
<button type="submit">Sign in</button></form>`,
      }),
    );
  }

  @Post('sign-in/:token')
  @Public()
  async use(@Req() req: WebRequest, @Res() res: Response, @Param('token') token: string, @Body() body: FormBody): Promise<void> {
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!this.anonCsrfOk(req, body)) throw new DomainError('forbidden', 'The form had expired; open the link from your email again', { field: '_csrf' });
    const session = await this.signIn.consume(token);
    if (!session) return sendHtml(res, 410, this.usedPage());
    res.cookie(SESSION_COOKIE, session.sessionToken, { ...this.cookieOptions, maxAge: SESSION_DAYS * 86_400_000 });
    res.clearCookie(ANON_CSRF_COOKIE, { path: '/' });
    seeOther(res, safeNext(text(body, 'next')));
  }

  @Post('sign-out')
  @WebPage()
  async signOut(@Req() req: WebRequest, @Res() res: Response, @Csrf() _csrf: string): Promise<void> {
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (cookie) await this.signIn.signOut(cookie);
    res.clearCookie(SESSION_COOKIE, this.cookieOptions);
    seeOther(res, '/sign-in?signedOut=1');
  }

  private askPage(csrf: string, o: { next: string; email?: string; errors?: FieldErrors; message?: string }) {
    const sso = this.oidc
      ? html`<p><a class="button" href="/sign-in/oidc?next=${encodeURIComponent(o.next)}">Sign in with ${this.oidc.name}</a></p>`
      : html``;
    if (this.oidc?.only) return page({ title: 'Sign in', body: html`${errorSummary(o.errors, o.message)}
${sso}` });
    return page({
      title: 'Sign in',
      body: html`${errorSummary(o.errors, o.message)}
<p>We email you a link that signs you in. No password to remember.</p>
<form method="post" action="/sign-in" novalidate>
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="next" value="${o.next}">
${input({ label: 'Email address', name: 'email', type: 'email', value: o.email, errors: o.errors, required: true, attrs: html` autocomplete="email"` })}
<button type="submit">Email me a sign-in link</button>
</form>
${sso}`,
    });
  }

  private usedPage() {
    return page({
      title: 'This link no longer works',
      body: html`<p>Sign-in links work once and for ${LINK_MINUTES} minutes. This one was used or has expired.</p>
<p><a href="/sign-in">Ask for a new link</a></p>`,
    });
  }

  /** Forms shown before sign-in carry a random token that must match a cookie (double submit). */
  private anonCsrf(req: WebRequest, res: Response): string {
    let token = req.cookies?.[ANON_CSRF_COOKIE];
    if (!token || !/^[A-Za-z0-9_-]{32}$/.test(token)) {
      token = randomBytes(24).toString('base64url');
      res.cookie(ANON_CSRF_COOKIE, token, this.cookieOptions);
      if (req.cookies) req.cookies[ANON_CSRF_COOKIE] = token;
    }
    return token;
  }

  private anonCsrfOk(req: WebRequest, body: FormBody): boolean {
    return sameSecret(req.cookies?.[ANON_CSRF_COOKIE], typeof body._csrf === 'string' ? body._csrf : undefined);
  }
}

/** The client's address as Express sees it (behind a proxy, set `trust proxy` to read X-Forwarded-For). */
function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
