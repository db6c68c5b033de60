import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'ra_';

/** A new API token: 32 random bytes, base64url, with a recognisable prefix. */
export function generateToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/** Tokens are high-entropy secrets, so one SHA-256 is enough to store them safely (no salt, no KDF). */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function tokenPrefix(token: string): string {
  return token.slice(0, PREFIX.length + 6);
}

/** Reads `Authorization: Bearer <token>`; undefined when absent or malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+([A-Za-z0-9_\-.~+/]+=*)\s*$/i.exec(header);
  return m?.[1];
}
