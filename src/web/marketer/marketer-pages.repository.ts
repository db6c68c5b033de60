import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { WallWindow, WeeklyWindow } from '../../availability/engine/slot-engine.js';
import { UsersRepository } from '../../people/users.repository.js';

/** One enrolment of a marketer with the sessions that count against its quota. */
export interface EnrolmentProgress {
  enrollmentId: string;
  periodId: string;
  programName: string;
  programZone: string;
  startsOn: string;
  endsOn: string;
  quota: number;
  /** Sessions marked completed. */
  done: number;
  /** Confirmed sessions (upcoming, or started and not marked yet). */
  booked: number;
  /** Sessions marked as a no-show (they count against the quota too, as the slot engine counts them). */
  missed: number;
}

export interface RepName {
  id: string;
  name: string;
}

/** The availability a booking's label and call type are read from. */
export interface FullCall {
  repId: string;
  startsAt: Date;
  endsAt: Date;
}

export interface RepWindows {
  repId: string;
  timeZone: string;
  weekly: WeeklyWindow[];
  /** Overrides by local date. */
  overrides: Record<string, WallWindow[]>;
}

/**
 * Read-only queries of the marketer pages. Quota counting follows the slot engine
 * (`AvailabilityRepository.marketerContext`): every booking of the marketer in the period that is not
 * cancelled counts against the enrolment's quota.
 */
@Injectable()
export class MarketerPagesRepository {
  constructor(private readonly db: DataSource) {}

  /** The marketer's enrolments in call-shadowing periods that have not ended (in the program's zone) nor closed. */
  async enrolments(marketerId: string, now: Date): Promise<EnrolmentProgress[]> {
    const rows: {
      enrollment_id: string;
      period_id: string;
      program_name: string;
      program_zone: string;
      starts_on: string;
      ends_on: string;
      quota: number;
      done: number;
      booked: number;
      missed: number;
    }[] = await this.db.query(
      `SELECT e.id AS enrollment_id, p.id AS period_id, pr.name AS program_name, pr.time_zone AS program_zone,
              to_char(p.starts_on, 'YYYY-MM-DD') AS starts_on, to_char(p.ends_on, 'YYYY-MM-DD') AS ends_on, e.quota,
              count(b.id) FILTER (WHERE b.status = 'completed')::int AS done,
              count(b.id) FILTER (WHERE b.status = 'confirmed')::int AS booked,
              count(b.id) FILTER (WHERE b.status = 'no_show')::int AS missed
         FROM enrollments e
         JOIN periods p ON p.id = e.period_id
         JOIN programs pr ON pr.id = p.program_id
         LEFT JOIN bookings b ON b.marketer_id = e.marketer_id AND b.period_id = e.period_id
        WHERE e.marketer_id = $1 AND pr.kind = 'call_shadowing' AND p.status NOT IN ('closed', 'rolled_up')
          AND p.ends_on >= ($2::timestamptz AT TIME ZONE pr.time_zone)::date
        GROUP BY e.id, p.id, pr.id
        ORDER BY p.starts_on, pr.name`,
      [marketerId, now.toISOString()],
    );
    return rows.map((r) => ({
      enrollmentId: r.enrollment_id,
      periodId: r.period_id,
      programName: r.program_name,
      programZone: r.program_zone,
      startsOn: r.starts_on,
      endsOn: r.ends_on,
      quota: Number(r.quota),
      done: r.done,
      booked: r.booked,
      missed: r.missed,
    }));
  }

  /** The reps on a period's active roster, by name. */
  activeReps(periodId: string): Promise<RepName[]> {
    return this.db.query(
      `SELECT u.id, u.name FROM roster_entries r JOIN users u ON u.id = r.rep_id
        WHERE r.period_id = $1 AND r.status = 'active' AND u.active ORDER BY u.name, u.id`,
      [periodId],
    );
  }

  /** Names of users by id. */
  names(ids: readonly string[]): Promise<Map<string, string>> {
    return UsersRepository.namesByIds(this.db.manager, ids);
  }

  /**
   * Calls of the period in [from, to) whose seats are all taken (by marketers other than this one), on reps
   * of the active roster, still to come: what a marketer can wait for. The seats per call are read once (not
   * per group from the program's settings), and instants come as epoch milliseconds: a week holds over a
   * thousand such calls, and parsing their timestamp text was a tenth of the week view's CPU.
   */
  async fullCalls(periodId: string, from: string, to: string, marketerId: string, now: Date): Promise<FullCall[]> {
    const rows: { rep_id: string; starts_ms: number; ends_ms: number }[] = await this.db.query(
      `SELECT b.rep_id, date_part('epoch', b.starts_at) * 1000 AS starts_ms, date_part('epoch', b.ends_at) * 1000 AS ends_ms
         FROM bookings b
         JOIN roster_entries r ON r.period_id = b.period_id AND r.rep_id = b.rep_id AND r.status = 'active'
        WHERE b.period_id = $1 AND b.status = 'confirmed' AND b.starts_at >= $2 AND b.starts_at < $3 AND b.starts_at > $5
        GROUP BY b.rep_id, b.starts_at, b.ends_at
       HAVING count(*) >= (SELECT COALESCE((p.settings->>'seatsPerCall')::int, 1) FROM periods pe JOIN programs p ON p.id = pe.program_id WHERE pe.id = $1)
          AND bool_and(b.marketer_id <> $4)
        ORDER BY b.starts_at, b.rep_id`,
      [periodId, from, to, marketerId, now.toISOString()],
    );
    return rows.map((r) => ({ repId: r.rep_id, startsAt: new Date(Math.round(r.starts_ms)), endsAt: new Date(Math.round(r.ends_ms)) }));
  }

  /** The reps' weekly windows and their overrides for local dates in [fromDate, toDate]. */
  async repWindows(repIds: readonly string[], fromDate: string, toDate: string): Promise<Map<string, RepWindows>> {
    if (!repIds.length) return new Map();
    const rows: { rep_id: string; time_zone: string; weekly: WeeklyWindow[]; overrides: Record<string, WallWindow[]> }[] = await this.db.query(
      `SELECT a.rep_id, a.time_zone, a.weekly,
              COALESCE((SELECT json_object_agg(to_char(o.on_date, 'YYYY-MM-DD'), o.windows) FROM availability_overrides o
                         WHERE o.rep_id = a.rep_id AND o.on_date BETWEEN $2::date AND $3::date), '{}') AS overrides
         FROM availability a WHERE a.rep_id = ANY($1::uuid[])`,
      [[...new Set(repIds)], fromDate, toDate],
    );
    return new Map(rows.map((r) => [r.rep_id, { repId: r.rep_id, timeZone: r.time_zone, weekly: r.weekly, overrides: r.overrides }]));
  }
}
