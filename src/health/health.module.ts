import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { HealthRepository } from './health.repository.js';
import { ReadyController } from './ready.controller.js';

@Module({ controllers: [HealthController, ReadyController], providers: [HealthRepository] })
export class HealthModule {}
