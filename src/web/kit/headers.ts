import type { NextFunction, Request, Response } from 'express';

/**
 * Headers on every response, registered first so errors (a body too large, a 404, a 500) carry them too:
 * no MIME sniffing anywhere, and no caching by default. Answers are for one viewer (API and pages behind a
 * token or session, the secret calendar feed, errors of those requests), so nothing may keep them; the few
 * public, unchanging files (the pages' stylesheet and script) set their own Cache-Control, which replaces this.
 */
export function baseHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/**
 * Headers for everything outside the JSON API: a strict Content-Security-Policy (scripts only from this
 * origin, no framing, forms only to this origin) and no referrer to other sites.
 * Inline styles stay allowed for the rollup page, which shares its markup with the rollup email.
 */
export function pageHeaders(req: Request, res: Response, next: NextFunction): void {
  if (!req.path.startsWith('/api/') && !req.path.startsWith('/docs')) {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
  }
  next();
}
