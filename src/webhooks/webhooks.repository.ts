import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

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
}
