import type { AuthedRequest } from '../../people/auth.decorators.js';

/** Cookie names: the session, and the CSRF token of forms shown before sign-in (double submit). */
export const SESSION_COOKIE = 'ra_session';
export const ANON_CSRF_COOKIE = 'ra_csrf';

/**
 * A page request as the web guard leaves it. Its own file, so the guard (which fills it in) and the
 * decorators (which apply the guard) both import it and not each other.
 */
export type WebRequest = AuthedRequest & {
  cookies?: Record<string, string | undefined>;
  /** The session's CSRF token (every form carries it); undefined for Bearer-token callers. */
  csrf?: string;
};
