import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { PreRead, Statement } from '../common/opened-transaction.js';
import { preparedQuery } from '../common/prepared-query.js';
import type { Interval, OpenCall, RepSupply, WallWindow, WeeklyWindow } from './engine/slot-engine.js';
import { Availability, AvailabilityOverride } from './availability.entity.js';
import { BusyCache } from './busy-cache.js';
import { SupplyCache, type SupplyRange } from './supply-cache.js';

/** A row of `supply`: a rep's windows, bookings (start, end, seats taken), calendar busy time and opened calls (id, start, end, label, call type, lead flag). */
interface SupplyRow {
  rep_id: string;
  time_zone: string;
  weekly: WeeklyWindow[];
  overrides: Record<string, WallWindow[]>;
  calls: [number, number, number][];
  /** supply_versions.version of the rep (0 without a row), read in the same snapshot as the rest. */
  supply_version: string;
  /** rep_calendar_busy.version of the rep's row; null when the rep has no busy time. */
  busy_version: string | null;
  /** Busy events' starts and ends in turn, sorted (event i is busy[2i] .. busy[2i + 1]); only when asked for (`inline`). */
  busy: number[] | null;
  open_calls: [string, number, number, string | null, string | null, boolean | null][];
}

/** Which reps' busy arrays `supply`'s query returns itself: none (the cache has them), some, or all. */
type Inline = { all: boolean; reps: string[] };

/** What `supply` is asked: a period's active roster (or one rep of it) over a range. */
type SupplyAsk = SupplyRange & { periodId: string; repId?: string; excludeBookingId?: string };

/** A listing's supplies (`cachedSupply`) and, when they came by version, what names them: each rep's id, version and zone. */
export interface CachedSupply {
  reps: RepSupply[];
  snapshot?: string;
}

/** Availability and the busy time the slot search subtracts; every load is one query for all reps (a second one for busy arrays the instance's cache lacks). */
@Injectable()
export class AvailabilityRepository {
  /**
   * `busy`: the instance's copy of the reps' busy arrays by version (one per instance, shared by every request);
   * `supplies`: the instance's copy of the reps' whole supplies by supply version (the listing's, `cachedSupply`).
   */
  constructor(
    private readonly busy: BusyCache = new BusyCache(),
    private readonly supplies: SupplyCache = new SupplyCache(),
  ) {}

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
   *
   * The busy arrays come from the instance's cache (`BusyCache`) when it holds the version the query read,
   * so a warm search reads one bigint per rep instead of some 600 numbers. The query reads the versions in
   * the same statement, so the same snapshot, as everything else (opened calls included: opening a call moves
   * its event from the busy copy to the opened calls, and both must come from one snapshot). Arrays the cache
   * lacks are fetched by a second query with their versions; when every version fetched is the one the first
   * query read, the arrays are exactly that snapshot's (a version names one content) and the result is as if
   * one statement had read it all. When one differs (a calendar change committed in between), mixing would
   * be a state that never was (an opened call in neither list), so the supply is read again, that rep's
   * array inline in the query; after two such rounds every array comes inline: a single statement, as
   * before the cache. The booking check (inside its transaction) goes through here too, so it never judges
   * by an array older or newer than the rest of what it read.
   */
  async supply(m: EntityManager, q: SupplyAsk): Promise<RepSupply[]> {
    return (await this.supplyVersioned(m, q, null, true)).map((r) => r.supply);
  }

