import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { hydrate } from '../common/hydrate.js';
import type { PreRead } from '../common/opened-transaction.js';
import { preparedQuery } from '../common/prepared-query.js';
import type { AuditEntry } from '../audit/audit-entry.entity.js';
import type { OutboxInsert } from '../mail/mail.service.js';
import { type PersonRow, UsersRepository } from '../people/users.repository.js';
import { Period, Program } from '../programs/program.entity.js';
import { Booking } from './booking.entity.js';

export type { PersonRow };

/** What `lockAndRead` is asked: the advisory locks' keys, and the period, rep, marketer and seats' range it reads after them. */
export type LockAndReadAsk = { keys: string[]; periodId: string; repId: string; marketerId: string; seatsFrom: Date; seatsTo: Date };

export type LockAndReadRow = {
  period_row: object | null;
  program_row: object | null;
  marketer_row: PersonRow | null;
  rep_row: (PersonRow & { call_zone: string }) | null;
  seats: [number, string, string][];
};

export type LockAndRead = {
  found: { period: Period; program: Program } | null;
  marketer: PersonRow | null;
  rep: (Omit<PersonRow, 'roles' | 'active'> & { call_zone: string }) | null;
  seats: { seat: number; startsAt: Date; endsAt: Date }[];
  seatsFrom: Date;
  seatsTo: Date;
  /** The slot check's own read, when it went with the locks (`SlotsService.checkRead`). */
  preread?: PreRead;
};

/** Queries of the booking engine; PostgreSQL features are SQL here (advisory locks, exclusion constraints). */
@Injectable()
export class BookingsRepository {
  /**
   * Serialises everything that decides about these reps and marketers (caps that span rows): advisory
   * transaction locks, always taken in one order so two transactions cannot deadlock on them.
   */
  async lock(m: EntityManager, keys: string[]): Promise<void> {
    // One round trip; the sorted subquery fixes the order the locks are taken in.
    await m.query(`SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM (SELECT k FROM unnest($1::text[]) k ORDER BY k) s`, [[...new Set(keys)].sort()]);
  }

  /**
   * A new booking's locks and reads in one round trip (the SQL function `booking_lock_and_read`): the locks
   * as `lock` takes them, then (each read after them) the period with its program, the marketer's and the
   * rep's person rows (the rep's with the zone their calls are in) and the seats taken on the rep's calls
   * overlapping [seatsFrom, seatsTo). Null period and program when the period does not exist.
   */
  async lockAndRead(m: EntityManager, q: LockAndReadAsk): Promise<LockAndRead> {
    const { text, values } = this.lockAndReadStatement(q);
    const [row] = await preparedQuery<LockAndReadRow>(m, text, values);
    return this.lockAndReadResult(m, row, q);
  }

  /** `lockAndRead`'s statement, for a transaction that opens with it (`transactionOpenedBy`). */
  lockAndReadStatement(q: LockAndReadAsk): { text: string; values: [string[], string, string, string, string, string] } {
    return {
      text: `SELECT * FROM booking_lock_and_read($1::text[], $2::uuid, $3::uuid, $4::uuid, $5::timestamptz, $6::timestamptz)`,
      values: [[...new Set(q.keys)].sort(), q.periodId, q.repId, q.marketerId, q.seatsFrom.toISOString(), q.seatsTo.toISOString()],
    };
  }

  /** What `lockAndRead` answers, from its statement's row. */
  lockAndReadResult(m: EntityManager, row: LockAndReadRow, q: LockAndReadAsk): LockAndRead {
    const found = row.period_row && row.program_row ? { period: hydrate(m, Period, row.period_row), program: hydrate(m, Program, row.program_row) } : null;
    const seats = row.seats.map(([seat, s, e]) => ({ seat, startsAt: new Date(s), endsAt: new Date(e) }));
    return { found, marketer: row.marketer_row, rep: row.rep_row, seats, seatsFrom: q.seatsFrom, seatsTo: q.seatsTo };
  }

