import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Interval, OpenCall, RepSupply, WallWindow, WeeklyWindow } from './engine/slot-engine.js';
import { Availability, AvailabilityOverride } from './availability.entity.js';

/** A row of `supply`: a rep's windows, bookings (start, end, seats taken), calendar busy time and opened calls (id, start, end, label, call type, lead flag). */
interface SupplyRow {
  rep_id: string;
  time_zone: string;
  weekly: WeeklyWindow[];
  overrides: Record<string, WallWindow[]>;
  calls: [number, number, number][];
  /** Busy events' starts and ends in turn, sorted (event i is busy[2i] .. busy[2i + 1]); null when none. */
  busy: number[] | null;
  open_calls: [string, number, number, string | null, string | null, boolean | null][];
}

/** Availability and the busy time the slot search subtracts; every load is one query for all reps. */
@Injectable()
export class AvailabilityRepository {
  find(m: EntityManager, repId: string): Promise<Availability | null> {
    return m.findOneBy(Availability, { repId });
  }

  async upsert(m: EntityManager, repId: string, timeZone: string, weekly: WeeklyWindow[]): Promise<void> {
    await m.query(
      `INSERT INTO availability (rep_id, time_zone, weekly, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (rep_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, weekly = EXCLUDED.weekly, updated_at = now()`,
      [repId, timeZone, JSON.stringify(weekly)],
    );
  }

  async upsertOverride(m: EntityManager, repId: string, date: string, windows: WallWindow[]): Promise<void> {
    await m.query(
      `INSERT INTO availability_overrides (rep_id, on_date, windows, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (rep_id, on_date) DO UPDATE SET windows = EXCLUDED.windows, updated_at = now()`,
      [repId, date, JSON.stringify(windows)],
    );
  }

  async deleteOverride(m: EntityManager, repId: string, date: string): Promise<boolean> {
    const r = await m.delete(AvailabilityOverride, { repId, date });
    return (r.affected ?? 0) > 0;
  }

  listOverrides(m: EntityManager, repId: string, fromDate: string): Promise<AvailabilityOverride[]> {
    return m
      .getRepository(AvailabilityOverride)
      .createQueryBuilder('o')
      .where('o.rep_id = :repId AND o.on_date >= :fromDate', { repId, fromDate })
      .orderBy('o.on_date')
      .getMany();
  }

