import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import express from 'express';
import type { Server } from 'node:http';
import { constants as zlibConstants } from 'node:zlib';
import type { Logger as Pino } from 'pino';
import 'reflect-metadata';
import { AppModule } from './app.module.js';
import { Metrics } from './metrics/metrics.service.js';
import { registerDrain, HttpDrain } from './common/drain.js';
import { JSON_BODY_LIMIT } from './common/error.filter.js';
import { completeDocument } from './common/openapi.js';
import { InputGuard } from './common/input-guard.js';
import { scimBodyParser } from './scim/scim-body.js';
import { CSV_MEDIA_TYPES, IMPORT_BODY_LIMIT } from './imports/people-csv.js';
import { PinoNestLogger, requestLogging } from './common/logger.js';
import { buildValidationPipe } from './common/validation.js';
import type { AppConfig } from './config/config.js';
import { baseHeaders, pageHeaders } from './web/kit/headers.js';


/** Builds the configured Nest application (not listening yet); used by main.ts, the tests and the benchmarks. */
export async function createApp(config: AppConfig, databaseUrl: string, log: Pino): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, databaseUrl }), {
    logger: new PinoNestLogger(log),
    bodyParser: false,
    abortOnError: false,
  });
  // A request must arrive whole in time (a body trickled in holds no connection for long): 408, then closed.
  const server = app.getHttpServer() as Server;
  server.requestTimeout = config.httpRequestTimeoutSeconds * 1000;
  server.headersTimeout = config.httpHeadersTimeoutSeconds * 1000;
  // How often Node checks those timeouts (30 s by default; read when the server starts listening).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 1000;
  const drain = new HttpDrain(); // on shutdown (main.ts) requests in flight finish and the others answer 503
  registerDrain(app, drain);
  app.use(baseHeaders); // first, so every answer (errors of the body parser too) carries nosniff and no-store
  app.use(requestLogging(log));
  app.use(drain.middleware);
  app.use(app.get(Metrics).httpMiddleware); // request durations by route pattern and status (GET /metrics)
  // Answers compressed by Accept-Encoding (brotli preferred, then gzip; none when not asked): at brotli's lowest
  // quality a 900 KiB slot listing takes about 1.3 ms and shrinks 28 times, cheaper than writing it to the socket.
  // Bodies under 8 KiB go as they are; streamed ones (the CSV export) are compressed chunk by chunk.
  app.use(compression({ threshold: 8 * 1024, level: 1, brotli: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } } }));
  // `npm run bench` only (bench/slots-http.bench.ts): a static directory, so a listing can be compared with a file of
  // the same size served by the same process through the same middleware. Never set in production.
  if (process.env.BENCH_STATIC_DIR) app.use('/bench-static', express.static(process.env.BENCH_STATIC_DIR, { index: false, etag: false, lastModified: false }));
  // A people import's CSV (the API's text/csv, the import page's form) may be larger than other bodies.
  app.use('/api/v1/imports', express.text({ type: CSV_MEDIA_TYPES, limit: IMPORT_BODY_LIMIT }));
  app.use('/lifecycle/people/import', express.urlencoded({ limit: IMPORT_BODY_LIMIT, extended: false }));
  app.use('/scim/v2', ...scimBodyParser()); // SCIM clients send application/scim+json; refusals in SCIM form
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: JSON_BODY_LIMIT, extended: false });
  app.use(cookieParser());
  app.use(pageHeaders);
  app.useGlobalGuards(new InputGuard()); // first: an object body, and no NUL, lone surrogate, reserved key or deep nesting
  app.useGlobalPipes(buildValidationPipe());
  app.disable('x-powered-by');
  app.set('etag', false); // an API of fresh reads: hashing every (possibly megabyte) body buys nothing
  app.set('query parser', 'simple');
  app.set('trust proxy', config.trustProxy); // req.ip: the client behind TRUST_PROXY's proxies, else the socket's peer

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ridealong')
      .setDescription('Sales-shadowing programs: availability, bookings, observations and theme rollups.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  completeDocument(app, document); // the error responses every operation can give, the entity schemas (common/openapi.ts)
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
