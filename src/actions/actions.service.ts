import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, notFound } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { MailService } from '../mail/mail.service.js';
import type { User } from '../people/user.entity.js';
import { WebhookEvents } from '../webhooks/webhook-events.js';
import { assignedMail, dueMail } from './action-messages.js';
import { canMove, diff, nextStatuses, type ActionStatus, type Changes } from './action-status.js';
import type { CreateActionDto, ListActionsQuery, UpdateActionDto } from './actions.dto.js';
import { ActionsRepository, type ActionIdea, type ActionRow, type HistoryRow } from './actions.repository.js';

/** The queue of due-date reminders; data `{ actionId, dueOn }`, one job per action and due date. */
export const ACTION_DUE_QUEUE = 'action.due';
/** The reminder goes out from this hour of the due date in the owner's zone (not at midnight). */
export const REMINDER_FROM_HOUR = 8;
/** Reminders claimed per tick (the next tick takes the rest). */
const DUE_BATCH = 500;
/** Actions per list. */
export const ACTIONS_LIST_LIMIT = 500;

/** An action as the API shows it. */
export interface ActionOut {
  id: string;
  programId: string;
  programName: string;
  rollupId: string | null;
  kind: string;
  title: string;
  detail: string | null;
  ideas: ActionIdea[];
  themeIds: string[];
  ownerId: string;
  ownerName: string;
  dueOn: string | null;
  status: ActionStatus;
  doneAt: Date | null;
  overdue: boolean;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ActionHistoryOut {
  at: Date;
  actorId: string | null;
  actorName: string | null;
  changes: Changes;
}

const unprocessable = (field: string, message: string, extra: Record<string, unknown> = {}) => new DomainError('unprocessable', message, { field, ...extra });

/**
 * Actions: what the lifecycle team decides to do about a rollup's themes and ideas. Every change (creation
 * included) writes one history row, an audit row and an `action.changed` event in its transaction; the
 * owner is emailed when the action is given to them and reminded once on its due date.
 */
@Injectable()
export class ActionsService implements OnModuleInit {
  private readonly logger = new Logger(ActionsService.name);

  constructor(
    private readonly db: DataSource,
    private readonly repo: ActionsRepository,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    private readonly mail: MailService,
    private readonly webhookEvents: WebhookEvents,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.work<{ actionId: string; dueOn: string }>(ACTION_DUE_QUEUE, (data) => this.remind(data.actionId, data.dueOn));
  }

  /** Creates an action: 201 with it. Every refusal names its field and writes nothing. */
  async create(actor: User, dto: CreateActionDto): Promise<ActionOut> {
    const id = await this.db.transaction(async (m) => {
      const programName = await this.repo.programName(m, dto.programId);
      if (programName === null) throw new DomainError('not_found', `Program ${dto.programId} was not found`, { field: 'programId' });
      let ideas: ActionIdea[] = [];
      if (dto.rollupId) {
        const r = await this.repo.rollup(m, dto.rollupId);
        if (!r) throw new DomainError('not_found', `Rollup ${dto.rollupId} was not found`, { field: 'rollupId' });
        if (r.programId !== dto.programId) throw unprocessable('rollupId', 'rollupId must be a rollup of the program');
        if (dto.ideaRefs?.length) {
          if (r.status !== 'ready') throw unprocessable('rollupId', 'The rollup is still being built: its ideas cannot be chosen yet');
          const bad = dto.ideaRefs.filter((i) => i >= r.ideas.length);
          if (bad.length) throw unprocessable('ideaRefs', `ideaRefs must be indexes of the rollup's ideas (0 to ${r.ideas.length - 1}); not: ${bad.join(', ')}`);
          ideas = [...new Set(dto.ideaRefs)].sort((a, b) => a - b).map((index) => ({ index, category: r.ideas[index].category, text: r.ideas[index].text }));
        }
      } else if (dto.ideaRefs?.length) {
        throw unprocessable('ideaRefs', 'ideaRefs need the rollupId they come from');
      }
      const themeIds = await this.themes(m, dto.themeIds);
      const owner = await this.owner(m, dto.ownerId);
      const at = this.clock.now();
      const id = await this.repo.insert(m, {
        programId: dto.programId,
        rollupId: dto.rollupId ?? null,
        kind: dto.kind,
        title: dto.title.trim(),
        detail: dto.detail ?? null,
        ideas,
        ownerId: owner.id,
        dueOn: dto.dueOn ?? null,
        createdBy: actor.id,
        at,
      });
      await this.repo.setThemes(m, id, themeIds);
      const changes: Changes = {
        status: { from: null, to: 'open' },
        kind: { from: null, to: dto.kind },
        title: { from: null, to: dto.title.trim() },
        ownerId: { from: null, to: owner.id },
        ...(dto.dueOn ? { dueOn: { from: null, to: dto.dueOn } } : {}),
        ...(themeIds.length ? { themeIds: { from: [], to: themeIds } } : {}),
        ...(dto.detail ? { detail: { from: null, to: '(set)' } } : {}),
      };
      await this.changed(m, actor, (await this.repo.find(m, id, at))!, null, changes, at, true);
      return id;
    });
    return out((await this.repo.find(this.repo.manager, id, this.clock.now()))!);
  }

