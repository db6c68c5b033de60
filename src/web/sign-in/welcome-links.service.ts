import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { WelcomeLinks } from '../../imports/welcome-links.js';
import { UsersRepository } from '../../people/users.repository.js';
import { SessionsRepository } from '../kit/sessions.repository.js';

/** A welcome email's sign-in link works once, for this long (a magic link asked for on the page: 15 minutes). */
export const WELCOME_LINK_DAYS = 7;

/** The magic links of the import's welcome emails: the sign-in links of /sign-in/:token, longer lived. */
@Injectable()
export class WelcomeLinksService extends WelcomeLinks {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly users: UsersRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async issue(m: EntityManager, userIds: readonly string[]): Promise<Map<string, { url: string; expiresAt: Date }>> {
    const expiresAt = new Date(this.clock.now().getTime() + WELCOME_LINK_DAYS * 86_400_000);
    const links = new Map<string, { url: string; expiresAt: Date }>();
    for (const userId of userIds) {
      // As every credential is issued: only to an active user, holding their row's share lock.
      if (!(await this.users.lockActive(m, userId))) continue;
      const token = 'sl_' + randomBytes(32).toString('base64url');
      await this.sessions.insertLink(m, token, userId, expiresAt);
      links.set(userId, { url: `${this.config.publicUrl}/sign-in/${token}`, expiresAt });
    }
    return links;
  }
}
