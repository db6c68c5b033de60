import { Injectable, OnModuleInit } from '@nestjs/common';
import { Notifications } from '../database/notifications.js';
import { hashToken } from './tokens.js';
import { User } from './user.entity.js';
import { UsersRepository } from './users.repository.js';

/** The channel the credential triggers NOTIFY with a user's id (migrations/1795600100000-AddCredentialNotifications.ts). */
export const CREDENTIALS_CHANNEL = 'ridealong_credentials';

/**
 * How long a credential found in the database is answered from memory. Invalidation is by notification
 * (milliseconds after the commit, on every instance), so this is only the backstop for a change no trigger
 * sees; 5 s already answers nearly every request of a client making more than one a second from memory.
 */
export const CREDENTIAL_TTL_MS = 5_000;
/** Entries kept per kind (tokens, sessions); past it the oldest goes. A User is well under 1 kB. */
export const CREDENTIAL_CACHE_MAX = 10_000;

/** A browser session as the web guard needs it. */
export interface CachedSession {
  user: User;
  csrfToken: string;
  expiresAt: Date;
}

interface Entry<T> {
  value: T;
  userId: string;
  until: number;
}

/** Hash → credential for a few seconds, oldest out first, with an index by user for invalidation. */
class Shelf<T> {
  private readonly byHash = new Map<string, Entry<T>>();
  private readonly byUser = new Map<string, Set<string>>();

  get(key: string, now: number): T | undefined {
    const e = this.byHash.get(key);
    if (!e) return undefined;
    if (e.until <= now) {
      this.delete(key, e);
      return undefined;
    }
    return e.value;
  }

  set(key: string, userId: string, value: T, until: number): void {
    const old = this.byHash.get(key);
    if (old) this.delete(key, old);
    if (this.byHash.size >= CREDENTIAL_CACHE_MAX) {
      const [oldestKey, oldest] = this.byHash.entries().next().value!;
      this.delete(oldestKey, oldest);
    }
    this.byHash.set(key, { value, userId, until });
    let keys = this.byUser.get(userId);
    if (!keys) this.byUser.set(userId, (keys = new Set()));
    keys.add(key);
  }

  forgetKey(key: string): void {
    const e = this.byHash.get(key);
    if (e) this.delete(key, e);
  }

  forgetUser(userId: string): void {
    for (const key of this.byUser.get(userId) ?? []) this.byHash.delete(key);
    this.byUser.delete(userId);
  }

  clear(): void {
    this.byHash.clear();
    this.byUser.clear();
  }

  get size(): number {
    return this.byHash.size;
  }

  private delete(key: string, e: Entry<T>): void {
    this.byHash.delete(key);
    const keys = this.byUser.get(e.userId);
    keys?.delete(key);
    if (keys?.size === 0) this.byUser.delete(e.userId);
  }
}

/** A copy the caller may change without changing the cached one. */
function copyUser(u: User): User {
  return Object.assign(new User(), u, { roles: [...u.roles] });
}

/**
 * API tokens and browser sessions, answered from memory for a few seconds instead of one query per request.
 * Only live credentials are kept: an unknown, revoked or expired one is looked up every time, so a token or
 * session just created works at once. Every instance drops a user's entries when PostgreSQL notifies a
 * change of their tokens, sessions or person (triggers, on commit), and everything when its LISTEN
 * connection was lost; while that connection is down nothing is cached. The process that makes a change
 * also drops the entries itself before answering (`forgetUser`, `forgetSession`), so its own next request
 * never sees the old credential.
 */
@Injectable()
export class CredentialCache implements OnModuleInit {
  private readonly tokens = new Shelf<User>();
  private readonly sessions = new Shelf<CachedSession>();
  /**
   * Bumped by every invalidation: a lookup that started before one does not store what it read (it may
   * have read the row before the change committed).
   */
  private generation = 0;

  constructor(
    private readonly notifications: Notifications,
    private readonly users: UsersRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.notifications.subscribe(CREDENTIALS_CHANNEL, {
      onNotify: (userId) => this.forgetUser(userId),
      onReset: () => this.forgetAll(),
    });
  }

  /** The active user owning a live API token. */
  async userForToken(token: string): Promise<User | null> {
    const key = hashToken(token);
    const id = key.toString('base64');
    const hit = this.listening() ? this.tokens.get(id, Date.now()) : undefined;
    if (hit) return copyUser(hit);
    const generation = this.generation;
    const user = await this.users.findByLiveTokenHash(key);
    if (user && this.mayStore(generation)) this.tokens.set(id, user.id, copyUser(user), Date.now() + CREDENTIAL_TTL_MS);
    return user;
  }

  /** The live session of a cookie, read by `load` (given the cookie's hash) when not in memory; expired ones are never answered. */
  async session<S extends CachedSession>(token: string, now: Date, load: (hash: Buffer) => Promise<S | null>): Promise<S | null> {
    const key = hashToken(token);
    const id = key.toString('base64');
    const hit = this.listening() ? this.sessions.get(id, Date.now()) : undefined;
    if (hit && hit.expiresAt > now) return { ...(hit as S), user: copyUser(hit.user) };
    const generation = this.generation;
    const session = await load(key);
    if (session && this.mayStore(generation)) {
      const until = Math.min(Date.now() + CREDENTIAL_TTL_MS, session.expiresAt.getTime());
      this.sessions.set(id, session.user.id, { ...session, user: copyUser(session.user) }, until);
    }
    return session;
  }

  /** Drops every credential of a user (their tokens, sessions or person changed). */
  forgetUser(userId: string): void {
    this.generation += 1;
    this.tokens.forgetUser(userId);
    this.sessions.forgetUser(userId);
  }

  /** Drops one session (signed out). */
  forgetSession(token: string): void {
    this.generation += 1;
    this.sessions.forgetKey(hashToken(token).toString('base64'));
  }

  /** Drops everything (many people changed at once, or notifications may have been missed). */
  forgetAll(): void {
    this.generation += 1;
    this.tokens.clear();
    this.sessions.clear();
  }

  /** Entries held, for tests. */
  get size(): { tokens: number; sessions: number } {
    return { tokens: this.tokens.size, sessions: this.sessions.size };
  }

  private mayStore(generation: number): boolean {
    return generation === this.generation && this.listening();
  }

  /** Whether changes will reach this instance; if not, memory is neither read nor filled. */
  private listening(): boolean {
    return this.notifications.listening(CREDENTIALS_CHANNEL);
  }
}
