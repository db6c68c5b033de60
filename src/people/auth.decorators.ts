import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Role, User } from './user.entity.js';

export const PUBLIC_KEY = 'ridealong:public';
export const ROLES_KEY = 'ridealong:roles';
/** Set by the web module's @WebPage(): the page guard (session cookie + CSRF) signs the caller in instead. */
export const WEB_KEY = 'ridealong:web';

/** Set on the SCIM controllers: a SCIM token (their own guard) opens them, and API tokens do not. */
export const SCIM_KEY = 'ridealong:scim';

/** The route needs no token. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The caller needs at least one of these roles. Per-resource checks (self, own booking) live in services. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export type AuthedRequest = Request & { user?: User };

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): User => {
  const user = ctx.switchToHttp().getRequest<AuthedRequest>().user;
  if (!user) throw new Error('CurrentUser used on a public route');
  return user;
});
