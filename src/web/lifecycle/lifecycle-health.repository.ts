import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UsersRepository } from '../../people/users.repository.js';

/** A session of a period: a shadowed call (booking) or a support shift; one status vocabulary for both. */
const SESSIONS = `
  SELECT b.id, b.marketer_id, b.status, 'call'::text AS kind FROM bookings b WHERE b.period_id = $1
  UNION ALL
  SELECT sa.id, sa.marketer_id, sa.status, 'shift'::text AS kind FROM shift_assignments sa WHERE sa.period_id = $1`;

export interface PeriodCoverage {
  quotaTotal: number;
  enrolled: number;
  booked: number;
  completed: number;
  noShows: number;
  cancelled: number;
  /** Completed sessions whose form is submitted. */
  completedWithForm: number;
  rosterActive: number;
  rosterInvited: number;
  /** Active roster reps with weekly windows, or override windows on a date of the period. */
  repsWithAvailability: number;
}

export interface LateForm {
  id: string;
  status: string;
  authorId: string;
  marketerName: string;
  kind: 'call' | 'shift';
  repName: string | null;
  sessionStartsAt: Date | null;
  sessionEndedAt: Date;
  dueAt: Date;
}

export interface MarketerRow {
  id: string;
  name: string;
  quota: number;
  completed: number;
  booked: number;
  formsOverdue: number;
}

/** Read-only queries behind the lifecycle pages (program health, names for lists); no decisions. */
@Injectable()
export class LifecycleHealthRepository {
  constructor(private readonly db: DataSource) {}

  /** Names of users by id (missing ids are left out). */
  userNames(ids: readonly string[]): Promise<Map<string, string>> {
    return UsersRepository.namesByIds(this.db.manager, ids);
  }

  /** Program names by id. */
  async programNames(): Promise<Map<string, { name: string; timeZone: string }>> {
    const rows: { id: string; name: string; time_zone: string }[] = await this.db.query(`SELECT id, name, time_zone FROM programs`);
    return new Map(rows.map((r) => [r.id, { name: r.name, timeZone: r.time_zone }]));
  }

  async coverage(periodId: string): Promise<PeriodCoverage> {
    const [row] = await this.db.query(
      `WITH s AS (${SESSIONS}),
            agg AS (
              SELECT count(*) FILTER (WHERE status = 'confirmed')::int AS booked,
                     count(*) FILTER (WHERE status = 'completed')::int AS completed,
                     count(*) FILTER (WHERE status = 'no_show')::int AS "noShows",
                     count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
                     count(*) FILTER (WHERE status = 'completed' AND EXISTS (
                       SELECT 1 FROM observations o WHERE o.status = 'submitted' AND o.withdrawn_at IS NULL
                          AND ((s.kind = 'call' AND o.booking_id = s.id) OR (s.kind = 'shift' AND o.shift_assignment_id = s.id))))::int AS "completedWithForm"
                FROM s)
       SELECT (SELECT COALESCE(sum(quota), 0)::int FROM enrollments WHERE period_id = $1) AS "quotaTotal",
              (SELECT count(*)::int FROM enrollments WHERE period_id = $1) AS enrolled,
              agg.booked, agg.completed, agg."noShows", agg.cancelled, agg."completedWithForm",
              (SELECT count(*)::int FROM roster_entries WHERE period_id = $1 AND status = 'active') AS "rosterActive",
              (SELECT count(*)::int FROM roster_entries WHERE period_id = $1 AND status = 'invited') AS "rosterInvited",
              (SELECT count(*)::int FROM roster_entries r JOIN periods pe ON pe.id = r.period_id
                WHERE r.period_id = $1 AND r.status = 'active' AND (
                  EXISTS (SELECT 1 FROM availability a WHERE a.rep_id = r.rep_id AND jsonb_typeof(a.weekly) = 'array' AND jsonb_array_length(a.weekly) > 0)
                  OR EXISTS (SELECT 1 FROM availability_overrides ao WHERE ao.rep_id = r.rep_id AND ao.on_date BETWEEN pe.starts_on AND pe.ends_on
                                AND jsonb_typeof(ao.windows) = 'array' AND jsonb_array_length(ao.windows) > 0))) AS "repsWithAvailability"
         FROM agg`,
      [periodId],
    );
    return row as PeriodCoverage;
  }

  /** Forms of the period past their due time and not submitted, the most overdue first. */
  async lateForms(periodId: string, now: Date): Promise<LateForm[]> {
    const rows: (Omit<LateForm, 'sessionStartsAt' | 'sessionEndedAt' | 'dueAt'> & { sessionStartsAt: string | Date | null; sessionEndedAt: string | Date; dueAt: string | Date })[] =
      await this.db.query(
        `SELECT o.id, o.status, o.author_id AS "authorId", u.name AS "marketerName",
                CASE WHEN o.shift_assignment_id IS NOT NULL THEN 'shift' ELSE 'call' END AS kind,
                r.name AS "repName", COALESCE(b.starts_at, sa.starts_at) AS "sessionStartsAt",
                o.session_ended_at AS "sessionEndedAt", o.due_at AS "dueAt"
           FROM observations o
           JOIN users u ON u.id = o.author_id
           LEFT JOIN users r ON r.id = o.rep_id
           LEFT JOIN bookings b ON b.id = o.booking_id
           LEFT JOIN shift_assignments sa ON sa.id = o.shift_assignment_id
          WHERE o.period_id = $1 AND o.status <> 'submitted' AND o.withdrawn_at IS NULL AND o.due_at < $2
          ORDER BY o.due_at, o.id
          LIMIT 500`,
        [periodId, now.toISOString()],
      );
    return rows.map((r) => ({
      ...r,
      sessionStartsAt: r.sessionStartsAt ? new Date(r.sessionStartsAt) : null,
      sessionEndedAt: new Date(r.sessionEndedAt),
      dueAt: new Date(r.dueAt),
    }));
  }

  /** Each enrolled marketer: quota, sessions held and booked, forms overdue at `now`. */
  marketers(periodId: string, now: Date): Promise<MarketerRow[]> {
    return this.db.query(
      `WITH s AS (${SESSIONS}),
            per AS (
              SELECT marketer_id,
                     count(*) FILTER (WHERE status = 'completed')::int AS completed,
                     count(*) FILTER (WHERE status = 'confirmed')::int AS booked
                FROM s GROUP BY marketer_id),
            overdue AS (
              SELECT author_id, count(*)::int AS n FROM observations
               WHERE period_id = $1 AND status <> 'submitted' AND withdrawn_at IS NULL AND due_at < $2 GROUP BY author_id)
       SELECT u.id, u.name, e.quota, COALESCE(per.completed, 0) AS completed, COALESCE(per.booked, 0) AS booked,
              COALESCE(overdue.n, 0) AS "formsOverdue"
         FROM enrollments e JOIN users u ON u.id = e.marketer_id
         LEFT JOIN per ON per.marketer_id = e.marketer_id
         LEFT JOIN overdue ON overdue.author_id = e.marketer_id
        WHERE e.period_id = $1
        ORDER BY lower(u.name), u.id`,
      [periodId, now.toISOString()],
    );
  }
}
