import type { EntityManager } from 'typeorm';

/**
 * Sign-in links for the welcome emails of people an import creates. Sign-in by link lives in the web layer,
 * which features do not import: the web module provides this (src/web/sign-in/welcome-links.service.ts),
 * writing the links in the import's transaction. Returns each user's link URL by user id.
 */
export abstract class WelcomeLinks {
  abstract issue(m: EntityManager, userIds: readonly string[]): Promise<Map<string, { url: string; expiresAt: Date }>>;
}
