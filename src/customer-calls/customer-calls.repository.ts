import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CalendarEvent, CustomerCallRule } from '../calendar-sync/calendar.entity.js';

/** A confirmed booking on an opened customer call, with its marketer's name. */
export interface BookedSeat {
  call_id: string;
  booking_id: string;
  marketer_id: string;
  marketer_name: string;
}

/** A marketer's or rep's commitment overlapping a time a call moved to. */
export interface CommitmentRow {
  kind: 'marketer_booking' | 'marketer_shift' | 'rep_booking';
  rep_name: string | null;
  queue: string | null;
}

/** Queries of the customer calls: the rep's calendar events, their open state, the bookings on them, the standing rule. */
@Injectable()
export class CustomerCallsRepository {
  /** The rep's timed events overlapping [from, to) that hold their time, and every opened one there, soonest first. */
  eventsOfRep(m: EntityManager, repId: string, from: Date, to: Date): Promise<CalendarEvent[]> {
    return m
      .getRepository(CalendarEvent)
      .createQueryBuilder('e')
      .where('e.rep_id = :repId AND e.ends_at > :from AND e.starts_at < :to', { repId, from, to })
      .andWhere('((e.busy AND NOT e.all_day) OR e.opened_at IS NOT NULL)')
      .orderBy('e.starts_at', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .limit(2000)
      .getMany();
  }

  findEvent(m: EntityManager, id: string): Promise<CalendarEvent | null> {
    return m.findOneBy(CalendarEvent, { id });
  }

  /** The event, locked for the rest of the transaction (open and close decide on it). */
  findEventForUpdate(m: EntityManager, id: string): Promise<CalendarEvent | null> {
    return m.getRepository(CalendarEvent).createQueryBuilder('e').setLock('pessimistic_write').where('e.id = :id', { id }).getOne();
  }

  eventsByIds(m: EntityManager, ids: string[]): Promise<CalendarEvent[]> {
    if (!ids.length) return Promise.resolve([]);
    return m.getRepository(CalendarEvent).createQueryBuilder('e').where('e.id = ANY(:ids)', { ids }).orderBy('e.starts_at', 'ASC').getMany();
  }

  /** The ids among these that are opened calls. */
  async openedAmong(m: EntityManager, ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const rows: { id: string }[] = await m.query(`SELECT id FROM calendar_events WHERE id = ANY($1::uuid[]) AND opened_at IS NOT NULL`, [ids]);
    return rows.map((r) => r.id);
  }

  /** Opened calls of the rep, starting after `now`, that no longer hold the rep's time (declined, free) or became all-day. */
  openedNotAttending(m: EntityManager, repId: string, now: Date): Promise<CalendarEvent[]> {
    return m
      .getRepository(CalendarEvent)
      .createQueryBuilder('e')
      .where('e.rep_id = :repId AND e.opened_at IS NOT NULL AND e.starts_at > :now AND (NOT e.busy OR e.all_day)', { repId, now })
      .getMany();
  }

  /** The rep's upcoming calls that are not opened (for a standing rule just switched on). */
  closedUpcoming(m: EntityManager, repId: string, now: Date): Promise<CalendarEvent[]> {
    return m
      .getRepository(CalendarEvent)
      .createQueryBuilder('e')
      .where('e.rep_id = :repId AND e.opened_at IS NULL AND e.busy AND NOT e.all_day AND e.starts_at > :now', { repId, now })
      .orderBy('e.starts_at', 'ASC')
      .getMany();
  }

  async setOpen(m: EntityManager, id: string, o: Pick<CalendarEvent, 'openedAt' | 'openedBy' | 'label' | 'callType' | 'marketingSourced'>): Promise<void> {
    await m.update(CalendarEvent, { id }, o);
  }

  async setClosed(m: EntityManager, id: string): Promise<void> {
    await m.update(CalendarEvent, { id }, { openedAt: null, openedBy: null, label: null, callType: null, marketingSourced: null });
  }

  /** Confirmed bookings on these calls, with the marketers' names, in booking order. */
  bookedSeats(m: EntityManager, callIds: string[]): Promise<BookedSeat[]> {
    if (!callIds.length) return Promise.resolve([]);
    return m.query(
      `SELECT b.customer_call_id AS call_id, b.id AS booking_id, b.marketer_id, u.name AS marketer_name
         FROM bookings b JOIN users u ON u.id = b.marketer_id
        WHERE b.customer_call_id = ANY($1::uuid[]) AND b.status = 'confirmed'
        ORDER BY b.created_at, b.id`,
      [callIds],
    );
  }

  /**
   * What keeps a booking's marketer (or its rep) from the interval [start, end): the marketer's other live
   * bookings and support shifts, and the rep's live bookings that are not on this call. Run after the call's
   * own seats are freed in the transaction.
   */
  commitmentsAt(m: EntityManager, q: { marketerId: string; repId: string; callId: string; start: Date; end: Date }): Promise<CommitmentRow[]> {
    return m.query(
      `SELECT 'marketer_booking' AS kind, r.name AS rep_name, NULL AS queue
         FROM bookings b JOIN users r ON r.id = b.rep_id
        WHERE b.marketer_id = $1 AND b.status <> 'cancelled' AND tstzrange(b.starts_at, b.ends_at) && tstzrange($4, $5)
       UNION ALL
       SELECT 'marketer_shift', NULL, t.queue
         FROM shift_assignments a JOIN shift_templates t ON t.id = a.template_id
        WHERE a.marketer_id = $1 AND a.status <> 'cancelled' AND tstzrange(a.starts_at, a.ends_at) && tstzrange($4, $5)
       UNION ALL
       SELECT 'rep_booking', NULL, NULL
         FROM bookings b
        WHERE b.rep_id = $2 AND b.status <> 'cancelled' AND tstzrange(b.starts_at, b.ends_at) && tstzrange($4, $5)
          AND b.customer_call_id IS DISTINCT FROM $3::uuid`,
      [q.marketerId, q.repId, q.callId, q.start.toISOString(), q.end.toISOString()],
    );
  }

  /** Nobody waits any longer for a seat on the rep's call at `startsAt` (the call is gone). */
  async expireWaitlist(m: EntityManager, repId: string, startsAt: Date): Promise<number> {
    const [, n] = (await m.query(`UPDATE waitlist_entries SET status = 'expired', updated_at = now() WHERE rep_id = $1 AND starts_at = $2 AND status = 'waiting'`, [
      repId,
      startsAt.toISOString(),
    ])) as [unknown, number];
    return n;
  }

  /** Those waiting for a seat on the call at `from` wait for it at `to` (it moved); an entry that would be a second wait for one call expires. */
  async moveWaitlist(m: EntityManager, repId: string, from: Date, to: Date): Promise<void> {
    await m.query(
      `UPDATE waitlist_entries w SET starts_at = $3, updated_at = now()
        WHERE w.rep_id = $1 AND w.starts_at = $2 AND w.status = 'waiting'
          AND NOT EXISTS (SELECT 1 FROM waitlist_entries o WHERE o.marketer_id = w.marketer_id AND o.rep_id = $1 AND o.starts_at = $3 AND o.status = 'waiting')`,
      [repId, from.toISOString(), to.toISOString()],
    );
    await this.expireWaitlist(m, repId, from);
  }

  /**
   * Runs `attempt` inside a savepoint of the caller's transaction (a calendar sync's): when it throws, its
   * writes are rolled back to the savepoint, the transaction goes on, and the error is rethrown.
   */
  async withinSavepoint<T>(m: EntityManager, attempt: () => Promise<T>): Promise<T> {
    await m.query('SAVEPOINT customer_call_follow');
    try {
      const result = await attempt();
      await m.query('RELEASE SAVEPOINT customer_call_follow');
      return result;
    } catch (e) {
      await m.query('ROLLBACK TO SAVEPOINT customer_call_follow');
      throw e;
    }
  }

  rule(m: EntityManager, repId: string): Promise<CustomerCallRule | null> {
    return m.findOneBy(CustomerCallRule, { repId });
  }

  async putRule(m: EntityManager, r: Pick<CustomerCallRule, 'repId' | 'enabled' | 'keyword' | 'callType' | 'marketingSourced'>): Promise<CustomerCallRule> {
    await m.query(
      `INSERT INTO customer_call_rules (rep_id, enabled, keyword, call_type, marketing_sourced, updated_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (rep_id) DO UPDATE SET enabled = $2, keyword = $3, call_type = $4, marketing_sourced = $5, updated_at = now()`,
      [r.repId, r.enabled, r.keyword, r.callType, r.marketingSourced],
    );
    return (await this.rule(m, r.repId))!;
  }
}
