import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Jobs queued before expiries were sized to their work (pg-boss's 15-minute default, 300 s for mail) and
 * not started yet get the new 30 s: a job held by a process that dies is then retried within a minute.
 * Only those two old values change; pg-boss's schema may not exist yet (it installs itself on start).
 */
export class ShortenJobExpiries1795430000000 implements MigrationInterface {
  name = 'ShortenJobExpiries1795430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF to_regclass('pgboss.job') IS NOT NULL THEN
          UPDATE pgboss.job SET expire_in = interval '30 seconds'
           WHERE state IN ('created', 'retry') AND expire_in IN (interval '15 minutes', interval '300 seconds');
        END IF;
      END $$`);
  }

  async down(): Promise<void> {
    // Nothing to restore: a shorter expiry is safe for the jobs it was given to.
  }
}
