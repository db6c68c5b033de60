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
  // Mail is sent, sign-in requests and sessions expire, and period statuses follow the clock in the
  // background: their rows are counted, not hashed.
  const counted = new Set(['mail_outbox', 'sign_in_requests', 'sign_in_links', 'web_sessions', 'periods', 'rollups', 'api_tokens']);
  const parts = tables.map(({ name }) =>
    counted.has(name)
      ? `SELECT '${name}' AS t, count(*)::text AS v FROM "${name}"`
      : `SELECT '${name}' AS t, count(*)::text || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS v FROM "${name}" x`,
  );
  const rows: { t: string; v: string }[] = await db.query(parts.join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.t, r.v]));
}
