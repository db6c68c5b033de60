import type { DataSource } from 'typeorm';

/** The few reads the demo seed makes of the database itself (everything it writes goes through the API). */
export class DemoRepository {
  constructor(private readonly db: DataSource) {}

  /** Whether the database holds anything beyond a fresh start's bootstrap admin. */
  async hasData(): Promise<boolean> {
    const [row] = await this.db.query(`SELECT (SELECT count(*) FROM programs)::int AS programs, (SELECT count(*) FROM users)::int AS users`);
    return row.programs > 0 || row.users > 1;
  }

  /** The first active lifecycle user (the bootstrap admin). */
  async firstLifecycleUser(): Promise<string | null> {
    const rows: { id: string }[] = await this.db.query(`SELECT id FROM users WHERE active AND 'lifecycle' = ANY(roles) ORDER BY created_at LIMIT 1`);
    return rows[0]?.id ?? null;
  }

  /** The observation form a completed booking opened. */
  async formOfBooking(bookingId: string): Promise<string> {
    const [row] = await this.db.query(`SELECT id FROM observations WHERE booking_id = $1`, [bookingId]);
    return row.id;
  }

  /** The rollup claimed for a period. */
  async rollupOfPeriod(programId: string, periodId: string): Promise<string | null> {
    const rows: { id: string }[] = await this.db.query(`SELECT id FROM rollups WHERE program_id = $1 AND period_id = $2`, [programId, periodId]);
    return rows[0]?.id ?? null;
  }

  /** The rollup emails and whether they were sent (for the file names of the .eml under var/mail). */
  async rollupMail(rollupId: string): Promise<{ id: string; createdAt: Date; status: string }[]> {
    const rows: { id: string; created_at: Date; status: string }[] = await this.db.query(
      `SELECT id, created_at, status FROM mail_outbox WHERE dedupe_key LIKE $1 ORDER BY recipient`,
      [`rollup:${rollupId}:%`],
    );
    return rows.map((r) => ({ id: r.id, createdAt: r.created_at, status: r.status }));
  }
}
