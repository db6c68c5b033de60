import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CalendarConnection, type ConnectionKind } from './calendar.entity.js';
import type { InstanceRow, StoredInstance } from './sync-diff.js';

/** A connection with what a sync needs: its sealed secret and its rep. */
export interface ConnectionForSync {
  id: string;
  repId: string;
  kind: ConnectionKind;
  host: string;
  secret: string;
  etag: string | null;
  lastModified: string | null;
  ctag: string | null;
  syncToken: string | null;
  lastSyncedAt: Date | null;
  repName: string;
  repEmail: string;
  repZone: string;
}

/** The validators a successful read leaves for the next one. */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
  ctag: string | null;
  syncToken: string | null;
}

/** Columns of a connection that are ever shown (never `secret`). */
const VIEW_COLUMNS = `id, rep_id AS "repId", kind, host, last_synced_at AS "lastSyncedAt", last_attempt_at AS "lastAttemptAt",
  last_error AS "lastError", event_count AS "eventCount", created_at AS "createdAt"`;

export type ConnectionRow = Pick<CalendarConnection, 'id' | 'repId' | 'kind' | 'host' | 'lastSyncedAt' | 'lastAttemptAt' | 'lastError' | 'eventCount' | 'createdAt'>;

/** calendar_connections and calendar_events: queries only. */
@Injectable()
export class ConnectionsRepository {
  async insert(m: EntityManager, c: { repId: string; kind: ConnectionKind; host: string; secret: string }): Promise<string> {
    const [row] = await m.query(`INSERT INTO calendar_connections (rep_id, kind, host, secret) VALUES ($1, $2, $3, $4) RETURNING id`, [c.repId, c.kind, c.host, c.secret]);
    return row.id;
  }

  listForRep(m: EntityManager, repId: string): Promise<ConnectionRow[]> {
    return m.query(`SELECT ${VIEW_COLUMNS} FROM calendar_connections WHERE rep_id = $1 ORDER BY created_at, id`, [repId]);
  }

  async find(m: EntityManager, id: string): Promise<ConnectionRow | null> {
    const [row] = await m.query(`SELECT ${VIEW_COLUMNS} FROM calendar_connections WHERE id = $1`, [id]);
    return row ?? null;
  }

  /** The rep's connections with their sealed secrets (to find the same calendar connected twice). */
  secretsOfRep(m: EntityManager, repId: string): Promise<{ id: string; kind: ConnectionKind; secret: string }[]> {
    return m.query(`SELECT id, kind, secret FROM calendar_connections WHERE rep_id = $1`, [repId]);
  }

