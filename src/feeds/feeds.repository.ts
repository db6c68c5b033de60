import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** Whose feed a token opens. */
export interface FeedOwner {
  id: string;
  name: string;
}

/** The secret calendar feed addresses (`calendar_feeds`: one token hash per user). */
@Injectable()
export class FeedsRepository {
  /** The active user whose calendar feed this token hash opens. */
  async owner(m: EntityManager, hash: Buffer): Promise<FeedOwner | null> {
    const [row] = await m.query(`SELECT u.id, u.name FROM calendar_feeds f JOIN users u ON u.id = f.user_id WHERE f.token_hash = $1 AND u.active`, [hash]);
    return row ?? null;
  }

  /**
   * Sets the user's feed token unless the user is deactivated (false then). The user's row is share-locked
   * first, as every credential issue does, so a concurrent deactivation either revokes this token or refuses it
   * (UsersRepository.revokeCredentials deletes the user's feed rows).
   */
  async setToken(m: EntityManager, userId: string, hash: Buffer): Promise<boolean> {
    const active: unknown[] = await m.query(`SELECT 1 FROM users WHERE id = $1 AND active FOR SHARE`, [userId]);
    if (active.length === 0) return false;
    await m.query(
      `INSERT INTO calendar_feeds (user_id, token_hash) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()`,
      [userId, hash],
    );
    return true;
  }
}