  /**
   * A new booking with what it causes, in one statement: its row (returned as `find` would read it), its audit
   * row, its webhook deliveries (one per enabled endpoint subscribed to the event, as `insertDeliveries`) and
   * its outbox rows (ON CONFLICT (dedupe_key) DO NOTHING, as `insertUnlessDuplicate`). Returns the ids of
   * the deliveries and outbox rows written, for their jobs. The exclusion constraints refuse it as `insert`.
   */
  async insertWithEffects(
    m: EntityManager,
    fields: Omit<Booking, 'createdAt' | 'updatedAt' | 'cancelledAt' | 'cancelledBy' | 'cancelReason' | 'lateCancel' | 'noShowParty' | 'attendanceBy' | 'attendanceAt'>,
    audit: Pick<AuditEntry, 'actorId' | 'action' | 'entity' | 'entityId' | 'details' | 'requestId'>,
    event: { messageId: string; type: string; payload: object; at: Date },
    outbox: OutboxInsert[],
  ): Promise<{ booking: Booking; deliveryIds: string[]; outboxIds: string[] }> {
    const f = fields;
    const [row] = await preparedQuery<{ booking: object; deliveries: string[]; outbox: string[] }>(
      m,
      `WITH b AS (INSERT INTO bookings (id, period_id, rep_id, marketer_id, starts_at, ends_at, status, uid, sequence, seat, seats_allowed, created_by,
                                        customer_call_id, label, call_type, marketing_sourced)
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING *),
            a AS (INSERT INTO audit_log (actor_id, action, entity, entity_id, details, request_id) SELECT $17, $18, $19, $20, $21::jsonb, $22 FROM b),
            d AS (INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, payload, created_at)
                  SELECT e.id, $23, $24, $25::jsonb, $26 FROM webhook_endpoints e, b WHERE e.enabled AND $24 = ANY(e.events) RETURNING id),
            o AS (INSERT INTO mail_outbox (id, dedupe_key, recipient, recipient_name, subject, text, html, calendar_method, calendar_content, calendar_filename,
                                           attachments, message_id, body_is_secret)
                  SELECT x.id, x.dedupe_key, x.recipient, x.recipient_name, x.subject, x.text, x.html, x.calendar_method, x.calendar_content, x.calendar_filename,
                         x.attachments, x.message_id, x.body_is_secret
                    FROM b, json_to_recordset($27::json) AS x(id uuid, dedupe_key text, recipient text, recipient_name text, subject text, text text, html text,
                                                              calendar_method text, calendar_content text, calendar_filename text, attachments jsonb,
                                                              message_id text, body_is_secret boolean)
                  ON CONFLICT (dedupe_key) DO NOTHING RETURNING id)
       SELECT row_to_json(b) AS booking, (SELECT COALESCE(array_agg(id), '{}') FROM d) AS deliveries, (SELECT COALESCE(array_agg(id), '{}') FROM o) AS outbox FROM b`,
      [
        f.id, f.periodId, f.repId, f.marketerId, f.startsAt, f.endsAt, f.status, f.uid, f.sequence, f.seat, f.seatsAllowed, f.createdBy,
        f.customerCallId, f.label, f.callType, f.marketingSourced,
        audit.actorId, audit.action, audit.entity, audit.entityId, JSON.stringify(audit.details), audit.requestId,
        event.messageId, event.type, JSON.stringify(event.payload), event.at,
        JSON.stringify(outbox),
      ],
    );
    return { booking: hydrate(m, Booking, row.booking), deliveryIds: row.deliveries, outboxIds: row.outbox };
  }

  /** Like lock, but gives up at once instead of waiting (used for waitlisted marketers mid-transaction). */
  async tryLock(m: EntityManager, key: string): Promise<boolean> {
    const [{ ok }] = await m.query('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok', [key]);
    return ok;
  }

  findForUpdate(m: EntityManager, id: string): Promise<Booking | null> {
    return m.getRepository(Booking).createQueryBuilder('b').setLock('pessimistic_write').where('b.id = :id', { id }).getOne();
  }

