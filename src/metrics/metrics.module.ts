import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { MetricsRepository } from './metrics.repository.js';
import { Metrics } from './metrics.service.js';

/** Prometheus metrics: `GET /metrics`, and the Metrics service the other modules count with (global). */
@Global()
@Module({ controllers: [MetricsController], providers: [Metrics, MetricsRepository], exports: [Metrics] })
export class MetricsModule {}
