import { Global, Module } from '@nestjs/common';
import { JobsService } from './jobs.service.js';
import { MailOutboxRepository } from './mail-outbox.repository.js';
import { MailService } from './mail.service.js';
import { MailTransport } from './mail.transport.js';

/** The job queue (pg-boss) and the mail outbox, for every module. */
@Global()
@Module({
  providers: [JobsService, MailService, MailOutboxRepository, MailTransport],
  exports: [JobsService, MailService],
})
export class MailModule {}
