import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What a forms page shows about the session a form is for. */
export interface FormSession {
  id: string;
  rep_name: string | null;
  /** Set for a support shift. */
  queue: string | null;
  starts_at: Date;
  ends_at: Date;
  program_name: string;
  author_name: string;
}

/** Read-only queries of the marketer's forms pages (the service holds the rules and decides who reads what). */
@Injectable()
export class FormsPagesRepository {
  constructor(private readonly db: DataSource) {}

  /** The session (call or shift) of each form, by form id; the caller has already been given these forms. */
  async sessionsOf(ids: string[]): Promise<Map<string, FormSession>> {
    if (!ids.length) return new Map();
    const rows: FormSession[] = await this.db.query(
      `SELECT o.id, r.name AS rep_name, t.queue,
              COALESCE(b.starts_at, sa.starts_at, o.session_ended_at) AS starts_at,
              COALESCE(b.ends_at, sa.ends_at, o.session_ended_at) AS ends_at,
              p.name AS program_name, a.name AS author_name
         FROM observations o
         JOIN programs p ON p.id = o.program_id
         JOIN users a ON a.id = o.author_id
         LEFT JOIN users r ON r.id = o.rep_id
         LEFT JOIN bookings b ON b.id = o.booking_id
         LEFT JOIN shift_assignments sa ON sa.id = o.shift_assignment_id
         LEFT JOIN shift_templates t ON t.id = sa.template_id
        WHERE o.id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Names of themes by id, whatever their status (a saved answer may name a theme merged since). */
  async themeNames(ids: string[]): Promise<Map<string, { name: string; status: string }>> {
    const valid = ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
    if (!valid.length) return new Map();
    const rows: { id: string; name: string; status: string }[] = await this.db.query(`SELECT id, name, status FROM themes WHERE id = ANY($1::uuid[])`, [valid]);
    return new Map(rows.map((r) => [r.id, { name: r.name, status: r.status }]));
  }
}
