import { DomainError } from '../errors.js';

/** Why a URL is refused by the outbound policy. */
export type RefusedReason = 'invalid_url' | 'scheme' | 'credentials' | 'private_address' | 'metadata' | 'too_many_redirects';

/**
 * The URL is refused by policy (scheme, credentials in the URL, resolves to a loopback, private, link-local,
 * unique-local, CGNAT or metadata address, too many redirects). A 400 naming `url` when it reaches the API
 * (it is a DomainError `invalid_value` with `details.field = 'url'`). The message never holds the URL.
 */
export class OutboundRefusedError extends DomainError {
  readonly field = 'url';
  constructor(
    readonly reason: RefusedReason,
    message: string,
  ) {
    super('invalid_value', message, { field: 'url', reason });
    this.name = 'OutboundRefusedError';
  }
}

export type FailedReason = 'timeout' | 'too_large' | 'network' | 'http_status';

/**
 * The fetch failed: DNS, connect, TLS, timeout, body too large, or an HTTP error status. The message is plain
 * words for a rep and never holds the URL's path or query.
 */
export class OutboundFailedError extends Error {
  constructor(
    readonly reason: FailedReason,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'OutboundFailedError';
  }
}
