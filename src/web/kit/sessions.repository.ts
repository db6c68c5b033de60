import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { User } from '../../people/user.entity.js';
import { hashToken } from '../../people/tokens.js';
import { pool } from '../../common/prepared-query.js';
import { USER_COLUMNS, userFromRow, type UserRow } from '../../people/users.repository.js';

export interface LiveSession {
  user: User;
  csrfToken: string;
  expiresAt: Date;
}

/** Magic links, their rate-limit log and browser sessions; secrets only as SHA-256 hashes. No decisions. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly db: DataSource) {}

  /** Logs a sign-in request and returns how many this address and this IP made since `since` (this one included). */
  async logRequest(m: EntityManager, email: string, ip: string, since: Date): Promise<{ byEmail: number; byIp: number }> {
    // One lock per address and one per IP make the count and the insert atomic across instances.
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('sign-in:' || lower($1))), pg_advisory_xact_lock(hashtext('sign-in-ip:' || $2))`, [email, ip]);
    await m.query(`INSERT INTO sign_in_requests (email, ip) VALUES ($1, $2)`, [email, ip]);
    const [row] = await m.query(
      `SELECT count(*) FILTER (WHERE lower(email) = lower($1))::int AS "byEmail", count(*) FILTER (WHERE ip = $2)::int AS "byIp"
         FROM sign_in_requests WHERE requested_at >= $3 AND (lower(email) = lower($1) OR ip = $2)`,
      [email, ip, since],
    );
    return row;
  }

  /** Forgets rate-limit entries older than `before` (they no longer count). */
  async pruneRequests(m: EntityManager, before: Date): Promise<void> {
    await m.query(`DELETE FROM sign_in_requests WHERE requested_at < $1`, [before]);
  }

  async insertLink(m: EntityManager, token: string, userId: string, expiresAt: Date): Promise<void> {
    await m.query(`INSERT INTO sign_in_links (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`, [hashToken(token), userId, expiresAt]);
  }

  /** The active user a live (unused, unexpired) link belongs to, without using it. */
  async peekLink(token: string, now: Date): Promise<User | null> {
    return this.db
      .getRepository(User)
      .createQueryBuilder('u')
      .innerJoin('sign_in_links', 'l', 'l.user_id = u.id')
      .where('l.token_hash = :hash', { hash: hashToken(token) })
      .andWhere('l.used_at IS NULL AND l.expires_at > :now AND u.active', { now })
      .getOne();
  }

  /** The user a link (live or not) was issued to, or null. */
  async linkOwner(m: EntityManager, token: string): Promise<string | null> {
    const rows: { user_id: string }[] = await m.query(`SELECT user_id FROM sign_in_links WHERE token_hash = $1`, [hashToken(token)]);
    return rows[0]?.user_id ?? null;
  }

  /** Marks a live link used and returns its user id; null when unknown, used, expired or the user is inactive. */
  async useLink(m: EntityManager, token: string, now: Date): Promise<string | null> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows]: [{ user_id: string }[], number] = await m.query(
      `UPDATE sign_in_links l SET used_at = $2
         FROM users u
        WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND u.id = l.user_id AND u.active
       RETURNING l.user_id`,
      [hashToken(token), now],
    );
    return rows[0]?.user_id ?? null;
  }

  async insertSession(m: EntityManager, token: string, userId: string, csrfToken: string, expiresAt: Date): Promise<void> {
    await m.query(`INSERT INTO web_sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)`, [
      hashToken(token),
      userId,
      csrfToken,
      expiresAt,
    ]);
  }

  /** The session's active user and CSRF token, in one query; null when unknown, expired or deactivated. */
  findSession(token: string, now: Date): Promise<LiveSession | null> {
    return this.findSessionByHash(hashToken(token), now);
  }

  /** The same by the cookie's hash: the query of every page, a named prepared statement sent straight to the pool. */
  async findSessionByHash(hash: Buffer, now: Date): Promise<LiveSession | null> {
    const { rows } = await pool(this.db).query<UserRow & { csrf_token: string; session_expires_at: Date }>({
      name: 'auth_session',
      text: `SELECT ${USER_COLUMNS}, s.csrf_token, s.expires_at AS session_expires_at
               FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active`,
      values: [hash, now],
    });
    const r = rows[0];
    return r ? { user: userFromRow(r), csrfToken: r.csrf_token, expiresAt: r.session_expires_at } : null;
  }

  async deleteSession(token: string): Promise<void> {
    await this.db.query(`DELETE FROM web_sessions WHERE token_hash = $1`, [hashToken(token)]);
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.db.query(`DELETE FROM web_sessions WHERE expires_at <= $1`, [now]);
    await this.db.query(`DELETE FROM sign_in_links WHERE expires_at <= $1`, [now]);
  }
}
