import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IcsRoute {
  body: string;
  status?: number;
  type?: string;
  /** Sent as ETag; a request whose If-None-Match holds it gets 304. */
  etag?: string;
  /** Sent as Last-Modified; a request whose If-Modified-Since equals it gets 304 (when no ETag is set). */
  lastModified?: string;
}

/**
 * A real HTTP server for calendar feeds that honours conditional requests as Google and Outlook do (ETag and
 * If-None-Match, Last-Modified and If-Modified-Since: 304 when unchanged), and keeps every request's headers.
 */
export class IcsServer {
  private server?: Server;
  private readonly routes = new Map<string, IcsRoute>();
  readonly requests: { path: string; headers: IncomingHttpHeaders; status: number }[] = [];
  url = '';

  /** Serves `route` (or a body, with its content type and status) at `path`; returns its URL. */
  set(path: string, route: IcsRoute | string, type?: string, status?: number): string {
    this.routes.set(path, typeof route === 'string' ? { body: route, type, status } : route);
    return `${this.url}${path}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const r = this.routes.get(path);
      let status = r ? (r.status ?? 200) : 404;
      if (r && status === 200) {
        const inm = req.headers['if-none-match'];
        const ims = req.headers['if-modified-since'];
        if ((r.etag && inm === r.etag) || (!r.etag && r.lastModified && ims === r.lastModified)) status = 304;
      }
      this.requests.push({ path, headers: req.headers, status });
      if (!r) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      const headers: Record<string, string> = { 'Content-Type': r.type ?? 'text/calendar; charset=utf-8' };
      if (r.etag) headers.ETag = r.etag;
      if (r.lastModified) headers['Last-Modified'] = r.lastModified;
      if (status === 304) res.writeHead(304, headers).end();
      else res.writeHead(status, headers).end(r.body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Requests to a path, oldest first. */
  to(path: string) {
    return this.requests.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
