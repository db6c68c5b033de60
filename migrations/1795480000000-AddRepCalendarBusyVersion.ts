import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version per rep_calendar_busy row, so an instance can keep the arrays in memory and read only the versions.
 * - `version` bigint from the sequence `rep_calendar_busy_version_seq`: a BEFORE INSERT OR UPDATE row trigger
 *   gives every row written a fresh value, whoever writes it (the refresh function, or anything else), so one
 *   (rep_id, version) always names one content. Sequence values are never handed out twice, not even after a
 *   rollback or across a row's deletion and re-creation, so a value seen in a transaction that rolled back is
 *   never seen again. The refresh only rewrites a row whose minutes changed, so unchanged rows keep their version.
 */
export class AddRepCalendarBusyVersion1795480000000 implements MigrationInterface {
  name = 'AddRepCalendarBusyVersion1795480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE rep_calendar_busy_version_seq AS bigint`);
    await q.query(`ALTER TABLE rep_calendar_busy ADD COLUMN version bigint NOT NULL DEFAULT nextval('rep_calendar_busy_version_seq')`);
    await q.query(`ALTER SEQUENCE rep_calendar_busy_version_seq OWNED BY rep_calendar_busy.version`);
    await q.query(`
      CREATE FUNCTION rep_calendar_busy_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.version := nextval('rep_calendar_busy_version_seq');
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER rep_calendar_busy_stamp BEFORE INSERT OR UPDATE ON rep_calendar_busy FOR EACH ROW EXECUTE FUNCTION rep_calendar_busy_stamp()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER rep_calendar_busy_stamp ON rep_calendar_busy`);
    await q.query(`DROP FUNCTION rep_calendar_busy_stamp()`);
    await q.query(`ALTER TABLE rep_calendar_busy DROP COLUMN version`);
  }
}
