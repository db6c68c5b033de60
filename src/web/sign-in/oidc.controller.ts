import { Controller, Get, Inject, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { CookieOptions, Response } from 'express';
import { notFound, RETRY_AFTER_SECONDS } from '../../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Public } from '../../people/auth.decorators.js';
import { seeOther, sendHtml } from '../kit/forms.js';
import { html, type Html } from '../kit/html.js';
import { page } from '../kit/layout.js';
import { ANON_CSRF_COOKIE, SESSION_COOKIE, type WebRequest } from '../kit/web-request.js';
import { safeNext, WebErrorFilter } from '../kit/web.filter.js';
import { OidcService, OidcUnavailableError, type OidcRefusal } from './oidc.service.js';
import { SESSION_DAYS } from './sign-in.service.js';
import { secureCookies } from './sign-in.controller.js';

/** The cookie that binds a single sign-on flow to the browser that started it (a random id; the flow stays on the server). */
export const OIDC_FLOW_COOKIE = 'ridealong_oidc';

const REFUSALS: Record<OidcRefusal, { status: number; title: string; text: string }> = {
  no_flow: {
    status: 400,
    title: 'Start signing in again',
    text: 'This sign-in was not started in this browser, was already used, or took longer than 10 minutes.',
  },
  state_mismatch: { status: 400, title: 'Start signing in again', text: 'The answer from the identity provider does not belong to the sign-in this browser started.' },
  provider_error: { status: 401, title: 'Not signed in', text: 'The identity provider did not sign you in.' },
  invalid_response: { status: 401, title: 'Not signed in', text: 'The answer from the identity provider could not be verified.' },
  email_missing: { status: 403, title: 'Not signed in', text: 'The identity provider did not share your email address.' },
  email_unverified: { status: 403, title: 'Not signed in', text: 'The identity provider has not verified your email address.' },
  unknown_user: { status: 403, title: 'No account here', text: 'No one here signs in with this email address. Ask your lifecycle team to add you.' },
  inactive_user: { status: 403, title: 'No account here', text: 'No one here signs in with this email address. Ask your lifecycle team to add you.' },
};

/** Company single sign-on (OpenID Connect): 404 when OIDC_ISSUER is not set. */
@Controller()
@ApiExcludeController()
@UseFilters(WebErrorFilter)
export class OidcController {
  private readonly cookieOptions: CookieOptions;

  constructor(
    private readonly oidc: OidcService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cookieOptions = { httpOnly: true, secure: secureCookies(config.publicUrl), sameSite: 'lax', path: '/' };
  }

  @Get('sign-in/oidc')
  @Public()
  async start(@Res() res: Response, @Query('next') next?: unknown): Promise<void> {
    if (!this.oidc.settings) throw notFound('Page');
    let started;
    try {
      started = await this.oidc.start(safeNext(next));
    } catch (e) {
      if (e instanceof OidcUnavailableError) return this.unavailable(res);
      throw e;
    }
    res.setHeader('Cache-Control', 'no-store');
    // Lax: the identity provider's redirect back is a top-level GET, which carries it.
    res.cookie(OIDC_FLOW_COOKIE, started.flowId, { ...this.cookieOptions, path: '/sign-in/oidc', maxAge: started.maxAgeMs });
    seeOther(res, started.url.href);
  }

  @Get('sign-in/oidc/callback')
  @Public()
  async callback(@Req() req: WebRequest, @Res() res: Response): Promise<void> {
    if (!this.oidc.settings) throw notFound('Page');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    const flowId: unknown = req.cookies?.[OIDC_FLOW_COOKIE];
    res.clearCookie(OIDC_FLOW_COOKIE, { ...this.cookieOptions, path: '/sign-in/oidc' });
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string') query.append(k, v);
    let outcome;
    try {
      outcome = await this.oidc.finish(typeof flowId === 'string' ? flowId : undefined, query);
    } catch (e) {
      if (e instanceof OidcUnavailableError) return this.unavailable(res);
      throw e;
    }
    if (!outcome.ok) {
      const r = REFUSALS[outcome.reason];
      return sendHtml(res, r.status, this.refusedPage(r.title, r.text));
    }
    res.cookie(SESSION_COOKIE, outcome.sessionToken, { ...this.cookieOptions, maxAge: SESSION_DAYS * 86_400_000 });
    res.clearCookie(ANON_CSRF_COOKIE, { path: '/' });
    seeOther(res, safeNext(outcome.next));
  }

  private unavailable(res: Response): void {
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    sendHtml(
      res,
      503,
      page({
        title: 'Single sign-on is unavailable',
        body: html`<p>The identity provider (${this.oidc.settings?.name ?? ''}) cannot be reached right now. Try again in a minute.</p>
${this.oidc.settings?.only ? html`` : html`<p><a href="/sign-in">Sign in with an email link instead</a></p>`}`,
      }),
    );
  }

  private refusedPage(title: string, text: string): Html {
    return page({ title, body: html`<p>${text}</p><p><a href="/sign-in">Back to sign-in</a></p>` });
  }
}
