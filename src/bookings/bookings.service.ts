import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { feedIcs, inviteIcs } from '../calendar/ics.js';
import { Clock } from '../common/clock.js';
import { cursorScope, encodeCursor, positions } from '../common/cursor.js';
import { DomainError, ErrorCode, forbidden, notFound } from '../common/errors.js';
import { everyPage, readCursor } from '../common/paging.js';
import { validationError } from '../common/validation.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { MailService } from '../mail/mail.service.js';
import { senderOf } from '../mail/sender.js';
import { isLifecycle, User } from '../people/user.entity.js';
import { Period, Program } from '../programs/program.entity.js';
import { ProgramsRepository } from '../programs/programs.repository.js';
import { SlotsService } from '../availability/slots.service.js';
import { ObservationsService } from '../observations/observations.service.js';
import { Booking, WaitlistEntry } from './booking.entity.js';
import { BookingFacts, bookingEvent, bookingInvite, BookingMailKind, bookingMail } from './booking-messages.js';
import { BOOKINGS_PAGE, CreateBookingDto, ListBookingsQuery, Outcome } from './bookings.dto.js';
import { BookingsRepository, FeedRow } from './bookings.repository.js';
import { shiftEvent } from '../rotations/shift-messages.js';

export const REMINDER_JOB = 'booking.reminder';

/** Why a slot cannot be booked, as the 409 code the contract names (details.reason keeps the engine's word). */
const REFUSAL_CODES: Record<string, ErrorCode> = {
  outside_period: 'slot_unavailable',
  outside_notice: 'outside_notice',
  outside_horizon: 'outside_horizon',
  not_available: 'slot_unavailable',
  off_grid: 'slot_unavailable',
  slot_full: 'slot_unavailable',
  rep_busy: 'slot_unavailable',
  rep_weekly_cap: 'rep_weekly_cap',
  same_rep_limit: 'same_rep_limit',
  marketer_conflict: 'marketer_conflict',
  not_on_roster: 'not_on_roster',
  not_enrolled: 'not_enrolled',
  quota_reached: 'quota_reached',
};

const MESSAGES: Record<string, string> = {
  outside_period: 'The slot is outside the period',
  outside_notice: 'The slot starts too soon: it is inside the minimum notice',
  outside_horizon: 'The slot is too far ahead: it is beyond the booking horizon',
  not_available: 'The rep has not published this time',
  off_grid: 'The start is not on the slot grid',
  slot_full: 'Every seat on this call is taken (you can join the waitlist)',
  rep_busy: 'The rep is in another call then',
  rep_weekly_cap: "The rep's week is full",
  same_rep_limit: 'You have reached the limit of sessions with this rep in this period',
  marketer_conflict: 'You are booked elsewhere at that time',
  not_on_roster: 'The rep is not on the active roster of this period',
  not_enrolled: 'The marketer is not enrolled in this period',
  quota_reached: "The marketer's quota for this period is reached",
};

function refusal(reason: string): DomainError {
  return new DomainError(REFUSAL_CODES[reason] ?? 'slot_unavailable', MESSAGES[reason] ?? 'The slot cannot be booked', { reason });
}

/** Which exclusion constraint refused the row, as the contract's code. */
function fromConstraint(e: unknown): DomainError | undefined {
  if (!(e instanceof QueryFailedError)) return undefined;
  const err = e.driverError as { code?: string; constraint?: string };
  if (err.code !== '23P01') return undefined;
  if (err.constraint === 'bookings_marketer_one_place') return refusal('marketer_conflict');
  return refusal(err.constraint === 'bookings_rep_seat_free' ? 'slot_full' : 'rep_busy');
}

export function requestHash(body: object): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b))));
  return createHash('sha256').update(canonical).digest('hex');
}


