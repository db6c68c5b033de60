import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { JobsService } from '../jobs/jobs.service.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** Every event an endpoint may subscribe to (the contract's names). */
export const WEBHOOK_EVENTS = [
  'booking.created',
  'booking.cancelled',
  'booking.rescheduled',
  'booking.attendance',
  'observation.submitted',
  'rollup.sent',
  'action.changed',
  'notice.sent',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** The queue whose jobs deliver one `webhook_deliveries` row; its data is `{ deliveryId }`. */
export const WEBHOOK_DELIVER_QUEUE = 'webhook.deliver';
/**
 * Tries after the first, with pg-boss's jittered exponential backoff from JOBS_RETRY_DELAY_SECONDS (each wait
 * about double the one before, times 1 to 2): at the default 5 s, 13 tries spread over about half a day (6 to
 * 23 hours), so a receiver down for a night still gets its events (unless 20 failures in a row disable it).
 */
export const WEBHOOK_RETRY_LIMIT = 12;
/** A delivery attempt (connect, send, read the answer) never runs longer than this job expiry. */
export const WEBHOOK_EXPIRE_SECONDS = 30;

/**
 * Ids and public facts only: never observation or note text, never a customer's words. The payload's
 * `data` is what the caller passes; keep it to ids, statuses, instants, counts and names of things.
 */
export type WebhookData = Record<string, string | number | boolean | null | string[] | undefined>;

/**
 * Writes an event's deliveries in the transaction of the change that causes it: one row per enabled
 * endpoint subscribed to the event, each with its delivery job, so an event exists exactly when the change
 * commits and is delivered (with retries) even if this process dies right after. All endpoints share one
 * message id (the Standard Webhooks `webhook-id`), the same on every retry, so receivers can deduplicate.
 */
@Injectable()
export class WebhookEvents {
  constructor(
    private readonly jobs: JobsService,
    private readonly repo: WebhooksRepository,
    private readonly clock: Clock,
  ) {}

  /** Returns the number of deliveries written (0 when no endpoint listens: one statement, no job). */
  async emit(m: EntityManager, type: WebhookEventType, data: WebhookData): Promise<number> {
    const ids = await this.repo.insertDeliveries(m, this.event(type, data));
    await this.jobs.sendMany(m, ids.map((id) => this.deliverJob(id)));
    return ids.length;
  }

  /**
   * The event `emit` writes, for a caller that writes its deliveries in a statement of its own (one row per
   * enabled endpoint subscribed to `type`, as `WebhooksRepository.insertDeliveries`), then queues `deliverJob` for each.
   */
  event(type: WebhookEventType, data: WebhookData): { messageId: string; type: WebhookEventType; payload: object; at: Date } {
    const messageId = `msg_${randomUUID().replace(/-/g, '')}`;
    const now = this.clock.now();
    const payload = { type, timestamp: now.toISOString(), data: Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) };
    return { messageId, type, payload, at: now };
  }

  /** The job that delivers one `webhook_deliveries` row. */
  deliverJob(deliveryId: string) {
    return { name: WEBHOOK_DELIVER_QUEUE, data: { deliveryId }, options: { retryLimit: WEBHOOK_RETRY_LIMIT, retryBackoff: true, expireInSeconds: WEBHOOK_EXPIRE_SECONDS } };
  }
}
