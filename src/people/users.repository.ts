import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ApiToken } from './api-token.entity.js';
import { hashToken } from './tokens.js';
import { User } from './user.entity.js';

/** Queries about people and tokens; no decisions. */
@Injectable()
export class UsersRepository {
  constructor(private readonly db: DataSource) {}

  /** The active user owning a live (not revoked) token, in one query. */
  async findByLiveToken(token: string): Promise<User | null> {
    return this.db
      .getRepository(User)
      .createQueryBuilder('u')
      .innerJoin(ApiToken, 't', 't.user_id = u.id')
      .where('t.token_hash = :hash', { hash: hashToken(token) })
      .andWhere('t.revoked_at IS NULL')
      .andWhere('u.active')
      .getOne();
  }

  findById(m: EntityManager, id: string): Promise<User | null> {
    return m.findOneBy(User, { id });
  }

  /** Locks the row for the rest of the transaction. */
  findByIdForUpdate(m: EntityManager, id: string): Promise<User | null> {
    return m.getRepository(User).createQueryBuilder('u').setLock('pessimistic_write').where('u.id = :id', { id }).getOne();
  }

  findByEmail(m: EntityManager, email: string): Promise<User | null> {
    return m.getRepository(User).createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  list(m: EntityManager, filter: { role?: string; active?: boolean; limit: number; offset: number }): Promise<User[]> {
    const qb = m.getRepository(User).createQueryBuilder('u').orderBy('lower(u.email)').limit(filter.limit).offset(filter.offset);
    if (filter.role) qb.andWhere(':role = ANY(u.roles)', { role: filter.role });
    if (filter.active !== undefined) qb.andWhere('u.active = :active', { active: filter.active });
    return qb.getMany();
  }

  /** Active lifecycle users, locked, so two deactivations cannot both pass the "not the last one" check. */
  async lockActiveLifecycleIds(m: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM users WHERE active AND 'lifecycle' = ANY(roles) ORDER BY id FOR UPDATE`,
    );
    return rows.map((r) => r.id);
  }

  async anyActiveLifecycle(m: EntityManager): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM users WHERE active AND 'lifecycle' = ANY(roles) LIMIT 1`);
    return rows.length > 0;
  }

  insertToken(m: EntityManager, token: Partial<ApiToken>): Promise<ApiToken> {
    return m.save(ApiToken, m.create(ApiToken, token));
  }

  listTokens(m: EntityManager, userId: string): Promise<ApiToken[]> {
    return m.find(ApiToken, { where: { userId }, order: { createdAt: 'ASC' } });
  }

  findToken(m: EntityManager, userId: string, tokenId: string): Promise<ApiToken | null> {
    return m.findOneBy(ApiToken, { id: tokenId, userId });
  }

  async revokeToken(m: EntityManager, tokenId: string): Promise<boolean> {
    const r = await m.update(ApiToken, { id: tokenId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return (r.affected ?? 0) > 0;
  }
}
