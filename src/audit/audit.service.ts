import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { cursorScope, encodeCursor, positions } from '../common/cursor.js';
import { requestContext } from '../common/logger.js';
import { readCursor } from '../common/paging.js';
import { AuditEntry } from './audit-entry.entity.js';
import { AuditRepository } from './audit.repository.js';

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
  constructor(
    private readonly db: DataSource,
    private readonly repo: AuditRepository,
  ) {}

  async record(manager: EntityManager, entry: AuditRecord): Promise<void> {
    await this.repo.insert(manager, this.row(entry));
  }

  /** The row `record` writes (with the request's id), for a caller that writes it in a statement of its own. */
  row(entry: AuditRecord): Pick<AuditEntry, 'actorId' | 'action' | 'entity' | 'entityId' | 'details' | 'requestId'> {
    return {
      actorId: entry.actorId,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId ?? null,
      details: entry.details ?? {},
      requestId: requestContext.getStore()?.requestId ?? null,
    };
  }

  /** One page of rows, newest first: `limit` (default 100) after `cursor`, and the next page's cursor. */
  async page(
    actorId: string,
    filter: { entity?: string; entityId?: string; limit?: number; cursor?: string },
  ): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    const scope = cursorScope({ actor: actorId, entity: filter.entity, entityId: filter.entityId });
    const before = readCursor('audit', scope, filter.cursor, positions.serial);
    const limit = filter.limit ?? 100;
    const rows = await this.repo.list(this.db.manager, { entity: filter.entity, entityId: filter.entityId, limit: limit + 1, beforeId: before?.id });
    const nextCursor = rows.length > limit ? encodeCursor('audit', scope, [rows[limit - 1].id]) : null;
    return { entries: rows.slice(0, limit), nextCursor };
  }
}
