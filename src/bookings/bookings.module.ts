import { Module } from '@nestjs/common';
import { AvailabilityModule } from '../availability/availability.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { NotifyModule } from '../notify/notify.module.js';
import { ObservationsModule } from '../observations/observations.module.js';
import { PeopleModule } from '../people/people.module.js';
import { ProgramsModule } from '../programs/programs.module.js';
import { RepNotesModule } from '../rep-notes/rep-notes.module.js';
import { BookingNotices } from './booking-notices.js';
import { BookingsController } from './bookings.controller.js';
import { BookingsRepository } from './bookings.repository.js';
import { BookingsService } from './bookings.service.js';
import { WaitlistController } from './waitlist.controller.js';
import { WaitlistRepository } from './waitlist.repository.js';
import { WaitlistService } from './waitlist.service.js';

@Module({
  imports: [PeopleModule, ProgramsModule, AvailabilityModule, ObservationsModule, NotifyModule, RepNotesModule, JobsModule],
  controllers: [BookingsController, WaitlistController],
  providers: [BookingsRepository, BookingsService, WaitlistRepository, WaitlistService, BookingNotices],
  exports: [BookingsService, BookingsRepository, WaitlistService],
})
export class BookingsModule {}
