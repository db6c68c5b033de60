import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version per rep of everything the slot search reads about that rep's supply (weekly windows, date
 * overrides, calls held by bookings, calendar busy time and opened customer calls): every instance keeps
 * each rep's supply in memory with the version it was read at (src/availability/supply-cache.ts) and a
 * listing reads only the versions, then the supply of the reps whose version moved. Triggers bump the
 * version in the writing transaction, so a listing that reads a version sees exactly the supply it names.
 *
 * Bookings and the availability tables change a row at a time: row triggers (a booking's UPDATE only when
 * its rep, times or status change; a move bumps both reps). Calendar syncs write many events per statement:
 * statement triggers with transition tables bump each rep once, in rep order (no deadlock between two syncs).
 * The roster, users' time zones and calendar connections are read by the listing itself, not versioned.
 * No NOTIFY: a notifying commit takes a database-wide lock.
 */
const ROW_TABLES = ['availability', 'availability_overrides', 'rep_calendar_busy'] as const;

export class AddSupplyVersions1795600400000 implements MigrationInterface {
  name = 'AddSupplyVersions1795600400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE supply_versions (rep_id uuid PRIMARY KEY, version bigint NOT NULL)`);
    await q.query(`
      CREATE FUNCTION supply_version_bump_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' AND OLD.rep_id IS NOT NULL THEN
          INSERT INTO supply_versions (rep_id, version) VALUES (OLD.rep_id, 1)
          ON CONFLICT (rep_id) DO UPDATE SET version = supply_versions.version + 1;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.rep_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.rep_id IS DISTINCT FROM OLD.rep_id) THEN
          INSERT INTO supply_versions (rep_id, version) VALUES (NEW.rep_id, 1)
          ON CONFLICT (rep_id) DO UPDATE SET version = supply_versions.version + 1;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION supply_version_bump_statement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO supply_versions (rep_id, version)
          SELECT DISTINCT n.rep_id, 1::bigint FROM new_rows n WHERE n.rep_id IS NOT NULL ORDER BY 1
          ON CONFLICT (rep_id) DO UPDATE SET version = supply_versions.version + 1;
        ELSIF TG_OP = 'UPDATE' THEN
          INSERT INTO supply_versions (rep_id, version)
          SELECT x.rep_id, 1::bigint FROM (SELECT o.rep_id FROM old_rows o UNION SELECT n.rep_id FROM new_rows n) x WHERE x.rep_id IS NOT NULL ORDER BY 1
          ON CONFLICT (rep_id) DO UPDATE SET version = supply_versions.version + 1;
        ELSE
          INSERT INTO supply_versions (rep_id, version)
          SELECT DISTINCT o.rep_id, 1::bigint FROM old_rows o WHERE o.rep_id IS NOT NULL ORDER BY 1
          ON CONFLICT (rep_id) DO UPDATE SET version = supply_versions.version + 1;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER bookings_supply_inserted AFTER INSERT OR DELETE ON bookings
        FOR EACH ROW EXECUTE FUNCTION supply_version_bump_row()`);
    await q.query(`
      CREATE TRIGGER bookings_supply_updated AFTER UPDATE ON bookings FOR EACH ROW
        WHEN ((OLD.rep_id, OLD.starts_at, OLD.ends_at, OLD.status) IS DISTINCT FROM (NEW.rep_id, NEW.starts_at, NEW.ends_at, NEW.status))
        EXECUTE FUNCTION supply_version_bump_row()`);
    for (const table of ROW_TABLES) {
      await q.query(`CREATE TRIGGER ${table}_supply_changed AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION supply_version_bump_row()`);
    }
    await q.query(`CREATE TRIGGER calendar_events_supply_inserted AFTER INSERT ON calendar_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION supply_version_bump_statement()`);
    await q.query(`CREATE TRIGGER calendar_events_supply_updated AFTER UPDATE ON calendar_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION supply_version_bump_statement()`);
    await q.query(`CREATE TRIGGER calendar_events_supply_deleted AFTER DELETE ON calendar_events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION supply_version_bump_statement()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['inserted', 'updated', 'deleted']) await q.query(`DROP TRIGGER calendar_events_supply_${t} ON calendar_events`);
    for (const table of ROW_TABLES) await q.query(`DROP TRIGGER ${table}_supply_changed ON ${table}`);
    await q.query(`DROP TRIGGER bookings_supply_updated ON bookings`);
    await q.query(`DROP TRIGGER bookings_supply_inserted ON bookings`);
    await q.query(`DROP FUNCTION supply_version_bump_statement()`);
    await q.query(`DROP FUNCTION supply_version_bump_row()`);
    await q.query(`DROP TABLE supply_versions`);
  }
}