  find(m: EntityManager, id: string): Promise<Booking | null> {
    return m.findOneBy(Booking, { id });
  }

  /** A new booking (the exclusion constraints refuse a taken seat, a busy rep, a marketer in two places). */
  async insert(m: EntityManager, fields: Omit<Booking, 'createdAt' | 'updatedAt' | 'cancelledAt' | 'cancelledBy' | 'cancelReason' | 'lateCancel' | 'noShowParty' | 'attendanceBy' | 'attendanceAt'>): Promise<Booking> {
    await m.insert(Booking, m.create(Booking, fields));
    return (await this.find(m, fields.id))!;
  }

  /** Puts a booking on another seat, time or rep (a move, one SEQUENCE up), confirmed again; `customerCallId` is the opened call it now sits on, or null. */
  async move(
    m: EntityManager,
    id: string,
    to: Pick<Booking, 'repId' | 'startsAt' | 'endsAt' | 'seat' | 'seatsAllowed' | 'sequence' | 'periodId' | 'customerCallId' | 'label' | 'callType' | 'marketingSourced'>,
  ): Promise<Booking> {
    await m.update(Booking, { id }, { ...to, status: 'confirmed' });
    return (await this.find(m, id))!;
  }

  /** Frees the booking's seat inside a move's transaction (the move takes a seat again or rolls back). */
  async freeSeat(m: EntityManager, id: string): Promise<void> {
    await m.update(Booking, { id }, { status: 'cancelled' });
  }

  async markCancelled(m: EntityManager, id: string, c: Pick<Booking, 'sequence' | 'cancelledAt' | 'cancelledBy' | 'cancelReason' | 'lateCancel'>): Promise<void> {
    await m.update(Booking, { id }, { status: 'cancelled', ...c });
  }

  async markAttendance(m: EntityManager, id: string, a: Pick<Booking, 'status' | 'noShowParty' | 'attendanceBy' | 'attendanceAt'>): Promise<void> {
    await m.update(Booking, { id }, a);
  }

  /** Seats already taken on the rep's call over [start, end). */
  async takenSeats(m: EntityManager, repId: string, start: Date, end: Date): Promise<number[]> {
    const rows: { seat: number }[] = await m.query(
      `SELECT seat FROM bookings WHERE rep_id = $1 AND status <> 'cancelled' AND tstzrange(starts_at, ends_at) && tstzrange($2, $3)`,
      [repId, start.toISOString(), end.toISOString()],
    );
    return rows.map((r) => r.seat);
  }

  /** The marketer's booking (not cancelled) overlapping [start, end), on any rep's call; null when there is none. */
  async marketerBookingAt(m: EntityManager, marketerId: string, start: Date, end: Date): Promise<{ id: string; rep_id: string } | null> {
    const [row] = await m.query(
      `SELECT id, rep_id FROM bookings WHERE marketer_id = $1 AND status <> 'cancelled' AND tstzrange(starts_at, ends_at) && tstzrange($2, $3) LIMIT 1`,
      [marketerId, start.toISOString(), end.toISOString()],
    );
    return row ?? null;
  }

  people(m: EntityManager, ids: string[]): Promise<PersonRow[]> {
    return UsersRepository.peopleByIds(m, ids);
  }

