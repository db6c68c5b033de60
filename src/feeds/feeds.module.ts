import { Module } from '@nestjs/common';
import { BookingsModule } from '../bookings/bookings.module.js';
import { NotifyModule } from '../notify/notify.module.js';
import { RotationsModule } from '../rotations/rotations.module.js';
import { CalendarFeedController, FeedTokenController } from './feeds.controller.js';
import { FeedsRepository } from './feeds.repository.js';
import { FeedsService } from './feeds.service.js';

/** The secret calendar feed of a user's sessions; bookings and rotations supply the events. */
@Module({
  imports: [BookingsModule, RotationsModule, NotifyModule],
  controllers: [FeedTokenController, CalendarFeedController],
  providers: [FeedsRepository, FeedsService],
  exports: [FeedsService],
})
export class FeedsModule {}
