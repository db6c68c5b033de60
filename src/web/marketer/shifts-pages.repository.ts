import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { PeriodShiftSpace } from './shifts-candidates.js';

/** Read-only queries of the marketer's shifts page: the shifts a swap may move to (RotationsService decides). */
@Injectable()
export class ShiftsPagesRepository {
  constructor(private readonly db: DataSource) {}

  /** A period's dates and its program's active shift templates, or null for an unknown period. */
  async periodSpace(periodId: string): Promise<PeriodShiftSpace | null> {
    const [period]: { starts_on: string; ends_on: string; program_id: string }[] = await this.db.query(
      `SELECT to_char(starts_on, 'YYYY-MM-DD') AS starts_on, to_char(ends_on, 'YYYY-MM-DD') AS ends_on, program_id FROM periods WHERE id = $1`,
      [periodId],
    );
    if (!period) return null;
    const templates: { id: string; weekday: number; start_time: string; end_time: string; time_zone: string; queue: string; capacity: number }[] = await this.db.query(
      `SELECT id, weekday, start_time, end_time, time_zone, queue, capacity FROM shift_templates WHERE program_id = $1 AND active ORDER BY weekday, start_time, id`,
      [period.program_id],
    );
    return {
      startsOn: period.starts_on,
      endsOn: period.ends_on,
      templates: templates.map((t) => ({ id: t.id, weekday: t.weekday, start: t.start_time, end: t.end_time, timeZone: t.time_zone, queue: t.queue, capacity: t.capacity })),
    };
  }

  /** Live (not cancelled) assignments by shift key, counted as the swap counts them. */
  async takenOn(keys: string[]): Promise<Map<string, number>> {
    if (!keys.length) return new Map();
    const rows: { shift_key: string; n: number }[] = await this.db.query(
      `SELECT shift_key, count(*)::int AS n FROM shift_assignments WHERE shift_key = ANY($1::text[]) AND status <> 'cancelled' GROUP BY shift_key`,
      [keys],
    );
    return new Map(rows.map((r) => [r.shift_key, r.n]));
  }
}
