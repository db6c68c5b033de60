import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { cursorScope, encodeCursor, positions } from '../common/cursor.js';
import { requestContext } from '../common/logger.js';
import { readCursor } from '../common/paging.js';
import { AuditEntry } from './audit-entry.entity.js';

export interface AuditRecord {
  actorId: string | null;
  action: string;
  entity: string;
  entityId?: string | null;
  details?: Record<string, unknown>;
}

/** Writes audit rows inside the caller's transaction, so a change and its audit row land together. */
@Injectable()
export class AuditService {
  async record(manager: EntityManager, entry: AuditRecord): Promise<void> {
    await manager.insert(AuditEntry, {
      actorId: entry.actorId,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId ?? null,
      details: (entry.details ?? {}) as never,
      requestId: requestContext.getStore()?.requestId ?? null,
    });
  }

  /** One page of rows, newest first: `limit` (default 100) after `cursor`, and the next page's cursor. */
  async page(
    manager: EntityManager,
    actorId: string,
    filter: { entity?: string; entityId?: string; limit?: number; cursor?: string },
  ): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    const scope = cursorScope({ actor: actorId, entity: filter.entity, entityId: filter.entityId });
    const before = readCursor('audit', scope, filter.cursor, positions.serial);
    const limit = filter.limit ?? 100;
    const rows = await this.list(manager, { entity: filter.entity, entityId: filter.entityId, limit: limit + 1, beforeId: before?.id });
    const nextCursor = rows.length > limit ? encodeCursor('audit', scope, [rows[limit - 1].id]) : null;
    return { entries: rows.slice(0, limit), nextCursor };
  }

  /** Rows newest first (by id), those older than `beforeId` when given. */
  async list(manager: EntityManager, filter: { entity?: string; entityId?: string; limit: number; beforeId?: string }): Promise<AuditEntry[]> {
    const qb = manager.getRepository(AuditEntry).createQueryBuilder('a').orderBy('a.id', 'DESC').limit(filter.limit);
    if (filter.entity) qb.andWhere('a.entity = :entity', { entity: filter.entity });
    if (filter.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: filter.entityId });
    if (filter.beforeId) qb.andWhere('a.id < CAST(:beforeId AS bigint)', { beforeId: filter.beforeId });
    return qb.getMany();
  }
}
