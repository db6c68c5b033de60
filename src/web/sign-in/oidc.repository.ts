import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { hashToken } from '../../people/tokens.js';

export interface OidcFlow {
  state: string;
  nonce: string;
  codeVerifier: string;
  next: string;
}

/** Single sign-on flows in progress, keyed by the hash of the browser's cookie id. No decisions. */
@Injectable()
export class OidcFlowsRepository {
  constructor(private readonly db: DataSource) {}

  async insert(id: string, flow: OidcFlow, expiresAt: Date): Promise<void> {
    await this.db.query(`INSERT INTO oidc_flows (id_hash, state, nonce, code_verifier, next, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      hashToken(id),
      flow.state,
      flow.nonce,
      flow.codeVerifier,
      flow.next,
      expiresAt,
    ]);
  }

  /** Deletes the flow and returns it when it was still live: a flow is used at most once. */
  async take(id: string, now: Date): Promise<OidcFlow | null> {
    const rows: { state: string; nonce: string; code_verifier: string; next: string; expires_at: Date }[] = await this.db.query(
      // In a CTE: TypeORM answers a bare DELETE ... RETURNING with [rows, count].
      `WITH taken AS (DELETE FROM oidc_flows WHERE id_hash = $1 RETURNING state, nonce, code_verifier, next, expires_at) SELECT * FROM taken`,
      [hashToken(id)],
    );
    const row = rows[0];
    if (!row || row.expires_at.getTime() <= now.getTime()) return null;
    return { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, next: row.next };
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.db.query(`DELETE FROM oidc_flows WHERE expires_at <= $1`, [now]);
  }
}
