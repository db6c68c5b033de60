import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { todayIn } from '../common/time/dates.js';
import { DomainError, forbidden, notFound } from '../common/errors.js';
import { validationError } from '../common/validation.js';
import { isLifecycle, User } from '../people/user.entity.js';
import { UsersRepository } from '../people/users.repository.js';
import { periodStatusOn } from './period-cadence.js';
import { resolveSettings } from './program-settings.js';
import { Enrollment, Period, Program, RosterEntry, RosterStatus } from './program.entity.js';
import { CreatePeriodDto, CreateProgramDto, EnrollDto, UpdateEnrollmentDto, UpdatePeriodDto, UpdateProgramDto } from './programs.dto.js';
import { ProgramsRepository } from './programs.repository.js';

const pgCode = (e: unknown) => (e instanceof QueryFailedError ? (e.driverError as { code?: string }).code : undefined);

/** Roster moves a rep may make on their own entry, and the ones the lifecycle team may make. */
const REP_MOVES: Record<RosterStatus, RosterStatus[]> = {
  invited: ['active', 'declined'],
  active: ['declined'],
  declined: ['active'],
  removed: [],
};
const LIFECYCLE_MOVES: Record<RosterStatus, RosterStatus[]> = {
  invited: ['active', 'declined', 'removed'],
  active: ['declined', 'removed'],
  declined: ['invited', 'removed'],
  removed: ['invited'],
};

