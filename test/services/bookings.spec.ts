import { DateTime } from 'luxon';
import { DomainError } from '../../src/common/errors.js';
import { User } from '../../src/people/user.entity.js';
import { seeder, startServices, TestServices } from '../support/services.js';

/**
 * BookingsService on its own: built with `new` on a real database, no Nest app, no HTTP. What it checks
 * is the service's own word: which engine refusal becomes which error code, and who may act on a booking.
 */
describe('BookingsService (services with new, real PostgreSQL)', () => {
  let s: TestServices;
  let seed: ReturnType<typeof seeder>;
  let periodId: string;
  let rep: User;
  let otherRep: User;
  let lifecycle: User;
  let marketers: User[];
  let day: DateTime; // a Monday at least ten days ahead, 00:00 UTC
  const at = (hm: string, plusDays = 0) => `${day.plus({ days: plusDays }).toISODate()}T${hm}:00.000Z`;

  /** The DomainError a call throws (fails the test when it does not throw one). */
  async function refused(call: Promise<unknown>): Promise<DomainError> {
    try {
      await call;
    } catch (e) {
      if (e instanceof DomainError) return e;
      throw e;
    }
    throw new Error('expected a refusal, the call succeeded');
  }
  const bookingCount = async () => (await s.db.query(`SELECT count(*)::int AS n FROM bookings`))[0].n as number;

  beforeAll(async () => {
    s = await startServices();
    seed = seeder(s.db);
    const now = DateTime.utc().startOf('hour');
    s.clock.set(now.toJSDate());
    day = now.plus({ days: 10 }).startOf('week'); // Monday of the week 10 days ahead (or of the week before, at least 4 days ahead)
    if (day < now.plus({ days: 4 })) day = day.plus({ weeks: 1 });
    const programId = await seed.program({ minNoticeHours: 12, horizonDays: 60, seatsPerCall: 1, repWeeklyCap: 50, sameRepLimit: 50, cancelNoticeHours: 24, slotMinutes: 45, slotGridMinutes: 15 });
    periodId = await seed.period(programId, now.toISODate()!, now.plus({ days: 120 }).toISODate()!);
    rep = await seed.user(['rep']);
    otherRep = await seed.user(['rep']);
    lifecycle = await seed.user(['lifecycle']);
    for (const r of [rep, otherRep]) {
      await seed.roster(periodId, r.id);
      await seed.everyDay(r.id, '08:00', '18:00');
    }
    marketers = [];
    for (let i = 0; i < 8; i++) {
      const m = await seed.user(['marketer']);
      await seed.enrol(periodId, m.id, 50);
      marketers.push(m);
    }
  });

  afterAll(async () => {
    await s?.close();
  });

  describe('refusal mapping: each engine refusal becomes the contract code, details.reason keeps the engine word', () => {
    it.each([
      ['outside_period', 'slot_unavailable', () => at('09:00', 130)],
      ['outside_horizon', 'outside_horizon', () => at('09:00', 70)],
      ['not_available', 'slot_unavailable', () => at('20:00')],
      ['off_grid', 'slot_unavailable', () => at('09:07')],
    ])('%s -> %s, nothing written', async (reason, code, startsAt) => {
      const before = await bookingCount();
      const e = await refused(s.bookings.create(marketers[0], { periodId, repId: rep.id, startsAt: startsAt() }));
      expect({ code: e.code, reason: e.details.reason }).toEqual({ code, reason });
      expect(await bookingCount()).toBe(before);
    });

    it('outside_notice -> outside_notice (the clock the service is given decides)', async () => {
      s.clock.set(at('06:00', 1));
      try {
        const e = await refused(s.bookings.create(marketers[0], { periodId, repId: rep.id, startsAt: at('09:00', 1) }));
        expect({ code: e.code, reason: e.details.reason }).toEqual({ code: 'outside_notice', reason: 'outside_notice' });
      } finally {
        s.clock.set(day.minus({ days: 4 }).toJSDate());
      }
      // With the clock days before it, the same slot is bookable.
      const ok = await s.bookings.create(marketers[0], { periodId, repId: rep.id, startsAt: at('09:00', 1) });
      expect(ok.booking.status).toBe('confirmed');
    });

    it('slot_full and rep_busy -> slot_unavailable; a marketer in two places -> marketer_conflict', async () => {
      await s.bookings.create(marketers[1], { periodId, repId: rep.id, startsAt: at('10:00', 2) });
      const full = await refused(s.bookings.create(marketers[2], { periodId, repId: rep.id, startsAt: at('10:00', 2) }));
      expect({ code: full.code, reason: full.details.reason }).toEqual({ code: 'slot_unavailable', reason: 'slot_full' });
      const busy = await refused(s.bookings.create(marketers[2], { periodId, repId: rep.id, startsAt: at('10:15', 2) }));
      expect({ code: busy.code, reason: busy.details.reason }).toEqual({ code: 'slot_unavailable', reason: 'rep_busy' });
      const twice = await refused(s.bookings.create(marketers[1], { periodId, repId: otherRep.id, startsAt: at('10:30', 2) }));
      expect({ code: twice.code, reason: twice.details.reason }).toEqual({ code: 'marketer_conflict', reason: 'marketer_conflict' });
    });

    it('not_on_roster, not_enrolled, rep_weekly_cap, same_rep_limit, quota_reached', async () => {
      const programId = await seed.program({ minNoticeHours: 12, horizonDays: 60, repWeeklyCap: 3, sameRepLimit: 2 });
      const p = await seed.period(programId, day.minus({ days: 1 }).toISODate()!, day.plus({ days: 40 }).toISODate()!);
      const [r1, r2, r3, outsider] = [await seed.user(['rep']), await seed.user(['rep']), await seed.user(['rep']), await seed.user(['rep'])];
      for (const r of [r1, r2, r3, outsider]) await seed.everyDay(r.id, '08:00', '18:00');
      for (const r of [r1, r2, r3]) await seed.roster(p, r.id);
      const [m, m2, m3, stranger] = [await seed.user(['marketer']), await seed.user(['marketer']), await seed.user(['marketer']), await seed.user(['marketer'])];
      await seed.enrol(p, m.id, 3);
      await seed.enrol(p, m2.id);
      await seed.enrol(p, m3.id);
      const bookIn = (who: User, repId: string, startsAt: string) => s.bookings.create(who, { periodId: p, repId, startsAt });
      const why = async (call: Promise<unknown>) => {
        const e = await refused(call);
        return { code: e.code, reason: e.details.reason };
      };

      expect(await why(bookIn(m, outsider.id, at('09:00', 14)))).toEqual({ code: 'not_on_roster', reason: 'not_on_roster' });
      expect(await why(bookIn(stranger, r1.id, at('09:00', 14)))).toEqual({ code: 'not_enrolled', reason: 'not_enrolled' });
      await bookIn(m, r1.id, at('09:00', 14));
      await bookIn(m, r1.id, at('09:00', 15));
      expect(await why(bookIn(m, r1.id, at('09:00', 16)))).toEqual({ code: 'same_rep_limit', reason: 'same_rep_limit' }); // 2 with this rep
      await bookIn(m2, r1.id, at('11:00', 16)); // the rep's third call this week
      expect(await why(bookIn(m3, r1.id, at('11:00', 17)))).toEqual({ code: 'rep_weekly_cap', reason: 'rep_weekly_cap' });
      await bookIn(m, r2.id, at('09:00', 17)); // third session: the quota of 3
      expect(await why(bookIn(m, r3.id, at('09:00', 18)))).toEqual({ code: 'quota_reached', reason: 'quota_reached' });
    });

    it('a booking for someone who is not an active marketer is refused naming marketerId', async () => {
      const e = await refused(s.bookings.create(lifecycle, { periodId, repId: rep.id, startsAt: at('13:00', 3), marketerId: otherRep.id }));
      expect({ code: e.code, field: e.details.field }).toEqual({ code: 'invalid_value', field: 'marketerId' });
    });
  });

  describe('who may act on a booking: its marketer, its rep, the lifecycle team; anyone else is told it does not exist', () => {
    const book = async (marketer: User, hm: string, plusDays: number) => (await s.bookings.create(marketer, { periodId, repId: rep.id, startsAt: at(hm, plusDays) })).booking;

    it('get and cancel: marketer, rep and lifecycle may; another marketer and another rep get not_found', async () => {
      const b = await book(marketers[3], '09:00', 4);
      for (const stranger of [marketers[4], otherRep]) {
        expect((await refused(s.bookings.get(stranger, b.id))).code).toBe('not_found');
        expect((await refused(s.bookings.cancel(stranger, b.id, 'not mine'))).code).toBe('not_found');
      }
      for (const who of [marketers[3], rep, lifecycle]) expect((await s.bookings.get(who, b.id)).id).toBe(b.id);
      expect((await s.bookings.cancel(rep, b.id, 'the customer moved')).status).toBe('cancelled');
      const b2 = await book(marketers[3], '11:00', 4);
      expect((await s.bookings.cancel(marketers[3], b2.id, 'mine')).status).toBe('cancelled');
      const b3 = await book(marketers[3], '13:00', 4);
      expect((await s.bookings.cancel(lifecycle, b3.id, 'team')).status).toBe('cancelled');
    });

    it('reschedule: marketer and lifecycle may; its rep is forbidden (a rep cancels); others get not_found', async () => {
      const b = await book(marketers[5], '09:00', 5);
      expect((await refused(s.bookings.reschedule(rep, b.id, at('10:00', 5)))).code).toBe('forbidden');
      for (const stranger of [marketers[4], otherRep]) expect((await refused(s.bookings.reschedule(stranger, b.id, at('10:00', 5)))).code).toBe('not_found');
      const moved = await s.bookings.reschedule(marketers[5], b.id, at('10:00', 5));
      expect({ startsAt: moved.startsAt.toISOString(), sequence: moved.sequence }).toEqual({ startsAt: at('10:00', 5), sequence: 1 });
      const again = await s.bookings.reschedule(lifecycle, b.id, at('11:00', 5));
      expect({ startsAt: again.startsAt.toISOString(), sequence: again.sequence }).toEqual({ startsAt: at('11:00', 5), sequence: 2 });
    });

    it('attendance: marketer, rep and lifecycle may once the session started; others get not_found; only lifecycle corrects', async () => {
      const [b1, b2, b3] = [await book(marketers[6], '09:00', 6), await book(marketers[6], '11:00', 6), await book(marketers[6], '13:00', 6)];
      expect((await refused(s.bookings.attendance(marketers[6], b1.id, 'completed'))).code).toBe('invalid_state'); // not started yet
      const before = s.clock.now();
      s.clock.set(at('16:00', 6));
      try {
        for (const stranger of [marketers[7], otherRep]) expect((await refused(s.bookings.attendance(stranger, b1.id, 'completed'))).code).toBe('not_found');
        expect((await s.bookings.attendance(marketers[6], b1.id, 'completed')).status).toBe('completed');
        expect((await s.bookings.attendance(rep, b2.id, 'marketer_no_show')).status).toBe('no_show');
        expect((await s.bookings.attendance(lifecycle, b3.id, 'completed')).status).toBe('completed');
        // A marked session is corrected by the lifecycle team only.
        expect((await refused(s.bookings.attendance(rep, b1.id, 'rep_no_show'))).code).toBe('invalid_state');
        expect((await s.bookings.attendance(lifecycle, b1.id, 'rep_no_show'))).toMatchObject({ status: 'no_show', noShowParty: 'rep' });
      } finally {
        s.clock.set(before);
      }
    });
  });

  describe('the waitlist and the messages, through the service', () => {
    const outbox = async (prefix: string) =>
      ((await s.db.query(`SELECT dedupe_key FROM mail_outbox WHERE dedupe_key LIKE $1 ORDER BY dedupe_key`, [`${prefix}%`])) as { dedupe_key: string }[]).map((r) => r.dedupe_key);

    it('join: refused while a seat is free or held; a cancelled seat goes to the first waiter, who is told', async () => {
      const startsAt = at('15:00', 8);
      const [holder, first, second] = [marketers[0], marketers[1], marketers[2]];
      expect((await refused(s.waitlist.join(first, { periodId, repId: rep.id, startsAt }))).code).toBe('slot_available');
      const held = (await s.bookings.create(holder, { periodId, repId: rep.id, startsAt })).booking;
      expect((await refused(s.waitlist.join(holder, { periodId, repId: rep.id, startsAt }))).details).toMatchObject({ reason: 'marketer_conflict', bookingId: held.id });
      const e1 = await s.waitlist.join(first, { periodId, repId: rep.id, startsAt });
      await s.waitlist.join(second, { periodId, repId: rep.id, startsAt });
      expect((await refused(s.waitlist.join(first, { periodId, repId: rep.id, startsAt }))).code).toBe('conflict');
      expect((await refused(s.waitlist.leave(second, e1.id))).code).toBe('not_found'); // someone else's entry

      await s.bookings.cancel(holder, held.id, 'cannot make it');
      const [taken] = await s.db.query(`SELECT id, marketer_id FROM bookings WHERE rep_id = $1 AND starts_at = $2 AND status = 'confirmed'`, [rep.id, startsAt]);
      expect(taken.marketer_id).toBe(first.id);
      expect((await s.waitlist.list(first)).map((w) => w.id)).not.toContain(e1.id); // booked, no longer waiting
      expect((await s.waitlist.list(second)).length).toBe(1); // keeps their place
      expect(await outbox(`booking:${taken.id}:waitlist_booked:`)).toEqual([`booking:${taken.id}:waitlist_booked:0:${first.id}`, `booking:${taken.id}:waitlist_booked:0:${rep.id}`].sort());
    });

    it('a reminder sends once, only while the booking is confirmed at the sequence it was scheduled for', async () => {
      const b = (await s.bookings.create(marketers[4], { periodId, repId: otherRep.id, startsAt: at('09:00', 9) })).booking;
      const prefix = `booking:${b.id}:reminder:`;
      await s.bookings.sendReminder(b.id, 0);
      await s.bookings.sendReminder(b.id, 0); // a retried job
      expect(await outbox(prefix)).toEqual([`${prefix}0:${marketers[4].id}`, `${prefix}0:${otherRep.id}`].sort());
      await s.bookings.reschedule(marketers[4], b.id, at('10:00', 9));
      await s.bookings.sendReminder(b.id, 0); // the job of the old time: stale
      expect((await outbox(prefix)).length).toBe(2);
      await s.bookings.cancel(marketers[4], b.id, 'done');
      await s.bookings.sendReminder(b.id, 1); // cancelled
      expect((await outbox(prefix)).length).toBe(2);
    });

    it('the reminder job is queued 24 hours before the start, unless that time has passed', async () => {
      const jobs = async (bookingId: string) =>
        (await s.db.query(`SELECT data, start_after FROM pgboss.job WHERE name = 'booking.reminder' AND data->>'bookingId' = $1`, [bookingId])) as { data: { sequence: number }; start_after: Date }[];
      const ahead = (await s.bookings.create(marketers[5], { periodId, repId: otherRep.id, startsAt: at('09:00', 10) })).booking;
      const queued = await jobs(ahead.id);
      expect(queued.map((j) => ({ sequence: j.data.sequence, at: new Date(j.start_after).toISOString() }))).toEqual([{ sequence: 0, at: at('09:00', 9) }]);
      const before = s.clock.now();
      s.clock.set(at('20:00', 10));
      try {
        const soon = (await s.bookings.create(marketers[5], { periodId, repId: otherRep.id, startsAt: at('09:00', 11) })).booking; // 13 hours ahead
        expect(await jobs(soon.id)).toEqual([]);
      } finally {
        s.clock.set(before);
      }
    });
  });
});
