import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { RepCall, WallWindow, WeeklyWindow } from './engine/slot-engine.js';
import { Availability, AvailabilityOverride } from './availability.entity.js';

export interface RepRow {
  rep_id: string;
  time_zone: string;
  weekly: WeeklyWindow[];
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

  /** Active roster reps of a period with their availability (reps without any are left out). */
  activeRosterReps(m: EntityManager, periodId: string, repId?: string): Promise<RepRow[]> {
    return m.query(
      `SELECT r.rep_id, a.time_zone, a.weekly
         FROM roster_entries r
         JOIN users u ON u.id = r.rep_id AND u.active
         JOIN availability a ON a.rep_id = r.rep_id
        WHERE r.period_id = $1 AND r.status = 'active' AND ($2::uuid IS NULL OR r.rep_id = $2::uuid)
        ORDER BY r.rep_id`,
      [periodId, repId ?? null],
    );
  }

  overridesFor(m: EntityManager, repIds: string[], fromDate: string, toDate: string): Promise<{ rep_id: string; on_date: string; windows: WallWindow[] }[]> {
    return m.query(
      `SELECT rep_id, to_char(on_date, 'YYYY-MM-DD') AS on_date, windows FROM availability_overrides
        WHERE rep_id = ANY($1::uuid[]) AND on_date BETWEEN $2::date AND $3::date`,
      [repIds, fromDate, toDate],
    );
  }

  /**
   * The reps' calls (bookings that hold time: not cancelled) overlapping [from, to), any program,
   * grouped by exact interval with the seats taken. Epoch minutes.
   */
  async callsFor(m: EntityManager, repIds: string[], from: Date, to: Date): Promise<Map<string, RepCall[]>> {
    const rows: { rep_id: string; s: number; e: number; seats: number }[] = await m.query(
      `SELECT rep_id, (extract(epoch FROM starts_at) / 60)::bigint AS s, (extract(epoch FROM ends_at) / 60)::bigint AS e, count(*)::int AS seats
         FROM bookings
        WHERE rep_id = ANY($1::uuid[]) AND status <> 'cancelled' AND tstzrange(starts_at, ends_at) && tstzrange($2, $3)
        GROUP BY rep_id, starts_at, ends_at
        ORDER BY rep_id, starts_at`,
      [repIds, from.toISOString(), to.toISOString()],
    );
    const out = new Map<string, RepCall[]>();
    for (const r of rows) {
      let list = out.get(r.rep_id);
      if (!list) out.set(r.rep_id, (list = []));
      list.push({ start: Number(r.s), end: Number(r.e), seatsTaken: r.seats });
    }
    return out;
  }

  /** A marketer's own commitments overlapping [from, to): their bookings that hold time. Epoch minutes. */
  async marketerBusy(m: EntityManager, marketerId: string, from: Date, to: Date): Promise<{ start: number; end: number }[]> {
    const rows: { s: string; e: string }[] = await m.query(
      `SELECT (extract(epoch FROM starts_at) / 60)::bigint AS s, (extract(epoch FROM ends_at) / 60)::bigint AS e
         FROM bookings
        WHERE marketer_id = $1 AND status <> 'cancelled' AND tstzrange(starts_at, ends_at) && tstzrange($2, $3)
        ORDER BY starts_at`,
      [marketerId, from.toISOString(), to.toISOString()],
    );
    return rows.map((r) => ({ start: Number(r.s), end: Number(r.e) }));
  }

  /** A marketer's sessions in a period (not cancelled) per rep, and their quota (null when not enrolled). */
  async marketerPeriodLoad(m: EntityManager, marketerId: string, periodId: string): Promise<{ byRep: Record<string, number>; total: number; quota: number | null }> {
    const rows: { rep_id: string; n: number }[] = await m.query(
      `SELECT rep_id, count(*)::int AS n FROM bookings
        WHERE marketer_id = $1 AND period_id = $2 AND status <> 'cancelled' GROUP BY rep_id`,
      [marketerId, periodId],
    );
    const [enrol] = await m.query(`SELECT quota FROM enrollments WHERE marketer_id = $1 AND period_id = $2`, [marketerId, periodId]);
    const byRep: Record<string, number> = {};
    let total = 0;
    for (const r of rows) {
      byRep[r.rep_id] = r.n;
      total += r.n;
    }
    return { byRep, total, quota: enrol ? Number(enrol.quota) : null };
  }
}
