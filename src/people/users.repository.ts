import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ApiToken } from './api-token.entity.js';
import { hashToken } from './tokens.js';
import { pool } from '../common/prepared-query.js';
import { type Role, User } from './user.entity.js';

/** A person as the mails, invites and pages that name them need them. */
export interface PersonRow {
  id: string;
  name: string;
  email: string;
  time_zone: string;
  roles: string[];
  active: boolean;
}

/** A row of USER_COLUMNS. */
export interface UserRow {
  id: string;
  email: string;
  name: string;
  time_zone: string;
  roles: Role[];
  active: boolean;
  started_on: string | null;
  external_id: string | null;
  employee_number: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Every column of `users u`, as userFromRow reads them (a date as its ISO text, as TypeORM gives it). */
export const USER_COLUMNS =
  'u.id, u.email, u.name, u.time_zone, u.roles, u.active, u.started_on::text AS started_on, u.external_id, u.employee_number, u.created_at, u.updated_at';

/** The User entity of a row of USER_COLUMNS, for the hot queries that skip TypeORM. */
export function userFromRow(r: UserRow): User {
  return Object.assign(new User(), {
    id: r.id,
    email: r.email,
    name: r.name,
    timeZone: r.time_zone,
    roles: r.roles,
    active: r.active,
    startedOn: r.started_on,
    externalId: r.external_id,
    employeeNumber: r.employee_number,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
}


/** Queries about people and tokens; no decisions. */
@Injectable()
export class UsersRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * People by id (missing ids are left out, duplicates count once): the one look-up of users by a list of
   * ids. Static, like a query function, so other features' repositories use it with their own manager.
   */
  static peopleByIds(m: EntityManager, ids: readonly string[]): Promise<PersonRow[]> {
    return m.query(`SELECT id, name, email, time_zone, roles, active FROM users WHERE id = ANY($1::uuid[])`, [[...new Set(ids)]]);
  }

  /** Names of users by id (missing ids are left out). */
  static async namesByIds(m: EntityManager, ids: readonly string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    return new Map((await UsersRepository.peopleByIds(m, ids)).map((r) => [r.id, r.name]));
  }

  /** The active user owning a live (not revoked) token, in one query. */
  findByLiveToken(token: string): Promise<User | null> {
    return this.findByLiveTokenHash(hashToken(token));
  }

  /**
   * The same by the token's hash: the query of every API request, a named prepared statement (parsed and
   * planned once per pooled connection) sent straight to the pool.
   */
  async findByLiveTokenHash(hash: Buffer): Promise<User | null> {
    const { rows } = await pool(this.db).query<UserRow>({
      name: 'auth_user_by_token',
      text: `SELECT ${USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active`,
      values: [hash],
    });
    return rows[0] ? userFromRow(rows[0]) : null;
  }

  insert(m: EntityManager, user: Partial<User>): Promise<User> {
    return m.save(User, m.create(User, user));
  }

  save(m: EntityManager, user: User): Promise<User> {
    return m.save(User, user);
  }

  /** Takes the bootstrap's advisory lock for the rest of the transaction: instances starting together take turns. */
  async lockBootstrap(m: EntityManager): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['ridealong:bootstrap']);
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

  /**
   * Whether the user is active, holding a share lock on their row until the transaction ends. Every code
   * path that issues a credential (API token, sign-in link, session, feed) takes it before inserting, and a
   * deactivation locks the row for update before revoking: so a credential is either issued before the
   * deactivation (and revoked by it) or refused after it, never issued to a user being deactivated.
   */
  async lockActive(m: EntityManager, userId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM users WHERE id = $1 AND active FOR SHARE`, [userId]);
    return rows.length > 0;
  }

  /**
   * Revokes every credential the user holds, for good: API tokens are marked revoked (kept for the record),
   * browser sessions, calendar feed tokens and sign-in links (used or not) are deleted. Returns the counts.
   */
  async revokeCredentials(m: EntityManager, userId: string): Promise<{ apiTokens: number; sessions: number; calendarFeeds: number; signInLinks: number; calendarConnections: number }> {
    const count = async (sql: string) => ((await m.query(sql, [userId])) as [unknown[], number])[1];
    return {
      apiTokens: await count(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`),
      signInLinks: await count(`DELETE FROM sign_in_links WHERE user_id = $1`),
      sessions: await count(`DELETE FROM web_sessions WHERE user_id = $1`),
      calendarFeeds: await count(`DELETE FROM calendar_feeds WHERE user_id = $1`),
      // The addresses and passwords of their own calendars go too (with the events they brought).
      calendarConnections: await count(`DELETE FROM calendar_connections WHERE rep_id = $1`),
    };
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