  /**
   * Changes status, title, detail, owner, due date or themes. A bad status step is a 409 naming `status`
   * (saying where the action may go); a PATCH that changes nothing writes nothing.
   */
  async update(actor: User, id: string, dto: UpdateActionDto): Promise<ActionOut> {
    await this.db.transaction(async (m) => {
      const at = this.clock.now();
      const a = await this.repo.find(m, id, at, true);
      if (!a) throw notFound('Action', id);
      if (dto.status !== undefined && dto.status !== a.status && !canMove(a.status, dto.status)) {
        throw new DomainError('invalid_state', `An action ${a.status} cannot become ${dto.status}; it may become: ${nextStatuses(a.status).join(', ')}`, {
          field: 'status',
          status: a.status,
          allowed: nextStatuses(a.status),
        });
      }
      const themeIds = dto.themeIds === undefined ? undefined : await this.themes(m, dto.themeIds);
      if (dto.ownerId !== undefined && dto.ownerId !== a.ownerId) await this.owner(m, dto.ownerId);
      const next = {
        status: dto.status,
        title: dto.title?.trim(),
        detail: dto.detail,
        ownerId: dto.ownerId,
        dueOn: dto.dueOn,
        themeIds,
      };
      const changes = diff({ status: a.status, title: a.title, detail: a.detail, ownerId: a.ownerId, dueOn: a.dueOn, themeIds: a.themeIds }, next);
      if (Object.keys(changes).length === 0) return;
      const status = (dto.status ?? a.status) as ActionStatus;
      const doneAt = status === 'done' ? (a.status === 'done' ? a.doneAt : at) : null;
      await this.repo.update(m, id, {
        status,
        title: next.title ?? a.title,
        detail: dto.detail === undefined ? a.detail : dto.detail,
        ownerId: dto.ownerId ?? a.ownerId,
        dueOn: dto.dueOn === undefined ? a.dueOn : dto.dueOn,
        doneAt,
        at,
      });
      if (themeIds !== undefined && changes.themeIds) await this.repo.setThemes(m, id, themeIds);
      // The history keeps that the detail changed, not its text (it may be long; the action shows it).
      if (changes.detail) changes.detail = { from: a.detail === null ? null : '(set)', to: dto.detail === null ? null : '(set)' };
      await this.changed(m, actor, (await this.repo.find(m, id, at))!, a.status, changes, at, !!changes.ownerId);
    });
    return this.get(id);
  }

