import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { errorBodyLogged, errorHeaders } from '../../common/error.filter.js';
import { html } from './html.js';
import { page } from './layout.js';

/** Whether the caller is a browser reading pages (not a script with a token, not fetch asking for JSON). */
export function wantsHtml(req: Request): boolean {
  return !req.header('authorization') && (req.header('accept') ?? '').includes('text/html');
}

/** Same-site relative path to come back to after sign-in; anything else becomes "/". */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}

/**
 * Errors of pages: a browser that is not signed in goes to the sign-in page (and comes back after); other
 * errors are a short page with the same status. Scripts and fetch() get the API's JSON error body.
 */
@Catch()
export class WebErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const body = errorBodyLogged(exception);
    if (res.headersSent) return;
    res.set(errorHeaders(body));
    if (!wantsHtml(req)) {
      res.status(body.statusCode).json(body);
      return;
    }
    if (body.code === 'unauthenticated') {
      const next = req.method === 'GET' ? req.originalUrl : '/';
      res.redirect(303, `/sign-in?next=${encodeURIComponent(safeNext(next))}`);
      return;
    }
    const title = body.statusCode === 404 ? 'Not found' : body.statusCode === 403 ? 'Not allowed' : body.statusCode >= 500 ? 'Something went wrong' : 'That did not work';
    res
      .status(body.statusCode)
      .type('html')
      .send(page({ title, body: html`<p>${body.message}</p><p><a href="/">Back to the start page</a></p>` }).value);
  }
}
