import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainError, notFound } from '../common/errors.js';
import { validationError } from '../common/validation.js';
import { isLifecycle, User } from '../people/user.entity.js';
import { Theme, ThemeHistory, ThemeStatus } from './theme.entity.js';
import { CreateThemeDto, UpdateThemeDto } from './themes.dto.js';
import { HistoryRow, ThemesRepository } from './themes.repository.js';
import { buildTree, cleanName, THEME_NAME_MAX, TreeNode } from './tree.js';

/** The public face of a theme (the contract's fields first). */
export interface ThemeView {
  id: string;
  name: string;
  description: string | null;
  parentId: string | null;
  status: ThemeStatus;
  mergedInto: string | null;
  createdBy: string | null;
  proposedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const toView = (t: Theme): ThemeView => ({
  id: t.id,
  name: t.name,
  description: t.description,
  parentId: t.parentId,
  status: t.status,
  mergedInto: t.mergedInto,
  createdBy: t.createdBy,
  proposedBy: t.proposedBy,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});

const nameTaken = (name: string, other?: Theme) =>
  new DomainError('conflict', `A theme named "${name}" already exists (names are unique ignoring case)`, {
    field: 'name',
    ...(other ? { themeId: other.id, status: other.status } : {}),
  });

const isLiveNameClash = (e: unknown) =>
  e instanceof QueryFailedError && (e.driverError as { code?: string; constraint?: string }).code === '23505' && (e.driverError as { constraint?: string }).constraint === 'themes_live_name_key';

/** '' and null both mean "no description". */
const cleanDescription = (d: string | null | undefined) => (d === undefined ? undefined : d === null || d.trim() === '' ? null : d.trim());

@Injectable()
export class ThemesService {
  constructor(
    private readonly db: DataSource,
    private readonly repo: ThemesRepository,
    private readonly audit: AuditService,
  ) {}

  /** Lifecycle: any status (all when none is given). Everyone else: active themes only. */
  async list(actor: User, q: { status?: ThemeStatus; tree?: boolean }): Promise<ThemeView[] | TreeNode<ThemeView>[]> {
    if (!isLifecycle(actor) && q.status && q.status !== 'active') {
      throw new DomainError('forbidden', 'Only the lifecycle team sees themes that are not active', { field: 'status' });
    }
    if (q.tree) {
      if (q.status && q.status !== 'active') {
        throw validationError([{ field: 'tree', problems: ['tree=true lists active themes only; leave status out or use status=active'] }]);
      }
      return buildTree((await this.repo.list(this.db.manager, 'active')).map(toView));
    }
    const status = isLifecycle(actor) ? q.status : 'active';
    return (await this.repo.list(this.db.manager, status)).map(toView);
  }

  async get(actor: User, id: string): Promise<ThemeView> {
    const theme = await this.repo.find(this.db.manager, id);
    if (!theme || (!isLifecycle(actor) && theme.status !== 'active')) throw notFound('Theme', id);
    return toView(theme);
  }

  async history(id: string): Promise<ThemeHistory[]> {
    if (!(await this.repo.find(this.db.manager, id))) throw notFound('Theme', id);
    return this.repo.history(this.db.manager, id);
  }

  async create(actor: User, dto: CreateThemeDto): Promise<ThemeView> {
    return this.write(async (m) => {
      const parentId = dto.parentId ?? null;
      if (parentId) await this.activeParent(m, parentId);
      const clash = await this.repo.findLiveByName(m, dto.name);
      if (clash) throw nameTaken(dto.name, clash);
      const theme = await this.repo.insert(m, { name: dto.name, description: cleanDescription(dto.description) ?? null, parentId, status: 'active', createdBy: actor.id });
      await this.repo.addHistory(m, [
        { themeId: theme.id, action: 'create', actorId: actor.id, details: { name: theme.name, parentId, description: theme.description } },
      ]);
      await this.audit.record(m, { actorId: actor.id, action: 'theme.create', entity: 'theme', entityId: theme.id, details: { name: theme.name, parentId } });
      return toView(theme);
    }, dto.name);
  }

