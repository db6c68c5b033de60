import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { SlotsService } from '../availability/slots.service.js';
import { DomainError, forbidden, notFound } from '../common/errors.js';
import { isLifecycle, User } from '../people/user.entity.js';
import { Period, Program } from '../programs/program.entity.js';
import { ProgramsRepository } from '../programs/programs.repository.js';
import { Booking, WaitlistEntry } from './booking.entity.js';
import { BookingNotices } from './booking-notices.js';
import { BookingsRepository } from './bookings.repository.js';
import { fromConstraint, MESSAGES, refusal } from './refusals.js';
import { WaitlistRepository } from './waitlist.repository.js';

/** Marketers waiting for a seat on a full call, and who gets a seat when one frees. */
@Injectable()
export class WaitlistService {
  constructor(
    private readonly db: DataSource,
    private readonly repo: WaitlistRepository,
    private readonly bookings: BookingsRepository,
    private readonly programs: ProgramsRepository,
    private readonly slots: SlotsService,
    private readonly audit: AuditService,
    private readonly notices: BookingNotices,
  ) {}

  async join(actor: User, dto: { periodId: string; repId: string; startsAt: string }): Promise<WaitlistEntry> {
    if (!actor.roles.includes('marketer')) throw forbidden('Only marketers wait for seats');
    const startsAt = new Date(dto.startsAt);
    return this.db.transaction(async (m) => {
      const found = await this.programs.findPeriodWithProgram(m, dto.periodId);
      if (!found) throw new DomainError('not_found', `Period ${dto.periodId} was not found`, { field: 'periodId' });
      await this.bookings.lock(m, [`marketer:${actor.id}`]);
      // Holding a seat on this call (or any call then), a marketer has nothing to wait for: a cancellation would
      // otherwise hand their own seat straight back to them.
      const end = new Date(startsAt.getTime() + found.program.settings.slotMinutes * 60_000);
      const held = await this.bookings.marketerBookingAt(m, actor.id, startsAt, end);
      if (held) {
        const same = held.rep_id === dto.repId;
        throw new DomainError('marketer_conflict', same ? 'You already hold a seat on this call' : MESSAGES.marketer_conflict, {
          reason: 'marketer_conflict',
          field: 'startsAt',
          bookingId: held.id,
        });
      }
      const verdict = await this.slots.check(m, found, dto.repId, startsAt, actor.id);
      if (verdict.ok) throw new DomainError('slot_available', 'A seat is free on this call: book it instead', { reason: 'slot_available' });
      if (verdict.reason !== 'slot_full') throw refusal(verdict.reason);
      const entry = await this.repo.insert(m, { periodId: dto.periodId, repId: dto.repId, marketerId: actor.id, startsAt });
      if (!entry) throw new DomainError('conflict', 'You are already waiting for this call', { field: 'startsAt' });
      await this.audit.record(m, { actorId: actor.id, action: 'waitlist.join', entity: 'waitlist_entry', entityId: entry.id, details: { repId: dto.repId, startsAt: startsAt.toISOString() } });
      return entry;
    });
  }

  async leave(actor: User, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const entry = await this.repo.find(m, id);
      if (!entry || (entry.marketerId !== actor.id && !isLifecycle(actor))) throw notFound('Waitlist entry', id);
      if (entry.status !== 'waiting') throw new DomainError('invalid_state', `The entry is ${entry.status}`);
      await this.repo.markLeft(m, id);
      await this.audit.record(m, { actorId: actor.id, action: 'waitlist.leave', entity: 'waitlist_entry', entityId: id });
    });
  }

  list(actor: User): Promise<WaitlistEntry[]> {
    return this.repo.listWaiting(this.db.manager, actor.id);
  }

  /** A marketer gave up their seat on (rep, start): they no longer wait for a seat on that call either. */
  leaveFor(m: EntityManager, marketerId: string, repId: string, startsAt: Date): Promise<void> {
    return this.repo.leaveFor(m, marketerId, repId, startsAt);
  }

  /**
   * A seat freed on (rep, start): the first waiting marketer who still fits gets it (`take` books it under the
   * booking rules), and is told; the ones who do not fit now keep their place.
   */
  async release(m: EntityManager, found: { period: Period; program: Program }, repId: string, startsAt: Date, take: (marketerId: string) => Promise<Booking>): Promise<void> {
    for (const entry of await this.repo.waitingFor(m, repId, startsAt)) {
      if (!(await this.bookings.tryLock(m, `marketer:${entry.marketerId}`))) continue; // busy right now: keeps their place
      const verdict = await this.slots.check(m, found, repId, startsAt, entry.marketerId);
      if (!verdict.ok) {
        if (verdict.reason === 'slot_full' || verdict.reason === 'rep_busy' || verdict.reason === 'not_available') return; // no seat for anyone
        continue;
      }
      let booking: Booking;
      try {
        booking = await this.repo.withinSavepoint(m, () => take(entry.marketerId));
      } catch (e) {
        if (!(e instanceof DomainError) && !fromConstraint(e)) throw e;
        continue;
      }
      await this.repo.markBooked(m, entry.id, booking.id);
      await this.audit.record(m, { actorId: null, action: 'waitlist.booked', entity: 'waitlist_entry', entityId: entry.id, details: { bookingId: booking.id } });
      await this.notices.announce(m, booking.id, 'waitlist_booked');
      return;
    }
  }
}
