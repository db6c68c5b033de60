import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A per-rep copy of the calendar busy time the slot search subtracts, kept by PostgreSQL itself.
 * - `rep_calendar_busy`: one row per rep with busy time, `minutes` the rep's busy events that are not
 *   opened customer calls (`busy AND opened_at IS NULL`) as start/end pairs in epoch minutes (start
 *   rounded down, end up), sorted by start then end; no row when the rep has none. The slot search reads
 *   one array per rep instead of grouping hundreds of event rows per rep on every request.
 * - Statement-level AFTER INSERT/UPDATE/DELETE triggers on `calendar_events` (with transition tables)
 *   recompute the rows of the reps a statement touched, so no write path (sync, opening or closing a
 *   call, a connection's or a rep's deletion cascading) can leave the copy behind. An UPDATE that changes
 *   nothing the copy holds (a sync rewriting the same times) recomputes nothing. The recomputation takes
 *   a per-rep transaction advisory lock first and reads in a later statement, so two transactions writing
 *   the same rep's events at once (READ COMMITTED) cannot leave a copy that misses the other's change.
 * - Partial indexes: the busy events per rep (the recomputation) and the opened calls per rep (the slot
 *   search still reads those few rows).
 */
export class CreateRepCalendarBusy1795450000000 implements MigrationInterface {
  name = 'CreateRepCalendarBusy1795450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rep_calendar_busy (
        rep_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        minutes int4[] NOT NULL
      )`);
    await q.query(`CREATE INDEX calendar_events_busy_rep_idx ON calendar_events (rep_id, starts_at, ends_at) WHERE busy AND opened_at IS NULL`);
    await q.query(`CREATE INDEX calendar_events_opened_rep_idx ON calendar_events (rep_id, starts_at) WHERE opened_at IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION rep_calendar_busy_refresh(reps uuid[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF reps IS NULL OR cardinality(reps) = 0 THEN
          RETURN;
        END IF;
        -- One rep at a time, in a fixed order (no deadlock between two refreshes); the reads below are later
        -- statements, so under READ COMMITTED they see whatever a transaction that held the lock committed.
        PERFORM pg_advisory_xact_lock(1795450000, hashtext(x.rep_id::text))
           FROM (SELECT DISTINCT r AS rep_id FROM unnest(reps) r ORDER BY 1) x;
        DELETE FROM rep_calendar_busy b
         WHERE b.rep_id = ANY (reps)
           AND NOT EXISTS (SELECT 1 FROM calendar_events e WHERE e.rep_id = b.rep_id AND e.busy AND e.opened_at IS NULL);
        INSERT INTO rep_calendar_busy (rep_id, minutes)
        SELECT x.rep_id, array_agg(p.v ORDER BY x.s, x.e, p.k)
          FROM (SELECT e.rep_id, floor(date_part('epoch', e.starts_at) / 60)::int4 AS s, ceil(date_part('epoch', e.ends_at) / 60)::int4 AS e
                  FROM calendar_events e
                 WHERE e.rep_id = ANY (reps) AND e.busy AND e.opened_at IS NULL
                   -- a rep being deleted (its events going by cascade, its row maybe gone already) gets no row
                   AND EXISTS (SELECT 1 FROM users u WHERE u.id = e.rep_id)) x
         CROSS JOIN LATERAL (VALUES (1, x.s), (2, x.e)) p(k, v)
         GROUP BY x.rep_id
        ON CONFLICT (rep_id) DO UPDATE SET minutes = EXCLUDED.minutes
         WHERE rep_calendar_busy.minutes IS DISTINCT FROM EXCLUDED.minutes;
      END $$`);
    await q.query(`
      CREATE FUNCTION rep_calendar_busy_follow() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM rep_calendar_busy_refresh(ARRAY(SELECT DISTINCT n.rep_id FROM new_rows n WHERE n.busy AND n.opened_at IS NULL));
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM rep_calendar_busy_refresh(ARRAY(SELECT DISTINCT o.rep_id FROM old_rows o WHERE o.busy AND o.opened_at IS NULL));
        ELSIF TG_OP = 'UPDATE' THEN
          -- Only rows whose part in the copy changed: the symmetric difference of what they held and hold.
          PERFORM rep_calendar_busy_refresh(ARRAY(
            SELECT DISTINCT d.rep_id FROM (
              (SELECT o.id, o.rep_id, o.starts_at, o.ends_at FROM old_rows o WHERE o.busy AND o.opened_at IS NULL
               EXCEPT ALL
               SELECT n.id, n.rep_id, n.starts_at, n.ends_at FROM new_rows n WHERE n.busy AND n.opened_at IS NULL)
              UNION ALL
              (SELECT n.id, n.rep_id, n.starts_at, n.ends_at FROM new_rows n WHERE n.busy AND n.opened_at IS NULL
               EXCEPT ALL
               SELECT o.id, o.rep_id, o.starts_at, o.ends_at FROM old_rows o WHERE o.busy AND o.opened_at IS NULL)) d));
        ELSIF TG_OP = 'TRUNCATE' THEN
          DELETE FROM rep_calendar_busy;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER calendar_events_busy_insert AFTER INSERT ON calendar_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rep_calendar_busy_follow()`);
    await q.query(
      `CREATE TRIGGER calendar_events_busy_update AFTER UPDATE ON calendar_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rep_calendar_busy_follow()`,
    );
    await q.query(`CREATE TRIGGER calendar_events_busy_delete AFTER DELETE ON calendar_events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rep_calendar_busy_follow()`);
    await q.query(`CREATE TRIGGER calendar_events_busy_truncate AFTER TRUNCATE ON calendar_events FOR EACH STATEMENT EXECUTE FUNCTION rep_calendar_busy_follow()`);
    await q.query(`SELECT rep_calendar_busy_refresh(ARRAY(SELECT DISTINCT rep_id FROM calendar_events WHERE busy AND opened_at IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER calendar_events_busy_truncate ON calendar_events`);
    await q.query(`DROP TRIGGER calendar_events_busy_delete ON calendar_events`);
    await q.query(`DROP TRIGGER calendar_events_busy_update ON calendar_events`);
    await q.query(`DROP TRIGGER calendar_events_busy_insert ON calendar_events`);
    await q.query(`DROP FUNCTION rep_calendar_busy_follow()`);
    await q.query(`DROP FUNCTION rep_calendar_busy_refresh(uuid[])`);
    await q.query(`DROP INDEX calendar_events_opened_rep_idx`);
    await q.query(`DROP INDEX calendar_events_busy_rep_idx`);
    await q.query(`DROP TABLE rep_calendar_busy`);
  }
}
