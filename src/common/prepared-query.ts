import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { type DataSource, type EntityManager, QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';

/** The DataSource's pg pool, for named prepared statements (TypeORM sends every query unnamed). */
export const pool = (db: DataSource): Pool => (db.driver as unknown as { master: Pool }).master;

/** Each statement text's name, made once per text (a name stands for one text on every connection). */
const names = new Map<string, string>();

/** The name `preparedQuery` gives `text` on every connection. */
export function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) names.set(text, (name = `ra_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`));
  return name;
}

/**
 * `m.query(text, values)` as a named prepared statement, on the connection of `m`'s transaction (or any pooled
 * one outside a transaction): PostgreSQL parses it once per connection instead of on every call, and after
 * five runs keeps one generic plan where that plan is estimated to cost no more than planning afresh. For the
 * hot statements of a booking, where parsing and planning took more of the server's time than running them.
 * The same rows, and the same errors (QueryFailedError, as TypeORM throws). Only for statements whose result
 * is their rows (SELECT, or WITH … SELECT); `m.query` answers a bare UPDATE or DELETE with [rows, count].
 *
 * A statement's result columns must not follow a table's (no `t.*` or `RETURNING *` at the top): PostgreSQL
 * refuses to run a prepared statement whose result type changed ("cached plan must not change result type"),
 * as it would when a deploy's migration adds a column under instances still running. Return such a row as
 * one JSON column (`row_to_json`) and `hydrate` it.
 */
export async function preparedQuery<T extends QueryResultRow = QueryResultRow>(m: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const runner = m.queryRunner;
  if (runner?.isReleased) throw new QueryRunnerAlreadyReleasedError();
  const client: Pool | PoolClient = runner ? await (runner as unknown as { connect(): Promise<PoolClient> }).connect() : pool(m.connection);
  try {
    return (await client.query<T>({ name: nameOf(text), text, values })).rows;
  } catch (e) {
    throw new QueryFailedError(text, values, e as Error);
  }
}