function factsOf(r: FeedRow): BookingFacts {
  return {
    id: r.id,
    uid: r.uid,
    sequence: r.sequence,
    startsAt: new Date(r.starts_at),
    endsAt: new Date(r.ends_at),
    status: r.status,
    cancelReason: r.cancel_reason ?? null,
    programName: r.program_name,
    preparationNote: r.preparation_note,
    rep: { id: r.rep_id, name: r.rep_name, email: r.rep_email, timeZone: r.rep_zone },
    marketer: { id: r.marketer_id, name: r.marketer_name, email: r.marketer_email, timeZone: r.marketer_zone },
    callZone: r.call_zone,
  };
}

export interface CreateResult {
  booking: Booking;
  replayed: boolean;
}

@Injectable()
export class BookingsService implements OnModuleInit {
  private readonly logger = new Logger('Bookings');

  constructor(
    private readonly db: DataSource,
    private readonly repo: BookingsRepository,
    private readonly programs: ProgramsRepository,
    private readonly slots: SlotsService,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
    private readonly observations: ObservationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.work<{ bookingId: string; sequence: number }>(REMINDER_JOB, (data) => this.sendReminder(data.bookingId, data.sequence));
  }

  // ---------------------------------------------------------------- create

  async create(actor: User, dto: CreateBookingDto, idempotencyKey?: string): Promise<CreateResult> {
    const marketerId = this.marketerFor(actor, dto.marketerId);
    const startsAt = new Date(dto.startsAt);
    const body = { periodId: dto.periodId, repId: dto.repId, startsAt: startsAt.toISOString(), marketerId };
    try {
      return await this.db.transaction(async (m) => {
        if (idempotencyKey !== undefined) {
          const claim = await this.repo.claimKey(m, actor.id, 'POST /bookings', idempotencyKey, requestHash(body));
          if (!claim.claimed) {
            if (claim.hash !== requestHash(body)) {
              throw new DomainError('idempotency_mismatch', 'This Idempotency-Key was used with another request body', { field: 'Idempotency-Key' });
            }
            if (claim.status !== null) return { booking: claim.response as Booking, replayed: true };
          }
        }
        const found = await this.programs.findPeriodWithProgram(m, dto.periodId);
        if (!found) throw new DomainError('not_found', `Period ${dto.periodId} was not found`, { field: 'periodId' });
        await this.repo.lock(m, [`rep:${dto.repId}`, `marketer:${marketerId}`]);
        const booking = await this.book(m, actor.id, found, dto.repId, marketerId, startsAt);
        await this.announce(m, booking.id, 'confirmed');
        if (idempotencyKey !== undefined) await this.repo.storeKeyResponse(m, actor.id, 'POST /bookings', idempotencyKey, 201, booking);
        return { booking, replayed: false };
      });
    } catch (e) {
      throw fromConstraint(e) ?? e;
    }
  }

  /** A marketer books for themself; the lifecycle team names the marketer. */
  private marketerFor(actor: User, given?: string): string {
    if (isLifecycle(actor)) {
      if (!given) throw validationError([{ field: 'marketerId', problems: ['marketerId is required when the lifecycle team books'] }]);
      return given;
    }
    if (given && given !== actor.id) throw forbidden('A marketer books only for themself');
    if (!actor.roles.includes('marketer')) throw forbidden('Only marketers and the lifecycle team book slots');
    return actor.id;
  }

