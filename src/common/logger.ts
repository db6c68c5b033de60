import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { pino, type Logger as Pino } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from '../config/config.js';
import { redactSecrets, redactUrl } from './redact-url.js';

interface RequestContext {
  requestId: string;
  userId?: string;
}

/** Carries the request id (and later the user) to every log line written while a request is handled. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/**
 * The service's one logger. Every serialized line passes through `redactSecrets` on its way out, so a
 * sign-in link, feed address or token that reaches any log line (a request path, an error message, a
 * stack, a library's own log) is written redacted.
 *
 * Without a destination it writes to standard output, synchronously (as `console.log` does), so a line is
 * out before whatever comes next: the startup banner, or `process.exit` after "stopped". JSON lines (one
 * object a line, for a log shipper) unless `pretty`: then readable lines (pino-pretty). `pretty` defaults
 * to whether standard output is a terminal, when no destination is given.
 */
export function createRootLogger(level: LogLevel, destination?: NodeJS.WritableStream, options: { pretty?: boolean } = {}): Pino {
  const readable = options.pretty ?? (destination === undefined && process.stdout.isTTY === true);
  return pino(
    {
      level,
      base: { service: 'ridealong' },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const ctx = requestContext.getStore();
        return ctx ? { requestId: ctx.requestId, ...(ctx.userId ? { userId: ctx.userId } : {}) } : {};
      },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'token'], censor: '[redacted]' },
      hooks: { streamWrite: redactSecrets },
    },
    readable ? readableStream(destination) : ((destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 1, sync: true })),
  );
}

/**
 * pino-pretty's formatter over a synchronous write (not its transport nor its stream, which hand lines on
 * through piped streams a tick later; no worker thread either, so it works the same in the ESM build and in
 * the cluster's workers): `12:04:05 INFO: Jobs: message {extra fields}`. It formats the line after `redactSecrets`.
 */
function readableStream(destination?: NodeJS.WritableStream): pino.DestinationStream {
  const prettify = pretty.prettyFactory({
    translateTime: 'SYS:HH:MM:ss',
    singleLine: true,
    ignore: 'pid,hostname,service,context,worker',
    messageFormat: (log, messageKey) => {
      const who = [log.worker !== undefined ? `worker ${String(log.worker)}` : '', typeof log.context === 'string' ? log.context : '']
        .filter(Boolean)
        .join(' ');
      return `${who ? `${who}: ` : ''}${String(log[messageKey] ?? '')}`;
    },
  });
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  return { write: (line: string) => void out.write(prettify(line)) };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Express middleware: takes a well-formed `X-Request-Id` or makes one, echoes it on the response,
 * runs the rest of the request inside the log context, and logs one line when the response ends.
 */
export function requestLogging(log: Pino) {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    const ctx: RequestContext = { requestId };
    (req as Request & { ctx?: RequestContext }).ctx = ctx;
    requestContext.run(ctx, () => {
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        requestContext.run(ctx, () =>
          log.info(
            { method: req.method, path: redactUrl(req.originalUrl.split('?')[0]), status: res.statusCode, ms: Math.round(ms * 10) / 10 },
            'request',
          ),
        );
      });
      next();
    });
  };
}

/** Attaches the authenticated user's id to the current log context. */
export function setLogUser(req: Request, userId: string): void {
  const ctx = (req as Request & { ctx?: RequestContext }).ctx;
  if (ctx) ctx.userId = userId;
}

/**
 * What Nest says at `log` level while it starts (a line per module, controller and route, "Starting Nest
 * application...", "successfully started"): written at `debug`, so a boot at `info` says only what matters.
 */
const NEST_BOOT_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** Nest's logger interface over pino, so framework and app logs share one stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Pino) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, params: unknown[]) {
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    if (message && typeof message === 'object' && !(message instanceof Error)) {
      const text = typeof params[0] === 'string' ? (params.shift() as string) : undefined;
      this.pino[level]({ context, ...(message as object) }, text);
    } else if (message instanceof Error) {
      this.pino[level]({ context, err: message }, message.message);
    } else {
      const stack = level === 'error' && typeof params[0] === 'string' ? params[0] : undefined;
      this.pino[level]({ context, ...(stack ? { stack } : {}) }, String(message));
    }
  }

  log(message: unknown, ...params: unknown[]) {
    const context = params[params.length - 1];
    this.write(typeof context === 'string' && NEST_BOOT_CONTEXTS.has(context) ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write('fatal', message, params);
  }
}