  /** History, audit, `action.changed`, and the owner's email when the action was given to them. */
  private async changed(m: EntityManager, actor: User, a: ActionRow, previousStatus: ActionStatus | null, changes: Changes, at: Date, assigned: boolean): Promise<void> {
    const historyId = await this.repo.addHistory(m, { actionId: a.id, actorId: actor.id, at, changes });
    await this.audit.record(m, {
      actorId: actor.id,
      action: previousStatus === null ? 'action.create' : 'action.update',
      entity: 'action',
      entityId: a.id,
      details: { programId: a.programId, changed: Object.keys(changes) },
    });
    await this.webhookEvents.emit(m, 'action.changed', {
      actionId: a.id,
      programId: a.programId,
      rollupId: a.rollupId,
      status: a.status,
      previousStatus,
      kind: a.kind,
      title: a.title,
      ownerId: a.ownerId,
      dueOn: a.dueOn,
      themeIds: a.themeIds,
      changed: Object.keys(changes),
    });
    // Given to someone: they are told (not when they take it on themselves).
    if (assigned && a.ownerId !== actor.id) {
      const owner = (await this.repo.user(m, a.ownerId))!;
      await this.mail.enqueue(
        m,
        `action-assigned:${a.id}:${historyId}`,
        assignedMail({
          actionId: a.id,
          kind: a.kind,
          title: a.title,
          programName: a.programName,
          dueOn: a.dueOn,
          owner: { name: owner.name, email: owner.email, timeZone: owner.timeZone },
          publicUrl: this.config.publicUrl,
          assignedBy: actor.name,
          assignedAt: at,
        }),
      );
    }
  }

  /** Asked theme ids as stored: merged ones resolve to their target; unknown or rejected ones are a 422 naming `themeIds`. */
  private async themes(m: EntityManager, asked: string[]): Promise<string[]> {
    const unique = [...new Set(asked)];
    if (unique.length === 0) return [];
    const resolved = await this.repo.resolveThemes(m, unique);
    const unknown = unique.filter((t) => !resolved.has(t));
    if (unknown.length) throw unprocessable('themeIds', `themeIds must be existing themes; unknown: ${unknown.join(', ')}`, { unknown });
    const rejected = unique.filter((t) => resolved.get(t) === null);
    if (rejected.length) throw unprocessable('themeIds', `themeIds must not be rejected themes: ${rejected.join(', ')}`, { rejected });
    return [...new Set(unique.map((t) => resolved.get(t)!))].sort();
  }

  /** The owner must be an active member of the lifecycle team: else a 422 naming `ownerId`. */
  private async owner(m: EntityManager, ownerId: string) {
    const u = await this.repo.user(m, ownerId);
    if (!u || !u.active || !u.lifecycle) throw unprocessable('ownerId', 'ownerId must be an active member of the lifecycle team');
    return u;
  }

  async get(id: string): Promise<ActionOut & { history: ActionHistoryOut[] }> {
    const m = this.repo.manager;
    const a = await this.repo.find(m, id, this.clock.now());
    if (!a) throw notFound('Action', id);
    return { ...out(a), history: (await this.repo.history(m, id)).map(historyOut) };
  }

  /** Overdue first, then by due date (none last), then oldest first. */
  async list(q: ListActionsQuery): Promise<{ actions: ActionOut[] }> {
    const rows = await this.repo.list(this.repo.manager, this.clock.now(), { ...q, limit: ACTIONS_LIST_LIMIT });
    return { actions: rows.map(out) };
  }

  /** Who may own an action (the owner select of the pages). */
  owners(): Promise<{ id: string; name: string }[]> {
    return this.repo.lifecycleUsers(this.repo.manager);
  }

