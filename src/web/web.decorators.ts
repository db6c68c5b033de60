import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseFilters, UseGuards } from '@nestjs/common';
import { WEB_KEY, type AuthedRequest } from '../people/auth.decorators.js';
import { WebErrorFilter } from './web.filter.js';
import { WebGuard } from './web.guard.js';

/** Cookie names: the session, and the CSRF token of forms shown before sign-in (double submit). */
export const SESSION_COOKIE = 'ra_session';
export const ANON_CSRF_COOKIE = 'ra_csrf';

export type WebRequest = AuthedRequest & {
  cookies?: Record<string, string | undefined>;
  /** The session's CSRF token (every form carries it); undefined for Bearer-token callers. */
  csrf?: string;
};

/**
 * A server-rendered page (class or method): signed in by the session cookie (or an API token), CSRF
 * checked on every POST, `@Roles()` honoured, errors rendered as pages. The API's Bearer guard skips it.
 */
export const WebPage = () => applyDecorators(SetMetadata(WEB_KEY, true), UseGuards(WebGuard), UseFilters(WebErrorFilter));

/** The CSRF token for the forms of this page. */
export const Csrf = createParamDecorator((_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<WebRequest>().csrf ?? '');
