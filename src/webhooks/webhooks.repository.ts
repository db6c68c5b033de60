import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface EndpointRow {
  id: string;
  host: string;
  urlSealed: string;
  secretSealed: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  consecutiveFailures: number;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdBy: string | null;
  createdAt: Date;
}

export interface DeliveryRow {
  id: string;
  endpointId: string;
  messageId: string;
  eventType: string;
  payload: object;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

export interface AttemptRow {
  deliveryId: string;
  attemptedAt: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

const ENDPOINT = `id, host, url_sealed AS "urlSealed", secret_sealed AS "secretSealed", events, description, enabled,
  consecutive_failures AS "consecutiveFailures", disabled_at AS "disabledAt", disabled_reason AS "disabledReason",
  created_by AS "createdBy", created_at AS "createdAt"`;
const DELIVERY = `id, endpoint_id AS "endpointId", message_id AS "messageId", event_type AS "eventType", payload, status, attempts,
  last_attempt_at AS "lastAttemptAt", last_status_code AS "lastStatusCode", last_error AS "lastError",
  delivered_at AS "deliveredAt", created_at AS "createdAt"`;

@Injectable()
export class WebhooksRepository {
  /** One delivery row per enabled endpoint subscribed to `type`; returns their ids. */
  async insertDeliveries(m: EntityManager, d: { messageId: string; type: string; payload: object; at: Date }): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, payload, created_at)
       SELECT id, $1, $2, $3::jsonb, $4 FROM webhook_endpoints WHERE enabled AND $2 = ANY(events)
       RETURNING id`,
      [d.messageId, d.type, JSON.stringify(d.payload), d.at],
    );
    return rows.map((r) => r.id);
  }

  async insertEndpoint(m: EntityManager, e: { host: string; urlSealed: string; secretSealed: string; events: string[]; description: string | null; createdBy: string }): Promise<string> {
    const [row]: { id: string }[] = await m.query(
      `INSERT INTO webhook_endpoints (host, url_sealed, secret_sealed, events, description, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [e.host, e.urlSealed, e.secretSealed, e.events, e.description, e.createdBy],
    );
    return row.id;
  }

  async listEndpoints(m: EntityManager): Promise<EndpointRow[]> {
    return m.query(`SELECT ${ENDPOINT} FROM webhook_endpoints ORDER BY created_at, id`);
  }

