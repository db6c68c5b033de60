import { Module } from '@nestjs/common';
import { CustomerCallsModule } from '../customer-calls/customer-calls.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { PeopleModule } from '../people/people.module.js';
import { ConnectionsController } from './connections.controller.js';
import { ConnectionsRepository } from './connections.repository.js';
import { CalendarConnectionsService } from './connections.service.js';
import { CalendarSyncJob } from './sync-job.js';
import { CalendarSyncService } from './sync.service.js';

/** Reps' own calendars: connections (ICS feeds, CalDAV), their scheduled sync on the queue, and the busy times they bring. */
@Module({
  imports: [PeopleModule, JobsModule, CustomerCallsModule],
  controllers: [ConnectionsController],
  providers: [ConnectionsRepository, CalendarConnectionsService, CalendarSyncService, CalendarSyncJob],
  exports: [CalendarConnectionsService, CalendarSyncService],
})
export class CalendarSyncModule {}
