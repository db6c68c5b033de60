import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { ActionsController } from './actions.controller.js';
import { ActionsRepository } from './actions.repository.js';
import { ActionsService } from './actions.service.js';

/** Actions from rollups: owned by the lifecycle team, with history, assignment emails and due reminders. */
@Module({
  imports: [JobsModule],
  controllers: [ActionsController],
  providers: [ActionsRepository, ActionsService],
  exports: [ActionsService],
})
export class ActionsModule {}
