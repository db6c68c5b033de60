import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/errors.js';
import { setLogUser } from '../common/logger.js';
import { AuthedRequest, PUBLIC_KEY, ROLES_KEY, SCIM_KEY, WEB_KEY } from './auth.decorators.js';
import { bearerToken } from './tokens.js';
import type { Role } from './user.entity.js';
import { CredentialCache } from './credential-cache.js';

/** Global guard: every route needs a live token unless marked @Public(); @Roles() narrows by role. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialCache,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    if (this.reflector.getAllAndOverride<boolean>(WEB_KEY, targets)) return true;
    if (this.reflector.getAllAndOverride<boolean>(SCIM_KEY, targets)) return true; // ScimAuthGuard: SCIM tokens only
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const token = bearerToken(req.header('authorization'));
    if (!token) {
      throw new DomainError('unauthenticated', 'Send an API token as "Authorization: Bearer <token>"', { field: 'authorization' });
    }
    const user = await this.credentials.userForToken(token);
    if (!user) {
      throw new DomainError('unauthenticated', 'The token is unknown, revoked, or belongs to a deactivated user', {
        field: 'authorization',
      });
    }
    req.user = user;
    setLogUser(req, user.id);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.some((r) => user.roles.includes(r))) {
      throw new DomainError('forbidden', `This needs the role ${roles.join(' or ')}`, { roles });
    }
    return true;
  }
}
