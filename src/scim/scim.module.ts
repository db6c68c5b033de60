import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { BookingsModule } from '../bookings/bookings.module.js';
import { PeopleModule } from '../people/people.module.js';
import { DeactivationCascade } from './deactivation-cascade.service.js';
import { ScimAuthGuard } from './scim-auth.guard.js';
import { ScimTokensController } from './scim-tokens.controller.js';
import { ScimController } from './scim.controller.js';
import { ScimRepository } from './scim.repository.js';
import { ScimService } from './scim.service.js';

/** SCIM 2.0 provisioning (RFC 7643, RFC 7644) under /scim/v2, its tokens, and what every deactivation ends. */
@Module({
  imports: [PeopleModule, AuditModule, BookingsModule],
  controllers: [ScimController, ScimTokensController],
  providers: [ScimRepository, ScimService, ScimAuthGuard, DeactivationCascade],
})
export class ScimModule {}
