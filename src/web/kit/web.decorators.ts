import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseFilters, UseGuards } from '@nestjs/common';
import { WEB_KEY } from '../../people/auth.decorators.js';
import { WebErrorFilter } from './web.filter.js';
import { WebGuard } from './web.guard.js';
import type { WebRequest } from './web-request.js';

/**
 * A server-rendered page (class or method): signed in by the session cookie (or an API token), CSRF
 * checked on every POST, `@Roles()` honoured, errors rendered as pages. The API's Bearer guard skips it.
 */
export const WebPage = () => applyDecorators(SetMetadata(WEB_KEY, true), UseGuards(WebGuard), UseFilters(WebErrorFilter));

/** The CSRF token for the forms of this page. */
export const Csrf = createParamDecorator((_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<WebRequest>().csrf ?? '');
