import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { type AuditRecord, AuditService } from '../audit/audit.service.js';
import { JobsService } from '../jobs/jobs.service.js';
import { MailService } from '../mail/mail.service.js';
import type { PersonRow } from '../people/users.repository.js';
import { Clock } from '../common/clock.js';
import { cursorScope, encodeCursor, positions } from '../common/cursor.js';
import { transactionOpenedBy } from '../common/opened-transaction.js';
import { DomainError, forbidden, notFound } from '../common/errors.js';
import { everyPage, readCursor } from '../common/paging.js';
import { validationError } from '../common/validation.js';
import { isLifecycle, User } from '../people/user.entity.js';
import { Period, Program } from '../programs/program.entity.js';
import { ProgramsRepository } from '../programs/programs.repository.js';
import { SlotsService } from '../availability/slots.service.js';
import { Metrics } from '../metrics/metrics.service.js';
import { ObservationsService } from '../observations/observations.service.js';
import { RepNotesService } from '../rep-notes/rep-notes.service.js';
import { WebhookEvents, type WebhookData, type WebhookEventType } from '../webhooks/webhook-events.js';
import { Booking } from './booking.entity.js';
import type { BookingFacts } from './booking-messages.js';
import { BookingNotices } from './booking-notices.js';
import { BOOKINGS_PAGE, CreateBookingDto, ListBookingsQuery, Outcome } from './bookings.dto.js';
import { BookingsRepository, type LockAndRead, type LockAndReadRow } from './bookings.repository.js';
import { fromConstraint, refusal } from './refusals.js';
import { WaitlistService } from './waitlist.service.js';

export { REMINDER_JOB } from './booking-notices.js';

/** A new booking reads the seats taken on the rep's calls from its start to this long after (a slot is shorter). */
const SEATS_READ_AHEAD_MS = 86_400_000;

