import { escapeLiteral, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';
import { type DataSource, type EntityManager, QueryFailedError } from 'typeorm';

/** A value `literal` writes: what the hot statements bind. */
export type Literal = string | number | boolean | Date | null | string[];

/** `value` as a SQL literal (pg's own escaping), to stand in a statement's text for a parameter. */
export function literal(value: Literal): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return String(value);
  }
  if (value instanceof Date) return escapeLiteral(value.toISOString());
  if (Array.isArray(value)) return `ARRAY[${value.map((v) => escapeLiteral(v)).join(', ')}]::text[]`;
  return escapeLiteral(value);
}

/** `text` with each `$n` replaced by `values[n - 1]` as a literal; for statements with no `$` of their own (in strings or dollar quotes). */
export function inlined(text: string, values: Literal[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= values.length) throw new RangeError(`no value for $${n}`);
    return literal(values[i]);
  });
}

/**
 * `db.transaction(work)` whose START TRANSACTION travels with its first statement: the two go as one
 * message (the simple query protocol runs them in turn), one round trip instead of two, and `work` gets the
 * first statement's rows. `first`'s values are written into its text as literals (pg's escaping), so it
 * must be a statement that is cheap to parse and plan (a function call) and hold no `$` of its own. The
 * rest is TypeORM's transaction: `work`'s manager runs on the transaction's connection, a nested
 * `m.transaction` takes a savepoint, and the transaction commits when `work` resolves and rolls back when
 * it (or the first statement) fails, errors surfacing as QueryFailedError as TypeORM's do.
 */
export async function transactionOpenedBy<R extends QueryResultRow, T>(
  db: DataSource,
  first: { text: string; values: Literal[] },
  work: (m: EntityManager, rows: R[]) => Promise<T>,
): Promise<T> {
  const text = `START TRANSACTION; ${inlined(first.text, first.values)}`;
  const runner = db.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    // What TypeORM's startTransaction records (its START TRANSACTION goes out below, with the first statement).
    Object.assign(runner, { isTransactionActive: true, transactionDepth: 1 });
    let rows: R[];
    try {
      const results = (await client.query<R>(text)) as unknown as QueryResult<R>[];
      rows = results[1].rows;
    } catch (e) {
      throw new QueryFailedError(text, [], e as Error);
    }
    const out = await work(runner.manager, rows);
    await runner.commitTransaction();
    return out;
  } catch (e) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw e;
  } finally {
    await runner.release();
  }
}