  /**
   * What the create form offers: from a rollup (404 naming `rollupId` when there is none), its program, themes
   * and ideas; else for a program, the live themes. The owners and programs to choose from either way.
   */
  async formChoices(q: { rollupId?: string; programId?: string }) {
    const m = this.repo.manager;
    const [owners, programs] = await Promise.all([this.repo.lifecycleUsers(m), this.repo.programs(m)]);
    if (q.rollupId) {
      const r = await this.repo.rollupChoices(m, q.rollupId);
      if (!r) throw new DomainError('not_found', `Rollup ${q.rollupId} was not found`, { field: 'rollupId' });
      return { rollup: { id: q.rollupId, ...r }, programId: r.programId, themes: r.themes, ideas: r.ideas, owners, programs };
    }
    if (q.programId && !programs.some((p) => p.id === q.programId)) throw new DomainError('not_found', `Program ${q.programId} was not found`, { field: 'programId' });
    return { rollup: null, programId: q.programId ?? null, themes: await this.repo.liveThemes(m), ideas: [] as { category: string; text: string }[], owners, programs };
  }

  /** Theme names by id (for the pages). */
  themeNames(ids: string[]): Promise<Map<string, string>> {
    return this.repo.themeNames(this.repo.manager, ids);
  }

  /** Programs by name (the filter of the actions page). */
  programs(): Promise<{ id: string; name: string }[]> {
    return this.repo.programs(this.repo.manager);
  }

  // ------------------------------------------------------------ due reminders

  @Cron(CronExpression.EVERY_HOUR, { name: 'action-due' })
  async tick(): Promise<void> {
    try {
      await this.enqueueDue(this.clock.now());
    } catch (e) {
      this.logger.error({ err: e }, 'action reminder tick failed');
    }
  }

  /**
   * Enqueues the reminders owed at `now` (due date reached in the owner's zone, from REMINDER_FROM_HOUR):
   * one job per action and due date (singleton key `action-due:<id>:<dueOn>`), so ticks of several
   * instances enqueue it once. Returns the number of jobs enqueued.
   */
  async enqueueDue(now: Date): Promise<number> {
    return this.db.transaction(async (m) => {
      let n = 0;
      for (const d of await this.repo.dueForReminder(m, now, REMINDER_FROM_HOUR, DUE_BATCH)) {
        const job = await this.jobs.send(m, ACTION_DUE_QUEUE, { actionId: d.id, dueOn: d.dueOn }, { singletonKey: `action-due:${d.id}:${d.dueOn}` });
        if (job) n++;
      }
      return n;
    });
  }

  /** Sends the reminder of one due date, once: nothing when the action is finished, moved, or reminded already. */
  async remind(actionId: string, dueOn: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const a = await this.repo.find(m, actionId, this.clock.now(), true);
      if (!a || a.dueOn !== dueOn || a.remindedOn === dueOn || (a.status !== 'open' && a.status !== 'in_progress')) return;
      const owner = (await this.repo.user(m, a.ownerId))!;
      if (owner.active) {
        await this.mail.enqueue(
          m,
          `action-due:${a.id}:${dueOn}`,
          dueMail({
            actionId: a.id,
            kind: a.kind,
            title: a.title,
            programName: a.programName,
            dueOn,
            status: a.status,
            owner: { name: owner.name, email: owner.email, timeZone: owner.timeZone },
            publicUrl: this.config.publicUrl,
          }),
        );
      }
      await this.repo.markReminded(m, a.id, dueOn);
    });
  }
}

function out(a: ActionRow): ActionOut {
  return {
    id: a.id,
    programId: a.programId,
    programName: a.programName,
    rollupId: a.rollupId,
    kind: a.kind,
    title: a.title,
    detail: a.detail,
    ideas: a.ideas,
    themeIds: a.themeIds,
    ownerId: a.ownerId,
    ownerName: a.ownerName,
    dueOn: a.dueOn,
    status: a.status,
    doneAt: a.doneAt,
    overdue: a.overdue,
    createdBy: a.createdBy,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

const historyOut = (h: HistoryRow): ActionHistoryOut => ({ at: h.at, actorId: h.actorId, actorName: h.actorName, changes: h.changes });
