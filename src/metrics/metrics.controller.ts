import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Public } from '../people/auth.decorators.js';
import { scrapeCluster } from './cluster-metrics.js';
import { bearerMatches } from './metrics-token.js';
import { Metrics } from './metrics.service.js';

/**
 * `GET /metrics` for Prometheus: open when METRICS_TOKEN is unset, else `Authorization: Bearer <METRICS_TOKEN>`
 * (no API token opens it). Under WEB_CONCURRENCY > 1 the answer is the whole instance's (cluster-metrics.ts).
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    const token = this.config.metricsToken;
    if (token !== undefined && !bearerMatches(authorization, token)) {
      throw new DomainError('unauthenticated', 'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>"', { field: 'authorization' });
    }
    const text = (await scrapeCluster()) ?? (await this.metrics.text());
    res.status(200).set('Content-Type', this.metrics.contentType).send(text);
  }
}
