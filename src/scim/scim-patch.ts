/**
 * SCIM PATCH (RFC 7644 section 3.5.2) applied to a SCIM JSON resource. Pure: returns a new document and
 * leaves validating the result to the caller (the same checks as POST and PUT). Accepts what real clients
 * send: op names in any letter case (Entra ID's "Replace", "Add"), operations without a path whose value
 * holds attributes (Okta's `{"op":"replace","value":{"active":false}}`, keys may be paths or schema URNs),
 * value filters (`emails[type eq "work"].value`, `members[value eq "id"]`).
 */
import { AttrPath, evaluate, FilterSyntaxError, getKey, parsePath, splitUrn } from './scim-filter.js';

export type PatchErrorType = 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidFilter' | 'mutability';

export class PatchError extends Error {
  constructor(
    readonly scimType: PatchErrorType,
    message: string,
  ) {
    super(message);
  }
}

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Json = Record<string, unknown>;

/** Attributes that hold lists, known by name (a list may be absent before the first add). */
const MULTI_VALUED = new Set(['emails', 'members', 'phonenumbers', 'addresses', 'groups', 'roles', 'entitlements', 'ims', 'photos', 'x509certificates', 'schemas']);
/** Attributes a client may not change. */
const READ_ONLY = new Set(['id', 'meta', 'schemas']);

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

/** Reads and checks the PatchOp message body. */
export function readPatchBody(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw new PatchError('invalidSyntax', 'The body must be a PatchOp object');
  const schemas = body[getKey(body, 'schemas') ?? 'schemas'];
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    throw new PatchError('invalidSyntax', `schemas must list ${PATCH_OP_SCHEMA}`);
  }
  const ops = body[getKey(body, 'Operations') ?? 'Operations'];
  if (!Array.isArray(ops) || ops.length === 0) throw new PatchError('invalidSyntax', 'Operations must be a non-empty array');
  if (ops.length > 1000) throw new PatchError('invalidSyntax', 'Operations may hold at most 1000 operations');
  return ops.map((raw, i) => {
    if (!isObject(raw)) throw new PatchError('invalidSyntax', `Operations[${i}] must be an object`);
    const op = raw[getKey(raw, 'op') ?? 'op'];
    const name = typeof op === 'string' ? op.toLowerCase() : '';
    if (name !== 'add' && name !== 'replace' && name !== 'remove') {
      throw new PatchError('invalidSyntax', `Operations[${i}].op must be add, replace or remove`);
    }
    const path = raw[getKey(raw, 'path') ?? 'path'];
    if (path !== undefined && (typeof path !== 'string' || path.trim() === '')) throw new PatchError('invalidPath', `Operations[${i}].path must be a non-empty string`);
    const valueKey = getKey(raw, 'value');
    return { op: name, ...(path !== undefined ? { path } : {}), ...(valueKey ? { value: raw[valueKey] } : {}) };
  });
}

/** Applies the operations in order to a copy of `doc`; the whole patch fails on the first bad operation. */
export function applyPatch(doc: Json, ops: readonly PatchOperation[]): Json {
  const out = structuredClone(doc);
  for (const op of ops) applyOne(out, op);
  return out;
}

function applyOne(doc: Json, op: PatchOperation): void {
  if (op.path === undefined) {
    if (op.op === 'remove') throw new PatchError('noTarget', 'remove needs a path');
    if (!isObject(op.value)) throw new PatchError('invalidValue', `${op.op} without a path needs an object value`);
    for (const [key, value] of Object.entries(op.value)) {
      if (/^urn:/i.test(key) && isObject(value) && !splitUrn(key).rest.includes('.') && isSchemaUrn(key)) {
        // { "urn:...:enterprise:2.0:User": { "employeeNumber": "7" } }
        for (const [sub, subValue] of Object.entries(value)) applyPath(doc, op.op, { urn: key, ...plain(sub) }, subValue);
      } else {
        applyPath(doc, op.op, toPath(key), value);
      }
    }
    return;
  }
  applyPath(doc, op.op, toPath(op.path), op.value);
}

/** A schema URN on its own (`...:2.0:User`), as opposed to an attribute under one (`...:2.0:User:employeeNumber`). */
function isSchemaUrn(key: string): boolean {
  return /:2\.0:(User|Group)$/i.test(key);
}

function plain(name: string): { attr: string; sub?: string } {
  const [attr, sub] = name.split('.');
  return { attr, ...(sub ? { sub } : {}) };
}

function toPath(text: string): AttrPath {
  try {
    return parsePath(text);
  } catch (e) {
    if (e instanceof FilterSyntaxError) throw new PatchError('invalidPath', e.message);
    throw e;
  }
}

/** The object a path's attribute lives in (the resource, or its extension object, created on demand). */
function container(doc: Json, path: AttrPath, create: boolean): Json | undefined {
  if (!path.urn) return doc;
  const key = getKey(doc, path.urn);
  if (key !== undefined && isObject(doc[key])) return doc[key] as Json;
  if (!create) return undefined;
  const fresh: Json = {};
  doc[path.urn] = fresh;
  return fresh;
}

function setCI(obj: Json, key: string, value: unknown): void {
  obj[getKey(obj, key) ?? key] = value;
}

