import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { SessionNotifier } from './session-notifier.js';

/** Emails, invites and reminder jobs about sessions, for the features that hold sessions (bookings, rotations). */
@Module({
  imports: [JobsModule],
  providers: [SessionNotifier],
  exports: [SessionNotifier],
})
export class NotifyModule {}
