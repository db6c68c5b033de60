import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { cursorScope, encodeCursor, positions } from '../common/cursor.js';
import { DomainError, notFound } from '../common/errors.js';
import { bareHostname } from '../common/outbound/feed-url.js';
import { checkAddress, guardedFetch, normalizeFeedUrl, OutboundFailedError, OutboundRefusedError, type OutboundPolicy } from '../common/outbound/guarded-fetch.js';
import { readCursor } from '../common/paging.js';
import { Secrets } from '../common/secrets.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobsService, type JobInfo } from '../jobs/jobs.service.js';
import { MailService } from '../mail/mail.service.js';
import { Metrics } from '../metrics/metrics.service.js';
import type { User } from '../people/user.entity.js';
import { WEBHOOK_DELIVER_QUEUE } from './webhook-events.js';
import { attemptOutcome, DELIVERY_TIMEOUT_MS, disabledMail, PAYLOAD_MAX_BYTES, RESPONSE_MAX_BYTES, shouldDisable } from './webhook-messages.js';
import { type DeliveryRow, type EndpointRow, WebhooksRepository } from './webhooks.repository.js';

/** An endpoint as the API and the page show it: the URL's host only, never the URL or the secret. */
export type EndpointView = Omit<EndpointRow, 'urlSealed' | 'secretSealed'>;

export interface DeliveryView {
  id: string;
  messageId: string;
  eventType: string;
  status: DeliveryRow['status'];
  attempts: { at: Date; statusCode: number | null; error: string | null; durationMs: number }[];
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  payload: object;
}

export const DELIVERIES_PAGE = 50;
/** Endpoints at most (each event writes a row per subscribed endpoint in the change's transaction). */
export const MAX_ENDPOINTS = 50;

export function endpointView(r: EndpointRow): EndpointView {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the sealed URL and secret never leave the service
  const { urlSealed, secretSealed, ...view } = r;
  return view;
}

/**
 * Webhook endpoints (the lifecycle team's) and the delivery worker. An endpoint's URL is checked by the
 * outbound rule when it is registered and again at every delivery; the URL (it may carry a token) and the
 * signing secret are sealed at rest, and the secret is shown once. Deliveries are signed per Standard
 * Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`), retried by the queue with backoff, and
 * an endpoint that fails DISABLE_AFTER_FAILURES times in a row is disabled and its creator emailed.
 */