function deleteCI(obj: Json, key: string): void {
  const k = getKey(obj, key);
  if (k !== undefined) delete obj[k];
}

/** Whether two list elements are the same value (complex elements by their `value`). */
function sameElement(a: unknown, b: unknown): boolean {
  const key = (v: unknown) => (isObject(v) ? (v[getKey(v, 'value') ?? 'value'] ?? JSON.stringify(v)) : v);
  const ka = key(a);
  const kb = key(b);
  return typeof ka === 'string' && typeof kb === 'string' ? ka.toLowerCase() === kb.toLowerCase() : ka === kb;
}

function applyPath(doc: Json, op: PatchOperation['op'], path: AttrPath, value: unknown): void {
  const attrLower = path.attr.toLowerCase();
  if (!path.urn && READ_ONLY.has(attrLower)) {
    if (attrLower === 'schemas' || attrLower === 'meta') return; // clients echo these; nothing to change
    // Okta's group push echoes the id: {"op":"replace","value":{"id":"<same id>","displayName":"..."}}
    if (attrLower === 'id' && op !== 'remove' && typeof value === 'string' && value === doc[getKey(doc, 'id') ?? 'id']) return;
    throw new PatchError('mutability', `${path.attr} cannot be changed`);
  }
  if (op !== 'remove' && value === undefined) throw new PatchError('invalidValue', `${op} needs a value`);
  const holder = container(doc, path, op !== 'remove');
  if (!holder) return; // removing from an extension the resource does not have
  const key = getKey(holder, path.attr) ?? path.attr;
  const current = holder[key];
  const multi = Array.isArray(current) || MULTI_VALUED.has(attrLower);

  if (path.filter) {
    if (!multi) throw new PatchError('invalidPath', `${path.attr} is not multi-valued, so it takes no [filter]`);
    const list = Array.isArray(current) ? (current as unknown[]) : [];
    const matches = list.filter((el) => isObject(el) && evaluate(path.filter!, el));
    if (op === 'remove') {
      if (path.sub) for (const el of matches) deleteCI(el as Json, path.sub);
      else holder[key] = list.filter((el) => !matches.includes(el));
      return;
    }
    if (matches.length === 0) {
      // Entra ID adds (and replaces) `emails[type eq "work"].value` before the element exists: create it
      const seed = seedFromFilter(path);
      if (!seed) throw new PatchError('noTarget', `No value of ${path.attr} matches the filter`);
      const el: Json = { ...seed };
      if (path.sub) el[path.sub] = value;
      else if (isObject(value)) Object.assign(el, value);
      else throw new PatchError('invalidValue', `${op} on ${path.attr}[...] needs an object value`);
      holder[key] = [...list, el];
      return;
    }
    for (const el of matches as Json[]) {
      if (path.sub) setCI(el, path.sub, value);
      else if (isObject(value)) {
        if (op === 'replace') for (const k of Object.keys(el)) delete el[k];
        Object.assign(el, value);
      } else throw new PatchError('invalidValue', `${op} on ${path.attr}[...] needs an object value`);
    }
    return;
  }

  if (path.sub) {
    if (multi) {
      // emails.value: every element's sub-attribute
      const list = Array.isArray(current) ? (current as unknown[]) : [];
      if (op === 'remove') for (const el of list) if (isObject(el)) deleteCI(el, path.sub);
      else if (list.length === 0) holder[key] = [{ [path.sub]: value }];
      else for (const el of list) if (isObject(el)) setCI(el, path.sub, value);
      return;
    }
    if (op === 'remove') {
      if (isObject(current)) deleteCI(current, path.sub);
      return;
    }
    const obj = isObject(current) ? current : {};
    setCI(obj, path.sub, value);
    holder[key] = obj;
    return;
  }

  if (op === 'remove') {
    if (multi && value !== undefined) {
      // Entra ID: {"op":"Remove","path":"members","value":[{"value":"<id>"}]} removes those values only
      const gone = Array.isArray(value) ? value : [value];
      holder[key] = (Array.isArray(current) ? current : []).filter((el) => !gone.some((g) => sameElement(el, g)));
      return;
    }
    delete holder[key];
    return;
  }
  if (multi) {
    const incoming = Array.isArray(value) ? value : [value];
    if (op === 'replace') holder[key] = incoming;
    else {
      const list = Array.isArray(current) ? [...(current as unknown[])] : [];
      for (const v of incoming) if (!list.some((el) => sameElement(el, v))) list.push(v);
      holder[key] = list;
    }
    return;
  }
  if (op === 'add' && isObject(current) && isObject(value)) {
    holder[key] = { ...current, ...value }; // add merges sub-attributes of a complex attribute
    return;
  }
  holder[key] = value;
}

/** `type eq "work"` gives {type: "work"}: the element an add through a filter creates. */
function seedFromFilter(path: AttrPath): Json | undefined {
  const f = path.filter!;
  if (f.kind === 'cmp' && f.op === 'eq' && !f.path.sub && !f.path.filter && f.path.attr.toLowerCase() !== 'value') {
    return { [f.path.attr]: f.value };
  }
  return undefined;
}
