import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { errorHeaders } from '../common/error.filter.js';
import { errorBody } from '../common/errors.js';
import { Public } from '../people/auth.decorators.js';
import { HealthRepository } from './health.repository.js';

/** How long the health check waits for `SELECT 1` before it calls the database down. */
export const HEALTH_QUERY_TIMEOUT_MS = 3_000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly repo: HealthRepository) {}

  /** 200 when the database answers within a few seconds, 503 (with Retry-After) otherwise. */
  @Public()
  @Get()
  @ApiOkResponse({
    description: 'The database answers',
    schema: { type: 'object', required: ['status', 'database'], properties: { status: { type: 'string', enum: ['ok'] }, database: { type: 'string', enum: ['up'] } } },
  })
  async health(@Res({ passthrough: true }) res: Response) {
    if (await this.repo.answersWithin(HEALTH_QUERY_TIMEOUT_MS)) return { status: 'ok', database: 'up' };
    const body = errorBody(503, 'unavailable', 'The database does not answer');
    res.status(HttpStatus.SERVICE_UNAVAILABLE).set(errorHeaders(body));
    return { ...body, status: 'error', database: 'down' };
  }
}
