import type { DataSource } from 'typeorm';

/**
 * Row counts of every table of the public schema (the migrations' bookkeeping left out), and a hash of
 * the rows of the tables nothing in the background rewrites. Two equal fingerprints: no request in
 * between created, deleted or changed a row there.
 */
export async function fingerprint(db: DataSource): Promise<Record<string, string>> {
  const tables: { name: string }[] = await db.query(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('migrations', 'typeorm_metadata')
      ORDER BY table_name`,
  );
  if (!tables.length) throw new Error('fingerprint: no tables');
  // Rows that change in the background are counted, not hashed: mail is sent, sign-in requests and
  // sessions expire, period statuses follow the clock, rollups and forms are built and mailed by jobs.
  const counted = new Set(['mail_outbox', 'sign_in_requests', 'sign_in_links', 'web_sessions', 'periods', 'rollups', 'api_tokens', 'observations']);
  // And of those, only the rows a request writes: jobs and ticks (not requests) write mail other than
  // sign-in links (what they mail about is hashed where a request writes it) and create the periods and
  // rollups with no author.
  const only: Record<string, string> = {
    mail_outbox: `WHERE dedupe_key LIKE 'sign-in:%'`,
    periods: 'WHERE created_by IS NOT NULL',
    rollups: 'WHERE created_by IS NOT NULL',
    // Hashed, but only what someone did: jobs and ticks (a period opened by the cadence, a rollup built, a
    // form or note falling due) audit with no actor, at any moment.
    audit_log: 'WHERE actor_id IS NOT NULL',
  };
  const parts = tables.map(({ name }) =>
    counted.has(name)
      ? `SELECT '${name}' AS t, count(*)::text AS v FROM "${name}" ${only[name] ?? ''}`
      : `SELECT '${name}' AS t, count(*)::text || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS v FROM "${name}" x ${only[name] ?? ''}`,
  );
  const rows: { t: string; v: string }[] = await db.query(parts.join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.t, r.v]));
}
