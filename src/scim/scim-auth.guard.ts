import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken } from '../people/tokens.js';
import { ScimError } from './scim-resources.js';
import { ScimService } from './scim.service.js';

export type ScimRequest = Request & { scimTokenId?: string };

/** `/scim/v2` opens to a live SCIM token only (the global guard lets these routes through to this one). */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  constructor(private readonly scim: ScimService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<ScimRequest>();
    const token = bearerToken(req.header('authorization'));
    if (!token) throw new ScimError(401, 'Send a SCIM token from POST /api/v1/scim-tokens as "Authorization: Bearer <token>"');
    const id = await this.scim.authenticate(token);
    if (!id) throw new ScimError(401, 'The token is not a live SCIM token (API tokens do not open /scim/v2)');
    req.scimTokenId = id;
    return true;
  }
}
