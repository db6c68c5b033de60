import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { requestContext } from '../common/logger.js';
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

  async list(manager: EntityManager, filter: { entity?: string; entityId?: string; limit: number }): Promise<AuditEntry[]> {
    const qb = manager.getRepository(AuditEntry).createQueryBuilder('a').orderBy('a.id', 'DESC').limit(filter.limit);
    if (filter.entity) qb.andWhere('a.entity = :entity', { entity: filter.entity });
    if (filter.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: filter.entityId });
    return qb.getMany();
  }
}
