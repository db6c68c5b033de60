import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { hydrate } from '../common/hydrate.js';
import { preparedQuery } from '../common/prepared-query.js';
import { Enrollment, Period, PeriodStatus, Program, RosterEntry } from './program.entity.js';

/** Queries about programs, periods, rosters and enrolments; no decisions. */
@Injectable()
export class ProgramsRepository {
  insertProgram(m: EntityManager, program: Partial<Program>): Promise<Program> {
    return m.save(Program, m.create(Program, program));
  }

  saveProgram(m: EntityManager, program: Program): Promise<Program> {
    return m.save(Program, program);
  }

  findProgram(m: EntityManager, id: string): Promise<Program | null> {
    return m.findOneBy(Program, { id });
  }

  listPrograms(m: EntityManager): Promise<Program[]> {
    return m.find(Program, { order: { createdAt: 'ASC' } });
  }

  findPeriod(m: EntityManager, id: string): Promise<Period | null> {
    return m.findOneBy(Period, { id });
  }

  /**
   * A period and its program in one query (every slot search and booking change asks it: a prepared statement
   * with the rows as JSON, hydrated as TypeORM would, instead of the query builder's per-call SQL generation).
   */
  async findPeriodWithProgram(m: EntityManager, id: string): Promise<{ period: Period; program: Program } | null> {
    const [row] = await preparedQuery<{ period_row: object; program_row: object }>(
      m,
      'SELECT row_to_json(pe) AS period_row, row_to_json(pr) AS program_row FROM periods pe JOIN programs pr ON pr.id = pe.program_id WHERE pe.id = $1',
      [id],
    );
    return row ? { period: hydrate(m, Period, row.period_row), program: hydrate(m, Program, row.program_row) } : null;
  }

  /** Inserts a period (the exclusion constraint refuses one overlapping another of its program: 23P01). */
  insertPeriod(m: EntityManager, period: Partial<Period>): Promise<Period> {
    return m.save(Period, m.create(Period, period));
  }

  savePeriod(m: EntityManager, period: Period): Promise<Period> {
    return m.save(Period, period);
  }

  /**
   * The latest-starting period of the program whose days (midnight to midnight in the program's zone)
   * overlap [from, to); null when none does.
   */
  async periodOverlapping(m: EntityManager, programId: string, from: Date, to: Date): Promise<Period | null> {
    const rows: { id: string }[] = await m.query(
      `SELECT pe.id FROM periods pe JOIN programs p ON p.id = pe.program_id
        WHERE pe.program_id = $1 AND tstzrange(($2::timestamptz), ($3::timestamptz)) && tstzrange((pe.starts_on::timestamp AT TIME ZONE p.time_zone), ((pe.ends_on + 1)::timestamp AT TIME ZONE p.time_zone))
        ORDER BY pe.starts_on DESC LIMIT 1`,
      [programId, from.toISOString(), to.toISOString()],
    );
    return rows.length ? this.findPeriod(m, rows[0].id) : null;
  }

  listPeriods(m: EntityManager, programId: string): Promise<Period[]> {
    return m.find(Period, { where: { programId }, order: { startsOn: 'ASC' } });
  }