  /** Idempotency: claims the key for this request, or returns what the first request with it stored. */
  async claimKey(m: EntityManager, userId: string, scope: string, key: string, hash: string): Promise<{ claimed: true } | { claimed: false; hash: string; status: number | null; response: unknown }> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO idempotency_keys (user_id, scope, key, request_hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1`,
      [userId, scope, key, hash],
    );
    if (inserted.length) return { claimed: true };
    const [row] = await m.query(`SELECT request_hash, status_code, response FROM idempotency_keys WHERE user_id = $1 AND scope = $2 AND key = $3`, [userId, scope, key]);
    return { claimed: false, hash: row.request_hash, status: row.status_code, response: row.response };
  }

  async storeKeyResponse(m: EntityManager, userId: string, scope: string, key: string, status: number, response: unknown): Promise<void> {
    await m.query(`UPDATE idempotency_keys SET status_code = $4, response = $5 WHERE user_id = $1 AND scope = $2 AND key = $3`, [userId, scope, key, status, JSON.stringify(response)]);
  }

  /**
   * Bookings in start order (id breaks ties), after the keyset `after` (a start to the microsecond and an
   * id, as `cursor_at` and the id give them back), at most `limit`.
   */
  list(m: EntityManager, q: { userId?: string; periodId?: string; status?: string; from?: Date; to?: Date; limit: number; after?: { at: string; id: string } }) {
    const qb = m
      .getRepository(Booking)
      .createQueryBuilder('b')
      .innerJoin('users', 'r', 'r.id = b.rep_id')
      .innerJoin('users', 'mk', 'mk.id = b.marketer_id')
      .addSelect(['r.name AS rep_name', 'mk.name AS marketer_name'])
      .addSelect(`to_char(b.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'cursor_at')
      .orderBy('b.starts_at', 'ASC')
      .addOrderBy('b.id', 'ASC')
      .limit(q.limit);
    if (q.after) qb.andWhere('(b.starts_at, b.id) > (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid))', { afterAt: q.after.at, afterId: q.after.id });
    if (q.userId) qb.andWhere('(b.rep_id = :u OR b.marketer_id = :u)', { u: q.userId });
    if (q.periodId) qb.andWhere('b.period_id = :p', { p: q.periodId });
    if (q.status) qb.andWhere('b.status = :s', { s: q.status });
    if (q.from) qb.andWhere('b.ends_at > :from', { from: q.from });
    if (q.to) qb.andWhere('b.starts_at < :to', { to: q.to });
    return qb.getRawAndEntities();
  }

  /** For the calendar feed: upcoming (and just-past) confirmed bookings a user is in, with the facts an invite needs. */
  feedEvents(m: EntityManager, userId: string, since: Date): Promise<FeedRow[]> {
    return m.query(
      `${FACTS_SELECT} WHERE (b.rep_id = $1 OR b.marketer_id = $1) AND b.status = 'confirmed' AND b.ends_at > $2 ORDER BY b.starts_at LIMIT 500`,
      [userId, since.toISOString()],
    );
  }

  /** The same facts for one booking. */
  async facts(m: EntityManager, bookingId: string): Promise<FeedRow | null> {
    const [row] = await m.query(`${FACTS_SELECT} WHERE b.id = $1`, [bookingId]);
    return row ?? null;
  }
}

/** A booking with its program, people and the rep's call zone: what emails and invites are made of. */
const FACTS_SELECT = `
  SELECT b.id, b.uid, b.sequence, b.starts_at, b.ends_at, b.status, b.cancel_reason, p.name AS program_name, p.preparation_note,
         r.id AS rep_id, r.name AS rep_name, r.email AS rep_email, r.time_zone AS rep_zone,
         mk.id AS marketer_id, mk.name AS marketer_name, mk.email AS marketer_email, mk.time_zone AS marketer_zone,
         COALESCE(a.time_zone, r.time_zone) AS call_zone
    FROM bookings b
    JOIN periods pe ON pe.id = b.period_id JOIN programs p ON p.id = pe.program_id
    JOIN users r ON r.id = b.rep_id JOIN users mk ON mk.id = b.marketer_id
    LEFT JOIN availability a ON a.rep_id = b.rep_id`;

export interface FeedRow {
  id: string;
  uid: string;
  sequence: number;
  starts_at: Date;
  ends_at: Date;
  status: 'confirmed' | 'cancelled' | 'completed' | 'no_show';
  cancel_reason?: string | null;
  program_name: string;
  preparation_note: string | null;
  rep_id: string;
  rep_name: string;
  rep_email: string;
  rep_zone: string;
  marketer_id: string;
  marketer_name: string;
  marketer_email: string;
  marketer_zone: string;
  call_zone: string;
}
