import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { EntityManager } from 'typeorm';
import { inviteIcs } from '../calendar/ics.js';
import { type Notice, type NoticeContext, type Reminder, SessionNotifier } from '../notify/session-notifier.js';
import { BookingFacts, bookingEvent, bookingInvite, BookingMailKind, bookingMail } from './booking-messages.js';
import { BookingsRepository, FeedRow } from './bookings.repository.js';

/** The queue of the 24-hours-before reminders; its data is `{ bookingId, sequence }`. */
export const REMINDER_JOB = 'booking.reminder';

/** A booking row with its program and people, as the facts its emails and invites are written from. */
export function factsOf(r: FeedRow): BookingFacts {
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

/** What a booking's people are told (emails with invites, the reminder), through the shared session notifier. */
@Injectable()
export class BookingNotices {
  constructor(
    private readonly repo: BookingsRepository,
    private readonly notifier: SessionNotifier,
  ) {}

  /** Registers the reminder queue's worker. */
  work(remind: (bookingId: string, sequence: number) => Promise<void>): Promise<void> {
    return this.notifier.workReminders<{ bookingId: string; sequence: number }>(REMINDER_JOB, (data) => remind(data.bookingId, data.sequence));
  }

  /** Emails (with the invite) to the booking's people, and the reminder job, in the change's transaction. */
  async announce(m: EntityManager, bookingId: string, kind: BookingMailKind, to: ('rep' | 'marketer')[] = ['rep', 'marketer']): Promise<void> {
    const { ctx, notices, reminder } = this.plan(factsOf((await this.repo.facts(m, bookingId))!), kind, to);
    await this.notifier.announce(m, ctx, notices, reminder);
  }

  /**
   * What `announce` queues, from facts the caller already holds (a new booking writes them with its row):
   * the emails with their invite and the reminder job when its time is still ahead.
   */
  plan(facts: BookingFacts, kind: BookingMailKind, to: ('rep' | 'marketer')[] = ['rep', 'marketer']): { ctx: NoticeContext; notices: Notice[]; reminder?: Reminder } {
    const ctx = this.notifier.context();
    const invite = bookingInvite(kind, facts, ctx); // one iTIP message, the same for every recipient
    const notices = to.map((who) => {
      const person = who === 'rep' ? facts.rep : facts.marketer;
      const personal = kind === 'waitlist_booked' && who === 'rep' ? 'confirmed' : kind;
      return { key: `booking:${facts.id}:${kind}:${facts.sequence}:${person.id}`, mail: bookingMail(personal, facts, who, { ...ctx, invite }) };
    });
    const at = DateTime.fromJSDate(facts.startsAt).minus({ hours: 24 }).toJSDate();
    const reminder =
      kind === 'cancelled' || at <= ctx.stamp ? undefined : { queue: REMINDER_JOB, data: { bookingId: facts.id, sequence: facts.sequence }, at, options: { retryLimit: 5 } };
    return { ctx, notices, reminder };
  }

  /** One email to one person (e.g. the rep a booking was moved away from). */
  async announceTo(m: EntityManager, bookingId: string, kind: BookingMailKind, who: 'rep' | 'marketer', userId: string): Promise<void> {
    const facts = factsOf((await this.repo.facts(m, bookingId))!);
    const [p] = await this.repo.people(m, [userId]);
    if (who === 'rep') facts.rep = { id: p.id, name: p.name, email: p.email, timeZone: p.time_zone };
    const ctx = this.notifier.context();
    await this.notifier.announce(m, ctx, [{ key: `booking:${bookingId}:${kind}:${facts.sequence}:${userId}`, mail: bookingMail(kind, { ...facts, status: 'cancelled' }, who, ctx) }]);
  }

  /** The reminder job: only when the booking is still confirmed and has not moved since it was scheduled. */
  remind(bookingId: string, sequence: number): Promise<void> {
    return this.notifier.remind(
      sequence,
      async (m) => {
        const row = await this.repo.facts(m, bookingId);
        return row && factsOf(row);
      },
      (facts, ctx) => {
        const invite = bookingInvite('reminder', facts, ctx);
        return (['rep', 'marketer'] as const).map((who) => ({
          key: `booking:${bookingId}:reminder:${sequence}:${(who === 'rep' ? facts.rep : facts.marketer).id}`,
          mail: bookingMail('reminder', facts, who, { ...ctx, invite }),
        }));
      },
    );
  }

  /** The current invite: REQUEST while confirmed, CANCEL once cancelled; same UID, current SEQUENCE. */
  async invite(m: EntityManager, bookingId: string): Promise<string> {
    const facts = factsOf((await this.repo.facts(m, bookingId))!);
    const ctx = this.notifier.context();
    return inviteIcs(bookingEvent(facts, ctx.organizer, ctx.stamp, ctx.publicUrl), facts.status === 'cancelled' ? 'CANCEL' : 'REQUEST');
  }
}