  /** Rename, move (parentId; null to the top level) and describe, each with its own history row. */
  async update(actor: User, id: string, dto: UpdateThemeDto): Promise<ThemeView> {
    return this.write(async (m) => {
      const theme = await this.repo.find(m, id);
      if (!theme) throw notFound('Theme', id);
      if (theme.status !== 'active' && theme.status !== 'proposed') {
        throw new DomainError('invalid_state', `A ${theme.status} theme is history and cannot be changed`, { field: 'id', status: theme.status });
      }
      const rows: HistoryRow[] = [];
      const row = (action: HistoryRow['action'], details: Record<string, unknown>) => rows.push({ themeId: id, action, details, actorId: actor.id });

      if (dto.name !== undefined && dto.name !== theme.name) {
        const clash = await this.repo.findLiveByName(m, dto.name, id);
        if (clash) throw nameTaken(dto.name, clash);
        row('rename', { oldName: theme.name, newName: dto.name });
        theme.name = dto.name;
      }
      if (dto.parentId !== undefined && dto.parentId !== theme.parentId) {
        if (dto.parentId !== null) {
          if (dto.parentId === id || (await this.repo.isSelfOrAncestor(m, id, dto.parentId))) {
            throw validationError([{ field: 'parentId', problems: ['parentId must not be the theme itself or one of its descendants'] }]);
          }
          await this.activeParent(m, dto.parentId);
        }
        row('move', { oldParentId: theme.parentId, newParentId: dto.parentId });
        theme.parentId = dto.parentId;
      }
      const description = cleanDescription(dto.description);
      if (description !== undefined && description !== theme.description) {
        row('describe', { oldDescription: theme.description, newDescription: description });
        theme.description = description;
      }
      if (!rows.length) return toView(theme);

      const saved = await this.repo.save(m, theme);
      await this.repo.addHistory(m, rows);
      await this.audit.record(m, {
        actorId: actor.id,
        action: 'theme.update',
        entity: 'theme',
        entityId: id,
        details: { changes: rows.map((r) => ({ action: r.action, ...r.details })) },
      });
      return toView(saved);
    }, dto.name);
  }

  /**
   * The theme becomes `merged` into `intoId`: its live children move under `intoId`, themes merged into it
   * are re-pointed at `intoId` (one hop always reaches the canonical theme), and every change is in the
   * history. Merging into one of its own descendants first lifts that descendant into the theme's place.
   */
  async merge(actor: User, id: string, intoId: string): Promise<ThemeView> {
    if (id === intoId) throw new DomainError('invalid_state', 'A theme cannot be merged into itself', { field: 'intoId' });
    return this.write(async (m) => {
      const theme = await this.repo.find(m, id);
      if (!theme) throw notFound('Theme', id);
      const into = await this.repo.find(m, intoId);
      if (!into) throw new DomainError('not_found', `Theme ${intoId} was not found`, { field: 'intoId', id: intoId });
      if (theme.status !== 'active') {
        throw new DomainError('invalid_state', `Only an active theme can be merged; this one is ${theme.status}`, { field: 'id', status: theme.status });
      }
      if (into.status !== 'active') {
        throw new DomainError('invalid_state', `A theme can only be merged into an active theme; ${intoId} is ${into.status}`, {
          field: 'intoId',
          status: into.status,
        });
      }
      const rows: HistoryRow[] = [];
      const by = actor.id;

      let lifted = false;
      if (await this.repo.isSelfOrAncestor(m, id, intoId)) {
        rows.push({ themeId: intoId, action: 'move', actorId: by, details: { oldParentId: into.parentId, newParentId: theme.parentId, reason: 'merge', mergedId: id } });
        into.parentId = theme.parentId;
        await this.repo.save(m, into);
        lifted = true;
      }
      const moved = await this.repo.moveLiveChildren(m, id, intoId);
      for (const child of moved) {
        rows.push({ themeId: child, action: 'move', actorId: by, details: { oldParentId: id, newParentId: intoId, reason: 'merge', mergedId: id } });
      }
      const repointed = await this.repo.repointMerged(m, id, intoId);
      for (const other of repointed) {
        rows.push({ themeId: other, action: 'merge', actorId: by, details: { oldIntoId: id, intoId, reason: 'repoint' } });
      }
      theme.status = 'merged';
      theme.mergedInto = intoId;
      const saved = await this.repo.save(m, theme);
      rows.push(
        { themeId: id, action: 'merge', actorId: by, details: { intoId, intoName: into.name, movedChildren: moved, repointed } },
        { themeId: intoId, action: 'merge', actorId: by, details: { mergedId: id, mergedName: theme.name, movedChildren: moved, repointed, ...(lifted ? { lifted: true } : {}) } },
      );
      await this.repo.addHistory(m, rows);
      await this.audit.record(m, { actorId: by, action: 'theme.merge', entity: 'theme', entityId: id, details: { intoId, movedChildren: moved, repointed } });
      return toView(saved);
    });
  }

