import { Global, Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { MailOutboxRepository } from './mail-outbox.repository.js';
import { MailService } from './mail.service.js';
import { MailTransport } from './mail.transport.js';

/** The mail outbox, for every module (its sends are jobs of the queue in jobs/). */
@Global()
@Module({
  imports: [JobsModule],
  providers: [MailService, MailOutboxRepository, MailTransport],
  exports: [MailService],
})
export class MailModule {}