  /**
   * Takes a seat, deciding with the same engine as the slot search (inside the caller's transaction,
   * after the advisory locks). The exclusion constraints back the decision up.
   */
  private async book(m: EntityManager, actorId: string | null, found: { period: Period; program: Program }, repId: string, marketerId: string, startsAt: Date, reuse?: Booking): Promise<Booking> {
    const [marketer] = await this.repo.people(m, [marketerId]);
    if (!marketer || !marketer.active || !marketer.roles.includes('marketer')) {
      throw new DomainError('invalid_value', 'Bookings are for active users with the marketer role', { field: 'marketerId' });
    }
    const verdict = await this.slots.check(m, found, repId, startsAt, marketerId);
    if (!verdict.ok) throw refusal(verdict.reason);
    const slot = verdict.slot;
    const start = new Date(slot.start * 60_000);
    const end = new Date(slot.end * 60_000);
    const seats = found.program.settings.seatsPerCall;
    const taken = new Set(await this.repo.takenSeats(m, repId, start, end));
    let seat = 1;
    while (taken.has(seat)) seat++;
    if (seat > seats) throw refusal('slot_full');
    // What the window said when it was booked: kept with the booking, whatever the rep's availability says later.
    const window = { label: slot.label ?? null, callType: slot.callType ?? null, marketingSourced: slot.marketingSourced ?? null };
    if (reuse) {
      await m.update(Booking, { id: reuse.id }, { repId, startsAt: start, endsAt: end, seat, seatsAllowed: seats, status: 'confirmed', sequence: reuse.sequence + 1, periodId: found.period.id, ...window });
      return (await this.repo.find(m, reuse.id))!;
    }
    const id = randomUUID();
    const booking = m.create(Booking, {
      id,
      periodId: found.period.id,
      repId,
      marketerId,
      startsAt: start,
      endsAt: end,
      status: 'confirmed',
      uid: `booking-${id}@ridealong`,
      sequence: 0,
      seat,
      seatsAllowed: seats,
      createdBy: actorId,
      ...window,
    });
    await m.insert(Booking, booking);
    await this.audit.record(m, { actorId, action: 'booking.create', entity: 'booking', entityId: id, details: { repId, marketerId, startsAt: start.toISOString(), seat } });
    return (await this.repo.find(m, id))!;
  }

  // ---------------------------------------------------------------- change

  private async loadForChange(m: EntityManager, id: string): Promise<Booking> {
    const booking = await this.repo.findForUpdate(m, id);
    if (!booking) throw notFound('Booking', id);
    return booking;
  }

  async cancel(actor: User, id: string, reason: string): Promise<Booking> {
    return this.db.transaction(async (m) => {
      const booking = await this.loadForChange(m, id);
      if (booking.marketerId !== actor.id && booking.repId !== actor.id && !isLifecycle(actor)) throw notFound('Booking', id);
      if (booking.status !== 'confirmed') throw new DomainError('invalid_state', `The booking is ${booking.status}`, { status: booking.status });
      const now = this.clock.now();
      if (booking.startsAt <= now) throw new DomainError('invalid_state', 'The session has started: mark attendance instead', { field: 'startsAt' });
      await this.repo.lock(m, [`rep:${booking.repId}`, `marketer:${booking.marketerId}`]);
      const found = (await this.programs.findPeriodWithProgram(m, booking.periodId))!;
      const late = booking.startsAt.getTime() - now.getTime() < found.program.settings.cancelNoticeHours * 3_600_000;
      await m.update(Booking, { id }, { status: 'cancelled', sequence: booking.sequence + 1, cancelledAt: now, cancelledBy: actor.id, cancelReason: reason, lateCancel: late });
      await this.audit.record(m, { actorId: actor.id, action: 'booking.cancel', entity: 'booking', entityId: id, details: { reason, late } });
      await this.announce(m, id, 'cancelled');
      await this.repo.leaveWaitlistFor(m, booking.marketerId, booking.repId, booking.startsAt);
      await this.serveWaitlist(m, found, booking.repId, booking.startsAt);
      return (await this.repo.find(m, id))!;
    });
  }

