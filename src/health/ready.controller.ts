import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { errorHeaders } from '../common/error.filter.js';
import { errorBody } from '../common/errors.js';
import { Public } from '../people/auth.decorators.js';
import { HEALTH_QUERY_TIMEOUT_MS } from './health.controller.js';
import { HealthRepository } from './health.repository.js';

/**
 * Readiness, for a load balancer or an orchestrator: may this instance take traffic? 200 once the app listens
 * and its database answers; 503 `unavailable` with `Retry-After` otherwise:
 * - while it boots (migrations): the boot responder holds the port (boot-responder.ts; `details.phase: "starting"`);
 * - while the database does not answer within a few seconds (`details.phase: "database"`);
 * - while it drains on shutdown: the drain middleware answers every request on a kept-alive connection
 *   (common/drain.ts), and the server no longer accepts new connections.
 * `GET /health` stays liveness: the process answers (it checks the database too, as it always has).
 */
@ApiTags('health')
@Controller('ready')
export class ReadyController {
  constructor(private readonly repo: HealthRepository) {}

  @Public()
  @Get()
  @ApiOkResponse({
    description: 'Ready for traffic',
    schema: { type: 'object', required: ['status', 'database'], properties: { status: { type: 'string', enum: ['ready'] }, database: { type: 'string', enum: ['up'] } } },
  })
  async ready(@Res({ passthrough: true }) res: Response) {
    if (await this.repo.answersWithin(HEALTH_QUERY_TIMEOUT_MS)) return { status: 'ready', database: 'up' };
    const body = errorBody(503, 'unavailable', 'Not ready: the database does not answer', { phase: 'database' });
    res.status(HttpStatus.SERVICE_UNAVAILABLE).set(errorHeaders(body));
    return { ...body, status: 'unavailable', database: 'down' };
  }
}
