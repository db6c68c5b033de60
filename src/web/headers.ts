import type { NextFunction, Request, Response } from 'express';

/**
 * Headers for everything outside the JSON API: a strict Content-Security-Policy (scripts only from this
 * origin, no framing, forms only to this origin), no MIME sniffing, and no referrer to other sites.
 * Inline styles stay allowed for the rollup page, which shares its markup with the rollup email.
 */
export function pageHeaders(req: Request, res: Response, next: NextFunction): void {
  if (!req.path.startsWith('/api/') && !req.path.startsWith('/docs')) {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
  }
  next();
}
