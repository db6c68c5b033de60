import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { hashToken } from '../people/tokens.js';
import { User } from '../people/user.entity.js';
import { ScimToken } from './scim-token.entity.js';

/** Queries for SCIM provisioning: tokens, and users by the keys SCIM looks them up by. No decisions. */
@Injectable()
export class ScimRepository {
  constructor(private readonly db: DataSource) {}

  insertToken(m: EntityManager, token: Partial<ScimToken>): Promise<ScimToken> {
    return m.save(ScimToken, m.create(ScimToken, token));
  }

  listTokens(m: EntityManager): Promise<ScimToken[]> {
    return m.find(ScimToken, { order: { createdAt: 'ASC' } });
  }

  async revokeToken(m: EntityManager, id: string): Promise<boolean> {
    const r = await m.update(ScimToken, { id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return (r.affected ?? 0) > 0;
  }

  findToken(m: EntityManager, id: string): Promise<ScimToken | null> {
    return m.findOneBy(ScimToken, { id });
  }

  /** The live token with this secret, marking it used; null when unknown or revoked. */
  async useLiveToken(secret: string): Promise<string | null> {
    // TypeORM answers an UPDATE with [rows, count]
    const [rows] = (await this.db.query(
      `UPDATE scim_tokens SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id`,
      [hashToken(secret)],
    )) as [{ id: string }[], number];
    return rows[0]?.id ?? null;
  }

  /** Every user, oldest first (the SCIM list filters them in memory; a company has hundreds, not millions). */
  allUsers(m: EntityManager): Promise<User[]> {
    return m.find(User, { order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The user with this email, ignoring case (the index on lower(email)): the identity providers' look-up. */
  usersByEmail(m: EntityManager, email: string): Promise<User[]> {
    return m.getRepository(User).createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getMany();
  }

  findUser(m: EntityManager, id: string): Promise<User | null> {
    return m.findOneBy(User, { id });
  }

  findUserForUpdate(m: EntityManager, id: string): Promise<User | null> {
    return m.getRepository(User).createQueryBuilder('u').setLock('pessimistic_write').where('u.id = :id', { id }).getOne();
  }

  /** Another user holding this email (ignoring case) or external id. */
  async clash(m: EntityManager, email: string, externalId: string | null, exceptId: string | null): Promise<'email' | 'externalId' | null> {
    const rows: { email_clash: boolean }[] = await m.query(
      `SELECT lower(email) = lower($1) AS email_clash FROM users
        WHERE (lower(email) = lower($1) OR ($2::text IS NOT NULL AND external_id = $2)) AND ($3::uuid IS NULL OR id <> $3)
        LIMIT 1`,
      [email, externalId, exceptId],
    );
    if (!rows.length) return null;
    return rows[0].email_clash ? 'email' : 'externalId';
  }

  insertUser(m: EntityManager, user: Partial<User>): Promise<User> {
    return m.save(User, m.create(User, user));
  }

  saveUser(m: EntityManager, user: User): Promise<User> {
    return m.save(User, user);
  }

  /** Members of a role's group: their ids and names, oldest first. */
  membersOfRole(m: EntityManager, role: string): Promise<{ id: string; name: string }[]> {
    return m.query(`SELECT id, name FROM users WHERE $1 = ANY(roles) ORDER BY created_at, id`, [role]);
  }

  /** Locks the users with these ids; returns the ids that exist. */
  async lockUsers(m: EntityManager, ids: readonly string[]): Promise<string[]> {
    const valid = ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
    if (!valid.length) return [];
    const rows: { id: string }[] = await m.query(`SELECT id FROM users WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [valid]);
    return rows.map((r) => r.id);
  }

  /** Adds or removes a role on these users; returns the ids whose roles changed. */
  async setRole(m: EntityManager, role: string, add: readonly string[], remove: readonly string[]): Promise<string[]> {
    const changed: string[] = [];
    if (add.length) {
      const [rows] = (await m.query(
        `UPDATE users SET roles = array_append(roles, $1), updated_at = now() WHERE id = ANY($2::uuid[]) AND NOT ($1 = ANY(roles)) RETURNING id`,
        [role, add],
      )) as [{ id: string }[], number];
      changed.push(...rows.map((r) => r.id));
    }
    if (remove.length) {
      const [rows] = (await m.query(
        `UPDATE users SET roles = array_remove(roles, $1), updated_at = now() WHERE id = ANY($2::uuid[]) AND $1 = ANY(roles) RETURNING id`,
        [role, remove],
      )) as [{ id: string }[], number];
      changed.push(...rows.map((r) => r.id));
    }
    return changed;
  }

  async activeLifecycleCount(m: EntityManager): Promise<number> {
    const rows: { id: string }[] = await m.query(`SELECT id FROM users WHERE active AND 'lifecycle' = ANY(roles) ORDER BY id FOR UPDATE`);
    return rows.length;
  }

  // ---------------------------------------------------------------- what a deactivation ends

  /** Confirmed bookings of the person (as rep or marketer) that have not started. */
  async futureBookingIds(m: EntityManager, userId: string, now: Date): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM bookings WHERE (rep_id = $1 OR marketer_id = $1) AND status = 'confirmed' AND starts_at > $2 ORDER BY starts_at, id`,
      [userId, now],
    );
    return rows.map((r) => r.id);
  }

  /** Marks the rep's invited or active roster entries in planned and open periods removed; returns their ids. */
  async removeFromOpenRosters(m: EntityManager, repId: string): Promise<{ id: string; from: string }[]> {
    const [rows] = (await m.query(
      `UPDATE roster_entries r SET status = 'removed'
         FROM periods p, roster_entries old
        WHERE r.rep_id = $1 AND r.status IN ('invited', 'active') AND p.id = r.period_id AND p.status IN ('planned', 'open')
          AND old.id = r.id
        RETURNING r.id, old.status AS "from"`,
      [repId],
    )) as [{ id: string; from: string }[], number];
    return rows;
  }

  /** Ends the marketer's enrolments in planned and open periods; returns their ids. */
  async endOpenEnrolments(m: EntityManager, marketerId: string, now: Date): Promise<string[]> {
    const [rows] = (await m.query(
      `UPDATE enrollments e SET ended_at = $2 FROM periods p
        WHERE e.marketer_id = $1 AND e.ended_at IS NULL AND p.id = e.period_id AND p.status IN ('planned', 'open')
        RETURNING e.id`,
      [marketerId, now],
    )) as [{ id: string }[], number];
    return rows.map((r) => r.id);
  }
}
