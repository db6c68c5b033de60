import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock.js';
import { DomainError } from '../../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { layout, link, paragraph } from '../../mail/html.js';
import { MailService } from '../../mail/mail.service.js';
import type { User } from '../../people/user.entity.js';
import { CredentialCache } from '../../people/credential-cache.js';
import { UsersRepository } from '../../people/users.repository.js';
import { SessionsRepository } from '../kit/sessions.repository.js';

/** A magic link works once, for this long. */
export const LINK_MINUTES = 15;
/** Requests counted per address and per IP over this window … */
export const RATE_WINDOW_MINUTES = 15;
/** … at most this many for one address (known or not) … */
export const MAX_PER_EMAIL = 5;
/** … and this many from one IP. */
export const MAX_PER_IP = 30;
/** A browser session lasts this long from sign-in. */
export const SESSION_DAYS = 7;

const secret = (prefix: string) => prefix + randomBytes(32).toString('base64url');

/**
 * Sign-in by emailed magic link. Asking for a link answers the same whether or not the address belongs to
 * someone (the page never says); a link is single use and short-lived; requests are rate limited per
 * address and per IP in PostgreSQL, so every instance counts the same requests.
 */
@Injectable()
export class SignInService {
  constructor(
    private readonly db: DataSource,
    private readonly sessions: SessionsRepository,
    private readonly users: UsersRepository,
    private readonly credentials: CredentialCache,
    private readonly mail: MailService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Emails a link to the address when it belongs to an active user; throws too_many_requests over the limits. */
  async requestLink(email: string, ip: string): Promise<void> {
    const now = this.clock.now();
    const since = new Date(now.getTime() - RATE_WINDOW_MINUTES * 60_000);
    await this.db.transaction(async (m) => {
      const counts = await this.sessions.logRequest(m, email, ip, since);
      if (counts.byEmail > MAX_PER_EMAIL || counts.byIp > MAX_PER_IP) {
        throw new DomainError('too_many_requests', `Too many sign-in links asked for; try again in ${RATE_WINDOW_MINUTES} minutes`, {
          field: 'email',
          retryAfterSeconds: RATE_WINDOW_MINUTES * 60,
        });
      }
      const user = await this.users.findByEmail(m, email);
      if (!user?.active || !(await this.users.lockActive(m, user.id))) return;
      const token = secret('sl_');
      const expiresAt = new Date(now.getTime() + LINK_MINUTES * 60_000);
      await this.sessions.insertLink(m, token, user.id, expiresAt);
      await this.mail.enqueue(m, `sign-in:${token.slice(3, 23)}`, this.message(user, this.linkUrl(token), expiresAt));
    });
    // Old requests stop counting, and expired links and sessions work no more: deleting them keeps the tables small.
    await this.sessions.pruneRequests(this.db.manager, new Date(now.getTime() - 24 * 3600_000));
    await this.sessions.deleteExpired(now);
  }

  /** A link for the user without email or rate limit: the start-up banner's, for the bootstrap admin. */
  async issueLink(userId: string): Promise<string> {
    const token = secret('sl_');
    await this.db.transaction(async (m) => {
      if (!(await this.users.lockActive(m, userId))) throw new DomainError('invalid_state', 'The user is deactivated');
      await this.sessions.insertLink(m, token, userId, new Date(this.clock.now().getTime() + LINK_MINUTES * 60_000));
    });
    return this.linkUrl(token);
  }

  /** Who a live link would sign in, without using it (the confirmation page). */
  peek(token: string): Promise<User | null> {
    return this.sessions.peekLink(token, this.clock.now());
  }

  /** Uses the link and opens a session; null when the link is unknown, used or expired. */
  async consume(token: string): Promise<{ sessionToken: string; expiresAt: Date } | null> {
    const now = this.clock.now();
    return this.db.transaction(async (m) => {
      // The user's row first (as a deactivation does), then the link: the two can never wait on each other.
      const owner = await this.sessions.linkOwner(m, token);
      if (!owner || !(await this.users.lockActive(m, owner))) return null;
      const userId = await this.sessions.useLink(m, token, now);
      if (!userId) return null;
      const sessionToken = secret('ss_');
      const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
      await this.sessions.insertSession(m, sessionToken, userId, randomBytes(24).toString('base64url'), expiresAt);
      return { sessionToken, expiresAt };
    });
  }

  /** Opens a session for an active user signed in another way (single sign-on); null when the user is inactive. */
  async openSession(userId: string): Promise<{ sessionToken: string; expiresAt: Date } | null> {
    const now = this.clock.now();
    return this.db.transaction(async (m) => {
      if (!(await this.users.lockActive(m, userId))) return null;
      const sessionToken = secret('ss_');
      const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
      await this.sessions.insertSession(m, sessionToken, userId, randomBytes(24).toString('base64url'), expiresAt);
      return { sessionToken, expiresAt };
    });
  }

  async signOut(sessionToken: string): Promise<void> {
    await this.sessions.deleteSession(sessionToken);
    this.credentials.forgetSession(sessionToken);
  }

  private linkUrl(token: string): string {
    return `${this.config.publicUrl}/sign-in/${token}`;
  }

  private message(user: User, url: string, expiresAt: Date) {
    const until = DateTime.fromJSDate(expiresAt, { zone: user.timeZone }).toFormat("HH:mm '('ZZZZ')'");
    const text = [
      `Hello ${user.name},`,
      '',
      `Sign in to ridealong with this link. It works once, until ${until}:`,
      url,
      '',
      'If you did not ask for it, ignore this email: nobody can sign in without the link.',
    ].join('\n');
    const html = layout({
      title: 'Sign in to ridealong',
      preheader: `Your sign-in link, valid until ${until}`,
      body:
        paragraph(`Hello ${user.name},`) +
        paragraph(`Sign in with the link below. It works once, until ${until}.`) +
        `<p style="margin:0 0 16px 0">${link(url, 'Sign in to ridealong')}</p>`,
      footer: 'If you did not ask for this link, ignore this email: nobody can sign in without it.',
    });
    // The live link stays out of the outbox once the message is sent: the row keeps only its record.
    return { to: { name: user.name, email: user.email }, subject: 'Your ridealong sign-in link', text, html, secretBody: true };
  }
}
