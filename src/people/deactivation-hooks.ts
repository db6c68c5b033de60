import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** What a deactivation does beyond revoking credentials, inside the deactivation's transaction; returns counts for the audit row. */
export type DeactivationHook = (m: EntityManager, userId: string, actorId: string | null) => Promise<Record<string, number>>;

/**
 * The consequences of deactivating a person that live in other features (future bookings cancelled, roster
 * entries and enrolments ended). Features that PeopleModule cannot import without a cycle register here
 * when the application starts; every deactivation (PATCH /api/v1/users, SCIM) runs them all.
 */
@Injectable()
export class DeactivationHooks {
  private readonly hooks: DeactivationHook[] = [];

  register(hook: DeactivationHook): void {
    this.hooks.push(hook);
  }

  async run(m: EntityManager, userId: string, actorId: string | null): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const hook of this.hooks) Object.assign(counts, await hook(m, userId, actorId));
    return counts;
  }
}
