import { Global, Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { WebhookEvents } from './webhook-events.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/** Signed outgoing events. Global: every feature that changes something emits through WebhookEvents. */
@Global()
@Module({
  imports: [JobsModule],
  controllers: [WebhooksController],
  providers: [WebhooksRepository, WebhookEvents, WebhooksService],
  exports: [WebhookEvents, WebhooksService],
})
export class WebhooksModule {}