  /** Serialises connects of one rep (the duplicate check and the cap), for the transaction. */
  async lockRep(m: EntityManager, repId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('ridealong:calendar-connect'), hashtext($1))`, [repId]);
  }

  async findForSync(m: EntityManager, id: string): Promise<ConnectionForSync | null> {
    const [row] = await m.query(
      `SELECT c.id, c.rep_id AS "repId", c.kind, c.host, c.secret, c.etag, c.last_modified AS "lastModified", c.ctag,
              c.sync_token AS "syncToken", c.last_synced_at AS "lastSyncedAt",
              u.name AS "repName", u.email AS "repEmail", u.time_zone AS "repZone"
         FROM calendar_connections c JOIN users u ON u.id = c.rep_id
        WHERE c.id = $1`,
      [id],
    );
    return row ?? null;
  }

  /** Locks the connection's row for the transaction that applies a read (null: it was disconnected meanwhile). */
  async lock(m: EntityManager, id: string): Promise<{ failingSince: Date | null; failureMailedAt: Date | null; lastSyncedAt: Date | null } | null> {
    const [row] = await m.query(
      `SELECT failing_since AS "failingSince", failure_mailed_at AS "failureMailedAt", last_synced_at AS "lastSyncedAt"
         FROM calendar_connections WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row ?? null;
  }

  /**
   * The furthest booking horizon (days) of the programs whose open or planned periods have the rep on their
   * roster (invited or active); null when there is none.
   */
  async horizonDays(m: EntityManager, repId: string): Promise<number | null> {
    const [row] = await m.query(
      `SELECT max(COALESCE((p.settings->>'horizonDays')::int, 0)) AS days
         FROM roster_entries r JOIN periods pe ON pe.id = r.period_id JOIN programs p ON p.id = pe.program_id
        WHERE r.rep_id = $1 AND r.status IN ('invited', 'active') AND pe.status IN ('planned', 'open')`,
      [repId],
    );
    return row?.days ?? null;
  }

  async storedInstances(m: EntityManager, connectionId: string): Promise<StoredInstance[]> {
    return m.query(
      `SELECT id, uid, instance, starts_at AS "startsAt", ends_at AS "endsAt", all_day AS "allDay", busy, title, attendees
         FROM calendar_events WHERE connection_id = $1`,
      [connectionId],
    );
  }

  /**
   * Inserts new instances and updates changed ones by (connection, uid, instance): an existing row keeps its id
   * and its open state (opened_at, label, call type, lead flag). Returns the ids of the rows inserted.
   */
  async writeInstances(m: EntityManager, connectionId: string, repId: string, rows: readonly InstanceRow[]): Promise<string[]> {
    const inserted: string[] = [];
    const CHUNK = 2000;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const part = rows.slice(i, i + CHUNK).map((r) => ({
        uid: r.uid,
        instance: r.instance,
        starts_at: r.startsAt.toISOString(),
        ends_at: r.endsAt.toISOString(),
        all_day: r.allDay,
        busy: r.busy,
        title: r.title,
        attendees: r.attendees,
      }));
      const result: { id: string; inserted: boolean }[] = await m.query(
        `INSERT INTO calendar_events (connection_id, rep_id, uid, instance, starts_at, ends_at, all_day, busy, title, attendees)
         SELECT $1, $2, x.uid, x.instance, x.starts_at, x.ends_at, x.all_day, x.busy, x.title,
                ARRAY(SELECT jsonb_array_elements_text(x.attendees))
           FROM jsonb_to_recordset($3::jsonb) AS x(uid text, instance text, starts_at timestamptz, ends_at timestamptz, all_day boolean, busy boolean, title text, attendees jsonb)
         ON CONFLICT (connection_id, uid, instance) DO UPDATE
            SET starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, all_day = EXCLUDED.all_day, busy = EXCLUDED.busy,
                title = EXCLUDED.title, attendees = EXCLUDED.attendees, updated_at = now()
         RETURNING id, (xmax = 0) AS inserted`,
        [connectionId, repId, JSON.stringify(part)],
      );
      for (const r of result) if (r.inserted) inserted.push(r.id);
    }
    return inserted;
  }

  async deleteInstances(m: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await m.query(`DELETE FROM calendar_events WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /**
   * Forgets instances outside the kept window [from, to) (ended ones, and ones beyond the horizon) unless a
   * booking sits on them: those stay as the booking's history.
   */
  async pruneOutside(m: EntityManager, connectionId: string, from: Date, to: Date): Promise<number> {
    const [, count] = (await m.query(
      `DELETE FROM calendar_events e
        WHERE e.connection_id = $1 AND (e.ends_at <= $2 OR e.starts_at >= $3)
          AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.customer_call_id = e.id)`,
      [connectionId, from.toISOString(), to.toISOString()],
    )) as [unknown, number];
    return count;
  }

  /** Instances of the connection that have not ended by `now`. */
  async countUpcoming(m: EntityManager, connectionId: string, now: Date): Promise<number> {
    const [row] = await m.query(`SELECT count(*)::int AS n FROM calendar_events WHERE connection_id = $1 AND ends_at > $2`, [connectionId, now.toISOString()]);
    return row.n;
  }

  /** A successful read: the streak of failures (if any) ends. `validators` undefined keeps the stored ones (an unchanged calendar). */
  async markSynced(m: EntityManager, id: string, at: Date, eventCount: number, validators?: Validators): Promise<void> {
    await m.query(
      `UPDATE calendar_connections
          SET last_synced_at = $2, last_attempt_at = $2, last_error = NULL, failing_since = NULL, failure_mailed_at = NULL,
              event_count = $3, updated_at = now()
              ${validators ? ', etag = $4, last_modified = $5, ctag = $6, sync_token = $7' : ''}
        WHERE id = $1`,
      validators ? [id, at.toISOString(), eventCount, validators.etag, validators.lastModified, validators.ctag, validators.syncToken] : [id, at.toISOString(), eventCount],
    );
  }

  /** A failed read: the error in plain words; the streak starts now unless it is running; `mailed` marks its email. */
  async markFailed(m: EntityManager, id: string, at: Date, error: string, mailed: boolean): Promise<void> {
    await m.query(
      `UPDATE calendar_connections
          SET last_attempt_at = $2, last_error = $3, failing_since = COALESCE(failing_since, $2),
              failure_mailed_at = CASE WHEN $4 THEN $2 ELSE failure_mailed_at END, updated_at = now()
        WHERE id = $1`,
      [id, at.toISOString(), error, mailed],
    );
  }

  /** Deletes the connection and (by cascade) its events; bookings on its opened calls lose only the link. Returns its events' count. */
  async delete(m: EntityManager, id: string): Promise<number | null> {
    const [row] = await m.query(`SELECT count(e.id)::int AS n FROM calendar_connections c LEFT JOIN calendar_events e ON e.connection_id = c.id WHERE c.id = $1 GROUP BY c.id`, [id]);
    if (!row) return null;
    await m.query(`DELETE FROM calendar_connections WHERE id = $1`, [id]);
    return row.n;
  }

  /**
   * Connections due a scheduled sync: never attempted, or last attempted at or before `attemptedBefore`, of
   * active users.
   */
  dueForSync(m: EntityManager, attemptedBefore: Date, limit: number): Promise<{ id: string; lastAttemptAt: Date | null }[]> {
    return m.query(
      `SELECT c.id, c.last_attempt_at AS "lastAttemptAt"
         FROM calendar_connections c JOIN users u ON u.id = c.rep_id
        WHERE u.active AND (c.last_attempt_at IS NULL OR c.last_attempt_at <= $1)
        ORDER BY c.last_attempt_at NULLS FIRST, c.id
        LIMIT $2`,
      [attemptedBefore.toISOString(), limit],
    );
  }

  /** Busy instances of the rep's calendars overlapping [from, to) that are not opened as customer calls, in time order. */
  busyTimes(m: EntityManager, repId: string, from: Date, to: Date, limit: number): Promise<{ startsAt: Date; endsAt: Date; title: string }[]> {
    return m.query(
      `SELECT starts_at AS "startsAt", ends_at AS "endsAt", title
         FROM calendar_events
        WHERE rep_id = $1 AND busy AND opened_at IS NULL AND tstzrange(starts_at, ends_at) && tstzrange($2::timestamptz, $3::timestamptz)
        ORDER BY starts_at, ends_at, id
        LIMIT $4`,
      [repId, from.toISOString(), to.toISOString(), limit],
    );
  }
}
