import { Module } from '@nestjs/common';
import { AvailabilityModule } from '../availability/availability.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { ObservationsModule } from '../observations/observations.module.js';
import { PeopleModule } from '../people/people.module.js';
import { ProgramsModule } from '../programs/programs.module.js';
import { BookingsController, CalendarFeedController } from './bookings.controller.js';
import { BookingsRepository } from './bookings.repository.js';
import { BookingsService } from './bookings.service.js';

@Module({
  imports: [PeopleModule, ProgramsModule, AvailabilityModule, ObservationsModule, JobsModule],
  controllers: [BookingsController, CalendarFeedController],
  providers: [BookingsRepository, BookingsService],
  exports: [BookingsService, BookingsRepository],
})
export class BookingsModule {}
