import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { WaitlistEntry } from './booking.entity.js';

/** Queries of the waitlist: marketers waiting for a seat on a full call. */
@Injectable()
export class WaitlistRepository {
  /** A new waiting entry; null when the marketer already waits for this call (the unique index refused it). */
  async insert(m: EntityManager, e: { periodId: string; repId: string; marketerId: string; startsAt: Date }): Promise<WaitlistEntry | null> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO waitlist_entries (period_id, rep_id, marketer_id, starts_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
      [e.periodId, e.repId, e.marketerId, e.startsAt.toISOString()],
    );
    return rows.length ? m.findOneByOrFail(WaitlistEntry, { id: rows[0].id }) : null;
  }

  find(m: EntityManager, id: string): Promise<WaitlistEntry | null> {
    return m.findOneBy(WaitlistEntry, { id });
  }

  /** A marketer's waiting entries, soonest call first. */
  listWaiting(m: EntityManager, marketerId: string): Promise<WaitlistEntry[]> {
    return m.find(WaitlistEntry, { where: { marketerId, status: 'waiting' }, order: { startsAt: 'ASC' } });
  }

  async markLeft(m: EntityManager, id: string): Promise<void> {
    await m.update(WaitlistEntry, { id }, { status: 'left' });
  }

  async markBooked(m: EntityManager, id: string, bookingId: string): Promise<void> {
    await m.update(WaitlistEntry, { id }, { status: 'booked', bookingId });
  }

  /** The marketer's waiting entries for one call are closed (`left`): they do not wait for a seat they just gave up. */
  async leaveFor(m: EntityManager, marketerId: string, repId: string, startsAt: Date): Promise<void> {
    await m.query(`UPDATE waitlist_entries SET status = 'left', updated_at = now() WHERE marketer_id = $1 AND rep_id = $2 AND starts_at = $3 AND status = 'waiting'`, [
      marketerId,
      repId,
      startsAt.toISOString(),
    ]);
  }

  /** Waiting entries for one call, first come first served, locked so two releases cannot both serve one. */
  waitingFor(m: EntityManager, repId: string, startsAt: Date): Promise<WaitlistEntry[]> {
    return m
      .getRepository(WaitlistEntry)
      .createQueryBuilder('w')
      .setLock('pessimistic_write')
      .where(`w.rep_id = :repId AND w.starts_at = :startsAt AND w.status = 'waiting'`, { repId, startsAt })
      .orderBy('w.created_at', 'ASC')
      .addOrderBy('w.id', 'ASC')
      .getMany();
  }

  /**
   * Runs `attempt` inside a savepoint of the caller's transaction: when it throws, its writes are rolled back
   * to the savepoint (the transaction goes on) and the error is rethrown for the caller to judge.
   */
  async withinSavepoint<T>(m: EntityManager, attempt: () => Promise<T>): Promise<T> {
    await m.query('SAVEPOINT waitlist_seat');
    try {
      const result = await attempt();
      await m.query('RELEASE SAVEPOINT waitlist_seat');
      return result;
    } catch (e) {
      await m.query('ROLLBACK TO SAVEPOINT waitlist_seat');
      throw e;
    }
  }
}
