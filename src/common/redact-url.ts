/**
 * Secrets that travel in URLs, kept out of every log line: the service's own tokens (API tokens `ra_`,
 * sign-in links `sl_`, browser sessions `ss_`, calendar feeds `rc_`), the path segment after a route whose
 * address is itself the credential (`/sign-in/…`, `/calendar/…`), and query parameters named like a secret.
 */

/** What a secret becomes. */
export const REDACTED = '[redacted]';

/** Prefixes of the secrets the service issues (see people/tokens.ts, web/sign-in.service.ts, bookings feed). */
export const SECRET_PREFIXES = ['ra', 'sl', 'ss', 'rc'] as const;

/** Routes whose next path segment is a secret, whatever its shape (a truncated or mistyped link is still mostly secret). */
export const SECRET_ROUTES = ['sign-in', 'calendar'] as const;

/** Query parameters (any letter case) whose value is a secret. */
export const SECRET_QUERY_NAMES = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'apikey',
  'key',
  'code',
  'state',
  'secret',
  'client_secret',
  'password',
  'passwd',
  'pwd',
  'sig',
  'signature',
  'session',
  'auth',
  'authorization',
  'jwt',
  '_csrf',
  'csrf',
] as const;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A token of ours: its prefix, then at least 16 base64url characters (every issued one has 32 or more),
 * not glued to a longer word (`extra_…` is not `ra_…`) unless what is on its left is a JSON escape (`\n`)
 * or a percent-encoded character (`%2F`).
 */
const TOKEN = new RegExp(`(?:(?<![A-Za-z0-9_-])|(?<=\\\\[nrtbf]|%[0-9A-Fa-f]{2}))(${SECRET_PREFIXES.join('|')})_[A-Za-z0-9_-]{16,}`, 'g');
/** `/sign-in/<segment>` and `/calendar/<segment>`, the segment ending at `/ ? # " '`, whitespace or a backslash. */
const ROUTE_SEGMENT = new RegExp(`(/(?:${SECRET_ROUTES.map(escape).join('|')})/)([^/?#\\s"'\\\\]+)`, 'g');
/** `?name=value` or `&name=value` (also `;`), the value ending at `& # " '`, whitespace or a backslash. */
const QUERY_PARAM = new RegExp(`([?&;](?:${SECRET_QUERY_NAMES.map(escape).join('|')})=)([^&#\\s"'\\\\]*)`, 'gi');

/** A route word (`/sign-in/oidc`, `/sign-in/oidc/callback`) is not a secret; everything else after a secret route is. */
const ROUTE_WORD = /^[a-z][a-z-]{0,31}$/;

function redactSegment(segment: string): string {
  if (ROUTE_WORD.test(segment) || segment.includes(REDACTED)) return segment;
  const m = /^(?:(ra|sl|ss|rc)_)?.*?(\.[A-Za-z]{1,5})?$/.exec(segment);
  return `${m?.[1] ? `${m[1]}_` : ''}${REDACTED}${m?.[2] ?? ''}`;
}

/**
 * Any text with its secrets replaced: token shapes anywhere, the segment after a secret route, secret query
 * values. Works on a URL, a message, a stack trace or a whole serialized JSON log line (it never touches
 * the JSON's quotes or backslashes, so the line stays valid JSON).
 */
export function redactSecrets(text: string): string {
  return text
    .replace(TOKEN, (_all, prefix: string) => `${prefix}_${REDACTED}`)
    .replace(ROUTE_SEGMENT, (_all, route: string, segment: string) => route + redactSegment(segment))
    .replace(QUERY_PARAM, (_all, name: string, value: string) => (value === '' ? name : name + REDACTED));
}

/** A request URL (path and query) fit for a log line. */
export function redactUrl(url: string): string {
  return redactSecrets(url);
}