  /** Inserts unless it overlaps another period of the program (exclusion constraint); null when it did. */
  async insertPeriodIfFree(m: EntityManager, p: { programId: string; startsOn: string; endsOn: string; status: string }): Promise<Period | null> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO periods (program_id, starts_on, ends_on, status) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING id`,
      [p.programId, p.startsOn, p.endsOn, p.status],
    );
    return rows.length ? m.findOneByOrFail(Period, { id: rows[0].id }) : null;
  }

  /** Takes the period cadence's advisory lock for the rest of the transaction: instances take turns. */
  async lockCadence(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('ridealong:period-cadence'))`);
  }

  /** Per program with a cadence: its zone, cadence and last period end (null when it has none). */
  programsWithCadence(m: EntityManager): Promise<{ id: string; time_zone: string; cadence: string; last_ends_on: string | null; horizon: number }[]> {
    return m.query(
      `SELECT p.id, p.time_zone, p.settings->>'periodCadence' AS cadence, (p.settings->>'horizonDays')::int AS horizon,
              to_char(max(pe.ends_on), 'YYYY-MM-DD') AS last_ends_on
         FROM programs p LEFT JOIN periods pe ON pe.program_id = p.id
        WHERE p.settings->>'periodCadence' <> 'none'
        GROUP BY p.id`,
    );
  }

  /**
   * Periods whose status may move (planned, open, or closed with a built period rollup), with their program's
   * zone and whether a period rollup of theirs is ready. Locked (NO KEY UPDATE: bookings referencing the period
   * are not held up), so the tick and a rollup build changing one period take turns and the second sees the first's
   * result: whichever runs first, the period ends rolled_up.
   */
  periodsToAdvance(m: EntityManager, periodId?: string): Promise<{ id: string; starts_on: string; ends_on: string; status: PeriodStatus; time_zone: string; rolled_up: boolean }[]> {
    return m.query(
      `SELECT pe.id, to_char(pe.starts_on, 'YYYY-MM-DD') AS starts_on, to_char(pe.ends_on, 'YYYY-MM-DD') AS ends_on, pe.status, p.time_zone,
              EXISTS (SELECT 1 FROM rollups r WHERE r.period_id = pe.id AND r.kind = 'period' AND r.status = 'ready') AS rolled_up
         FROM periods pe JOIN programs p ON p.id = pe.program_id
        WHERE ($1::uuid IS NULL OR pe.id = $1)
          AND (pe.status IN ('planned', 'open')
               OR (pe.status = 'closed' AND EXISTS (SELECT 1 FROM rollups r WHERE r.period_id = pe.id AND r.kind = 'period' AND r.status = 'ready')))
        ORDER BY pe.id
          FOR NO KEY UPDATE OF pe`,
      [periodId ?? null],
    );
  }

  /** Sets a period's status if it is still `from`; whether it changed. */
  async setPeriodStatus(m: EntityManager, id: string, from: PeriodStatus, to: PeriodStatus): Promise<boolean> {
    const r: [unknown[], number] = await m.query(`UPDATE periods SET status = $3 WHERE id = $1 AND status = $2`, [id, from, to]);
    return r[1] > 0;
  }

  findRosterEntry(m: EntityManager, id: string): Promise<RosterEntry | null> {
    return m.findOneBy(RosterEntry, { id });
  }

  /** Locks the row for the rest of the transaction. */
  findRosterEntryForUpdate(m: EntityManager, id: string): Promise<RosterEntry | null> {
    return m.getRepository(RosterEntry).createQueryBuilder('r').setLock('pessimistic_write').where('r.id = :id', { id }).getOne();
  }

  insertRosterEntry(m: EntityManager, entry: Partial<RosterEntry>): Promise<RosterEntry> {
    return m.save(RosterEntry, m.create(RosterEntry, entry));
  }

  saveRosterEntry(m: EntityManager, entry: RosterEntry): Promise<RosterEntry> {
    return m.save(RosterEntry, entry);
  }

  findRosterEntryFor(m: EntityManager, periodId: string, repId: string): Promise<RosterEntry | null> {
    return m.findOneBy(RosterEntry, { periodId, repId });
  }

  listRoster(m: EntityManager, filter: { periodId?: string; repId?: string }): Promise<RosterEntry[]> {
    return m.find(RosterEntry, { where: { ...filter }, order: { invitedAt: 'ASC' } });
  }

  findEnrollment(m: EntityManager, id: string): Promise<Enrollment | null> {
    return m.findOneBy(Enrollment, { id });
  }

  /** Inserts an enrolment (the unique key refuses a second one of the marketer in the period: 23505). */
  insertEnrollment(m: EntityManager, enrollment: Partial<Enrollment>): Promise<Enrollment> {
    return m.save(Enrollment, m.create(Enrollment, enrollment));
  }

  saveEnrollment(m: EntityManager, enrollment: Enrollment): Promise<Enrollment> {
    return m.save(Enrollment, enrollment);
  }

  findEnrollmentFor(m: EntityManager, periodId: string, marketerId: string): Promise<Enrollment | null> {
    return m.findOneBy(Enrollment, { periodId, marketerId });
  }

  listEnrollments(m: EntityManager, periodId: string): Promise<Enrollment[]> {
    return m.find(Enrollment, { where: { periodId }, order: { createdAt: 'ASC' } });
  }
}
