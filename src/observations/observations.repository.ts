import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { TemplateField } from './form-template.js';
import { FormTemplate, Observation } from './observation.entity.js';

export interface ExportRow {
  id: string;
  submitted_at: Date;
  late: boolean;
  author_name: string;
  rep_name: string | null;
  answers: Record<string, unknown>;
  marked_names: string[];
  theme_names: string[] | null;
}

@Injectable()
export class ObservationsRepository {
  /** Version 1 of the program's template, unless it has one already. */
  async insertTemplateIfNone(m: EntityManager, programId: string, fields: TemplateField[]): Promise<void> {
    await m.query(`INSERT INTO form_templates (program_id, version, fields) VALUES ($1, 1, $2) ON CONFLICT DO NOTHING`, [programId, JSON.stringify(fields)]);
  }

  async insertTemplate(m: EntityManager, t: { programId: string; version: number; fields: TemplateField[]; createdBy: string }): Promise<void> {
    await m.query(`INSERT INTO form_templates (program_id, version, fields, created_by) VALUES ($1, $2, $3, $4)`, [t.programId, t.version, JSON.stringify(t.fields), t.createdBy]);
  }

  /** Serialises new versions of the program's template for the rest of the transaction. */
  async lockTemplates(m: EntityManager, programId: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`template:${programId}`]);
  }

  latestTemplate(m: EntityManager, programId: string): Promise<FormTemplate | null> {
    return m.findOne(FormTemplate, { where: { programId }, order: { version: 'DESC' } });
  }

  template(m: EntityManager, programId: string, version: number): Promise<FormTemplate | null> {
    return m.findOneBy(FormTemplate, { programId, version });
  }

  find(m: EntityManager, id: string): Promise<Observation | null> {
    return m.findOneBy(Observation, { id });
  }

  save(m: EntityManager, o: Observation): Promise<Observation> {
    return m.save(Observation, o);
  }

  findForUpdate(m: EntityManager, id: string): Promise<Observation | null> {
    return m.getRepository(Observation).createQueryBuilder('o').setLock('pessimistic_write').where('o.id = :id', { id }).getOne();
  }

  /** Opens the form for a booking or a shift once (a repeated "completed" changes nothing); returns it, new or not. */
  async openForSession(m: EntityManager, o: Partial<Observation>): Promise<{ observation: Observation; created: boolean }> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO observations (program_id, period_id, booking_id, shift_assignment_id, author_id, rep_id, template_version, session_ended_at, due_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id`,
      [o.programId, o.periodId, o.bookingId ?? null, o.shiftAssignmentId ?? null, o.authorId, o.repId, o.templateVersion, o.sessionEndedAt, o.dueAt],
    );
    const where = rows.length ? { id: rows[0].id } : o.bookingId ? { bookingId: o.bookingId } : { shiftAssignmentId: o.shiftAssignmentId! };
    const observation = await m.findOneByOrFail(Observation, where);
    return { observation, created: rows.length > 0 };
  }

  /** Marks the booking's form withdrawn (once); its id and status, or null when it has none or it already was. */
  async withdrawForBooking(m: EntityManager, bookingId: string, at: Date): Promise<{ id: string; status: string } | null> {
    // An UPDATE answers [rows, count] through TypeORM's PostgreSQL driver.
    const [rows]: [{ id: string; status: string }[], number] = await m.query(
      `UPDATE observations SET withdrawn_at = $2, updated_at = now() WHERE booking_id = $1 AND withdrawn_at IS NULL RETURNING id, status`,
      [bookingId, at.toISOString()],
    );
    return rows[0] ?? null;
  }

  async reinstate(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE observations SET withdrawn_at = NULL, updated_at = now() WHERE id = $1`, [id]);
  }

  async addRevision(m: EntityManager, o: Observation, editedBy: string): Promise<void> {
    await m.query(`INSERT INTO observation_revisions (observation_id, revision, status, answers, edited_by) VALUES ($1, $2, $3, $4, $5)`, [
      o.id,
      o.revision,
      o.status,
      JSON.stringify(o.answers),
      editedBy,
    ]);
  }

  revisions(m: EntityManager, id: string): Promise<{ revision: number; status: string; answers: unknown; edited_by: string; at: Date }[]> {
    return m.query(`SELECT revision, status, answers, edited_by, at FROM observation_revisions WHERE observation_id = $1 ORDER BY revision`, [id]);
  }

  /**
   * The form's tags become its `themeIds` answer, plus any tag a suggested theme's acceptance put on it (and not
   * undone): accepting a phrase as a theme tags forms their authors did not tag, and an edit keeps those.
   */
  async setThemes(m: EntityManager, id: string, themeIds: string[]): Promise<void> {
    await m.query(
      `DELETE FROM observation_themes ot WHERE ot.observation_id = $1
         AND NOT EXISTS (SELECT 1 FROM theme_suggestion_acceptances a WHERE a.undone_at IS NULL AND a.theme_id = ot.theme_id AND $1 = ANY(a.tagged))`,
      [id],
    );
    if (themeIds.length) {
      await m.query(`INSERT INTO observation_themes (observation_id, theme_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [id, themeIds]);
    }
  }

  /**
   * Forms in due order (id breaks ties), after the keyset `after` (a due instant to the microsecond and an id,
   * as `cursorAt` and the id give them back), at most `limit`.
   */
  async list(
    m: EntityManager,
    q: { authorId?: string; periodId?: string; status?: string; now: Date; limit: number; after?: { at: string; id: string } },
  ): Promise<{ rows: Observation[]; cursorAt: string[] }> {
    const qb = m
      .getRepository(Observation)
      .createQueryBuilder('o')
      .addSelect(`to_char(o.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'cursor_at')
      .orderBy('o.due_at', 'ASC')
      .addOrderBy('o.id', 'ASC')
      .limit(q.limit);
    if (q.after) qb.andWhere('(o.due_at, o.id) > (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid))', { afterAt: q.after.at, afterId: q.after.id });
    if (q.authorId) qb.andWhere('o.author_id = :a', { a: q.authorId });
    if (q.periodId) qb.andWhere('o.period_id = :p', { p: q.periodId });
    // A withdrawn form (its session became a no-show) is listed only when asked for by status=withdrawn.
    qb.andWhere(q.status === 'withdrawn' ? 'o.withdrawn_at IS NOT NULL' : 'o.withdrawn_at IS NULL');
    if (q.status === 'due') qb.andWhere(`o.status <> 'submitted' AND o.due_at >= :now`, { now: q.now });
    else if (q.status === 'overdue') qb.andWhere(`o.status <> 'submitted' AND o.due_at < :now`, { now: q.now });
    else if (q.status && q.status !== 'withdrawn') qb.andWhere('o.status = :s', { s: q.status });
    const { raw, entities } = await qb.getRawAndEntities();
    return { rows: entities, cursorAt: raw.map((r: { cursor_at: string }) => r.cursor_at) };
  }

  /** The facts a form email needs. */
  async mailFacts(m: EntityManager, id: string) {
    const [row] = await m.query(
      `SELECT o.id, o.status, o.withdrawn_at, o.due_at, u.name AS author_name, u.email AS author_email, u.time_zone AS author_zone,
              COALESCE(r.name, 'your support shift') AS rep_name, COALESCE(b.starts_at, sa.starts_at, o.session_ended_at) AS session_start,
              p.name AS program_name, pe.focus
         FROM observations o JOIN users u ON u.id = o.author_id
         LEFT JOIN users r ON r.id = o.rep_id LEFT JOIN bookings b ON b.id = o.booking_id
         LEFT JOIN shift_assignments sa ON sa.id = o.shift_assignment_id
         JOIN programs p ON p.id = o.program_id JOIN periods pe ON pe.id = o.period_id
        WHERE o.id = $1`,
      [id],
    );
    return row as
      | { id: string; status: string; withdrawn_at: Date | null; due_at: Date; author_name: string; author_email: string; author_zone: string; rep_name: string; session_start: Date; program_name: string; focus: string | null }
      | undefined;
  }

  /** One page of a period's submitted forms for the export, in id order after `afterId` (keyset, bounded memory). */
  exportPage(m: EntityManager, periodId: string, afterId: string, limit: number): Promise<ExportRow[]> {
    return m.query(
      `SELECT o.id, o.submitted_at, o.late, a.name AS author_name, r.name AS rep_name, o.answers, o.marked_names,
              (SELECT array_agg(t.name ORDER BY t.name) FROM observation_themes ot
                 JOIN theme_canonical c ON c.theme_id = ot.theme_id JOIN themes t ON t.id = c.canonical_id
                WHERE ot.observation_id = o.id) AS theme_names
         FROM observations o JOIN users a ON a.id = o.author_id LEFT JOIN users r ON r.id = o.rep_id
        WHERE o.period_id = $1 AND o.status = 'submitted' AND o.withdrawn_at IS NULL AND o.id > $2
        ORDER BY o.id LIMIT $3`,
      [periodId, afterId, limit],
    );
  }
}
