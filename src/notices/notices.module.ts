import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { NoticesController } from './notices.controller.js';
import { NoticesRepository } from './notices.repository.js';
import { NoticesService } from './notices.service.js';

/** Rep alerts and campaign notifications: sent by the lifecycle team, emailed through the queue, acknowledged on the rep's page. */
@Module({
  imports: [JobsModule],
  controllers: [NoticesController],
  providers: [NoticesRepository, NoticesService],
  exports: [NoticesService],
})
export class NoticesModule {}
