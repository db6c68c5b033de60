import { DataSource, EntityMetadata } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source.js';
import { createTestDatabase, TestDatabase } from './support/database.js';

/**
 * Every TypeORM entity against the migrated schema: its table, each column's name, type and nullability,
 * and its primary key. The migrations own the schema; an entity that says otherwise (a column the SQL
 * does not have, `nullable` where the SQL says NOT NULL, `int` over a bigint) fails here.
 */

/** A TypeORM column type as information_schema.columns spells it (data_type; arrays as `element[]`). */
const SQL_TYPE: Record<string, string> = {
  uuid: 'uuid',
  text: 'text',
  varchar: 'character varying',
  'character varying': 'character varying',
  int: 'integer',
  int4: 'integer',
  integer: 'integer',
  bigint: 'bigint',
  int8: 'bigint',
  smallint: 'smallint',
  boolean: 'boolean',
  bool: 'boolean',
  date: 'date',
  timestamptz: 'timestamp with time zone',
  'timestamp with time zone': 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  'timestamp without time zone': 'timestamp without time zone',
  jsonb: 'jsonb',
  'simple-json': 'text',
  json: 'json',
  bytea: 'bytea',
  numeric: 'numeric',
  'double precision': 'double precision',
  float8: 'double precision',
};

/** information_schema's array element names (udt_name without the leading underscore). */
const UDT_ELEMENT: Record<string, string> = { text: 'text', uuid: 'uuid', int4: 'integer', int8: 'bigint', varchar: 'character varying', date: 'date', bool: 'boolean' };

interface EntityColumn {
  name: string;
  /** As information_schema says it: `timestamp with time zone`, `text[]`, ... */
  type: string;
  nullable: boolean;
  primary: boolean;
}
interface EntityTable {
  entity: string;
  table: string;
  columns: EntityColumn[];
}
interface SchemaColumn {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  is_generated: string;
  is_identity: string;
  primary: boolean;
}

function typeName(ds: DataSource, meta: EntityMetadata, c: EntityMetadata['columns'][number]): string {
  // A type given as a constructor (String, Number, Date) goes through the driver's own mapping.
  const raw = typeof c.type === 'string' ? c.type : ds.driver.normalizeType(c);
  const sql = SQL_TYPE[raw];
  if (!sql) throw new Error(`${meta.name}.${c.propertyName}: no information_schema name for the TypeORM type "${raw}"; add it to SQL_TYPE`);
  return c.isArray ? `${sql}[]` : sql;
}

/** The entities as plain data, in the terms of information_schema. */
function describeEntities(ds: DataSource): EntityTable[] {
  return ds.entityMetadatas.map((meta) => ({
    entity: meta.name,
    table: meta.tableName,
    columns: meta.columns.map((c) => ({ name: c.databaseName, type: typeName(ds, meta, c), nullable: c.isNullable, primary: c.isPrimary })),
  }));
}

const schemaType = (c: SchemaColumn) => (c.data_type === 'ARRAY' ? `${UDT_ELEMENT[c.udt_name.replace(/^_/, '')] ?? c.udt_name.replace(/^_/, '')}[]` : c.data_type);

/** Every way the entities and the schema disagree, one line each (empty when they agree). */
function drift(entities: EntityTable[], schema: SchemaColumn[]): string[] {
  const problems: string[] = [];
  for (const e of entities) {
    const table = schema.filter((c) => c.table_name === e.table);
    if (!table.length) {
      problems.push(`${e.entity}: table ${e.table} does not exist`);
      continue;
    }
    for (const col of e.columns) {
      const where = `${e.entity}: ${e.table}.${col.name}`;
      const sql = table.find((c) => c.column_name === col.name);
      if (!sql) {
        problems.push(`${where} does not exist`);
        continue;
      }
      if (schemaType(sql) !== col.type) problems.push(`${where} is ${schemaType(sql)} in SQL, ${col.type} in the entity`);
      const sqlNullable = sql.is_nullable === 'YES';
      if (sqlNullable !== col.nullable) problems.push(`${where} is ${sqlNullable ? 'nullable' : 'NOT NULL'} in SQL, ${col.nullable ? 'nullable' : 'not nullable'} in the entity`);
      if (sql.primary !== col.primary) problems.push(`${where} is ${sql.primary ? '' : 'not '}in the primary key in SQL, ${col.primary ? '' : 'not '}in the entity`);
    }
    // A column the entity leaves out must fill itself, or every insert through the entity fails.
    for (const sql of table) {
      if (e.columns.some((c) => c.name === sql.column_name)) continue;
      const fillsItself = sql.is_nullable === 'YES' || sql.column_default !== null || sql.is_generated === 'ALWAYS' || sql.is_identity === 'YES';
      if (!fillsItself) problems.push(`${e.entity}: ${e.table}.${sql.column_name} is NOT NULL without a default in SQL and missing from the entity`);
    }
  }
  return problems;
}

