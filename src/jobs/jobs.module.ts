import { Module } from '@nestjs/common';
import { JobsService } from './jobs.service.js';

/** The durable job queue (pg-boss in the app's database): modules that send or work jobs import this. */
@Module({
  providers: [JobsService],
  exports: [JobsService],
})
export class JobsModule {}