  /**
   * `supply` for a listing, from the instance's `SupplyCache` where it can: one query reads the active roster
   * with each rep's zone and supply version (0 for a rep without a `supply_versions` row), then `supply`'s
   * query, restricted to the reps whose version the cache lacks (or read for a range not covering this one),
   * reads theirs with their versions in its own snapshot. Never stale: every supply served is the one the
   * version read by this request names (triggers bump a rep's version in every transaction that changes what
   * the supply holds), or newer (a rep read by the second query). Not for a booking's check, which reads the
   * database in its transaction; nor with `excludeBookingId` (a move's search reads everything). `snapshot`
   * names what was served: each rep's id, supply version and zone (absent when the supply was read whole).
   */
  async cachedSupply(m: EntityManager, q: SupplyAsk): Promise<CachedSupply> {
    if (q.excludeBookingId) return { reps: await this.supply(m, q) };
    // Every listing's first statement: prepared, like the booking's.
    const roster = await preparedQuery<{ rep_id: string; time_zone: string; version: string }>(
      m,
      `SELECT r.rep_id, COALESCE(a.time_zone, u.time_zone) AS time_zone, COALESCE(sv.version, 0)::text AS version
         FROM roster_entries r
         JOIN users u ON u.id = r.rep_id AND u.active
         LEFT JOIN availability a ON a.rep_id = r.rep_id
         LEFT JOIN supply_versions sv ON sv.rep_id = r.rep_id
        WHERE r.period_id = $1 AND r.status = 'active' AND ($2::uuid IS NULL OR r.rep_id = $2::uuid)
          AND (a.rep_id IS NOT NULL OR EXISTS (SELECT 1 FROM calendar_connections cc WHERE cc.rep_id = r.rep_id))
        ORDER BY r.rep_id`,
      [q.periodId, q.repId ?? null],
    );
    const out = new Array<RepSupply | undefined>(roster.length);
    const versions = roster.map((r) => r.version);
    const missing: string[] = [];
    roster.forEach((r, i) => {
      const hit = this.supplies.get(r.rep_id, r.version, q, r.time_zone);
      if (hit) out[i] = hit;
      else missing.push(r.rep_id);
    });
    if (missing.length) {
      const read = new Map<string, { supply: RepSupply; version: string }>();
      for (const got of await this.supplyVersioned(m, q, missing)) {
        this.supplies.set(got.supply.repId, got.version, q, got.supply);
        read.set(got.supply.repId, got);
      }
      // A rep gone from the roster (or its supply) between the two queries is left out, as the newer snapshot says.
      roster.forEach((r, i) => {
        if (out[i]) return;
        const got = read.get(r.rep_id);
        out[i] = got?.supply;
        if (got) versions[i] = got.version;
      });
    }
    const reps: RepSupply[] = [];
    let snapshot = '';
    out.forEach((s, i) => {
      if (!s) return;
      reps.push(s);
      snapshot += `${s.repId} ${versions[i]} ${s.timeZone}\n`;
    });
    return { reps, snapshot };
  }

  /** `supply` with each rep's supply version from the same snapshot; `only`: just these reps (null: the whole roster). */
  private async supplyVersioned(
    m: EntityManager,
    q: SupplyAsk,
    only: string[] | null,
    prepared = false,
    firstRows?: SupplyRow[],
  ): Promise<{ supply: RepSupply; version: string }[]> {
    let inline: Inline = { all: false, reps: [] };
    for (let round = 0; ; round++) {
      const rows = round === 0 && firstRows ? firstRows : await this.supplyRows(m, q, inline, only, prepared);
      const pairs = new Map<string, Int32Array>();
      const missing: string[] = [];
      for (const r of rows) {
        if (r.busy_version === null) {
          this.busy.delete(r.rep_id);
        } else if (r.busy !== null) {
          const p = Int32Array.from(r.busy);
          this.busy.set(r.rep_id, r.busy_version, p);
          pairs.set(r.rep_id, p);
        } else {
          const p = this.busy.get(r.rep_id, r.busy_version);
          if (p) pairs.set(r.rep_id, p);
          else missing.push(r.rep_id);
        }
      }
      if (missing.length) {
        const read = new Map(rows.map((r) => [r.rep_id, r.busy_version]));
        const moved: string[] = [];
        const fetched = await this.busyMinutes(m, missing);
        for (const f of fetched) {
          const p = Int32Array.from(f.minutes);
          this.busy.set(f.rep_id, f.version, p); // valid for its version, whichever snapshot read it
          if (f.version === read.get(f.rep_id)) pairs.set(f.rep_id, p);
        }
        for (const id of missing) if (!pairs.has(id)) moved.push(id); // changed or gone since the first query
        if (moved.length) {
          inline = round >= 1 ? { all: true, reps: [] } : { all: false, reps: moved };
          continue;
        }
      }
      return rows.map((r) => ({ supply: this.toSupply(r, pairs.get(r.rep_id)), version: r.supply_version }));
    }
  }

  /** The busy arrays of `repIds` with their versions (reps without busy time have no row). Protected: a test races it. */
  protected busyMinutes(m: EntityManager, repIds: string[]): Promise<{ rep_id: string; version: string; minutes: number[] }[]> {
    return m.query(`SELECT rep_id, version::text AS version, to_json(minutes) AS minutes FROM rep_calendar_busy WHERE rep_id = ANY($1::uuid[])`, [repIds]);
  }

  private toSupply(r: SupplyRow, busyPairs: Int32Array | undefined): RepSupply {
    const rep: RepSupply = {
      repId: r.rep_id,
      timeZone: r.time_zone,
      weekly: r.weekly,
      overrides: r.overrides,
      calls: r.calls.map(([start, end, seatsTaken]) => ({ start, end, seatsTaken })),
    };
    // Sorted pairs as they are: the engine merges them in one pass (no object per event).
    if (busyPairs && busyPairs.length) rep.busyPairs = busyPairs;
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
  }