describe('entities match the migrated schema', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let schema: SchemaColumn[];
  let entities: EntityTable[];

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
    schema = await ds.query(
      `SELECT c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable, c.column_default, c.is_generated, c.is_identity,
              EXISTS (SELECT 1 FROM information_schema.table_constraints tc
                        JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema AND k.table_name = tc.table_name
                       WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = c.table_schema AND tc.table_name = c.table_name
                         AND k.column_name = c.column_name) AS primary
         FROM information_schema.columns c
        WHERE c.table_schema = 'public'
        ORDER BY c.table_name, c.ordinal_position`,
    );
    entities = describeEntities(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('covers every entity and every one of its columns', () => {
    expect(entities.length).toBe(ds.entityMetadatas.length);
    expect(entities.length).toBeGreaterThanOrEqual(16);
    expect(entities.flatMap((e) => e.columns).length).toBeGreaterThan(100);
  });

  it('has no drift: every column exists with the same type and nullability, and the primary keys agree', () => {
    expect(drift(entities, schema)).toEqual([]);
  });

  it('names each kind of drift (a wrong type, a wrong nullability, a missing column, a missing table)', () => {
    const edited = structuredClone(entities);
    const users = edited.find((e) => e.table === 'users')!;
    users.columns.find((c) => c.name === 'started_on')!.nullable = false;
    users.columns.find((c) => c.name === 'email')!.type = 'character varying';
    users.columns.find((c) => c.name === 'roles')!.type = 'uuid[]';
    users.columns.push({ name: 'nickname', type: 'text', nullable: true, primary: false });
    const audit = edited.find((e) => e.table === 'audit_log')!;
    audit.columns.find((c) => c.name === 'id')!.type = 'integer';
    audit.columns.find((c) => c.name === 'actor_id')!.primary = true;
    // Leaving out a NOT NULL column without a default breaks every insert.
    const programs = edited.find((e) => e.table === 'programs')!;
    programs.columns = programs.columns.filter((c) => c.name !== 'name');
    edited.push({ entity: 'Ghost', table: 'ghosts', columns: [] });

    expect(drift(edited, schema).sort()).toEqual(
      [
        'User: users.started_on is nullable in SQL, not nullable in the entity',
        'User: users.email is text in SQL, character varying in the entity',
        'User: users.roles is text[] in SQL, uuid[] in the entity',
        'User: users.nickname does not exist',
        'AuditEntry: audit_log.id is bigint in SQL, integer in the entity',
        'AuditEntry: audit_log.actor_id is not in the primary key in SQL, in the entity',
        'Program: programs.name is NOT NULL without a default in SQL and missing from the entity',
        'Ghost: table ghosts does not exist',
      ].sort(),
    );
  });

  it('reads TypeORM types in information_schema terms', () => {
    const col = (table: string, name: string) => entities.find((e) => e.table === table)!.columns.find((c) => c.name === name)!;
    expect(col('users', 'roles')).toEqual({ name: 'roles', type: 'text[]', nullable: false, primary: false });
    expect(col('users', 'created_at').type).toBe('timestamp with time zone');
    expect(col('enrollments', 'quota').type).toBe('integer');
    expect(col('audit_log', 'id')).toEqual({ name: 'id', type: 'bigint', nullable: false, primary: true });
    expect(col('availability_overrides', 'on_date')).toMatchObject({ type: 'date', primary: true });
  });
});
