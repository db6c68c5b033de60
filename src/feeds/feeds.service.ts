import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { factsOf } from '../bookings/booking-notices.js';
import { bookingEvent } from '../bookings/booking-messages.js';
import { BookingsRepository } from '../bookings/bookings.repository.js';
import { feedIcs } from '../calendar/ics.js';
import { Clock } from '../common/clock.js';
import { DomainError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { SessionNotifier } from '../notify/session-notifier.js';
import type { User } from '../people/user.entity.js';
import { RotationsRepository } from '../rotations/rotations.repository.js';
import { shiftEvent } from '../rotations/shift-messages.js';
import { FeedsRepository } from './feeds.repository.js';

const hashOf = (token: string) => createHash('sha256').update(token).digest();

/**
 * A user's secret calendar feed: the address is the credential (only its SHA-256 is stored). The feed asks
 * bookings and rotations for the user's sessions and writes them as one iCalendar file (METHOD:PUBLISH).
 */
@Injectable()
export class FeedsService {
  constructor(
    private readonly db: DataSource,
    private readonly repo: FeedsRepository,
    private readonly bookings: BookingsRepository,
    private readonly rotations: RotationsRepository,
    private readonly notifier: SessionNotifier,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A new secret feed URL; the old one stops working. Refused for a deactivated user. */
  async rotateToken(actor: User): Promise<{ token: string; url: string }> {
    const token = `rc_${randomBytes(24).toString('base64url')}`;
    await this.db.transaction(async (m) => {
      if (!(await this.repo.setToken(m, actor.id, hashOf(token)))) {
        throw new DomainError('invalid_state', 'The user is deactivated');
      }
      await this.audit.record(m, { actorId: actor.id, action: 'calendar.token', entity: 'user', entityId: actor.id });
    });
    return { token, url: `${this.config.publicUrl}/calendar/${token}.ics` };
  }

  /** The feed a token opens (null when it opens none): the owner's confirmed sessions from a day ago on. */
  async feed(token: string): Promise<string | null> {
    const owner = await this.repo.owner(this.db.manager, hashOf(token));
    if (!owner) return null;
    const since = DateTime.fromJSDate(this.clock.now()).minus({ days: 1 }).toJSDate();
    const bookings = await this.bookings.feedEvents(this.db.manager, owner.id, since);
    const shifts = await this.rotations.feedEvents(this.db.manager, owner.id, since);
    const stamp = this.clock.now();
    const organizer = this.notifier.organizer();
    const events = [
      ...bookings.map((r) => bookingEvent(factsOf(r), organizer, stamp, this.config.publicUrl)),
      ...shifts.map((f) => shiftEvent(f, organizer, stamp, this.config.publicUrl)),
    ].sort((a, b) => a.start.getTime() - b.start.getTime());
    return feedIcs(`ridealong: ${owner.name}`, events);
  }
}