  async findEndpoint(m: EntityManager, id: string, lock = false): Promise<EndpointRow | null> {
    const rows: EndpointRow[] = await m.query(`SELECT ${ENDPOINT} FROM webhook_endpoints WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ?? null;
  }

  /** Deletes the endpoint and its deliveries; false when there was none. */
  async deleteEndpoint(m: EntityManager, id: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`WITH d AS (DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id) SELECT id FROM d`, [id]);
    return rows.length > 0;
  }

  async enableEndpoint(m: EntityManager, id: string, at: Date): Promise<void> {
    await m.query(`UPDATE webhook_endpoints SET enabled = true, consecutive_failures = 0, disabled_at = NULL, disabled_reason = NULL, updated_at = $2 WHERE id = $1`, [id, at]);
  }

  /** Newest first, `limit + 1` rows from before the cursor (created_at, id). */
  async listDeliveries(m: EntityManager, endpointId: string, limit: number, before?: { at: string; id: string }): Promise<(DeliveryRow & { cursorAt: string })[]> {
    const params: unknown[] = [endpointId, limit + 1];
    let where = 'endpoint_id = $1';
    if (before) {
      params.push(before.at, before.id);
      where += ' AND (created_at, id) < ($3::timestamptz, $4::uuid)';
    }
    return m.query(
      `SELECT ${DELIVERY}, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"
       FROM webhook_deliveries WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
  }

  async attemptsOf(m: EntityManager, deliveryIds: string[]): Promise<AttemptRow[]> {
    if (deliveryIds.length === 0) return [];
    return m.query(
      `SELECT delivery_id AS "deliveryId", attempted_at AS "attemptedAt", status_code AS "statusCode", error, duration_ms AS "durationMs"
       FROM webhook_attempts WHERE delivery_id = ANY($1::uuid[]) ORDER BY attempted_at, id`,
      [deliveryIds],
    );
  }

  /** The delivery with its endpoint's sealed URL and secret, for one attempt. */
  async findForAttempt(m: EntityManager, deliveryId: string): Promise<(DeliveryRow & { urlSealed: string; secretSealed: string; enabled: boolean }) | null> {
    const rows = await m.query(
      `SELECT d.id, d.endpoint_id AS "endpointId", d.message_id AS "messageId", d.event_type AS "eventType", d.payload, d.status, d.attempts,
              e.url_sealed AS "urlSealed", e.secret_sealed AS "secretSealed", e.enabled
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`,
      [deliveryId],
    );
    return rows[0] ?? null;
  }

  /** Locks a delivery still pending; null when it is gone or no longer pending. */
  async lockPending(m: EntityManager, deliveryId: string): Promise<{ endpointId: string } | null> {
    const rows: { endpointId: string }[] = await m.query(
      `SELECT endpoint_id AS "endpointId" FROM webhook_deliveries WHERE id = $1 AND status = 'pending' FOR UPDATE`,
      [deliveryId],
    );
    return rows[0] ?? null;
  }

  async recordAttempt(m: EntityManager, a: { deliveryId: string; at: Date; statusCode: number | null; error: string | null; durationMs: number }): Promise<void> {
    await m.query(`INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)`, [
      a.deliveryId,
      a.at,
      a.statusCode,
      a.error,
      a.durationMs,
    ]);
    await m.query(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = $2, last_status_code = $3, last_error = $4,
         status = CASE WHEN $4::text IS NULL THEN 'delivered' ELSE status END,
         delivered_at = CASE WHEN $4::text IS NULL THEN $2 ELSE delivered_at END
       WHERE id = $1`,
      [a.deliveryId, a.at, a.statusCode, a.error],
    );
  }

  async markFailed(m: EntityManager, deliveryId: string): Promise<void> {
    await m.query(`UPDATE webhook_deliveries SET status = 'failed' WHERE id = $1 AND status = 'pending'`, [deliveryId]);
  }

  async resetFailures(m: EntityManager, endpointId: string): Promise<void> {
    await m.query(`UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0`, [endpointId]);
  }

  /** Counts one more failure in a row; returns the new count and whether the endpoint is still enabled. */
  async countFailure(m: EntityManager, endpointId: string): Promise<{ failures: number; enabled: boolean } | null> {
    const rows: { failures: number; enabled: boolean }[] = await m.query(
      `WITH u AS (UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1 WHERE id = $1 RETURNING consecutive_failures, enabled)
       SELECT consecutive_failures AS failures, enabled FROM u`,
      [endpointId],
    );
    return rows[0] ?? null;
  }

  /**
   * Disables an enabled endpoint and fails its pending deliveries (their jobs then find nothing to do).
   * Returns the creator's name, email and zone when this call disabled it, null when it was already off.
   */
  async disable(m: EntityManager, endpointId: string, at: Date, reason: string): Promise<{ disabled: true; owner: { name: string; email: string; timeZone: string } | null } | null> {
    const rows: { createdBy: string | null }[] = await m.query(
      `WITH u AS (UPDATE webhook_endpoints SET enabled = false, disabled_at = $2, disabled_reason = $3, updated_at = $2 WHERE id = $1 AND enabled RETURNING created_by)
       SELECT created_by AS "createdBy" FROM u`,
      [endpointId, at, reason],
    );
    if (rows.length === 0) return null;
    await m.query(`UPDATE webhook_deliveries SET status = 'failed', last_error = coalesce(last_error, $2) WHERE endpoint_id = $1 AND status = 'pending'`, [endpointId, reason]);
    if (!rows[0].createdBy) return { disabled: true, owner: null };
    const owners: { name: string; email: string; timeZone: string }[] = await m.query(
      `SELECT name, email, time_zone AS "timeZone" FROM users WHERE id = $1 AND active`,
      [rows[0].createdBy],
    );
    return { disabled: true, owner: owners[0] ?? null };
  }
}
