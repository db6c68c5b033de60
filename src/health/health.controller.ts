import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { errorBody } from '../common/errors.js';
import { Public } from '../people/auth.decorators.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly db: DataSource) {}

  /** 200 when the database answers, 503 otherwise. */
  @Public()
  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    try {
      await this.db.query('SELECT 1');
      return { status: 'ok', database: 'up' };
    } catch {
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { ...errorBody(503, 'unavailable', 'The database does not answer'), status: 'error', database: 'down' };
    }
  }
}
