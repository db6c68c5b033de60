import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { BookingsService } from '../bookings/bookings.service.js';
import { fromConstraint } from '../bookings/refusals.js';
import { CalendarEvent, CustomerCallRule } from '../calendar-sync/calendar.entity.js';
import { Clock } from '../common/clock.js';
import { DomainError, forbidden, notFound } from '../common/errors.js';
import { validationError, windowBound } from '../common/validation.js';
import { isLifecycle, User } from '../people/user.entity.js';
import { UsersRepository } from '../people/users.repository.js';
import { externalAttendees } from './company-domains.js';
import { CompanyDomains } from './company-domains.service.js';
import { callState, type CallState, type Clash, defaultLabel, goneReason, isListedCall, movedClashReason, openRefusal, ruleOpens } from './customer-call.js';
import { CustomerCallRuleDto, ListCustomerCallsQuery, OpenCustomerCallDto } from './customer-calls.dto.js';
import { CustomerCallsRepository } from './customer-calls.repository.js';
import { type CalendarChanges, realMoves, type Times } from './reconcile.js';

export type { CalendarChanges } from './reconcile.js';

/** How far ahead the list looks when `to` is not given. */
export const DEFAULT_LIST_DAYS = 60;
/** The longest range one list may span. */
export const MAX_LIST_DAYS = 400;
const DAY_MS = 86_400_000;

/** A customer call as the rep and the lifecycle team see it: never the attendees' addresses, only how many are outside. */
export interface CustomerCallView {
  id: string;
  repId: string;
  startsAt: Date;
  endsAt: Date;
  title: string;
  state: CallState;
  label: string | null;
  callType: string | null;
  marketingSourced: boolean | null;
  openedAt: Date | null;
  bookedBy: { bookingId: string; marketerId: string; marketerName: string }[];
  externalAttendees: number;
}

export interface RuleView {
  enabled: boolean;
  keyword: string | null;
  callType: string | null;
  marketingSourced: boolean | null;
}

/** What a sync's reconcile did (for the sync's log line and tests). */
export interface ReconcileReport {
  moved: number;
  cancelled: number;
  opened: number;
}

/**
 * Customer calls: the rep's calendar events with someone from outside the company. The rep (or the lifecycle
 * team) opens one for shadowing; it then is a bookable call with the event's times (the slot engine reads the
 * open state from calendar_events). When the calendar moves or drops the event, `reconcile` (called by the sync
 * inside its transaction) moves or cancels the bookings on it.
 */
@Injectable()
export class CustomerCallsService {
  private readonly logger = new Logger('CustomerCalls');