@Injectable()
export class ProgramsService {
  constructor(
    private readonly db: DataSource,
    private readonly repo: ProgramsRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async createProgram(actor: User, dto: CreateProgramDto): Promise<Program> {
    return this.db.transaction(async (m) => {
      const program = await this.repo.insertProgram(m, {
        name: dto.name,
        kind: dto.kind,
        timeZone: dto.timeZone,
        settings: resolveSettings(dto.settings),
        preparationNote: dto.preparationNote ?? null,
      });
      await this.audit.record(m, { actorId: actor.id, action: 'program.create', entity: 'program', entityId: program.id, details: { name: program.name } });
      return program;
    });
  }

  listPrograms(): Promise<Program[]> {
    return this.repo.listPrograms(this.db.manager);
  }

  async getProgram(id: string, m: EntityManager = this.db.manager): Promise<Program> {
    const program = await this.repo.findProgram(m, id);
    if (!program) throw notFound('Program', id);
    return program;
  }

  async updateProgram(actor: User, id: string, dto: UpdateProgramDto): Promise<Program> {
    return this.db.transaction(async (m) => {
      const program = await this.getProgram(id, m);
      const before = { name: program.name, timeZone: program.timeZone, settings: program.settings };
      if (dto.name !== undefined) program.name = dto.name;
      if (dto.timeZone !== undefined) program.timeZone = dto.timeZone;
      if (dto.preparationNote !== undefined) program.preparationNote = dto.preparationNote;
      if (dto.settings) {
        const merged = resolveSettings(dto.settings, program.settings);
        if (merged.slotGridMinutes > merged.slotMinutes) {
          throw validationError([{ field: 'settings.slotGridMinutes', problems: ['slotGridMinutes must not be longer than slotMinutes'] }]);
        }
        program.settings = merged;
      }
      const saved = await this.repo.saveProgram(m, program);
      await this.audit.record(m, { actorId: actor.id, action: 'program.update', entity: 'program', entityId: id, details: { before, changes: dto } });
      return saved;
    });
  }

  async createPeriod(actor: User, programId: string, dto: CreatePeriodDto): Promise<Period> {
    if (dto.endsOn < dto.startsOn) {
      throw validationError([{ field: 'endsOn', problems: ['endsOn must be on or after startsOn'] }]);
    }
    try {
      return await this.db.transaction(async (m) => {
        const program = await this.getProgram(programId, m);
        // Its status follows its dates from the start (today in the program's zone), as the hourly tick would set it.
        const status = periodStatusOn(dto, todayIn(program.timeZone, this.clock.now()), 'planned');
        const period = await this.repo.insertPeriod(m, { programId, startsOn: dto.startsOn, endsOn: dto.endsOn, focus: dto.focus ?? null, status, createdBy: actor.id });
        await this.audit.record(m, {
          actorId: actor.id,
          action: 'period.create',
          entity: 'period',
          entityId: period.id,
          details: { programId, startsOn: dto.startsOn, endsOn: dto.endsOn },
        });
        return period;
      });
    } catch (e) {
      if (pgCode(e) === '23P01') {
        throw new DomainError('period_overlap', `The period ${dto.startsOn}..${dto.endsOn} overlaps another period of this program`, {
          field: 'startsOn',
        });
      }
      throw e;
    }
  }

  /**
   * Moves period statuses along with their dates, each in its program's zone, and closed periods whose period
   * rollup is built to rolled_up (all periods, or one). The rule is periodStatusOn's; idempotent.
   */
  async advanceStatuses(m: EntityManager, now: Date, periodId?: string): Promise<number> {
    let changed = 0;
    for (const p of await this.repo.periodsToAdvance(m, periodId)) {
      const to = periodStatusOn({ startsOn: p.starts_on, endsOn: p.ends_on }, todayIn(p.time_zone, now), p.status, p.rolled_up);
      if (to !== p.status && (await this.repo.setPeriodStatus(m, p.id, p.status, to))) changed++;
    }
    return changed;
  }

  async listPeriods(programId: string): Promise<Period[]> {
    await this.getProgram(programId);
    return this.repo.listPeriods(this.db.manager, programId);
  }

  async getPeriod(id: string, m: EntityManager = this.db.manager): Promise<Period> {
    const period = await this.repo.findPeriod(m, id);
    if (!period) throw notFound('Period', id);
    return period;
  }

  async updatePeriod(actor: User, id: string, dto: UpdatePeriodDto): Promise<Period> {
    return this.db.transaction(async (m) => {
      const period = await this.getPeriod(id, m);
      if (dto.focus !== undefined) period.focus = dto.focus === '' ? null : dto.focus;
      const saved = await this.repo.savePeriod(m, period);
      await this.audit.record(m, { actorId: actor.id, action: 'period.update', entity: 'period', entityId: id, details: { changes: dto } });
      return saved;
    });
  }

  async inviteRep(actor: User, periodId: string, repId: string): Promise<RosterEntry> {
    return this.db.transaction(async (m) => {
      await this.getPeriod(periodId, m);
      const rep = await this.users.findById(m, repId);
      if (!rep) throw new DomainError('not_found', `User ${repId} was not found`, { field: 'repId' });
      if (!rep.roles.includes('rep') || !rep.active) {
        throw new DomainError('invalid_value', 'Only an active user with the rep role can be put on a roster', { field: 'repId' });
      }
      const existing = await this.repo.findRosterEntryFor(m, periodId, repId);
      let entry: RosterEntry;
      if (existing) {
        if (existing.status === 'invited' || existing.status === 'active') {
          throw new DomainError('conflict', `The rep is already on this roster (${existing.status})`, { field: 'repId', entryId: existing.id });
        }
        existing.status = 'invited';
        existing.invitedAt = this.clock.now();
        existing.respondedAt = null;
        entry = await this.repo.saveRosterEntry(m, existing);
      } else {
        entry = await this.repo.insertRosterEntry(m, { periodId, repId, status: 'invited', invitedAt: this.clock.now() });
      }
      await this.audit.record(m, { actorId: actor.id, action: 'roster.invite', entity: 'roster_entry', entityId: entry.id, details: { periodId, repId } });
      return entry;
    });
  }

  async updateRoster(actor: User, entryId: string, status: RosterStatus): Promise<RosterEntry> {
    return this.db.transaction(async (m) => {
      const entry = await this.repo.findRosterEntryForUpdate(m, entryId);
      if (!entry) throw notFound('Roster entry', entryId);
      const own = entry.repId === actor.id;
      if (!own && !isLifecycle(actor)) throw forbidden('Only the rep on this entry or the lifecycle team may change it');
      const allowed = new Set([...(own ? REP_MOVES[entry.status] : []), ...(isLifecycle(actor) ? LIFECYCLE_MOVES[entry.status] : [])]);
      if (entry.status === status) return entry;
      if (!allowed.has(status)) {
        throw new DomainError('invalid_state', `A roster entry that is ${entry.status} cannot become ${status} by you`, {
          field: 'status',
          from: entry.status,
          allowed: [...allowed],
        });
      }
      const from = entry.status;
      entry.status = status;
      if (own) entry.respondedAt = this.clock.now();
      const saved = await this.repo.saveRosterEntry(m, entry);
      await this.audit.record(m, { actorId: actor.id, action: 'roster.update', entity: 'roster_entry', entityId: entryId, details: { from, to: status } });
      return saved;
    });
  }

  async listRoster(actor: User, filter: { mine: boolean; periodId?: string }): Promise<RosterEntry[]> {
    if (filter.mine) return this.repo.listRoster(this.db.manager, { repId: actor.id, ...(filter.periodId ? { periodId: filter.periodId } : {}) });
    if (!isLifecycle(actor)) throw forbidden('Only the lifecycle team sees whole rosters; use mine=true');
    if (!filter.periodId) throw validationError([{ field: 'periodId', problems: ['periodId is required unless mine=true'] }]);
    await this.getPeriod(filter.periodId);
    return this.repo.listRoster(this.db.manager, { periodId: filter.periodId });
  }

  async enroll(actor: User, periodId: string, dto: EnrollDto): Promise<Enrollment> {
    try {
      return await this.db.transaction(async (m) => {
        const found = await this.repo.findPeriodWithProgram(m, periodId);
        if (!found) throw notFound('Period', periodId);
        const marketer = await this.users.findById(m, dto.marketerId);
        if (!marketer) throw new DomainError('not_found', `User ${dto.marketerId} was not found`, { field: 'marketerId' });
        if (!marketer.roles.includes('marketer') || !marketer.active) {
          throw new DomainError('invalid_value', 'Only an active user with the marketer role can be enrolled', { field: 'marketerId' });
        }
        const enrollment = await this.repo.insertEnrollment(m, { periodId, marketerId: dto.marketerId, quota: dto.quota ?? found.program.settings.quota });
        await this.audit.record(m, { actorId: actor.id, action: 'enrollment.create', entity: 'enrollment', entityId: enrollment.id, details: { periodId, marketerId: dto.marketerId, quota: enrollment.quota } });
        return enrollment;
      });
    } catch (e) {
      if (pgCode(e) === '23505') throw new DomainError('conflict', 'The marketer is already enrolled in this period', { field: 'marketerId' });
      throw e;
    }
  }

  async listEnrollments(actor: User, periodId: string): Promise<Enrollment[]> {
    await this.getPeriod(periodId);
    const all = await this.repo.listEnrollments(this.db.manager, periodId);
    return isLifecycle(actor) ? all : all.filter((e) => e.marketerId === actor.id);
  }

  async updateEnrollment(actor: User, id: string, dto: UpdateEnrollmentDto): Promise<Enrollment> {
    return this.db.transaction(async (m) => {
      const enrollment = await this.repo.findEnrollment(m, id);
      if (!enrollment) throw notFound('Enrollment', id);
      const before = enrollment.quota;
      enrollment.quota = dto.quota;
      const saved = await this.repo.saveEnrollment(m, enrollment);
      await this.audit.record(m, { actorId: actor.id, action: 'enrollment.update', entity: 'enrollment', entityId: id, details: { quota: { before, after: dto.quota } } });
      return saved;
    });
  }
}
