import { Global, Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { WebhookEvents } from './webhook-events.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** Signed outgoing events. Global: every feature that changes something emits through WebhookEvents. */
@Global()
@Module({ imports: [JobsModule], providers: [WebhooksRepository, WebhookEvents], exports: [WebhookEvents] })
export class WebhooksModule {}