  constructor(
    private readonly db: DataSource,
    private readonly repo: CustomerCallsRepository,
    private readonly users: UsersRepository,
    private readonly domains: CompanyDomains,
    private readonly bookings: BookingsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  // ---------------------------------------------------------------- who

  /** Whose calls a request reads: my own (a rep), or the named rep's (the lifecycle team). Anyone else: 404, as if there were none. */
  private async subject(m: EntityManager, actor: User, repId?: string): Promise<string> {
    if (repId && repId !== actor.id) {
      if (!isLifecycle(actor)) throw notFound('Rep', repId);
      const rep = await this.users.findById(m, repId);
      if (!rep || !rep.roles.includes('rep')) throw notFound('Rep', repId);
      return repId;
    }
    if (!actor.roles.includes('rep')) {
      if (isLifecycle(actor)) throw validationError([{ field: 'repId', problems: ["repId is required: name the rep whose customer calls to read"] }]);
      throw forbidden('Customer calls come from a rep’s connected calendar: only reps and the lifecycle team have them');
    }
    return actor.id;
  }

  /** The event, when the actor may act on it (its rep, the lifecycle team); 404 otherwise. */
  private async eventFor(m: EntityManager, actor: User, id: string): Promise<CalendarEvent> {
    const e = await this.repo.findEventForUpdate(m, id);
    if (!e || (e.repId !== actor.id && !isLifecycle(actor))) throw notFound('Customer call', id);
    return e;
  }

  // ---------------------------------------------------------------- read

  /** The rep's customer calls overlapping [from, to) (default: now to 60 days ahead), soonest first. */
  async list(actor: User, q: ListCustomerCallsQuery): Promise<CustomerCallView[]> {
    const m = this.db.manager;
    const repId = await this.subject(m, actor, q.repId);
    const from = q.from ? windowBound(q.from, actor.timeZone, 'from') : this.clock.now();
    const to = q.to ? windowBound(q.to, actor.timeZone, 'to') : new Date(from.getTime() + DEFAULT_LIST_DAYS * DAY_MS);
    if (to <= from) throw validationError([{ field: 'to', problems: ['to must be after from'] }]);
    if (to.getTime() - from.getTime() > MAX_LIST_DAYS * DAY_MS) throw validationError([{ field: 'to', problems: [`a list may span at most ${MAX_LIST_DAYS} days`] }]);
    const domains = await this.domains.current(m);
    const events = (await this.repo.eventsOfRep(m, repId, from, to)).filter((e) => isListedCall(e, domains));
    return this.views(m, events, domains);
  }

  private async views(m: EntityManager, events: CalendarEvent[], domains: string[]): Promise<CustomerCallView[]> {
    const seats = await this.repo.bookedSeats(
      m,
      events.filter((e) => e.openedAt).map((e) => e.id),
    );
    return events.map((e) => {
      const bookedBy = seats.filter((s) => s.call_id === e.id).map((s) => ({ bookingId: s.booking_id, marketerId: s.marketer_id, marketerName: s.marketer_name }));
      return {
        id: e.id,
        repId: e.repId,
        startsAt: e.startsAt,
        endsAt: e.endsAt,
        title: e.title,
        state: callState(e.openedAt, bookedBy.length),
        label: e.label,
        callType: e.callType,
        marketingSourced: e.marketingSourced,
        openedAt: e.openedAt,
        bookedBy,
        externalAttendees: externalAttendees(e.attendees, domains).length,
      };
    });
  }

  private async viewOf(m: EntityManager, id: string): Promise<CustomerCallView> {
    const e = (await this.repo.findEvent(m, id))!;
    return (await this.views(m, [e], await this.domains.current(m)))[0];
  }

  // ---------------------------------------------------------------- open and close

  /**
   * Opens the call for shadowing: bookable at the event's exact times under the program's rules. The label
   * defaults to the event's title (the rep saw it on the open form). Opening an open call updates what is given.
   */
  async open(actor: User, id: string, dto: OpenCustomerCallDto): Promise<CustomerCallView> {
    return this.db.transaction(async (m) => {
      const e = await this.eventFor(m, actor, id);
      const refused = openRefusal(e, await this.domains.current(m), this.clock.now());
      if (refused) throw new DomainError('invalid_state', refused.message, { reason: refused.reason });
      const again = e.openedAt !== null;
      await this.repo.setOpen(m, id, {
        openedAt: e.openedAt ?? this.clock.now(),
        openedBy: again ? e.openedBy : actor.id,
        label: dto.label ?? (again ? e.label : defaultLabel(e.title)),
        callType: dto.callType ?? (again ? e.callType : null),
        marketingSourced: dto.marketingSourced ?? (again ? e.marketingSourced : null),
      });
      await this.audit.record(m, { actorId: actor.id, action: again ? 'customer_call.update' : 'customer_call.open', entity: 'calendar_event', entityId: id, details: { repId: e.repId } });
      return this.viewOf(m, id);
    });
  }

  /** Withdraws the call: refused (409) while a marketer is booked on it; the rep cancels the booking instead. */
  async close(actor: User, id: string): Promise<CustomerCallView> {
    return this.db.transaction(async (m) => {
      const e = await this.eventFor(m, actor, id);
      const booked = await this.repo.bookedSeats(m, [id]);
      if (booked.length) {
        throw new DomainError('invalid_state', 'A marketer is booked on this call: cancel the booking first, then close the call', {
          reason: 'booked',
          bookingIds: booked.map((b) => b.booking_id),
        });
      }
      if (e.openedAt) {
        await this.repo.setClosed(m, id);
        await this.audit.record(m, { actorId: actor.id, action: 'customer_call.close', entity: 'calendar_event', entityId: id, details: { repId: e.repId } });
      }
      return this.viewOf(m, id);
    });
  }

  // ---------------------------------------------------------------- the standing rule

  async rule(actor: User): Promise<RuleView> {
    return ruleView(await this.repo.rule(this.db.manager, actor.id));
  }

  /**
   * Sets the rep's standing rule. Switched on, it opens the matching upcoming customer calls already in the
   * calendar too (every customer call, as it says), and every new one a sync brings.
   */
  async setRule(actor: User, dto: CustomerCallRuleDto): Promise<RuleView & { openedNow: number }> {
    if (!actor.roles.includes('rep')) throw forbidden('Only reps have a standing rule for their customer calls');
    return this.db.transaction(async (m) => {
      const rule = await this.repo.putRule(m, {
        repId: actor.id,
        enabled: dto.enabled,
        keyword: dto.keyword ?? null,
        callType: dto.callType ?? null,
        marketingSourced: dto.marketingSourced ?? null,
      });
      await this.audit.record(m, { actorId: actor.id, action: 'customer_call_rule.put', entity: 'customer_call_rule', entityId: actor.id, details: { enabled: rule.enabled, keyword: rule.keyword } });
      const openedNow = rule.enabled ? await this.openByRule(m, rule, await this.repo.closedUpcoming(m, actor.id, this.clock.now())) : 0;
      return { ...ruleView(rule), openedNow };
    });
  }

  /**
   * Opens the events the rule matches (customer calls, upcoming, holding the rep's time); returns how many.
   * Their label stays empty: titles often name the customer, and the title is a default label only once the rep
   * has seen it on the open form (opening the call again sets one).
   */
  private async openByRule(m: EntityManager, rule: CustomerCallRule, events: CalendarEvent[]): Promise<number> {
    const domains = await this.domains.current(m);
    const now = this.clock.now();
    let opened = 0;
    for (const e of events) {
      if (e.openedAt || openRefusal(e, domains, now) || !ruleOpens(rule, e.title)) continue;
      await this.repo.setOpen(m, e.id, { openedAt: now, openedBy: null, label: null, callType: rule.callType, marketingSourced: rule.marketingSourced });
      await this.audit.record(m, { actorId: null, action: 'customer_call.open', entity: 'calendar_event', entityId: e.id, details: { repId: e.repId, by: 'standing_rule' } });
      opened++;
    }
    return opened;
  }

  // ---------------------------------------------------------------- the calendar changed

  /**
   * What a sync changed in the rep's calendar, applied to the customer calls inside the sync's transaction `m`
   * (the event rows already hold their new times; removed rows are still there):
   * - a moved opened call: its bookings follow it (same UID, SEQUENCE+1, emails and invites to both); a booking
   *   whose marketer is elsewhere then (another shadowed call, a support shift), or whose rep has another
   *   shadowed call then, is cancelled with a reason naming the clash, and both are told;
   * - a removed (or cancelled) opened call, or one the rep no longer attends (declined, free): its bookings are
   *   cancelled (METHOD:CANCEL) and the waitlist for it cleared;
   * - added events: opened when the rep's standing rule says so.
   * An opened call that stopped holding the rep's time is found here whatever `changes` says (a changed row is
   * neither moved, removed nor added): call this after every apply that wrote rows, not only when something
   * moved, went or came. With nothing to do it costs three small queries.
   */
  async reconcile(m: EntityManager, repId: string, changes: CalendarChanges): Promise<ReconcileReport> {
    const report: ReconcileReport = { moved: 0, cancelled: 0, opened: 0 };
    const now = this.clock.now();
    const [rep] = await UsersRepository.peopleByIds(m, [repId]);
    const repName = rep?.name ?? 'The rep';

    // Only opened calls carry bookings and waitlists: one query finds them among what moved or went.
    const moves = realMoves(changes);
    const opened = new Set(await this.repo.openedAmong(m, [...moves.map((mv) => mv.eventId), ...changes.removed.map((r) => r.eventId)]));
    for (const mv of moves.filter((x) => opened.has(x.eventId))) {
      const seats = await this.repo.bookedSeats(m, [mv.eventId]);
      if (seats.length) {
        const r = await this.follow(m, repId, repName, mv.eventId, mv.to, seats.map((s) => s.booking_id));
        report.moved += r.moved;
        report.cancelled += r.cancelled;
      }
      await this.repo.moveWaitlist(m, repId, mv.from.startsAt, mv.to.startsAt);
    }

    const gone = new Map<string, { startsAt: Date; why: 'removed' | 'not_attending' }>();
    for (const r of changes.removed) if (opened.has(r.eventId)) gone.set(r.eventId, { startsAt: r.startsAt, why: 'removed' });
    for (const e of await this.repo.openedNotAttending(m, repId, now)) if (!gone.has(e.id)) gone.set(e.id, { startsAt: e.startsAt, why: 'not_attending' });
    for (const [eventId, g] of gone) {
      for (const s of await this.repo.bookedSeats(m, [eventId])) {
        if (await this.bookings.cancelForCustomerCall(m, s.booking_id, goneReason(repName, g.why))) report.cancelled++;
      }
      await this.repo.expireWaitlist(m, repId, g.startsAt);
      if (g.why === 'not_attending') await this.repo.setClosed(m, eventId);
    }

    if (changes.added.length) {
      const rule = await this.repo.rule(m, repId);
      if (rule?.enabled) report.opened += await this.openByRule(m, rule, await this.repo.eventsByIds(m, changes.added));
    }
    if (report.moved || report.cancelled || report.opened) this.logger.log(`Calendar of rep ${repId}: ${report.moved} booking(s) moved, ${report.cancelled} cancelled, ${report.opened} call(s) opened`);
    return report;
  }

  /**
   * The bookings of a moved call follow it, each unless something keeps its marketer (or its rep) away then.
   * Inside a savepoint: should PostgreSQL still refuse the move (an exclusion constraint), the whole call's
   * bookings are cancelled instead, with the constraint's reason, and the sync goes on.
   */
  private async follow(m: EntityManager, repId: string, repName: string, callId: string, to: Times, bookingIds: string[]): Promise<{ moved: number; cancelled: number }> {
    const clash = async (b: { marketerId: string }): Promise<string | null> => {
      let found: Clash | null = null;
      if (to.startsAt <= this.clock.now()) found = { kind: 'started' };
      else {
        const rows = await this.repo.commitmentsAt(m, { marketerId: b.marketerId, repId, callId, start: to.startsAt, end: to.endsAt });
        const row = rows.find((r) => r.kind === 'marketer_booking') ?? rows.find((r) => r.kind === 'marketer_shift') ?? rows[0];
        if (row) found = row.kind === 'marketer_booking' ? { kind: row.kind, repName: row.rep_name ?? 'another rep' } : row.kind === 'marketer_shift' ? { kind: row.kind, queue: row.queue } : { kind: 'rep_booking' };
      }
      if (!found) return null;
      const [marketer] = await UsersRepository.peopleByIds(m, [b.marketerId]);
      return movedClashReason(found, { repName, to, zone: marketer?.time_zone ?? 'UTC' });
    };
    try {
      const outcomes = await this.repo.withinSavepoint(m, () => this.bookings.followCustomerCall(m, bookingIds, to, clash));
      return { moved: outcomes.filter((o) => o === 'moved').length, cancelled: outcomes.filter((o) => o === 'cancelled').length };
    } catch (e) {
      const refused = fromConstraint(e);
      if (!refused) throw e;
      this.logger.warn(`A moved customer call's bookings could not follow it (${refused.details.reason}): cancelled`);
      const reason = movedClashReason(refused.details.reason === 'marketer_conflict' ? { kind: 'marketer_booking', repName: 'another rep' } : { kind: 'rep_booking' }, { repName, to, zone: 'UTC' });
      let cancelled = 0;
      for (const id of bookingIds) if (await this.bookings.cancelForCustomerCall(m, id, reason)) cancelled++;
      return { moved: 0, cancelled };
    }
  }
}

function ruleView(r: CustomerCallRule | null): RuleView {
  return { enabled: r?.enabled ?? false, keyword: r?.keyword ?? null, callType: r?.callType ?? null, marketingSourced: r?.marketingSourced ?? null };
}