@Injectable()
export class WebhooksService implements OnModuleInit {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly db: DataSource,
    private readonly repo: WebhooksRepository,
    private readonly jobs: JobsService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly secrets: Secrets,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.work<{ deliveryId: string }>(WEBHOOK_DELIVER_QUEUE, (data, job) => this.deliver(data.deliveryId, job), { batchSize: 5 });
  }

  /** The outbound rule for deliveries (WEBHOOK_ALLOW_PRIVATE_HOSTS lifts the private-address ban); no redirects. */
  private get policy(): OutboundPolicy {
    return { allowPrivate: this.config.webhookAllowPrivateHosts, timeoutMs: DELIVERY_TIMEOUT_MS, maxBytes: RESPONSE_MAX_BYTES, maxRedirects: 0 };
  }

  /**
   * Registers an endpoint: the URL must be http(s), without credentials, and every address its host resolves
   * to allowed by the outbound rule (400 naming `url` otherwise; nothing stored). Returns the view and the
   * signing secret, which is never shown again.
   */
  async create(actor: User, dto: { url: string; events: string[]; description?: string }): Promise<EndpointView & { secret: string }> {
    const url = await this.checkUrl(dto.url);
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const events = [...new Set(dto.events)];
    const id = await this.db.transaction(async (m) => {
      const count = (await this.repo.listEndpoints(m)).length;
      if (count >= MAX_ENDPOINTS) throw new DomainError('conflict', `At most ${MAX_ENDPOINTS} webhooks may be registered; delete one first`, { field: 'url' });
      const endpointId = await this.repo.insertEndpoint(m, {
        host: url.host,
        urlSealed: this.secrets.seal(url.href),
        secretSealed: this.secrets.seal(secret),
        events,
        description: dto.description ?? null,
        createdBy: actor.id,
      });
      await this.audit.record(m, { actorId: actor.id, action: 'webhook.create', entity: 'webhook_endpoint', entityId: endpointId, details: { host: url.host, events } });
      return endpointId;
    });
    return { ...endpointView((await this.repo.findEndpoint(this.db.manager, id))!), secret };
  }

  async list(): Promise<EndpointView[]> {
    return (await this.repo.listEndpoints(this.db.manager)).map(endpointView);
  }

  async get(id: string): Promise<EndpointView> {
    const row = await this.repo.findEndpoint(this.db.manager, id);
    if (!row) throw notFound('Webhook', id);
    return endpointView(row);
  }

  async remove(actor: User, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const row = await this.repo.findEndpoint(m, id, true);
      if (!row || !(await this.repo.deleteEndpoint(m, id))) throw notFound('Webhook', id);
      await this.audit.record(m, { actorId: actor.id, action: 'webhook.delete', entity: 'webhook_endpoint', entityId: id, details: { host: row.host } });
    });
  }

  /** Turns a disabled endpoint back on with its failure count at zero (events from then on are delivered). */
  async enable(actor: User, id: string): Promise<EndpointView> {
    await this.db.transaction(async (m) => {
      const row = await this.repo.findEndpoint(m, id, true);
      if (!row) throw notFound('Webhook', id);
      if (row.enabled) return;
      await this.repo.enableEndpoint(m, id, this.clock.now());
      await this.audit.record(m, { actorId: actor.id, action: 'webhook.enable', entity: 'webhook_endpoint', entityId: id, details: { host: row.host } });
    });
    return this.get(id);
  }

  /** One page of an endpoint's deliveries, newest first, each with its attempts. */
  async deliveries(id: string, q: { limit?: number; cursor?: string }): Promise<{ deliveries: DeliveryView[]; nextCursor: string | null }> {
    await this.get(id);
    const scope = cursorScope({ endpoint: id });
    const before = readCursor('webhook-deliveries', scope, q.cursor, positions.instantAndId);
    const limit = q.limit ?? DELIVERIES_PAGE;
    const rows = await this.repo.listDeliveries(this.db.manager, id, limit, before);
    const page = rows.slice(0, limit);
    const attempts = await this.repo.attemptsOf(this.db.manager, page.map((r) => r.id));
    return {
      deliveries: page.map((r) => ({
        id: r.id,
        messageId: r.messageId,
        eventType: r.eventType,
        status: r.status,
        attempts: attempts.filter((a) => a.deliveryId === r.id).map((a) => ({ at: a.attemptedAt, statusCode: a.statusCode, error: a.error, durationMs: a.durationMs })),
        lastStatusCode: r.lastStatusCode,
        lastError: r.lastError,
        createdAt: r.createdAt,
        deliveredAt: r.deliveredAt,
        payload: r.payload,
      })),
      nextCursor: rows.length > limit ? encodeCursor('webhook-deliveries', scope, [page[limit - 1].cursorAt, page[limit - 1].id]) : null,
    };
  }

  /** http(s) only (no webcal), no credentials, and every address of the host allowed by the rule. */
  private async checkUrl(raw: string): Promise<URL> {
    if (!/^https?:\/\//i.test(raw.trim())) throw new OutboundRefusedError('scheme', 'url must start with https:// or http://');
    const url = normalizeFeedUrl(raw);
    const host = bareHostname(url);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
      } catch {
        throw new OutboundRefusedError('invalid_url', "url's host name could not be found (DNS)");
      }
    }
    for (const a of addresses) checkAddress(a, port, this.policy);
    return url;
  }

  // ------------------------------------------------------------ delivery

  /**
   * One attempt of one delivery. The HTTP exchange runs outside any transaction; its outcome is written
   * after it under the row's lock (a delivery already delivered or failed by a concurrent run is left alone).
   * A failure throws so the queue retries it with backoff, unless it disabled the endpoint or was the last try.
   */
  async deliver(deliveryId: string, job: JobInfo): Promise<void> {
    const d = await this.repo.findForAttempt(this.db.manager, deliveryId);
    if (!d || d.status !== 'pending') return;
    if (!d.enabled) {
      await this.repo.markFailed(this.db.manager, deliveryId);
      return;
    }
    const body = JSON.stringify(d.payload);
    const started = this.clock.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    if (Buffer.byteLength(body) > PAYLOAD_MAX_BYTES) error = `the payload is larger than ${PAYLOAD_MAX_BYTES} bytes`;
    else {
      try {
        const secret = this.secrets.open(d.secretSealed);
        const signature = new Webhook(secret).sign(d.messageId, started, body);
        const res = await guardedFetch(
          this.secrets.open(d.urlSealed),
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'user-agent': 'ridealong-webhooks',
              'webhook-id': d.messageId,
              'webhook-timestamp': String(Math.floor(started.getTime() / 1000)),
              'webhook-signature': signature,
            },
            body,
            throwHttpErrors: false,
          },
          this.policy,
        );
        statusCode = res.status;
      } catch (err) {
        if (err instanceof OutboundRefusedError && err.reason === 'too_many_redirects') error = 'the receiver answered with a redirect, which is not followed';
        else if (err instanceof OutboundRefusedError) error = `refused by the outbound rule: ${err.message}`;
        else error = err instanceof OutboundFailedError ? err.message : 'the delivery failed';
        if (!(err instanceof OutboundRefusedError || err instanceof OutboundFailedError)) this.logger.warn({ err: err instanceof Error ? err.message : String(err), deliveryId }, 'webhook delivery failed');
      }
    }
    const outcome = attemptOutcome(statusCode, error);
    this.metrics?.webhookAttempt(outcome.delivered);
    const final = job.retryCount >= job.retryLimit;
    const retry = await this.db.transaction(async (m) => {
      const locked = await this.repo.lockPending(m, deliveryId);
      if (!locked) return false;
      const at = this.clock.now();
      await this.repo.recordAttempt(m, { deliveryId, at: started, statusCode, error: outcome.error, durationMs: at.getTime() - started.getTime() });
      if (outcome.delivered) {
        await this.repo.resetFailures(m, locked.endpointId);
        return false;
      }
      const counted = await this.repo.countFailure(m, locked.endpointId);
      if (counted && shouldDisable(counted.failures, counted.enabled)) {
        const reason = `disabled after ${counted.failures} failed deliveries in a row; last: ${outcome.error}`;
        const disabled = await this.repo.disable(m, locked.endpointId, at, reason);
        const endpoint = await this.repo.findEndpoint(m, locked.endpointId);
        if (disabled?.owner && endpoint) {
          await this.mail.enqueue(
            m,
            `webhook-disabled:${locked.endpointId}:${at.toISOString()}`,
            disabledMail({ owner: disabled.owner, host: endpoint.host, endpointId: endpoint.id, at, lastError: outcome.error ?? '', pageUrl: `${this.config.publicUrl}/lifecycle/webhooks` }),
          );
        }
        this.logger.warn({ endpointId: locked.endpointId, host: endpoint?.host, failures: counted.failures }, 'webhook endpoint disabled after failing deliveries in a row');
        return false;
      }
      if (final) await this.repo.markFailed(m, deliveryId);
      return !final;
    });
    if (retry) throw new Error(`webhook delivery ${deliveryId} failed: ${outcome.error}`);
  }
}
