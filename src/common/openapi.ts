/**
 * The OpenAPI document's shared parts: the one `Error` schema every failing answer has, the error responses
 * each operation can give (from what the code declares: its inputs, @Public, @Roles, @ApiErrors), and schemas of
 * the TypeORM entities some operations return as they are (written from the entities' column metadata).
 */
import { type INestApplication, SetMetadata, type Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { ApiResponse, DECORATORS, type OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ParameterObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { DataSource, type EntityMetadata } from 'typeorm';
import { PUBLIC_KEY, ROLES_KEY, SCIM_KEY } from '../people/auth.decorators.js';
import { ERROR_STATUS, RETRY_AFTER_SECONDS } from './errors.js';

export const ERROR_SCHEMA = 'Error';
const ERROR_REF = { $ref: `#/components/schemas/${ERROR_SCHEMA}` };

/** `errorBody()`'s shape (src/common/errors.ts). */
const ERROR_SCHEMA_OBJECT: SchemaObject = {
  type: 'object',
  description: 'The one error body every failing response carries.',
  required: ['statusCode', 'error', 'code', 'message', 'details'],
  properties: {
    statusCode: { type: 'integer', example: 409 },
    error: { type: 'string', description: 'The HTTP reason phrase', example: 'Conflict' },
    code: {
      type: 'string',
      description: `What went wrong, for programs: ${Object.keys(ERROR_STATUS).join(', ')} (and bad_request, payload_too_large, unsupported_media_type for malformed requests)`,
      example: 'slot_unavailable',
    },
    message: { type: 'string', description: 'For people; names the field when a field is at fault' },
    details: {
      type: 'object',
      additionalProperties: true,
      description: 'More about the error; a refused input has `fields: [{field, problems: [..]}]`',
    },
  },
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The input is refused (`validation_failed`, `invalid_value`, `invalid_json`); the message and `details.fields` name each field',
  401: '`unauthenticated`: no token, or one that is unknown, revoked or of a deactivated user',
  403: '`forbidden`: the caller lacks the role, or the thing is not theirs to act on',
  404: '`not_found`: no such thing (or one the caller may not know of)',
  409: 'A rule refuses it in the current state; `code` says which (e.g. `conflict`, `invalid_state`, `slot_unavailable`)',
  413: '`payload_too_large`: the body is larger than the limit',
  415: '`unsupported_media_type`: the body is not of a media type this operation reads',
  422: 'The request is well formed but cannot be carried out; `code` says why (`unprocessable`, `idempotency_mismatch`, `calendar_unreadable`)',
  429: '`too_many_requests`: try again later',
  503: `\`unavailable\`: the database cannot be reached or the service is shutting down; retry after \`Retry-After\` (${RETRY_AFTER_SECONDS} s)`,
};

const API_ERRORS_KEY = 'ridealong:api-errors';

/**
 * Error statuses an operation (or every operation of a controller) can answer beyond those its inputs, token and
 * roles imply: 403 for a per-resource check in the service, 409 and 422 for a rule's refusal, 415, 429.
 */
export const ApiErrors = (...statuses: (keyof typeof ERROR_DESCRIPTIONS)[]) => SetMetadata(API_ERRORS_KEY, statuses);

const entitySchemas = new Set<Type>();
const viewSchemas = new Map<string, SchemaObject>();
export type Schema = SchemaObject | ReferenceObject;

/** The schema of a TypeORM entity as it is stored and answered (written from its columns when the document is made). */
export function entity(type: Type): ReferenceObject {
  entitySchemas.add(type);
  return { $ref: `#/components/schemas/${type.name}` };
}

/** Field schemas the views below share. */
export const S = {
  uuid: { type: 'string', format: 'uuid' },
  uuidOrNull: { type: 'string', format: 'uuid', nullable: true },
  text: { type: 'string' },
  textOrNull: { type: 'string', nullable: true },
  instant: { type: 'string', format: 'date-time' },
  instantOrNull: { type: 'string', format: 'date-time', nullable: true },
  date: { type: 'string', format: 'date' },
  dateOrNull: { type: 'string', format: 'date', nullable: true },
  integer: { type: 'integer' },
  boolean: { type: 'boolean' },
  texts: { type: 'array', items: { type: 'string' } },
  objects: { type: 'array', items: { type: 'object' } },
} as const satisfies Record<string, SchemaObject>;

/** An object with these fields (`name?` for one that may be absent), each any JSON value unless `types` says more. */
export function objectOf(fields: readonly string[], types: Record<string, Schema> = {}): SchemaObject {
  return {
    type: 'object',
    required: fields.filter((f) => !f.endsWith('?')),
    properties: Object.fromEntries(fields.map((f) => f.replace(/\?$/, '')).map((f) => [f, types[f] ?? {}])),
  };
}

/** A named schema (a component) of an object a service builds: see objectOf(). */
export function view(name: string, fields: readonly string[], types: Record<string, Schema> = {}): ReferenceObject {
  viewSchemas.set(name, objectOf(fields, types));
  return { $ref: `#/components/schemas/${name}` };
}

/** `{<key>: [item, ...]}`, with more fields when given. */
export const listOf = (key: string, item: Schema, more: Record<string, Schema> = {}): SchemaObject => ({
  type: 'object',
  required: [key, ...Object.keys(more)],
  properties: { [key]: { type: 'array', items: item }, ...more },
});

/** An operation's JSON answer (200 unless `status` says otherwise). */
export const ApiJsonResponse = (schema: Schema, status = 200, description = status === 201 ? 'Created' : 'OK'): MethodDecorator =>
  ApiResponse({ status, description, schema });

/** An operation answering text of a media type (an invite, a feed, a CSV export, a page), not JSON. */
export const ApiTextResponse = (mediaType: string, description: string, status = 200): MethodDecorator =>
  ApiResponse({ status, description, content: { [mediaType]: { schema: { type: 'string' } } } });

/** The JSON schema of a column's value as node-postgres hands it back. */
function columnSchema(c: EntityMetadata['columns'][number]): SchemaObject {
  const type = typeof c.type === 'string' ? c.type : c.type === Number ? 'int' : c.type === Boolean ? 'boolean' : c.type === Date ? 'timestamptz' : 'text';
  let s: SchemaObject;
  switch (type) {
    case 'uuid':
      s = { type: 'string', format: 'uuid' };
      break;
    case 'timestamptz':
    case 'timestamp with time zone':
      s = { type: 'string', format: 'date-time' };
      break;
    case 'date':
      s = { type: 'string', format: 'date' };
      break;
    case 'int':
    case 'integer':
    case 'smallint':
      s = { type: 'integer' };
      break;
    case 'real':
    case 'double precision':
      s = { type: 'number' };
      break;
    case 'boolean':
      s = { type: 'boolean' };
      break;
    case 'jsonb':
    case 'json':
      s = {}; // any JSON value
      break;
    default: // text, bigint and numeric (node-postgres reads both as text), tstzrange, ...
      s = { type: 'string' };
  }
  if (c.enum) s.enum = c.enum.map(String);
  if (c.isArray) s = { type: 'array', items: s };
  if (c.isNullable && !('$ref' in s)) s.nullable = true;
  return s;
}

function entitySchema(dataSource: DataSource, entity: Type): SchemaObject {
  const meta = dataSource.getMetadata(entity);
  const columns = meta.columns.filter((c) => c.isSelect && !c.relationMetadata);
  return {
    type: 'object',
    required: columns.map((c) => c.propertyName), // a nullable column is there too, as null
    properties: Object.fromEntries(columns.map((c) => [c.propertyName, columnSchema(c)])),
  };
}

interface RouteFacts {
  public: boolean;
  roles: boolean;
  errors: Set<number>;
}

/** What each documented operation's code says about it, by operationId (the document's `Controller_method` or its override). */
function routeFacts(app: INestApplication): Map<string, RouteFacts> {
  const facts = new Map<string, RouteFacts>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const cls = wrapper.metatype as Type | null;
      if (!cls || Reflect.getMetadata(DECORATORS.API_EXCLUDE_CONTROLLER, cls)?.[0]) continue;
      for (const name of Object.getOwnPropertyNames(cls.prototype)) {
        const handler = (cls.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const read = <T>(key: string): T | undefined => Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, cls);
        const operationId = (Reflect.getMetadata(DECORATORS.API_OPERATION, handler) as { operationId?: string } | undefined)?.operationId ?? `${cls.name}_${name}`;
        facts.set(operationId, {
          public: Boolean(read<boolean>(PUBLIC_KEY)) || Boolean(read<boolean>(SCIM_KEY)),
          roles: Boolean(read<unknown[]>(ROLES_KEY)?.length),
          errors: new Set([...((Reflect.getMetadata(API_ERRORS_KEY, cls) as number[]) ?? []), ...((Reflect.getMetadata(API_ERRORS_KEY, handler) as number[]) ?? [])]),
        });
      }
    }
  }
  return facts;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/**
 * Completes the generated document: the `Error` schema, the entity schemas operations refer to, and on every
 * operation the error responses it can give, each with the `Error` body.
 */
export function completeDocument(app: INestApplication, document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components ??= {}).schemas ??= {};
  schemas[ERROR_SCHEMA] = ERROR_SCHEMA_OBJECT;
  const dataSource = app.get(DataSource);
  for (const entity of entitySchemas) {
    if (schemas[entity.name]) throw new Error(`OpenAPI: the entity ${entity.name} has the name of another schema`);
    schemas[entity.name] = entitySchema(dataSource, entity);
  }
  for (const [name, schema] of viewSchemas) {
    if (schemas[name]) throw new Error(`OpenAPI: the view ${name} has the name of another schema`);
    schemas[name] = schema;
  }
  const facts = routeFacts(app);
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const op = item[method] as OperationObject | undefined;
      if (!op) continue;
      const f = facts.get(op.operationId ?? '') ?? { public: !op.security?.length, roles: false, errors: new Set<number>() };
      const params = (op.parameters ?? []) as (ParameterObject | ReferenceObject)[];
      const statuses = new Set<number>(f.errors);
      if (op.requestBody || params.length) statuses.add(400);
      if (op.requestBody) statuses.add(413);
      if (!f.public) statuses.add(401);
      if (f.roles) statuses.add(403);
      if (params.some((p) => 'in' in p && p.in === 'path')) statuses.add(404);
      statuses.add(503);
      for (const status of [...statuses].sort()) {
        const existing = op.responses[status] as ResponseObject | undefined;
        op.responses[status] = {
          description: existing?.description || ERROR_DESCRIPTIONS[status] || 'Error',
          ...(status === 503 ? { headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } } : {}),
          content: { 'application/json': { schema: ERROR_REF } },
        };
      }
    }
  }
  return document;
}
