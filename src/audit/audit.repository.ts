import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditEntry } from './audit-entry.entity.js';

/** Queries about the audit log; no decisions. */
@Injectable()
export class AuditRepository {
  async insert(m: EntityManager, row: Pick<AuditEntry, 'actorId' | 'action' | 'entity' | 'entityId' | 'details' | 'requestId'>): Promise<void> {
    await m.insert(AuditEntry, { ...row, details: row.details as never });
  }

  /** Rows newest first (by id), those older than `beforeId` when given. */
  list(m: EntityManager, filter: { entity?: string; entityId?: string; limit: number; beforeId?: string }): Promise<AuditEntry[]> {
    const qb = m.getRepository(AuditEntry).createQueryBuilder('a').orderBy('a.id', 'DESC').limit(filter.limit);
    if (filter.entity) qb.andWhere('a.entity = :entity', { entity: filter.entity });
    if (filter.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: filter.entityId });
    if (filter.beforeId) qb.andWhere('a.id < CAST(:beforeId AS bigint)', { beforeId: filter.beforeId });
    return qb.getMany();
  }
}