export function requestHash(body: object): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b))));
  return createHash('sha256').update(canonical).digest('hex');
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
    private readonly clock: Clock,
    private readonly observations: ObservationsService,
    private readonly waitlist: WaitlistService,
    private readonly notices: BookingNotices,
    private readonly webhookEvents: WebhookEvents,
    private readonly repNotes: RepNotesService,
    private readonly mail: MailService,
    private readonly jobs: JobsService,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  /**
   * A booking's webhook event, in the change's transaction: ids, times and statuses, never a reason's text.
   * `programId` when the caller has it; else it is read (the paths driven by a calendar sync or a deactivation).
   */
  private async emit(
    m: EntityManager,
    type: WebhookEventType,
    b: Pick<Booking, 'id' | 'periodId' | 'repId' | 'marketerId' | 'startsAt' | 'endsAt' | 'customerCallId'>,
    facts: WebhookData,
    programId?: string,
  ): Promise<number> {
    const program = programId ?? (await this.programs.findPeriodWithProgram(m, b.periodId))?.program.id ?? null;
    return this.webhookEvents.emit(m, type, {
      bookingId: b.id,
      programId: program,
      periodId: b.periodId,
      repId: b.repId,
      marketerId: b.marketerId,
      startsAt: b.startsAt.toISOString(),
      endsAt: b.endsAt.toISOString(),
      customerCallId: b.customerCallId ?? null,
      ...facts,
    });
  }

  /** Who cancelled, as a webhook says it (never their words). */
  private cancelledBy(actor: User, b: Booking): string {
    if (actor.id === b.marketerId) return 'marketer';
    if (actor.id === b.repId) return 'rep';
    return 'lifecycle';
  }

  async onModuleInit(): Promise<void> {
    await this.notices.work((bookingId, sequence) => this.sendReminder(bookingId, sequence));
  }

  // ---------------------------------------------------------------- create

  async create(actor: User, dto: CreateBookingDto, idempotencyKey?: string): Promise<CreateResult> {
    const marketerId = this.marketerFor(actor, dto.marketerId);
    const startsAt = new Date(dto.startsAt);
    const body = { periodId: dto.periodId, repId: dto.repId, startsAt: startsAt.toISOString(), marketerId };
    try {
      // The locks and every read the decision needs but the slot check's own, in one round trip.
      const ask = {
        keys: [`rep:${dto.repId}`, `marketer:${marketerId}`],
        periodId: dto.periodId,
        repId: dto.repId,
        marketerId,
        seatsFrom: startsAt,
        seatsTo: new Date(startsAt.getTime() + SEATS_READ_AHEAD_MS),
      };
      const check = this.slots.checkRead(dto.periodId, dto.repId, startsAt, marketerId);
      const decide = async (m: EntityManager, read: LockAndRead): Promise<CreateResult> => {
        if (!read.found) throw new DomainError('not_found', `Period ${dto.periodId} was not found`, { field: 'periodId' });
        const booking = await this.book(m, actor.id, read.found, dto.repId, marketerId, startsAt, undefined, read);
        if (idempotencyKey !== undefined) await this.repo.storeKeyResponse(m, actor.id, 'POST /bookings', idempotencyKey, 201, booking);
        return { booking, replayed: false };
      };
      const result =
        idempotencyKey === undefined
          ? // Without a key the transaction opens with the locks and reads: START TRANSACTION travels with them.
            // The slot check's read goes in the same message where the connection has it prepared, and the
            // jobs' insert goes with the COMMIT: three round trips in all, with the booking's insert.
            await transactionOpenedBy<LockAndReadRow, CreateResult>(
              this.db,
              this.repo.lockAndReadStatement(ask),
              (m, [row], checkRows) => {
                const read = this.repo.lockAndReadResult(m, row, ask);
                return decide(m, checkRows ? { ...read, preread: { statement: check, rows: checkRows } } : read);
              },
              check,
            )
          : await this.db.transaction(async (m): Promise<CreateResult> => {
              const claim = await this.repo.claimKey(m, actor.id, 'POST /bookings', idempotencyKey, requestHash(body));
              if (!claim.claimed) {
                if (claim.hash !== requestHash(body)) {
                  throw new DomainError('idempotency_mismatch', 'This Idempotency-Key was used with another request body', { field: 'Idempotency-Key' });
                }
                if (claim.status !== null) return { booking: claim.response as Booking, replayed: true };
              }
              return decide(m, await this.repo.lockAndRead(m, ask));
            });
      if (!result.replayed) this.metrics?.bookingMade();
      return result;
    } catch (e) {
      const err = fromConstraint(e) ?? e;
      this.metrics?.bookingRefused(err);
      throw err;
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
  private async book(
    m: EntityManager,
    actorId: string | null,
    found: { period: Period; program: Program },
    repId: string,
    marketerId: string,
    startsAt: Date,
    reuse?: Booking,
    read?: LockAndRead,
  ): Promise<Booking> {
    const marketer = read ? read.marketer : (await this.repo.people(m, [marketerId]))[0];
    if (!marketer || !marketer.active || !marketer.roles.includes('marketer')) {
      throw new DomainError('invalid_value', 'Bookings are for active users with the marketer role', { field: 'marketerId' });
    }
    const verdict = await this.slots.check(m, found, repId, startsAt, marketerId, read?.preread);
    if (!verdict.ok) throw refusal(verdict.reason);
    const slot = verdict.slot;
    const start = new Date(slot.start * 60_000);
    const end = new Date(slot.end * 60_000);
    const seats = found.program.settings.seatsPerCall;
    // The seats read with the locks serve a slot inside the range they were read for; another reads its own.
    const taken = new Set(
      read && start >= read.seatsFrom && end <= read.seatsTo
        ? read.seats.filter((s) => s.startsAt < end && s.endsAt > start).map((s) => s.seat)
        : await this.repo.takenSeats(m, repId, start, end),
    );
    let seat = 1;
    while (taken.has(seat)) seat++;
    if (seat > seats) throw refusal('slot_full');
    // What the window said when it was booked: kept with the booking, whatever the rep's availability says later.
    const window = { label: slot.label ?? null, callType: slot.callType ?? null, marketingSourced: slot.marketingSourced ?? null };
    if (reuse) {
      return this.repo.move(m, reuse.id, {
        repId,
        startsAt: start,
        endsAt: end,
        seat,
        seatsAllowed: seats,
        sequence: reuse.sequence + 1,
        periodId: found.period.id,
        customerCallId: slot.customerCallId ?? null,
        ...window,
      });
    }
    const id = randomUUID();
    const fields = {
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
      customerCallId: slot.customerCallId ?? null,
      ...window,
    } satisfies Partial<Booking>;
    const audit = { actorId, action: 'booking.create', entity: 'booking', entityId: id, details: { repId, marketerId, startsAt: start.toISOString(), seat } };
    if (read?.rep) return this.insertAnnounced(m, fields, audit, found, marketer, read.rep);
    const booking = await this.repo.insert(m, fields);
    await this.audit.record(m, audit);
    await this.emit(m, 'booking.created', booking, { status: 'confirmed', seat }, found.program.id);
    return booking;
  }

  /**
   * A new booking as `book` writes it followed by `announce(…, 'confirmed')`, in two statements: the row, its
   * audit row, its webhook deliveries and its emails (written from the facts already read) in one, all their
   * jobs in the second (the emails share one send job). The same rows as the separate writes (test/booking-round-trips.spec.ts).
   */
  private async insertAnnounced(
    m: EntityManager,
    fields: Parameters<BookingsRepository['insert']>[1],
    audit: AuditRecord,
    found: { period: Period; program: Program },
    marketer: PersonRow,
    rep: { id: string; name: string; email: string; time_zone: string; call_zone: string },
  ): Promise<Booking> {
    const facts: BookingFacts = {
      id: fields.id,
      uid: fields.uid,
      sequence: fields.sequence,
      startsAt: fields.startsAt,
      endsAt: fields.endsAt,
      status: 'confirmed',
      cancelReason: null,
      programName: found.program.name,
      preparationNote: found.program.preparationNote,
      rep: { id: rep.id, name: rep.name, email: rep.email, timeZone: rep.time_zone },
      marketer: { id: marketer.id, name: marketer.name, email: marketer.email, timeZone: marketer.time_zone },
      callZone: rep.call_zone,
    };
    const plan = this.notices.plan(facts, 'confirmed');
    const event = this.webhookEvents.event('booking.created', {
      bookingId: fields.id,
      programId: found.program.id,
      periodId: fields.periodId,
      repId: fields.repId,
      marketerId: fields.marketerId,
      startsAt: fields.startsAt.toISOString(),
      endsAt: fields.endsAt.toISOString(),
      customerCallId: fields.customerCallId ?? null,
      status: 'confirmed',
      seat: fields.seat,
    });
    const outbox = plan.notices.map((n) => this.mail.outboxRow(n.key, n.mail));
    const written = await this.repo.insertWithEffects(m, fields, this.audit.row(audit), event, outbox);
    await this.jobs.sendMany(m, [
      ...written.deliveryIds.map((id) => this.webhookEvents.deliverJob(id)),
      ...(written.outboxIds.length > 0 ? [this.mail.sendJob(written.outboxIds)] : []),
      ...(plan.reminder ? [{ name: plan.reminder.queue, data: plan.reminder.data, options: { ...plan.reminder.options, startAfter: plan.reminder.at } }] : []),
    ]);
    return written.booking;
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
      await this.repo.markCancelled(m, id, { sequence: booking.sequence + 1, cancelledAt: now, cancelledBy: actor.id, cancelReason: reason, lateCancel: late });
      await this.audit.record(m, { actorId: actor.id, action: 'booking.cancel', entity: 'booking', entityId: id, details: { reason, late } });
      await this.emit(m, 'booking.cancelled', booking, { status: 'cancelled', cancelledBy: this.cancelledBy(actor, booking), late }, found.program.id);
      await this.notices.announce(m, id, 'cancelled');
      await this.waitlist.leaveFor(m, booking.marketerId, booking.repId, booking.startsAt);
      await this.releaseSeat(m, found, booking.repId, booking.startsAt);
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
        await this.repo.freeSeat(m, id);
        const moved = await this.book(m, actor.id, found, repId, booking.marketerId, startsAt, booking);
        await this.audit.record(m, {
          actorId: actor.id,
          action: 'booking.reschedule',
          entity: 'booking',
          entityId: id,
          details: { from: { repId: old.repId, startsAt: old.startsAt.toISOString() }, to: { repId, startsAt: moved.startsAt.toISOString() } },
        });
        await this.emit(m, 'booking.rescheduled', moved, { status: 'confirmed', previousRepId: old.repId, previousStartsAt: old.startsAt.toISOString(), by: 'person' }, found.program.id);
        if (old.repId !== repId) await this.notices.announceTo(m, id, 'cancelled', 'rep', old.repId);
        await this.notices.announce(m, id, 'rescheduled', old.repId !== repId ? ['marketer', 'rep'] : undefined);
        await this.releaseSeat(m, found, old.repId, old.startsAt);
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
      await this.repo.markAttendance(m, id, { status, noShowParty, attendanceBy: actor.id, attendanceAt: this.clock.now() });
      await this.audit.record(m, { actorId: actor.id, action: 'booking.attendance', entity: 'booking', entityId: id, details: { outcome, before: booking.status } });
      const found = (await this.programs.findPeriodWithProgram(m, booking.periodId))!;
      await this.emit(m, 'booking.attendance', booking, { status, outcome, previousStatus: booking.status }, found.program.id);
      if (status === 'completed') {
        // The marketer's observation form opens with the completion, in the same transaction.
        await this.observations.openForSession(m, {
          programId: found.program.id,
          periodId: booking.periodId,
          bookingId: id,
          authorId: booking.marketerId,
          repId: booking.repId,
          endedAt: booking.endsAt,
        });
        // And the rep's own optional note (never shown to the marketer).
        await this.repNotes.openForBooking(m, { bookingId: id, programId: found.program.id, periodId: booking.periodId, repId: booking.repId, endedAt: booking.endsAt });
      } else if (booking.status === 'completed') {
        // Corrected to a no-show: the form the completion opened is withdrawn (a submitted one is kept, marked).
        await this.observations.withdrawForBooking(m, id, actor.id);
        await this.repNotes.withdrawForBooking(m, id, actor.id);
      }
      return (await this.repo.find(m, id))!;
    });
  }

  // ---------------------------------------------------------------- the rep's calendar (customer calls)

  /**
   * A customer call moved in the rep's calendar: its confirmed bookings follow it to `to`, inside the caller's
   * transaction (a calendar sync's). Each keeps its UID and seat, takes SEQUENCE+1, and both people get the
   * 'rescheduled' email with a METHOD:REQUEST invite. `clash` is asked (after the locks, with the call's seats
   * freed) what keeps the booking's marketer or rep from the new time: such a booking is cancelled with that
   * reason and both are told (METHOD:CANCEL). Bookings whose session has begun are kept as they are. An
   * exclusion constraint that still refuses a move throws: the caller rolls back to its savepoint.
   */
  async followCustomerCall(
    m: EntityManager,
    bookingIds: string[],
    to: { startsAt: Date; endsAt: Date },
    clash: (b: Booking) => Promise<string | null>,
  ): Promise<('moved' | 'cancelled' | 'kept')[]> {
    const now = this.clock.now();
    const outcomes = new Map<string, 'moved' | 'cancelled' | 'kept'>(bookingIds.map((id) => [id, 'kept']));
    const live: Booking[] = [];
    for (const id of bookingIds) {
      const b = await this.repo.findForUpdate(m, id);
      const same = b && b.startsAt.getTime() === to.startsAt.getTime() && b.endsAt.getTime() === to.endsAt.getTime();
      if (b && b.status === 'confirmed' && b.startsAt > now && !same) live.push(b);
    }
    if (!live.length) return bookingIds.map((id) => outcomes.get(id)!);
    await this.repo.lock(m, live.flatMap((b) => [`rep:${b.repId}`, `marketer:${b.marketerId}`]));
    // Every seat of the call is freed first: the seats move together, and a half-moved call would overlap itself.
    for (const b of live) await this.repo.freeSeat(m, b.id);
    for (const b of live) {
      const reason = await clash(b);
      if (reason) {
        await this.cancelByCalendar(m, b, reason, now);
        outcomes.set(b.id, 'cancelled');
        continue;
      }
      const { repId, seat, seatsAllowed, periodId, customerCallId, label, callType, marketingSourced } = b;
      const place = { repId, startsAt: to.startsAt, endsAt: to.endsAt, seat, seatsAllowed, sequence: b.sequence + 1, periodId, customerCallId, label, callType, marketingSourced };
      await this.repo.move(m, b.id, place);
      await this.audit.record(m, {
        actorId: null,
        action: 'booking.reschedule',
        entity: 'booking',
        entityId: b.id,
        details: { from: { startsAt: b.startsAt.toISOString() }, to: { startsAt: to.startsAt.toISOString(), endsAt: to.endsAt.toISOString() }, by: 'calendar' },
      });
      await this.emit(m, 'booking.rescheduled', { ...b, startsAt: to.startsAt, endsAt: to.endsAt }, { status: 'confirmed', previousRepId: b.repId, previousStartsAt: b.startsAt.toISOString(), by: 'calendar' });
      await this.notices.announce(m, b.id, 'rescheduled');
      outcomes.set(b.id, 'moved');
    }
    return bookingIds.map((id) => outcomes.get(id)!);
  }

  /**
   * The customer call is gone from the rep's calendar (removed, cancelled, declined): the booking is cancelled
   * with `reason` inside the caller's transaction, both people are told (METHOD:CANCEL, SEQUENCE+1) and the
   * marketer no longer waits for that call. The seat is not offered to the waitlist: the call is gone.
   * False when there was nothing to cancel (not confirmed, or its session has begun). A deactivation
   * (`by: 'deactivation'`) cancels a person's future bookings the same way.
   */
  async cancelForCustomerCall(m: EntityManager, bookingId: string, reason: string, by: 'calendar' | 'deactivation' = 'calendar'): Promise<boolean> {
    const b = await this.repo.findForUpdate(m, bookingId);
    const now = this.clock.now();
    if (!b || b.status !== 'confirmed' || b.startsAt <= now) return false;
    await this.repo.lock(m, [`rep:${b.repId}`, `marketer:${b.marketerId}`]);
    await this.cancelByCalendar(m, b, reason, now, by);
    return true;
  }

  private async cancelByCalendar(m: EntityManager, b: Booking, reason: string, now: Date, by: 'calendar' | 'deactivation' = 'calendar'): Promise<void> {
    await this.repo.markCancelled(m, b.id, { sequence: b.sequence + 1, cancelledAt: now, cancelledBy: null, cancelReason: reason, lateCancel: false });
    await this.audit.record(m, { actorId: null, action: 'booking.cancel', entity: 'booking', entityId: b.id, details: { reason, by } });
    await this.emit(m, 'booking.cancelled', b, { status: 'cancelled', cancelledBy: by, late: false });
    await this.notices.announce(m, b.id, 'cancelled');
    await this.waitlist.leaveFor(m, b.marketerId, b.repId, b.startsAt);
  }

  // ---------------------------------------------------------------- waitlist and messages

  /** A seat freed on (rep, start): the waitlist's first marketer who still fits takes it, under the booking rules. */
  private releaseSeat(m: EntityManager, found: { period: Period; program: Program }, repId: string, startsAt: Date): Promise<void> {
    return this.waitlist.release(m, found, repId, startsAt, (marketerId) => this.book(m, null, found, repId, marketerId, startsAt));
  }

  /** The reminder job: only when the booking is still confirmed and has not moved since it was scheduled. */
  sendReminder(bookingId: string, sequence: number): Promise<void> {
    return this.notices.remind(bookingId, sequence);
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
    return this.notices.invite(this.db.manager, id);
  }
}