  /**
   * `prepared`: as a named prepared statement (`preparedQuery`), for a booking's check of one rep, where
   * parsing and planning this statement cost PostgreSQL more than running it; a listing's reads of many reps
   * stay planned for their own parameters.
   */
  private supplyRows(m: EntityManager, q: SupplyAsk, inline: Inline, only: string[] | null, prepared: boolean): Promise<SupplyRow[]> {
    const { text, values } = supplyStatement(q, inline, only);
    return prepared ? preparedQuery<SupplyRow>(m, text, values) : m.query(text, values);
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
  async marketerContext(m: EntityManager, q: ContextAsk): Promise<MarketerSide> {
    const { text, values } = contextStatement(q, 0);
    const [row] = await preparedQuery<ContextRow>(m, text, values);
    return toMarketerSide(row);
  }

  /**
   * `marketerContext` and `supply` in one statement, for a booking's check, which needs both: the context's
   * columns beside the supply's rows as JSON (the first round of `supply`'s reads; a busy array the cache
   * lacks is read as `supply` reads it).
   */
  async marketerContextAndSupply(m: EntityManager, ctx: ContextAsk, q: SupplyAsk, preread?: PreRead): Promise<{ ctx: MarketerSide; supply: RepSupply[] }> {
    const statement = this.marketerContextAndSupplyStatement(ctx, q);
    // Rows read by this very statement earlier in the transaction (carried with its opening), or read now.
    const given = preread && preread.statement.text === statement.text && JSON.stringify(preread.statement.values) === JSON.stringify(statement.values);
    const [row] = given ? (preread.rows as (ContextRow & { supply: SupplyRow[] })[]) : await preparedQuery<ContextRow & { supply: SupplyRow[] }>(m, statement.text, statement.values);
    const read = await this.supplyVersioned(m, q, null, true, row.supply);
    return { ctx: toMarketerSide(row), supply: read.map((r) => r.supply) };
  }

  /** `marketerContextAndSupply`'s statement (for `preparedQuery`), to carry in a transaction's opening message. */
  marketerContextAndSupplyStatement(ctx: ContextAsk, q: SupplyAsk): Statement {
    const supply = supplyStatement(q, { all: false, reps: [] }, null);
    const context = contextStatement(ctx, supply.values.length);
    return {
      text: `SELECT c.*, s.supply FROM (${context.text}) c, LATERAL (SELECT COALESCE(json_agg(x ORDER BY x.rep_id), '[]') AS supply FROM (${supply.text}) x) s`,
      values: [...supply.values, ...context.values],
    };
  }
}

/** `supply`'s statement: the rows of the roster asked (`only`: just these reps), busy arrays inline as `inline` says. */
function supplyStatement(q: SupplyAsk, inline: Inline, only: string[] | null): { text: string; values: unknown[] } {
  const text = `SELECT r.rep_id, COALESCE(a.time_zone, u.time_zone) AS time_zone, COALESCE(a.weekly, '[]') AS weekly,
            COALESCE((SELECT json_object_agg(to_char(o.on_date, 'YYYY-MM-DD'), o.windows)
                        FROM availability_overrides o
                       WHERE o.rep_id = r.rep_id AND o.on_date BETWEEN $3::date AND $4::date), '{}') AS overrides,
            COALESCE((SELECT json_agg(json_build_array(c.s, c.e, c.n) ORDER BY c.s)
                        FROM (SELECT (extract(epoch FROM b.starts_at) / 60)::int AS s, (extract(epoch FROM b.ends_at) / 60)::int AS e, count(*)::int AS n
                                FROM bookings b
                               WHERE b.rep_id = r.rep_id AND b.status <> 'cancelled' AND tstzrange(b.starts_at, b.ends_at) && tstzrange($5, $6)
                                 AND ($7::uuid IS NULL OR b.id <> $7::uuid)
                               GROUP BY b.starts_at, b.ends_at) c), '[]') AS calls,
            cb.version::text AS busy_version,
            CASE WHEN $10::boolean OR cb.rep_id = ANY($11::uuid[]) THEN to_json(cb.minutes) END AS busy,
            COALESCE(ev.open_calls, '[]') AS open_calls,
            COALESCE(sv.version, 0)::text AS supply_version
       FROM roster_entries r
       JOIN users u ON u.id = r.rep_id AND u.active
       LEFT JOIN availability a ON a.rep_id = r.rep_id
       -- Busy time from the copy PostgreSQL keeps per rep (rep_calendar_busy, maintained by triggers on
       -- calendar_events): its version, the array itself only where asked ($10 all, $11 those reps).
       -- All of it: the copy only spans the synced window, and the engine keeps what overlaps the range.
       LEFT JOIN rep_calendar_busy cb ON cb.rep_id = r.rep_id
       LEFT JOIN supply_versions sv ON sv.rep_id = r.rep_id
       -- Opened customer calls are few: one grouped pass over them (partial index on opened calls).
       LEFT JOIN (SELECT e.rep_id,
                         json_agg(json_build_array(e.id, floor(date_part('epoch', e.starts_at) / 60)::int, ceil(date_part('epoch', e.ends_at) / 60)::int,
                                                   e.label, e.call_type, e.marketing_sourced)) AS open_calls
                    FROM calendar_events e
                   WHERE e.rep_id IN (SELECT x.rep_id FROM roster_entries x
                                       WHERE x.period_id = $1 AND x.status = 'active' AND ($2::uuid IS NULL OR x.rep_id = $2::uuid)
                                         AND ($12::uuid[] IS NULL OR x.rep_id = ANY($12::uuid[])))
                     AND e.opened_at IS NOT NULL AND tstzrange(e.starts_at, e.ends_at) && tstzrange($8, $9)
                   GROUP BY e.rep_id) ev ON ev.rep_id = r.rep_id
      WHERE r.period_id = $1 AND r.status = 'active' AND ($2::uuid IS NULL OR r.rep_id = $2::uuid)
        AND ($12::uuid[] IS NULL OR r.rep_id = ANY($12::uuid[]))
        AND (a.rep_id IS NOT NULL OR EXISTS (SELECT 1 FROM calendar_connections cc WHERE cc.rep_id = r.rep_id))
      ORDER BY r.rep_id`;
  const values = [
    q.periodId,
    q.repId ?? null,
    q.fromDate,
    q.toDate,
    q.from.toISOString(),
    q.to.toISOString(),
    q.excludeBookingId ?? null,
    q.eventsFrom.toISOString(),
    q.eventsTo.toISOString(),
    inline.all,
    inline.reps,
    only,
  ];
  return { text, values };
}

/** What `marketerContext` is asked. */
type ContextAsk = { marketerId: string; periodId: string; from: Date; to: Date; excludeBookingId?: string };
type ContextRow = { quota: number | null; by_rep: Record<string, number>; busy: [number, number][] };
export type MarketerSide = { quota: number | null; byRep: Record<string, number>; total: number; busy: Interval[] };

/** `marketerContext`'s statement, its parameters numbered from `base` + 1 (to follow another statement's). */
function contextStatement(q: ContextAsk, base: number): { text: string; values: unknown[] } {
  const p = (n: number) => `$${base + n}`;
  const text = `SELECT (SELECT quota FROM enrollments WHERE marketer_id = ${p(1)} AND period_id = ${p(2)}) AS quota,
              COALESCE((SELECT json_object_agg(x.rep_id, x.n)
                          FROM (SELECT rep_id, count(*)::int AS n FROM bookings
                                 WHERE marketer_id = ${p(1)} AND period_id = ${p(2)} AND status <> 'cancelled' AND (${p(5)}::uuid IS NULL OR id <> ${p(5)}::uuid)
                                 GROUP BY rep_id) x), '{}') AS by_rep,
              COALESCE((SELECT json_agg(json_build_array(y.s, y.e) ORDER BY y.s)
                          FROM (SELECT (extract(epoch FROM starts_at) / 60)::int AS s, (extract(epoch FROM ends_at) / 60)::int AS e FROM bookings
                                 WHERE marketer_id = ${p(1)} AND status <> 'cancelled' AND tstzrange(starts_at, ends_at) && tstzrange(${p(3)}, ${p(4)})
                                   AND (${p(5)}::uuid IS NULL OR id <> ${p(5)}::uuid)
                                UNION ALL -- support shifts hold the marketer's time too
                                SELECT (extract(epoch FROM starts_at) / 60)::int, (extract(epoch FROM ends_at) / 60)::int FROM shift_assignments
                                 WHERE marketer_id = ${p(1)} AND status <> 'cancelled' AND tstzrange(starts_at, ends_at) && tstzrange(${p(3)}, ${p(4)})) y), '[]') AS busy`;
  return { text, values: [q.marketerId, q.periodId, q.from.toISOString(), q.to.toISOString(), q.excludeBookingId ?? null] };
}

function toMarketerSide(row: ContextRow): MarketerSide {
  const total = Object.values(row.by_rep).reduce((n, k) => n + k, 0);
  return { quota: row.quota === null ? null : Number(row.quota), byRep: row.by_rep, total, busy: row.busy.map(([start, end]) => ({ start, end })) };
}
