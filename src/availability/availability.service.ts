import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainError, forbidden, notFound } from '../common/errors.js';
import { isIsoDate } from '../common/time/dates.js';
import { validationError } from '../common/validation.js';
import { isLifecycle, User } from '../people/user.entity.js';
import { UsersRepository } from '../people/users.repository.js';
import { PutAvailabilityDto, PutOverrideDto, WindowDto } from './availability.dto.js';
import { AvailabilityRepository } from './availability.repository.js';
import type { WallWindow, WeeklyWindow } from './engine/slot-engine.js';
import { windowProblems } from './windows.js';

export interface AvailabilityView {
  repId: string;
  timeZone: string | null;
  weekly: WeeklyWindow[];
  overrides: { date: string; windows: WallWindow[] }[];
}

/** Keeps only the fields a window has, in a fixed order (so stored JSON is tidy). */
function cleanWindow(w: WindowDto): WallWindow {
  return {
    start: w.start,
    end: w.end,
    ...(w.label !== undefined ? { label: w.label } : {}),
    ...(w.callType !== undefined ? { callType: w.callType } : {}),
    ...(w.marketingSourced !== undefined ? { marketingSourced: w.marketingSourced } : {}),
  };
}

@Injectable()
export class AvailabilityService {
  constructor(
    private readonly db: DataSource,
    private readonly repo: AvailabilityRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
  ) {}

  /** That rep or the lifecycle team; the target must be a rep. */
  private async authorise(m: EntityManager, actor: User, repId: string): Promise<User> {
    if (actor.id !== repId && !isLifecycle(actor)) throw forbidden('Only the rep themself or the lifecycle team may do this');
    const rep = await this.users.findById(m, repId);
    if (!rep) throw notFound('User', repId);
    if (!rep.roles.includes('rep')) throw new DomainError('invalid_value', 'Availability belongs to users with the rep role', { field: 'repId' });
    return rep;
  }

  async get(actor: User, repId: string, today: string): Promise<AvailabilityView> {
    const m = this.db.manager;
    await this.authorise(m, actor, repId);
    const a = await this.repo.find(m, repId);
    const overrides = await this.repo.listOverrides(m, repId, today);
    return { repId, timeZone: a?.timeZone ?? null, weekly: a?.weekly ?? [], overrides: overrides.map((o) => ({ date: o.date, windows: o.windows })) };
  }

  async putWeekly(actor: User, repId: string, dto: PutAvailabilityDto, today: string): Promise<AvailabilityView> {
    const problems = windowProblems(dto.weekly, 'weekly');
    if (problems.length) throw validationError(problems);
    const weekly = dto.weekly
      .map((w) => ({ weekday: w.weekday, ...cleanWindow(w) }))
      .sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start));
    await this.db.transaction(async (m) => {
      await this.authorise(m, actor, repId);
      await this.repo.upsert(m, repId, dto.timeZone, weekly);
      await this.audit.record(m, { actorId: actor.id, action: 'availability.replace', entity: 'availability', entityId: repId, details: { timeZone: dto.timeZone, windows: weekly.length } });
    });
    return this.get(actor, repId, today);
  }

  async putOverride(actor: User, repId: string, date: string, dto: PutOverrideDto): Promise<{ repId: string; date: string; windows: WallWindow[] }> {
    if (!isIsoDate(date)) throw validationError([{ field: 'date', problems: ['date must be a date like 2027-03-14'] }]);
    const problems = windowProblems(dto.windows, 'windows');
    if (problems.length) throw validationError(problems);
    const windows = dto.windows.map(cleanWindow).sort((a, b) => a.start.localeCompare(b.start));
    await this.db.transaction(async (m) => {
      await this.authorise(m, actor, repId);
      if (!(await this.repo.repRosteredOn(m, repId, date))) {
        throw validationError([{ field: 'date', problems: [`${date} is outside every period the rep is on the roster of`] }]);
      }
      await this.repo.upsertOverride(m, repId, date, windows);
      await this.audit.record(m, { actorId: actor.id, action: windows.length ? 'availability.override' : 'availability.block', entity: 'availability', entityId: repId, details: { date, windows: windows.length } });
    });
    return { repId, date, windows };
  }

  async deleteOverride(actor: User, repId: string, date: string): Promise<void> {
    if (!isIsoDate(date)) throw validationError([{ field: 'date', problems: ['date must be a date like 2027-03-14'] }]);
    await this.db.transaction(async (m) => {
      await this.authorise(m, actor, repId);
      if (!(await this.repo.deleteOverride(m, repId, date))) throw notFound('Override', date);
      await this.audit.record(m, { actorId: actor.id, action: 'availability.override.delete', entity: 'availability', entityId: repId, details: { date } });
    });
  }
}