  async reschedule(actor: User, id: string, startsAtText: string, newRepId?: string): Promise<Booking> {
    try {
      return await this.db.transaction(async (m) => {
        const booking = await this.loadForChange(m, id);
        if (booking.marketerId !== actor.id && !isLifecycle(actor)) {
          if (booking.repId === actor.id) throw forbidden('Only the marketer or the lifecycle team moves a booking; a rep cancels it');
          throw notFound('Booking', id);
        }
        if (booking.status !== 'confirmed') throw new DomainError('invalid_state', `The booking is ${booking.status}`, { status: booking.status });
        if (booking.startsAt <= this.clock.now()) throw new DomainError('invalid_state', 'The session has started', { field: 'startsAt' });
        const repId = newRepId ?? booking.repId;
        const startsAt = new Date(startsAtText);
        await this.repo.lock(m, [`rep:${booking.repId}`, `rep:${repId}`, `marketer:${booking.marketerId}`]);
        const found = (await this.programs.findPeriodWithProgram(m, booking.periodId))!;
        const old = { repId: booking.repId, startsAt: booking.startsAt };
        // Free the old seat inside this transaction, then take the new one with the same rules; any refusal rolls both back.
        await m.update(Booking, { id }, { status: 'cancelled' });
        const moved = await this.book(m, actor.id, found, repId, booking.marketerId, startsAt, booking);
        await this.audit.record(m, {
          actorId: actor.id,
          action: 'booking.reschedule',
          entity: 'booking',
          entityId: id,
          details: { from: { repId: old.repId, startsAt: old.startsAt.toISOString() }, to: { repId, startsAt: moved.startsAt.toISOString() } },
        });
        if (old.repId !== repId) await this.announceTo(m, id, 'cancelled', 'rep', old.repId);
        await this.announce(m, id, 'rescheduled', old.repId !== repId ? ['marketer', 'rep'] : undefined);
        await this.serveWaitlist(m, found, old.repId, old.startsAt);
        return moved;
      });
    } catch (e) {
      throw fromConstraint(e) ?? e;
    }
  }

  async attendance(actor: User, id: string, outcome: Outcome): Promise<Booking> {
    return this.db.transaction(async (m) => {
      const booking = await this.loadForChange(m, id);
      if (booking.marketerId !== actor.id && booking.repId !== actor.id && !isLifecycle(actor)) throw notFound('Booking', id);
      if (booking.startsAt > this.clock.now()) throw new DomainError('invalid_state', 'Attendance can be marked once the session has started', { field: 'outcome' });
      const correcting = booking.status === 'completed' || booking.status === 'no_show';
      if (booking.status === 'cancelled' || (correcting && !isLifecycle(actor))) {
        throw new DomainError('invalid_state', `The booking is ${booking.status}`, { status: booking.status });
      }
      const status = outcome === 'completed' ? 'completed' : 'no_show';
      const noShowParty = outcome === 'completed' ? null : (outcome.replace('_no_show', '') as 'rep' | 'marketer' | 'customer');
      await m.update(Booking, { id }, { status, noShowParty, attendanceBy: actor.id, attendanceAt: this.clock.now() });
      await this.audit.record(m, { actorId: actor.id, action: 'booking.attendance', entity: 'booking', entityId: id, details: { outcome, before: booking.status } });
      if (status === 'completed') {
        // The marketer's observation form opens with the completion, in the same transaction.
        const found = (await this.programs.findPeriodWithProgram(m, booking.periodId))!;
        await this.observations.openForSession(m, {
          programId: found.program.id,
          periodId: booking.periodId,
          bookingId: id,
          authorId: booking.marketerId,
          repId: booking.repId,
          endedAt: booking.endsAt,
        });
      } else if (booking.status === 'completed') {
        // Corrected to a no-show: the form the completion opened is withdrawn (a submitted one is kept, marked).
        await this.observations.withdrawForBooking(m, id, actor.id);
      }
      return (await this.repo.find(m, id))!;
    });
  }

  // ---------------------------------------------------------------- waitlist

