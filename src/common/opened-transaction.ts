import pg, { escapeLiteral, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';
import { type DataSource, type EntityManager, QueryFailedError, type QueryRunner } from 'typeorm';
import { nameOf } from './prepared-query.js';

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

/** A statement and its values, as `preparedQuery` takes them. */
export interface Statement {
  text: string;
  values: unknown[];
}

/** A statement's rows, read ahead (carried in a transaction's opening message), for the code that would run it to take. */
export interface PreRead {
  statement: Statement;
  rows: QueryResultRow[];
}

/** Where a transaction opened by `transactionOpenedBy` keeps the statements deferred to its COMMIT. */
const DEFERRED = Symbol('statements deferred to the commit');

type OpenedRunner = QueryRunner & { data: { [DEFERRED]?: Statement[] }; transactionDepth: number };

/** pg's own text for a parameter's value (its types leave `utils` out). */
const prepareValue = (pg as unknown as { utils: { prepareValue(v: unknown): string | Buffer | null | undefined } }).utils.prepareValue;

/** Whether `client` has parsed `text` as `preparedQuery` names it (pg keeps what each connection parsed). */
function parsedOn(client: PoolClient, text: string): boolean {
  const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements;
  return parsed?.[nameOf(text)] === text;
}

/**
 * `EXECUTE name(args)` for a statement `preparedQuery` has parsed on the connection: each value written as pg
 * writes a text parameter (`prepareValue`), quoted as an untyped literal, so PostgreSQL reads it with the
 * parameter's type, exactly as it reads a bound value.
 */
export function executeText(s: Statement): string {
  const args = s.values.map((v) => {
    const text = prepareValue(v);
    if (text === null || text === undefined) return 'NULL';
    return escapeLiteral(typeof text === 'string' ? text : `\\x${text.toString('hex')}`);
  });
  return args.length === 0 ? `EXECUTE ${nameOf(s.text)}` : `EXECUTE ${nameOf(s.text)}(${args.join(', ')})`;
}

/**
 * Defers `s`, a write whose rows nobody reads, to the COMMIT of the transaction `m` runs in, when that
 * transaction was opened by `transactionOpenedBy` and `m` is not inside a savepoint: the two then go as one
 * message, one round trip instead of two. Returns false (and defers nothing) otherwise, for the caller to run
 * it now. A deferred statement that fails fails the commit, and the transaction rolls back, as if it had
 * failed where it was deferred; statements deferred run in the order they were deferred, after everything
 * else the transaction sent.
 */
export function deferToCommit(m: EntityManager, s: Statement): boolean {
  const runner = m.queryRunner as OpenedRunner | undefined;
  const deferred = runner?.data?.[DEFERRED];
  if (!runner || !deferred || runner.isReleased || !runner.isTransactionActive || runner.transactionDepth !== 1) return false;
  deferred.push(s);
  return true;
}

/**
 * `db.transaction(work)` whose START TRANSACTION travels with its first statement: the two go as one
 * message (the simple query protocol runs them in turn), one round trip instead of two, and `work` gets the
 * first statement's rows. `first`'s values are written into its text as literals (pg's escaping), so it
 * must be a statement that is cheap to parse and plan (a function call) and hold no `$` of its own.
 *
 * `then`, a statement for `preparedQuery`, goes in the same message as `EXECUTE` when the connection has
 * already parsed it, and `work` gets its rows too (undefined when it did not go: the caller runs it itself,
 * which parses it there for next time). Statements `work` defers (`deferToCommit`) go with the COMMIT.
 *
 * The rest is TypeORM's transaction: `work`'s manager runs on the transaction's connection, a nested
 * `m.transaction` takes a savepoint, and the transaction commits when `work` resolves and rolls back when
 * it (or the first statement) fails, errors surfacing as QueryFailedError as TypeORM's do.
 */
export async function transactionOpenedBy<R extends QueryResultRow, T>(
  db: DataSource,
  first: { text: string; values: Literal[] },
  work: (m: EntityManager, rows: R[], thenRows?: QueryResultRow[]) => Promise<T>,
  then?: Statement,
): Promise<T> {
  const runner = db.createQueryRunner() as OpenedRunner;
  try {
    const client = (await runner.connect()) as PoolClient;
    const carried = then !== undefined && parsedOn(client, then.text);
    const text = `START TRANSACTION; ${inlined(first.text, first.values)}${carried ? `; ${executeText(then)}` : ''}`;
    // What TypeORM's startTransaction records (its START TRANSACTION goes out below, with the first statement).
    Object.assign(runner, { isTransactionActive: true, transactionDepth: 1 });
    runner.data = { ...runner.data, [DEFERRED]: [] };
    let results: QueryResult[];
    try {
      results = (await client.query(text)) as unknown as QueryResult[];
    } catch (e) {
      throw new QueryFailedError(text, [], e as Error);
    }
    const out = await work(runner.manager, results[1].rows as R[], carried ? results[2].rows : undefined);
    await commitWithDeferred(runner, client);
    return out;
  } catch (e) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw e;
  } finally {
    if (runner.data) delete runner.data[DEFERRED];
    await runner.release();
  }
}

/**
 * Commits, sending the deferred statements with the COMMIT as one message when the connection has parsed them
 * all (a statement new to it is run on its own first, which parses it there, then the COMMIT as TypeORM's).
 */
async function commitWithDeferred(runner: OpenedRunner, client: PoolClient): Promise<void> {
  const deferred = runner.data[DEFERRED] ?? [];
  runner.data[DEFERRED] = undefined;
  if (deferred.length > 0 && deferred.every((s) => parsedOn(client, s.text))) {
    const text = `${deferred.map(executeText).join('; ')}; COMMIT`;
    try {
      await client.query(text);
    } catch (e) {
      throw new QueryFailedError(text, [], e as Error);
    }
    // What TypeORM's commitTransaction records once its COMMIT went out.
    Object.assign(runner, { isTransactionActive: false, transactionDepth: 0 });
    return;
  }
  for (const s of deferred) {
    try {
      await client.query({ name: nameOf(s.text), text: s.text, values: s.values });
    } catch (e) {
      throw new QueryFailedError(s.text, s.values, e as Error);
    }
  }
  await runner.commitTransaction();
}
