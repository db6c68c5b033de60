import type { Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { errorHeaders } from './error.filter.js';
import { errorBody } from './errors.js';

/** What a drain saw: requests that were in flight when it started, and those still running when it gave up. */
export interface DrainResult {
  inFlight: number;
  unfinished: number;
  refused: number;
  ms: number;
}

/**
 * Graceful shutdown of one HTTP server. Its middleware (the first one) counts the requests in flight; once
 * `drain()` starts, a request that reaches the service (a new one on a kept-alive connection) is not run: it
 * answers 503 `unavailable` with `Retry-After` and `Connection: close`. The server stops listening, idle
 * connections are closed, requests in flight finish (their responses close their connections), then every
 * connection left is closed.
 */
export class HttpDrain {
  private draining = false;
  private refused = 0;
  private readonly inFlight = new Set<Response>();
  private onIdle: (() => void) | undefined;

  get isDraining(): boolean {
    return this.draining;
  }

  readonly middleware = (_req: Request, res: Response, next: NextFunction): void => {
    if (this.draining) {
      this.refused++;
      const body = errorBody(503, 'unavailable', 'The service is shutting down; try again in a few seconds');
      res.set({ ...errorHeaders(body), Connection: 'close' }).status(503).json(body);
      return;
    }
    this.inFlight.add(res);
    res.once('close', () => {
      this.inFlight.delete(res);
      if (this.inFlight.size === 0) this.onIdle?.();
    });
    next();
  };

  /** Starts draining `server` and resolves when the requests in flight have finished (or after `timeoutMs`). */
  async drain(server: Server, timeoutMs: number): Promise<DrainResult> {
    const started = Date.now();
    this.draining = true;
    const inFlight = this.inFlight.size;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    server.close(); // stops listening and closes the idle kept-alive connections (Node 19+)
    server.closeIdleConnections();
    if (this.inFlight.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const unfinished = this.inFlight.size;
    server.closeAllConnections();
    return { inFlight, unfinished, refused: this.refused, ms: Date.now() - started };
  }
}

const drains = new WeakMap<object, HttpDrain>();

/** The drain createApp installed on an application. */
export function drainOf(app: object): HttpDrain | undefined {
  return drains.get(app);
}

export function registerDrain(app: object, drain: HttpDrain): void {
  drains.set(app, drain);
}
