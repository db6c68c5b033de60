import { createServer, type Server } from 'node:http';
import type { Logger as Pino } from 'pino';
import { errorHeaders } from '../common/error.filter.js';
import { errorBody } from '../common/errors.js';

/** What answers on the port while the service boots; `close()` frees the port for the app. */
export interface BootResponder {
  close(): Promise<void>;
}

/**
 * Holds the HTTP port while the service boots (the embedded database, migrations under their lock, the
 * modules' start-up: a few seconds, or minutes behind a long migration), answering every request, `GET /ready`
 * and `GET /health` included, with 503 `unavailable` (`details.phase: "starting"`), `Retry-After` and
 * `Connection: close`. A load balancer or an orchestrator then reads "not ready" instead of a refused
 * connection. main.ts closes it just before the app listens. A port that cannot be taken is left to the app's
 * own listen to report (undefined is returned).
 */
export async function startBootResponder(port: number, host: string, log: Pino): Promise<BootResponder | undefined> {
  const body = errorBody(503, 'unavailable', 'The service is starting (database migrations, then its modules); try again in a few seconds', { phase: 'starting' });
  const json = JSON.stringify(body);
  const server: Server = createServer((_req, res) => {
    res.writeHead(503, {
      ...errorHeaders(body),
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(json),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      Connection: 'close',
    });
    res.end(json);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    log.debug({ err: (err as Error).message, port }, 'the port could not be held while booting; the app will try it when it listens');
    return undefined;
  }
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