  async joinWaitlist(actor: User, dto: { periodId: string; repId: string; startsAt: string }): Promise<WaitlistEntry> {
    if (!actor.roles.includes('marketer')) throw forbidden('Only marketers wait for seats');
    const startsAt = new Date(dto.startsAt);
    return this.db.transaction(async (m) => {
      const found = await this.programs.findPeriodWithProgram(m, dto.periodId);
      if (!found) throw new DomainError('not_found', `Period ${dto.periodId} was not found`, { field: 'periodId' });
      await this.repo.lock(m, [`marketer:${actor.id}`]);
      // Holding a seat on this call (or any call then), a marketer has nothing to wait for: a cancellation would
      // otherwise hand their own seat straight back to them.
      const end = new Date(startsAt.getTime() + found.program.settings.slotMinutes * 60_000);
      const held = await this.repo.marketerBookingAt(m, actor.id, startsAt, end);
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
      const rows: { id: string }[] = await m.query(
        `INSERT INTO waitlist_entries (period_id, rep_id, marketer_id, starts_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
        [dto.periodId, dto.repId, actor.id, startsAt.toISOString()],
      );
      if (!rows.length) throw new DomainError('conflict', 'You are already waiting for this call', { field: 'startsAt' });
      await this.audit.record(m, { actorId: actor.id, action: 'waitlist.join', entity: 'waitlist_entry', entityId: rows[0].id, details: { repId: dto.repId, startsAt: startsAt.toISOString() } });
      return m.findOneByOrFail(WaitlistEntry, { id: rows[0].id });
    });
  }

  async leaveWaitlist(actor: User, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const entry = await m.findOneBy(WaitlistEntry, { id });
      if (!entry || (entry.marketerId !== actor.id && !isLifecycle(actor))) throw notFound('Waitlist entry', id);
      if (entry.status !== 'waiting') throw new DomainError('invalid_state', `The entry is ${entry.status}`);
      await m.update(WaitlistEntry, { id }, { status: 'left' });
      await this.audit.record(m, { actorId: actor.id, action: 'waitlist.leave', entity: 'waitlist_entry', entityId: id });
    });
  }

  listWaitlist(actor: User): Promise<WaitlistEntry[]> {
    return this.db.manager.find(WaitlistEntry, { where: { marketerId: actor.id, status: 'waiting' }, order: { startsAt: 'ASC' } });
  }

  /**
   * A seat freed on (rep, start): the first waiting marketer who still fits gets it, and is told;
   * the ones who do not fit now keep their place.
   */
  private async serveWaitlist(m: EntityManager, found: { period: Period; program: Program }, repId: string, startsAt: Date): Promise<void> {
    for (const entry of await this.repo.waitingFor(m, repId, startsAt)) {
      if (!(await this.repo.tryLock(m, `marketer:${entry.marketerId}`))) continue; // busy right now: keeps their place
      const verdict = await this.slots.check(m, found, repId, startsAt, entry.marketerId);
      if (!verdict.ok) {
        if (verdict.reason === 'slot_full' || verdict.reason === 'rep_busy' || verdict.reason === 'not_available') return; // no seat for anyone
        continue;
      }
      await m.query('SAVEPOINT waitlist_seat');
      try {
        const booking = await this.book(m, null, found, repId, entry.marketerId, startsAt);
        await m.query('RELEASE SAVEPOINT waitlist_seat');
        await m.update(WaitlistEntry, { id: entry.id }, { status: 'booked', bookingId: booking.id });
        await this.audit.record(m, { actorId: null, action: 'waitlist.booked', entity: 'waitlist_entry', entityId: entry.id, details: { bookingId: booking.id } });
        await this.announce(m, booking.id, 'waitlist_booked');
        return;
      } catch (e) {
        await m.query('ROLLBACK TO SAVEPOINT waitlist_seat');
        if (!(e instanceof DomainError) && !fromConstraint(e)) throw e;
      }
    }
  }

  // ---------------------------------------------------------------- messages

  private get organizer() {
    return senderOf(this.config.mailFrom);
  }

  /** Emails (with the invite) to the booking's people, and the reminder job, in the change's transaction. */
  private async announce(m: EntityManager, bookingId: string, kind: BookingMailKind, to: ('rep' | 'marketer')[] = ['rep', 'marketer']): Promise<void> {
    const row = (await this.repo.facts(m, bookingId))!;
    const facts = factsOf(row);
    const stamp = this.clock.now();
    const ics = { organizer: this.organizer, stamp, publicUrl: this.config.publicUrl };
    const invite = bookingInvite(kind, facts, ics); // one iTIP message, the same for every recipient
    for (const who of to) {
      const person = who === 'rep' ? facts.rep : facts.marketer;
      const personal = kind === 'waitlist_booked' && who === 'rep' ? 'confirmed' : kind;
      await this.mail.enqueue(m, `booking:${bookingId}:${kind}:${facts.sequence}:${person.id}`, bookingMail(personal, facts, who, { ...ics, invite }));
    }
    if (kind !== 'cancelled') {
      const at = DateTime.fromJSDate(facts.startsAt).minus({ hours: 24 }).toJSDate();
      if (at > stamp) await this.jobs.send(m, REMINDER_JOB, { bookingId, sequence: facts.sequence }, { startAfter: at, retryLimit: 5 });
    }
  }

  /** One email to one person (e.g. the rep a booking was moved away from). */
  private async announceTo(m: EntityManager, bookingId: string, kind: BookingMailKind, who: 'rep' | 'marketer', userId: string): Promise<void> {
    const row = (await this.repo.facts(m, bookingId))!;
    const [p] = await this.repo.people(m, [userId]);
    const facts = factsOf(row);
    if (who === 'rep') facts.rep = { id: p.id, name: p.name, email: p.email, timeZone: p.time_zone };
    const mail = bookingMail(kind, { ...facts, status: 'cancelled' }, who, { organizer: this.organizer, stamp: this.clock.now(), publicUrl: this.config.publicUrl });
    await this.mail.enqueue(m, `booking:${bookingId}:${kind}:${facts.sequence}:${userId}`, mail);
  }

  /** The reminder job: only when the booking is still confirmed and has not moved since it was scheduled. */
  async sendReminder(bookingId: string, sequence: number): Promise<void> {
    await this.db.transaction(async (m) => {
      const row = await this.repo.facts(m, bookingId);
      if (!row || row.status !== 'confirmed' || row.sequence !== sequence) return;
      const facts = factsOf(row);
      const ics = { organizer: this.organizer, stamp: this.clock.now(), publicUrl: this.config.publicUrl };
      const invite = bookingInvite('reminder', facts, ics);
      for (const who of ['rep', 'marketer'] as const) {
        const person = who === 'rep' ? facts.rep : facts.marketer;
        await this.mail.enqueue(m, `booking:${bookingId}:reminder:${sequence}:${person.id}`, bookingMail('reminder', facts, who, { ...ics, invite }));
      }
    });
  }

  // ---------------------------------------------------------------- read

  async get(actor: User, id: string): Promise<Booking> {
    const booking = await this.repo.find(this.db.manager, id);
    if (!booking || (booking.marketerId !== actor.id && booking.repId !== actor.id && !isLifecycle(actor))) throw notFound('Booking', id);
    return booking;
  }

  /** Every booking the query names, page after page (for the pages, which show them all). */
  async list(actor: User, q: Omit<ListBookingsQuery, 'limit' | 'cursor'>) {
    return everyPage(async (cursor) => {
      const page = await this.listPage(actor, { ...q, ...(cursor ? { cursor } : {}) });
      return { items: page.bookings, nextCursor: page.nextCursor };
    });
  }

  /** One page of bookings, in start order (id breaks ties): `limit` of them after `cursor`, and the next page's cursor. */
  async listPage(actor: User, q: ListBookingsQuery) {
    const mine = q.mine !== 'false' || !isLifecycle(actor);
    const parse = (v: string | undefined) => (v ? DateTime.fromISO(v, { zone: actor.timeZone }).toJSDate() : undefined);
    const from = parse(q.from);
    const to = parse(q.to);
    const scope = cursorScope({ actor: actor.id, mine, periodId: q.periodId, status: q.status, from: from?.toISOString(), to: to?.toISOString() });
    const after = readCursor('bookings', scope, q.cursor, positions.instantAndId);
    const limit = q.limit ?? BOOKINGS_PAGE;
    const { raw, entities } = await this.repo.list(this.db.manager, {
      userId: mine ? actor.id : undefined,
      periodId: q.periodId,
      status: q.status,
      from,
      to,
      limit: limit + 1,
      after,
    });
    const nextCursor = entities.length > limit ? encodeCursor('bookings', scope, [raw[limit - 1].cursor_at as string, entities[limit - 1].id]) : null;
    return { bookings: this.listed(actor, raw.slice(0, limit), entities.slice(0, limit)), nextCursor };
  }

  private listed(actor: User, raw: Record<string, unknown>[], entities: Booking[]) {
    return entities.map((b, i) => ({
      ...b,
      localStart: DateTime.fromJSDate(b.startsAt, { zone: actor.timeZone }).toISO({ suppressMilliseconds: true }),
      repName: raw[i].rep_name as string,
      marketerName: raw[i].marketer_name as string,
      role: b.repId === actor.id ? 'rep' : b.marketerId === actor.id ? 'marketer' : 'lifecycle',
    }));
  }

  /** The current invite: REQUEST while confirmed, CANCEL once cancelled; same UID, current SEQUENCE. */
  async inviteFile(actor: User, id: string): Promise<string> {
    await this.get(actor, id);
    const facts = factsOf((await this.repo.facts(this.db.manager, id))!);
    const event = bookingEvent(facts, this.organizer, this.clock.now(), this.config.publicUrl);
    return inviteIcs(event, facts.status === 'cancelled' ? 'CANCEL' : 'REQUEST');
  }

  // ---------------------------------------------------------------- calendar feed

  async rotateFeedToken(actor: User): Promise<{ token: string; url: string }> {
    const token = `rc_${randomBytes(24).toString('base64url')}`;
    await this.db.transaction(async (m) => {
      if (!(await this.repo.setFeedToken(m, actor.id, createHash('sha256').update(token).digest()))) {
        throw new DomainError('invalid_state', 'The user is deactivated');
      }
      await this.audit.record(m, { actorId: actor.id, action: 'calendar.token', entity: 'user', entityId: actor.id });
    });
    return { token, url: `${this.config.publicUrl}/calendar/${token}.ics` };
  }

  async feed(token: string): Promise<string | null> {
    const owner = await this.repo.feedOwner(this.db.manager, createHash('sha256').update(token).digest());
    if (!owner) return null;
    const since = DateTime.fromJSDate(this.clock.now()).minus({ days: 1 }).toJSDate();
    const rows = await this.repo.feedBookings(this.db.manager, owner.id, since);
    const shifts = await this.repo.feedShifts(this.db.manager, owner.id, since);
    const stamp = this.clock.now();
    const events = [
      ...rows.map((r) => bookingEvent(factsOf(r), this.organizer, stamp, this.config.publicUrl)),
      ...shifts.map((r) =>
        shiftEvent(
          {
            id: r.id, uid: r.uid, sequence: r.sequence, startsAt: new Date(r.starts_at), endsAt: new Date(r.ends_at), status: 'confirmed',
            queue: r.queue, queueZone: r.queue_zone, programName: r.program_name, marketer: { name: r.name, email: r.email, timeZone: r.time_zone },
          },
          this.organizer, stamp, this.config.publicUrl,
        ),
      ),
    ].sort((a, b) => a.start.getTime() - b.start.getTime());
    return feedIcs(`ridealong: ${owner.name}`, events);
  }
}