  accept(actor: User, id: string): Promise<ThemeView> {
    return this.decide(actor, id, 'accept', 'active');
  }

  reject(actor: User, id: string): Promise<ThemeView> {
    return this.decide(actor, id, 'reject', 'rejected');
  }

  /** See ThemesRepository.canonicalIds. */
  canonicalIds(m: EntityManager, ids: string[]): Promise<Map<string, string | null>> {
    return this.repo.canonicalIds(m, ids);
  }

  /**
   * For names a marketer suggested on a form, in the caller's transaction: one id per given name, in
   * order (names equal ignoring case and surrounding space get the same id). A name matching an active or
   * proposed theme gets that theme; else one matching a merged theme gets it (canonicalIds resolves it to
   * where it was merged); else one matching a rejected theme gets it (and stays out of rollups, rather
   * than being proposed again and again); else a new proposed theme, with a history and an audit row.
   */
  async propose(m: EntityManager, names: string[], actorId: string): Promise<string[]> {
    const cleaned = names.map((raw, i) => {
      const name = typeof raw === 'string' ? cleanName(raw) : null;
      if (name === null || name.length > THEME_NAME_MAX) {
        throw validationError([{ field: `proposedThemes[${i}]`, problems: [`each proposed theme must be 1 to ${THEME_NAME_MAX} characters`] }]);
      }
      return name;
    });
    const ids = new Map<string, string>();
    for (const name of cleaned) {
      const key = name.toLowerCase();
      if (!ids.has(key)) ids.set(key, await this.findOrPropose(m, name, actorId));
    }
    return cleaned.map((name) => ids.get(name.toLowerCase())!);
  }

  private async findOrPropose(m: EntityManager, name: string, actorId: string): Promise<string> {
    const existing = await this.repo.findByName(m, name);
    if (existing) return existing.id;
    const created = await this.repo.insertProposedIfFree(m, name, actorId);
    if (created) {
      await this.repo.addHistory(m, [{ themeId: created.id, action: 'propose', actorId, details: { name } }]);
      await this.audit.record(m, { actorId, action: 'theme.propose', entity: 'theme', entityId: created.id, details: { name } });
      return created.id;
    }
    // Someone proposed or created it between our look and our insert.
    const raced = await this.repo.findLiveByName(m, name);
    if (!raced) throw new Error(`propose: "${name}" clashed with a live theme that is not there`);
    return raced.id;
  }

  private async decide(actor: User, id: string, action: 'accept' | 'reject', to: ThemeStatus): Promise<ThemeView> {
    return this.write(async (m) => {
      const theme = await this.repo.find(m, id);
      if (!theme) throw notFound('Theme', id);
      if (theme.status !== 'proposed') {
        throw new DomainError('invalid_state', `Only a proposed theme can be ${action}ed; this one is ${theme.status}`, { field: 'status', status: theme.status });
      }
      theme.status = to;
      const saved = await this.repo.save(m, theme);
      await this.repo.addHistory(m, [{ themeId: id, action, actorId: actor.id, details: { name: theme.name, proposedBy: theme.proposedBy } }]);
      await this.audit.record(m, { actorId: actor.id, action: `theme.${action}`, entity: 'theme', entityId: id, details: { name: theme.name } });
      return toView(saved);
    });
  }

  /** An active theme to put another under: 404 naming parentId when missing, 409 when not active. */
  private async activeParent(m: EntityManager, parentId: string): Promise<Theme> {
    const parent = await this.repo.find(m, parentId);
    if (!parent) throw new DomainError('not_found', `Theme ${parentId} was not found`, { field: 'parentId', id: parentId });
    if (parent.status !== 'active') {
      throw new DomainError('invalid_state', `A theme can only be nested under an active theme; ${parentId} is ${parent.status}`, {
        field: 'parentId',
        status: parent.status,
      });
    }
    return parent;
  }

  /** A taxonomy change: one transaction holding the taxonomy lock; a name clash lost in a race is still a 409 naming `name`. */
  private async write<T>(fn: (m: EntityManager) => Promise<T>, name?: string): Promise<T> {
    try {
      return await this.db.transaction(async (m) => {
        await this.repo.lockTaxonomy(m);
        return fn(m);
      });
    } catch (e) {
      if (isLiveNameClash(e)) throw nameTaken(name ?? 'this');
      throw e;
    }
  }
}