  /** Whether `date` lies in a period whose roster has the rep (invited or active). */
  async repRosteredOn(m: EntityManager, repId: string, date: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM roster_entries r JOIN periods p ON p.id = r.period_id
        WHERE r.rep_id = $1 AND r.status IN ('invited', 'active') AND $2::date BETWEEN p.starts_on AND p.ends_on LIMIT 1`,
      [repId, date],
    );
    return rows.length > 0;
  }

  /**
   * Everything the engine needs about a period's active roster, in one query: each rep with their zone,
   * weekly windows, overrides for local dates in [fromDate, toDate], calls (bookings that hold time,
   * any program) overlapping [from, to), grouped by exact interval with the seats taken, and from their
   * connected calendars all the busy events (from rep_calendar_busy, the copy triggers keep; the engine
   * keeps what matters to the range) and the opened customer calls overlapping [eventsFrom, eventsTo),
   * in epoch minutes (busy time widened to whole minutes; a call's start and end rounded down and up).
   * A rep with a connected calendar but no availability row is supplied with no windows in their own zone.
   * `excludeBookingId`: a booking left out as if cancelled (a search for its move).
   */
  async supply(
    m: EntityManager,
    q: { periodId: string; repId?: string; fromDate: string; toDate: string; from: Date; to: Date; eventsFrom: Date; eventsTo: Date; excludeBookingId?: string },
  ): Promise<RepSupply[]> {
    const rows: SupplyRow[] =
      await m.query(
        `SELECT r.rep_id, COALESCE(a.time_zone, u.time_zone) AS time_zone, COALESCE(a.weekly, '[]') AS weekly,
                COALESCE((SELECT json_object_agg(to_char(o.on_date, 'YYYY-MM-DD'), o.windows)
                            FROM availability_overrides o
                           WHERE o.rep_id = r.rep_id AND o.on_date BETWEEN $3::date AND $4::date), '{}') AS overrides,
                COALESCE((SELECT json_agg(json_build_array(c.s, c.e, c.n) ORDER BY c.s)
                            FROM (SELECT (extract(epoch FROM b.starts_at) / 60)::int AS s, (extract(epoch FROM b.ends_at) / 60)::int AS e, count(*)::int AS n
                                    FROM bookings b
                                   WHERE b.rep_id = r.rep_id AND b.status <> 'cancelled' AND tstzrange(b.starts_at, b.ends_at) && tstzrange($5, $6)
                                     AND ($7::uuid IS NULL OR b.id <> $7::uuid)
                                   GROUP BY b.starts_at, b.ends_at) c), '[]') AS calls,
                to_json(cb.minutes) AS busy, COALESCE(ev.open_calls, '[]') AS open_calls
           FROM roster_entries r
           JOIN users u ON u.id = r.rep_id AND u.active
           LEFT JOIN availability a ON a.rep_id = r.rep_id
           -- Busy time from the copy PostgreSQL keeps per rep (rep_calendar_busy, maintained by triggers on
           -- calendar_events): one array per rep instead of grouping some 300 event rows per rep per request.
           -- All of it: the copy only spans the synced window, and the engine keeps what overlaps the range.
           LEFT JOIN rep_calendar_busy cb ON cb.rep_id = r.rep_id
           -- Opened customer calls are few: one grouped pass over them (partial index on opened calls).
           LEFT JOIN (SELECT e.rep_id,
                             json_agg(json_build_array(e.id, floor(date_part('epoch', e.starts_at) / 60)::int, ceil(date_part('epoch', e.ends_at) / 60)::int,
                                                       e.label, e.call_type, e.marketing_sourced)) AS open_calls
                        FROM calendar_events e
                       WHERE e.rep_id IN (SELECT x.rep_id FROM roster_entries x
                                           WHERE x.period_id = $1 AND x.status = 'active' AND ($2::uuid IS NULL OR x.rep_id = $2::uuid))
                         AND e.opened_at IS NOT NULL AND tstzrange(e.starts_at, e.ends_at) && tstzrange($8, $9)
                       GROUP BY e.rep_id) ev ON ev.rep_id = r.rep_id
          WHERE r.period_id = $1 AND r.status = 'active' AND ($2::uuid IS NULL OR r.rep_id = $2::uuid)
            AND (a.rep_id IS NOT NULL OR EXISTS (SELECT 1 FROM calendar_connections cc WHERE cc.rep_id = r.rep_id))
          ORDER BY r.rep_id`,
        [
          q.periodId,
          q.repId ?? null,
          q.fromDate,
          q.toDate,
          q.from.toISOString(),
          q.to.toISOString(),
          q.excludeBookingId ?? null,
          q.eventsFrom.toISOString(),
          q.eventsTo.toISOString(),
        ],
      );
    return rows.map((r) => {
      const rep: RepSupply = {
        repId: r.rep_id,
        timeZone: r.time_zone,
        weekly: r.weekly,
        overrides: r.overrides,
        calls: r.calls.map(([start, end, seatsTaken]) => ({ start, end, seatsTaken })),
      };
      // Sorted pairs as they are: the engine merges them in one pass (no object per event).
      if (r.busy && r.busy.length) rep.busyPairs = r.busy;
      if (r.open_calls.length) {
        rep.openCalls = r.open_calls.map(([id, start, end, label, callType, marketingSourced]) => {
          const c: OpenCall = { id, start, end };
          if (label !== null) c.label = label;
          if (callType !== null) c.callType = callType;
          if (marketingSourced !== null) c.marketingSourced = marketingSourced;
          return c;
        });
      }
      return rep;
    });
  }

  /** The booking a search for its move leaves out: whose it is and where. */
  async bookingToMove(m: EntityManager, id: string): Promise<{ marketerId: string; periodId: string } | undefined> {
    const [row]: { marketer_id: string; period_id: string }[] = await m.query(`SELECT marketer_id, period_id FROM bookings WHERE id = $1`, [id]);
    return row && { marketerId: row.marketer_id, periodId: row.period_id };
  }

  /**
   * A marketer's side, in one query: their quota in the period (null when not enrolled), their sessions
   * there per rep (not cancelled), and their own commitments (bookings and support shifts) overlapping
   * [from, to) in epoch minutes; `excludeBookingId` is left out as if cancelled.
   */
  async marketerContext(
    m: EntityManager,
    q: { marketerId: string; periodId: string; from: Date; to: Date; excludeBookingId?: string },
  ): Promise<{ quota: number | null; byRep: Record<string, number>; total: number; busy: Interval[] }> {
    const [row]: { quota: number | null; by_rep: Record<string, number>; busy: [number, number][] }[] = await m.query(
      `SELECT (SELECT quota FROM enrollments WHERE marketer_id = $1 AND period_id = $2) AS quota,
              COALESCE((SELECT json_object_agg(x.rep_id, x.n)
                          FROM (SELECT rep_id, count(*)::int AS n FROM bookings
                                 WHERE marketer_id = $1 AND period_id = $2 AND status <> 'cancelled' AND ($5::uuid IS NULL OR id <> $5::uuid)
                                 GROUP BY rep_id) x), '{}') AS by_rep,
              COALESCE((SELECT json_agg(json_build_array(y.s, y.e) ORDER BY y.s)
                          FROM (SELECT (extract(epoch FROM starts_at) / 60)::int AS s, (extract(epoch FROM ends_at) / 60)::int AS e FROM bookings
                                 WHERE marketer_id = $1 AND status <> 'cancelled' AND tstzrange(starts_at, ends_at) && tstzrange($3, $4)
                                   AND ($5::uuid IS NULL OR id <> $5::uuid)
                                UNION ALL -- support shifts hold the marketer's time too
                                SELECT (extract(epoch FROM starts_at) / 60)::int, (extract(epoch FROM ends_at) / 60)::int FROM shift_assignments
                                 WHERE marketer_id = $1 AND status <> 'cancelled' AND tstzrange(starts_at, ends_at) && tstzrange($3, $4)) y), '[]') AS busy`,
      [q.marketerId, q.periodId, q.from.toISOString(), q.to.toISOString(), q.excludeBookingId ?? null],
    );
    const total = Object.values(row.by_rep).reduce((n, k) => n + k, 0);
    return { quota: row.quota === null ? null : Number(row.quota), byRep: row.by_rep, total, busy: row.busy.map(([start, end]) => ({ start, end })) };
  }
}
