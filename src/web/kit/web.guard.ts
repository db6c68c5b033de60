import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import { Clock } from '../../common/clock.js';
import { DomainError } from '../../common/errors.js';
import { setLogUser } from '../../common/logger.js';
import { ROLES_KEY } from '../../people/auth.decorators.js';
import { bearerToken } from '../../people/tokens.js';
import type { Role } from '../../people/user.entity.js';
import { CredentialCache } from '../../people/credential-cache.js';
import { SessionsRepository } from './sessions.repository.js';
import { SESSION_COOKIE, type WebRequest } from './web-request.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Compares two secrets in constant time. */
export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Pages: the session cookie (or, for scripts, an API token) names the user; every unsafe request from a
 * session must carry the session's CSRF token, as the `_csrf` form field or an `X-CSRF-Token` header.
 */
@Injectable()
export class WebGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsRepository,
    private readonly credentials: CredentialCache,
    private readonly clock: Clock,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<WebRequest>();
    const cookie = req.cookies?.[SESSION_COOKIE];
    const now = this.clock.now();
    const session = cookie ? await this.credentials.session(cookie, now, (hash) => this.sessions.findSessionByHash(hash, now)) : null;
    if (session) {
      if (!SAFE_METHODS.has(req.method)) {
        const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.header('x-csrf-token');
        if (!sameSecret(typeof sent === 'string' ? sent : undefined, session.csrfToken)) {
          throw new DomainError('forbidden', 'The form is stale or came from another site; reload the page and try again', {
            field: '_csrf',
          });
        }
      }
      req.user = session.user;
      req.csrf = session.csrfToken;
    } else {
      const token = bearerToken(req.header('authorization'));
      const user = token ? await this.credentials.userForToken(token) : null;
      if (!user) throw new DomainError('unauthenticated', 'Sign in to see this page', {});
      req.user = user;
    }
    setLogUser(req, req.user.id);
    const targets = [ctx.getHandler(), ctx.getClass()];
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.some((r) => req.user!.roles.includes(r))) {
      throw new DomainError('forbidden', `This page is for the ${roles.join(' or ')} role`, { roles });
    }
    return true;
  }
}
