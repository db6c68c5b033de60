import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ExistingPerson, Writes } from './import-plan.js';
import type { ImportRole } from './people-csv.js';

/** Bulk reads and writes of a people import: one query per kind of row, never one per CSV row. No decisions. */
@Injectable()
export class ImportsRepository {
  /** One import at a time: two files naming the same new email cannot both create it. */
  async lock(m: EntityManager): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['ridealong:people-import']);
  }

  async peopleByEmails(m: EntityManager, emails: readonly string[]): Promise<Map<string, ExistingPerson>> {
    const rows: { id: string; email: string; name: string; time_zone: string; roles: ImportRole[]; active: boolean; started_on: string | null }[] = await m.query(
      `SELECT id, email, name, time_zone, roles, active, to_char(started_on, 'YYYY-MM-DD') AS started_on
         FROM users WHERE lower(email) = ANY($1::text[])`,
      [emails.map((e) => e.toLowerCase())],
    );
    return new Map(
      rows.map((r) => [r.email.toLowerCase(), { id: r.id, email: r.email, name: r.name, timeZone: r.time_zone, roles: r.roles, active: r.active, startedOn: r.started_on }]),
    );
  }

  /** Periods that exist among the ids, with their program's quota setting. */
  async periods(m: EntityManager, ids: readonly string[]): Promise<Map<string, { defaultQuota: number }>> {
    const rows: { id: string; quota: number | null }[] = await m.query(
      `SELECT p.id, (pr.settings->>'quota')::int AS quota FROM periods p JOIN programs pr ON pr.id = p.program_id WHERE p.id = ANY($1::uuid[])`,
      [[...new Set(ids)]],
    );
    return new Map(rows.map((r) => [r.id, { defaultQuota: r.quota ?? 20 }]));
  }

  async rosterEntries(m: EntityManager, periodIds: readonly string[], userIds: readonly string[]): Promise<Map<string, { id: string; status: string }>> {
    const rows: { id: string; period_id: string; rep_id: string; status: string }[] = await m.query(
      `SELECT id, period_id, rep_id, status FROM roster_entries WHERE period_id = ANY($1::uuid[]) AND rep_id = ANY($2::uuid[])`,
      [[...new Set(periodIds)], userIds],
    );
    return new Map(rows.map((r) => [`${r.period_id}:${r.rep_id}`, { id: r.id, status: r.status }]));
  }

  async enrolments(m: EntityManager, periodIds: readonly string[], userIds: readonly string[]): Promise<Map<string, { id: string; quota: number; ended: boolean }>> {
    const rows: { id: string; period_id: string; marketer_id: string; quota: number; ended: boolean }[] = await m.query(
      `SELECT id, period_id, marketer_id, quota, ended_at IS NOT NULL AS ended FROM enrollments WHERE period_id = ANY($1::uuid[]) AND marketer_id = ANY($2::uuid[])`,
      [[...new Set(periodIds)], userIds],
    );
    return new Map(rows.map((r) => [`${r.period_id}:${r.marketer_id}`, { id: r.id, quota: r.quota, ended: r.ended }]));
  }

  /** Active lifecycle users; locked when applying, so a deactivation cannot take the last one meanwhile. */
  async activeLifecycleIds(m: EntityManager, lock: boolean): Promise<string[]> {
    const rows: { id: string }[] = await m.query(`SELECT id FROM users WHERE active AND 'lifecycle' = ANY(roles) ORDER BY id${lock ? ' FOR UPDATE' : ''}`);
    return rows.map((r) => r.id);
  }

  /**
   * Writes a clean plan in a handful of statements (unnest over arrays: one round trip per kind of change).
   * Returns the ids of the people created, by lower-case email.
   */
  async apply(m: EntityManager, w: Writes): Promise<Map<string, string>> {
    const created = new Map<string, string>();
    if (w.createPeople.length) {
      const c = w.createPeople;
      const rows: { id: string; email: string }[] = await m.query(
        `INSERT INTO users (email, name, time_zone, roles, started_on)
         SELECT v.email, v.name, v.tz, string_to_array(v.roles, ','), v.started_on
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[]) AS v(email, name, tz, roles, started_on)
         RETURNING id, email`,
        [c.map((p) => p.email), c.map((p) => p.name), c.map((p) => p.timeZone), c.map((p) => p.roles.join(',')), c.map((p) => p.startedOn)],
      );
      for (const r of rows) created.set(r.email.toLowerCase(), r.id);
    }
    if (w.updatePeople.length) {
      const u = w.updatePeople;
      await m.query(
        `UPDATE users AS t SET name = v.name, time_zone = v.tz, roles = string_to_array(v.roles, ','), started_on = v.started_on, updated_at = now()
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[]) AS v(id, name, tz, roles, started_on)
          WHERE t.id = v.id`,
        [u.map((p) => p.id), u.map((p) => p.name), u.map((p) => p.timeZone), u.map((p) => p.roles.join(',')), u.map((p) => p.startedOn)],
      );
    }
    const idOf = (x: { userId?: string; email?: string }) => x.userId ?? created.get(x.email!.toLowerCase())!;
    if (w.rosterInserts.length) {
      await m.query(
        `INSERT INTO roster_entries (period_id, rep_id, status, invited_at)
         SELECT v.period_id, v.rep_id, 'invited', now() FROM unnest($1::uuid[], $2::uuid[]) AS v(period_id, rep_id)`,
        [w.rosterInserts.map((x) => x.periodId), w.rosterInserts.map(idOf)],
      );
    }
    if (w.rosterReinvites.length) {
      await m.query(`UPDATE roster_entries SET status = 'invited', invited_at = now(), responded_at = NULL WHERE id = ANY($1::uuid[])`, [w.rosterReinvites]);
    }
    if (w.enrolInserts.length) {
      await m.query(
        `INSERT INTO enrollments (period_id, marketer_id, quota)
         SELECT v.period_id, v.marketer_id, v.quota FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS v(period_id, marketer_id, quota)`,
        [w.enrolInserts.map((x) => x.periodId), w.enrolInserts.map(idOf), w.enrolInserts.map((x) => x.quota)],
      );
    }
    if (w.enrolQuotaUpdates.length) {
      await m.query(
        `UPDATE enrollments AS t SET quota = v.quota, ended_at = NULL FROM unnest($1::uuid[], $2::int[]) AS v(id, quota) WHERE t.id = v.id`,
        [w.enrolQuotaUpdates.map((x) => x.id), w.enrolQuotaUpdates.map((x) => x.quota)],
      );
    }
    return created;
  }
}
