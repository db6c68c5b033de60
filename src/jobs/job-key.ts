import { createHash } from 'node:crypto';

/**
 * The job id for a singleton key: a name-based UUID (version 5 layout, SHA-256) of queue and key, so the
 * same key sent twice to a queue collides on pg-boss's primary key and is queued once, from any instance.
 */
export function jobIdForKey(queue: string, key: string): string {
  const h = createHash('sha256').update(`${queue}\u0000${key}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50; // version 5
  h[8] = (h[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
