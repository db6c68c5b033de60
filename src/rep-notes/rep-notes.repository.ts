import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export type RepNoteStatus = 'open' | 'draft' | 'submitted' | 'withdrawn';

export interface RepNote {
  id: string;
  bookingId: string;
  programId: string;
  periodId: string;
  repId: string;
  status: RepNoteStatus;
  wish: string | null;
  usefulness: number | null;
  followUp: string | null;
  markedNames: string[];
  sessionEndedAt: Date;
  dueAt: Date;
  submittedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A note as the rep's page lists it: with the session's start, the marketer's and the program's names. */
export interface RepNoteListed extends RepNote {
  sessionStartedAt: Date;
  marketerName: string;
  programName: string;
}

const COLUMNS = `n.id, n.booking_id AS "bookingId", n.program_id AS "programId", n.period_id AS "periodId", n.rep_id AS "repId", n.status,
  n.wish, n.usefulness, n.follow_up AS "followUp", n.marked_names AS "markedNames", n.session_ended_at AS "sessionEndedAt",
  n.due_at AS "dueAt", n.submitted_at AS "submittedAt", n.created_at AS "createdAt", n.updated_at AS "updatedAt"`;

const LISTED = `${COLUMNS}, b.starts_at AS "sessionStartedAt", mk.name AS "marketerName", p.name AS "programName"
  FROM rep_notes n JOIN bookings b ON b.id = n.booking_id JOIN users mk ON mk.id = b.marketer_id JOIN programs p ON p.id = n.program_id`;

/** The rep's own notes after shadowed calls (one per booking). Queries only: the service decides. */
@Injectable()
export class RepNotesRepository {
  /** Opens the booking's note unless it has one; returns the note and whether it was created now. */
  async openForBooking(
    m: EntityManager,
    n: { bookingId: string; programId: string; periodId: string; repId: string; sessionEndedAt: Date; dueAt: Date },
  ): Promise<{ note: RepNote; created: boolean }> {
    const inserted: { id: string }[] = await m.query(
      `INSERT INTO rep_notes (booking_id, program_id, period_id, rep_id, session_ended_at, due_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (booking_id) DO NOTHING RETURNING id`,
      [n.bookingId, n.programId, n.periodId, n.repId, n.sessionEndedAt, n.dueAt],
    );
    const [note]: RepNote[] = await m.query(`SELECT ${COLUMNS} FROM rep_notes n WHERE n.booking_id = $1`, [n.bookingId]);
    return { note, created: inserted.length > 0 };
  }

  /** A withdrawn note stands again: a draft if it holds answers, else open. */
  async reinstate(m: EntityManager, id: string): Promise<void> {
    await m.query(
      `UPDATE rep_notes SET status = CASE WHEN wish IS NOT NULL OR usefulness IS NOT NULL OR follow_up IS NOT NULL THEN 'draft' ELSE 'open' END, updated_at = now()
        WHERE id = $1 AND status = 'withdrawn'`,
      [id],
    );
  }

  /** Withdraws the booking's unsubmitted note; returns its id, if one was withdrawn. */
  async withdrawForBooking(m: EntityManager, bookingId: string): Promise<string | null> {
    const rows: { id: string }[] = await m.query(
      `WITH w AS (UPDATE rep_notes SET status = 'withdrawn', updated_at = now() WHERE booking_id = $1 AND status IN ('open', 'draft') RETURNING id) SELECT id FROM w`,
      [bookingId],
    );
    return rows[0]?.id ?? null;
  }

  async find(m: EntityManager, id: string, lock = false): Promise<RepNote | null> {
    const [row]: RepNote[] = await m.query(`SELECT ${COLUMNS} FROM rep_notes n WHERE n.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row ?? null;
  }

  async findListed(m: EntityManager, id: string): Promise<RepNoteListed | null> {
    const [row]: RepNoteListed[] = await m.query(`SELECT ${LISTED} WHERE n.id = $1`, [id]);
    return row ?? null;
  }

  /** Writes the answers and status (submittedAt set with 'submitted'). */
  async save(m: EntityManager, n: Pick<RepNote, 'id' | 'status' | 'wish' | 'usefulness' | 'followUp' | 'markedNames' | 'submittedAt'>): Promise<void> {
    await m.query(
      `UPDATE rep_notes SET status = $2, wish = $3, usefulness = $4, follow_up = $5, marked_names = $6, submitted_at = $7, updated_at = now() WHERE id = $1`,
      [n.id, n.status, n.wish, n.usefulness, n.followUp, n.markedNames, n.submittedAt],
    );
  }

  /** Notes by rep and/or program and status, newest session first (at most `limit`). */
  list(m: EntityManager, q: { repId?: string; programId?: string; statuses?: RepNoteStatus[]; limit: number }): Promise<RepNoteListed[]> {
    return m.query(
      `SELECT ${LISTED}
        WHERE ($1::uuid IS NULL OR n.rep_id = $1) AND ($2::uuid IS NULL OR n.program_id = $2) AND ($3::text[] IS NULL OR n.status = ANY($3))
        ORDER BY n.session_ended_at DESC, n.id LIMIT $4`,
      [q.repId ?? null, q.programId ?? null, q.statuses ?? null, q.limit],
    );
  }

  /** What the note's email needs: the rep, the marketer's name, the session, the program. */
  async mailFacts(
    m: EntityManager,
    id: string,
  ): Promise<{ status: RepNoteStatus; rep_name: string; rep_email: string; rep_zone: string; rep_active: boolean; marketer_name: string; starts_at: Date; due_at: Date; program_name: string } | null> {
    const [row] = await m.query(
      `SELECT n.status, r.name AS rep_name, r.email AS rep_email, r.time_zone AS rep_zone, r.active AS rep_active, mk.name AS marketer_name,
              b.starts_at, n.due_at, p.name AS program_name
         FROM rep_notes n JOIN users r ON r.id = n.rep_id JOIN bookings b ON b.id = n.booking_id JOIN users mk ON mk.id = b.marketer_id JOIN programs p ON p.id = n.program_id
        WHERE n.id = $1`,
      [id],
    );
    return row ?? null;
  }
}
