import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * An entity from a row of its table's columns by their database names (a RETURNING, or a `row_to_json`),
 * each value converted as TypeORM converts what it reads itself: for statements that return whole rows (a SQL
 * function's, an insert's, or several tables' rows at once) without the query builder's cost.
 */
export function hydrate<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, raw: Record<string, unknown> | object): T {
  const meta = m.connection.getMetadata(target);
  const entity = meta.create() as T;
  const row = raw as Record<string, unknown>;
  for (const col of meta.columns) {
    if (!(col.databaseName in row)) continue;
    (entity as Record<string, unknown>)[col.propertyName] = m.connection.driver.prepareHydratedValue(row[col.databaseName], col);
  }
  return entity;
}
