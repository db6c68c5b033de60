import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { BookingsService } from '../bookings/bookings.service.js';
import { Clock } from '../common/clock.js';
import { DeactivationHooks } from '../people/deactivation-hooks.js';
import { ScimRepository } from './scim.repository.js';

/**
 * What deactivating a person ends, beyond their credentials: their future bookings are cancelled with
 * notice (both sides emailed, METHOD:CANCEL, as a cancellation is), their roster entries in planned and
 * open periods become `removed`, and their enrolments there end. Registered with PeopleModule's
 * DeactivationHooks, so every deactivation runs it in its own transaction: PATCH /api/v1/users and SCIM
 * (PATCH or PUT with active false, DELETE). Reactivation restores none of it.
 */
@Injectable()
export class DeactivationCascade implements OnModuleInit {
  constructor(
    private readonly hooks: DeactivationHooks,
    private readonly repo: ScimRepository,
    private readonly bookings: BookingsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.hooks.register((m, userId, actorId) => this.run(m, userId, actorId));
  }

  async run(m: EntityManager, userId: string, actorId: string | null): Promise<Record<string, number>> {
    const now = this.clock.now();
    let bookingsCancelled = 0;
    for (const id of await this.repo.futureBookingIds(m, userId, now)) {
      if (await this.bookings.cancelForCustomerCall(m, id, 'The person was deactivated', 'deactivation')) bookingsCancelled++;
    }
    const roster = await this.repo.removeFromOpenRosters(m, userId);
    for (const entry of roster) {
      await this.audit.record(m, { actorId, action: 'roster.update', entity: 'roster_entry', entityId: entry.id, details: { from: entry.from, to: 'removed', by: 'deactivation' } });
    }
    const enrolments = await this.repo.endOpenEnrolments(m, userId, now);
    for (const id of enrolments) {
      await this.audit.record(m, { actorId, action: 'enrollment.end', entity: 'enrollment', entityId: id, details: { by: 'deactivation' } });
    }
    return { bookingsCancelled, rosterEntriesRemoved: roster.length, enrolmentsEnded: enrolments.length };
  }
}
