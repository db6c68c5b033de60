import { Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import type { ShiftFacts } from './shift-messages.js';

export interface TemplateRow {
  id: string;
  program_id: string;
  weekday: number;
  start_time: string;
  end_time: string;
  time_zone: string;
  queue: string;
  capacity: number;
  active: boolean;
  created_at: Date;
}

export interface AssignmentRow {
  id: string;
  period_id: string;
  template_id: string;
  shift_key: string;
  shift_date: string;
  starts_at: Date;
  ends_at: Date;
  marketer_id: string;
  status: 'confirmed' | 'cancelled' | 'completed';
  uid: string;
  sequence: number;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  queue?: string;
  time_zone?: string;
}

export interface TimeOffRow {
  id: string;
  user_id: string;
  starts_at: Date;
  ends_at: Date;
  reason: string | null;
  created_at: Date;
}

export interface HireRow {
  id: string;
  time_zone: string;
  started_on: string | null;
}

export interface Span {
  user_id: string;
  starts_at: Date;
  ends_at: Date;
}

/**
 * Whether `e` is PostgreSQL refusing a marketer a second live place: a shift overlapping another of theirs
 * (the exclusion constraint `shift_assignments_marketer_one_place`) or the same shift twice
 * (`shift_assignments_one_per_shift`). The backstop under the service's own checks, for a race they lose.
 */
export function isPlaceConflict(e: unknown): boolean {
  if (!(e instanceof QueryFailedError)) return false;
  const err = e.driverError as { code?: string; constraint?: string };
  return (err.code === '23P01' && err.constraint === 'shift_assignments_marketer_one_place') || (err.code === '23505' && err.constraint === 'shift_assignments_one_per_shift');
}

const ASSIGNMENT_COLUMNS = `a.id, a.period_id, a.template_id, a.shift_key, to_char(a.shift_date, 'YYYY-MM-DD') AS shift_date, a.starts_at, a.ends_at,
  a.marketer_id, a.status, a.uid, a.sequence, a.created_by, a.created_at, a.updated_at, t.queue, t.time_zone`;

/** Queries of the rotations feature; no decisions. */
@Injectable()
export class RotationsRepository {
  /** Exclusive advisory transaction locks, taken in sorted order (as BookingsRepository.lock, same key space). */
  async lock(m: EntityManager, keys: string[]): Promise<void> {
    await m.query(`SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM (SELECT k FROM unnest($1::text[]) k ORDER BY k) s`, [[...new Set(keys)].sort()]);
  }

  /** A shared advisory transaction lock: many swaps of a period run together, a generate run excludes them. */
  async lockShared(m: EntityManager, key: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))`, [key]);
  }

  async insertTemplate(m: EntityManager, t: { programId: string; weekday: number; start: string; end: string; timeZone: string; queue: string; capacity: number }): Promise<TemplateRow> {
    const [row] = await m.query(
      `INSERT INTO shift_templates (program_id, weekday, start_time, end_time, time_zone, queue, capacity) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [t.programId, t.weekday, t.start, t.end, t.timeZone, t.queue, t.capacity],
    );
    return row;
  }

  listTemplates(m: EntityManager, programId: string): Promise<TemplateRow[]> {
    return m.query(`SELECT * FROM shift_templates WHERE program_id = $1 ORDER BY weekday, start_time, created_at, id`, [programId]);
  }

  async findTemplate(m: EntityManager, id: string): Promise<TemplateRow | null> {
    const [row] = await m.query(`SELECT * FROM shift_templates WHERE id = $1`, [id]);
    return row ?? null;
  }

  /** Active users enrolled in the period, with their start date. */
  enrolledMarketers(m: EntityManager, periodId: string): Promise<HireRow[]> {
    return m.query(
      `SELECT u.id, u.time_zone, to_char(u.started_on, 'YYYY-MM-DD') AS started_on
         FROM enrollments e JOIN users u ON u.id = e.marketer_id
        WHERE e.period_id = $1 AND u.active ORDER BY u.id`,
      [periodId],
    );
  }

  timeOffOf(m: EntityManager, userIds: string[]): Promise<Span[]> {
    return m.query(`SELECT user_id, starts_at, ends_at FROM time_off WHERE user_id = ANY($1::uuid[])`, [userIds]);
  }

  /** Busy time: live bookings (as marketer or rep) and live shifts outside `exceptPeriodId` (or except one assignment). */
  busyOf(m: EntityManager, userIds: string[], opts: { exceptPeriodId?: string; exceptAssignmentId?: string }): Promise<Span[]> {
    return m.query(
      `SELECT b.marketer_id AS user_id, b.starts_at, b.ends_at FROM bookings b WHERE b.marketer_id = ANY($1::uuid[]) AND b.status <> 'cancelled'
       UNION ALL
       SELECT b.rep_id AS user_id, b.starts_at, b.ends_at FROM bookings b WHERE b.rep_id = ANY($1::uuid[]) AND b.status <> 'cancelled'
       UNION ALL
       SELECT a.marketer_id AS user_id, a.starts_at, a.ends_at FROM shift_assignments a
        WHERE a.marketer_id = ANY($1::uuid[]) AND a.status <> 'cancelled'
          AND ($2::uuid IS NULL OR a.period_id <> $2) AND ($3::uuid IS NULL OR a.id <> $3)`,
      [userIds, opts.exceptPeriodId ?? null, opts.exceptAssignmentId ?? null],
    );
  }

  /** Live (non-cancelled) assignments of a period. */
  periodAssignments(m: EntityManager, periodId: string): Promise<AssignmentRow[]> {
    return m.query(`SELECT ${ASSIGNMENT_COLUMNS} FROM shift_assignments a JOIN shift_templates t ON t.id = a.template_id WHERE a.period_id = $1 AND a.status <> 'cancelled' ORDER BY a.starts_at, a.shift_key, a.marketer_id`, [periodId]);
  }

  templatesByIds(m: EntityManager, ids: string[]): Promise<TemplateRow[]> {
    return m.query(`SELECT * FROM shift_templates WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async insertAssignment(m: EntityManager, a: { id: string; periodId: string; templateId: string; shiftKey: string; shiftDate: string; startsAt: Date; endsAt: Date; marketerId: string; createdBy: string }): Promise<void> {
    await m.query(
      `INSERT INTO shift_assignments (id, period_id, template_id, shift_key, shift_date, starts_at, ends_at, marketer_id, status, uid, sequence, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'confirmed', $9, 0, $10)`,
      [a.id, a.periodId, a.templateId, a.shiftKey, a.shiftDate, a.startsAt.toISOString(), a.endsAt.toISOString(), a.marketerId, `shift-${a.id}@ridealong`, a.createdBy],
    );
  }

  async findAssignment(m: EntityManager, id: string, forUpdate = false): Promise<AssignmentRow | null> {
    const [row] = await m.query(`SELECT ${ASSIGNMENT_COLUMNS} FROM shift_assignments a JOIN shift_templates t ON t.id = a.template_id WHERE a.id = $1${forUpdate ? ' FOR UPDATE OF a' : ''}`, [id]);
    return row ?? null;
  }

  findAssignmentsByIds(m: EntityManager, ids: string[]): Promise<AssignmentRow[]> {
    return m.query(`SELECT ${ASSIGNMENT_COLUMNS} FROM shift_assignments a JOIN shift_templates t ON t.id = a.template_id WHERE a.id = ANY($1::uuid[]) ORDER BY a.starts_at, a.shift_key, a.marketer_id`, [ids]);
  }

  list(m: EntityManager, q: { marketerId?: string; periodId?: string }): Promise<AssignmentRow[]> {
    return m.query(
      `SELECT ${ASSIGNMENT_COLUMNS} FROM shift_assignments a JOIN shift_templates t ON t.id = a.template_id
        WHERE ($1::uuid IS NULL OR a.marketer_id = $1) AND ($2::uuid IS NULL OR a.period_id = $2)
        ORDER BY a.starts_at, a.shift_key, a.marketer_id LIMIT 2000`,
      [q.marketerId ?? null, q.periodId ?? null],
    );
  }

  async liveCountOn(m: EntityManager, shiftKey: string, exceptId: string): Promise<number> {
    const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM shift_assignments WHERE shift_key = $1 AND status <> 'cancelled' AND id <> $2`, [shiftKey, exceptId]);
    return n;
  }

  /** The marketer's other live assignments (any period). */
  otherLive(m: EntityManager, marketerId: string, exceptId: string): Promise<{ starts_at: Date; ends_at: Date }[]> {
    return m.query(`SELECT starts_at, ends_at FROM shift_assignments WHERE marketer_id = $1 AND status <> 'cancelled' AND id <> $2`, [marketerId, exceptId]);
  }

  async moveAssignment(m: EntityManager, id: string, to: { templateId: string; shiftKey: string; shiftDate: string; startsAt: Date; endsAt: Date }): Promise<void> {
    await m.query(
      `UPDATE shift_assignments SET template_id = $2, shift_key = $3, shift_date = $4, starts_at = $5, ends_at = $6, sequence = sequence + 1, updated_at = now() WHERE id = $1`,
      [id, to.templateId, to.shiftKey, to.shiftDate, to.startsAt.toISOString(), to.endsAt.toISOString()],
    );
  }

  async insertTimeOff(m: EntityManager, t: { userId: string; startsAt: Date; endsAt: Date; reason: string | null }): Promise<TimeOffRow> {
    const [row] = await m.query(`INSERT INTO time_off (user_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4) RETURNING *`, [t.userId, t.startsAt.toISOString(), t.endsAt.toISOString(), t.reason]);
    return row;
  }

  listTimeOff(m: EntityManager, userId: string): Promise<TimeOffRow[]> {
    return m.query(`SELECT * FROM time_off WHERE user_id = $1 ORDER BY starts_at, id`, [userId]);
  }

  async userExists(m: EntityManager, id: string): Promise<{ id: string; time_zone: string } | null> {
    const [row] = await m.query(`SELECT id, time_zone FROM users WHERE id = $1`, [id]);
    return row ?? null;
  }

  /** For the calendar feed: a user's confirmed support shifts ending after `since`, as the facts an invite is written from. */
  async feedEvents(m: EntityManager, userId: string, since: Date): Promise<ShiftFacts[]> {
    const rows: { id: string; uid: string; sequence: number; starts_at: Date; ends_at: Date; queue: string; queue_zone: string; program_name: string; name: string; email: string; time_zone: string }[] =
      await m.query(
        `SELECT a.id, a.uid, a.sequence, a.starts_at, a.ends_at, t.queue, t.time_zone AS queue_zone, p.name AS program_name, u.name, u.email, u.time_zone
           FROM shift_assignments a JOIN shift_templates t ON t.id = a.template_id JOIN programs p ON p.id = t.program_id JOIN users u ON u.id = a.marketer_id
          WHERE a.marketer_id = $1 AND a.status = 'confirmed' AND a.ends_at > $2 ORDER BY a.starts_at LIMIT 500`,
        [userId, since.toISOString()],
      );
    return rows.map((r) => ({
      id: r.id, uid: r.uid, sequence: r.sequence, startsAt: new Date(r.starts_at), endsAt: new Date(r.ends_at), status: 'confirmed',
      queue: r.queue, queueZone: r.queue_zone, programName: r.program_name, marketer: { name: r.name, email: r.email, timeZone: r.time_zone },
    }));
  }

  /** A shift assignment with what its emails and invite need. */
  async shiftFacts(m: EntityManager, id: string) {
    const [row] = await m.query(
      `SELECT a.id, a.uid, a.sequence, a.starts_at, a.ends_at, a.status, a.marketer_id, a.period_id, t.queue, t.time_zone AS queue_zone,
              p.id AS program_id, p.name AS program_name, u.name AS marketer_name, u.email AS marketer_email, u.time_zone AS marketer_zone
         FROM shift_assignments a JOIN shift_templates t ON t.id = a.template_id JOIN programs p ON p.id = t.program_id
         JOIN users u ON u.id = a.marketer_id
        WHERE a.id = $1`,
      [id],
    );
    return row as
      | { id: string; uid: string; sequence: number; starts_at: Date; ends_at: Date; status: 'confirmed' | 'cancelled' | 'completed'; marketer_id: string; period_id: string;
          queue: string; queue_zone: string; program_id: string; program_name: string; marketer_name: string; marketer_email: string; marketer_zone: string }
      | undefined;
  }

  async setStatus(m: EntityManager, id: string, status: 'cancelled' | 'completed', bumpSequence: boolean): Promise<void> {
    await m.query(`UPDATE shift_assignments SET status = $2, sequence = sequence + $3, updated_at = now() WHERE id = $1`, [id, status, bumpSequence ? 1 : 0]);
  }
}
