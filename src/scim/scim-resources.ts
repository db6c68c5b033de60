/**
 * SCIM resources as ridealong maps them (RFC 7643): users to and from SCIM JSON, the three fixed groups
 * that are the roles, the discovery documents, and the error shape. Pure: no Nest, no database.
 */
import { IANAZone } from 'luxon';
import type { Role } from '../people/user.entity.js';
import { getCI } from './scim-filter.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const RIDEALONG_SCHEMA = 'urn:ridealong:params:scim:schemas:extension:2.0:User';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_MEDIA_TYPE = 'application/scim+json';

export type ScimErrorType = 'uniqueness' | 'invalidFilter' | 'invalidValue' | 'noTarget' | 'invalidSyntax' | 'invalidPath' | 'mutability' | 'tooMany' | 'invalidVers';

/** A refusal in SCIM form (RFC 7644 section 3.12). */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: ScimErrorType,
  ) {
    super(message);
  }
}

export function scimErrorBody(status: number, detail: string, scimType?: string): Record<string, unknown> {
  return { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

/** The groups ridealong has: one per role, fixed. Their ids are their names. */
export const GROUPS: readonly { id: string; role: Role }[] = [
  { id: 'ridealong-reps', role: 'rep' },
  { id: 'ridealong-marketers', role: 'marketer' },
  { id: 'ridealong-lifecycle', role: 'lifecycle' },
];

export const groupOfRole = (role: Role) => GROUPS.find((g) => g.role === role)!;
export const groupById = (id: string) => GROUPS.find((g) => g.id.toLowerCase() === id.toLowerCase());

/** The user columns SCIM reads and writes. */
export interface ScimUserRow {
  id: string;
  email: string;
  name: string;
  timeZone: string;
  roles: Role[];
  active: boolean;
  startedOn: string | null;
  externalId: string | null;
  employeeNumber: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a SCIM user document asks for, checked. */
export interface ScimUserInput {
  email: string;
  name: string;
  timeZone: string | undefined;
  /** Undefined when the document leaves it out: a create makes the person active, a PUT keeps what they were. */
  active: boolean | undefined;
  externalId: string | null;
  employeeNumber: string | null;
  startedOn: string | null;
}

export const userVersion = (u: { updatedAt: Date }) => `W/"${u.updatedAt.getTime().toString(36)}"`;

export function userToScim(u: ScimUserRow, base: string): Record<string, unknown> {
  const location = `${base}/Users/${u.id}`;
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA, RIDEALONG_SCHEMA],
    id: u.id,
    ...(u.externalId ? { externalId: u.externalId } : {}),
    userName: u.email,
    name: nameParts(u.name),
    displayName: u.name,
    emails: [{ value: u.email, type: 'work', primary: true }],
    active: u.active,
    timezone: u.timeZone,
    groups: u.roles.map((r) => ({ value: groupOfRole(r).id, display: groupOfRole(r).id, $ref: `${base}/Groups/${groupOfRole(r).id}` })),
    [ENTERPRISE_SCHEMA]: u.employeeNumber ? { employeeNumber: u.employeeNumber } : {},
    [RIDEALONG_SCHEMA]: u.startedOn ? { startedOn: u.startedOn } : {},
    meta: { resourceType: 'User', created: u.createdAt.toISOString(), lastModified: u.updatedAt.toISOString(), location, version: userVersion(u) },
  };
}

/**
 * ridealong keeps one name; SCIM's parts are derived from it (the last word is the family name), so a
 * client changing one part (Entra ID's `name.givenName`) keeps the other.
 */
export function nameParts(name: string): { formatted: string; givenName?: string; familyName?: string } {
  const words = name.trim().split(/\s+/);
  if (words.length < 2) return { formatted: name, givenName: name };
  return { formatted: name, givenName: words.slice(0, -1).join(' '), familyName: words[words.length - 1] };
}

const EMAIL = /^[^@\s]+@[^@\s]+$/;
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const invalid = (message: string) => new ScimError(400, message, 'invalidValue');

/** A SCIM boolean: true/false, or the strings "True"/"False" Entra ID sends. */
export function scimBoolean(v: unknown, field: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw invalid(`${field} must be true or false`);
}

function optionalText(v: unknown, field: string, max: number): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw invalid(`${field} must be a string`);
  const t = v.trim();
  if (t.length > max) throw invalid(`${field} must be at most ${max} characters`);
  return t || null;
}

/** Reads and checks a SCIM user document (POST, PUT, or the result of a PATCH). */
export function readUserDoc(doc: unknown): ScimUserInput {
  if (!isObject(doc)) throw new ScimError(400, 'The body must be a SCIM User object', 'invalidSyntax');
  const userName = getCI(doc, 'userName');
  if (typeof userName !== 'string' || !userName.trim()) throw invalid('userName is required (the person\'s email address)');
  const email = userName.trim();
  if (!EMAIL.test(email) || email.length > 254) throw invalid('userName must be an email address');

  const nameObj = getCI(doc, 'name');
  if (nameObj !== undefined && nameObj !== null && !isObject(nameObj)) throw invalid('name must be an object');
  const part = (k: string) => {
    const v = nameObj ? getCI(nameObj, k) : undefined;
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  const displayName = getCI(doc, 'displayName');
  if (displayName !== undefined && displayName !== null && typeof displayName !== 'string') throw invalid('displayName must be a string');
  const given = [part('givenName'), part('familyName')].filter(Boolean).join(' ');
  const name = (typeof displayName === 'string' && displayName.trim()) || part('formatted') || given || email.split('@')[0];
  if (name.length > 200) throw invalid('displayName must be at most 200 characters');

  const tzRaw = getCI(doc, 'timezone');
  let timeZone: string | undefined;
  if (tzRaw !== undefined && tzRaw !== null && tzRaw !== '') {
    if (typeof tzRaw !== 'string' || !IANAZone.isValidZone(tzRaw)) throw invalid('timezone must be an IANA time zone such as Europe/Berlin');
    timeZone = tzRaw;
  }

  const activeRaw = getCI(doc, 'active');
  const active = activeRaw === undefined || activeRaw === null ? undefined : scimBoolean(activeRaw, 'active');

  const externalId = optionalText(getCI(doc, 'externalId'), 'externalId', 500);
  const ent = getCI(doc, ENTERPRISE_SCHEMA);
  if (ent !== undefined && ent !== null && !isObject(ent)) throw invalid(`${ENTERPRISE_SCHEMA} must be an object`);
  const employeeRaw = ent ? getCI(ent, 'employeeNumber') : undefined;
  const employeeNumber = optionalText(typeof employeeRaw === 'number' ? String(employeeRaw) : employeeRaw, 'employeeNumber', 200);

  const ext = getCI(doc, RIDEALONG_SCHEMA);
  if (ext !== undefined && ext !== null && !isObject(ext)) throw invalid(`${RIDEALONG_SCHEMA} must be an object`);
  const startedRaw = ext ? getCI(ext, 'startedOn') : undefined;
  let startedOn: string | null = null;
  if (startedRaw !== undefined && startedRaw !== null && startedRaw !== '') {
    if (typeof startedRaw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(startedRaw) || Number.isNaN(Date.parse(`${startedRaw}T00:00:00Z`)) || new Date(`${startedRaw}T00:00:00Z`).toISOString().slice(0, 10) !== startedRaw) {
      throw invalid('startedOn must be a date (YYYY-MM-DD)');
    }
    startedOn = startedRaw;
  }
  return { email, name, timeZone, active, externalId, employeeNumber, startedOn };
}

export const groupVersion = (memberIds: readonly string[]) => {
  let h = 0;
  for (const ch of [...memberIds].sort().join(',')) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return `W/"${(h >>> 0).toString(36)}-${memberIds.length}"`;
};

export function groupToScim(id: string, members: readonly { id: string; name: string }[], base: string, withMembers = true): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id,
    displayName: id,
    ...(withMembers ? { members: members.map((m) => ({ value: m.id, display: m.name, $ref: `${base}/Users/${m.id}` })) } : {}),
    meta: { resourceType: 'Group', location: `${base}/Groups/${id}`, version: groupVersion(members.map((m) => m.id)) },
  };
}

/** Member ids of a SCIM group document (PUT body or a PATCH result). */
export function readMembers(doc: Record<string, unknown>): string[] {
  const members = getCI(doc, 'members');
  if (members === undefined || members === null) return [];
  if (!Array.isArray(members)) throw invalid('members must be an array');
  return [
    ...new Set(
      members.map((m, i) => {
        const v = isObject(m) ? getCI(m, 'value') : undefined;
        if (typeof v !== 'string' || !v) throw invalid(`members[${i}].value must be a user id`);
        return v;
      }),
    ),
  ];
}

export function listResponse(resources: unknown[], total: number, startIndex: number): Record<string, unknown> {
  return { schemas: [LIST_SCHEMA], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** startIndex (1-based, at least 1) and count (0..max; default max) per RFC 7644 section 3.4.2.4. */
export function readPaging(startIndex: string | undefined, count: string | undefined, max = 200): { startIndex: number; count: number } {
  const int = (v: string | undefined, field: string) => {
    if (v === undefined || v === '') return undefined;
    if (!/^-?\d{1,9}$/.test(v)) throw invalid(`${field} must be an integer`);
    return Number(v);
  };
  const s = int(startIndex, 'startIndex');
  const c = int(count, 'count');
  return { startIndex: s === undefined || s < 1 ? 1 : s, count: c === undefined ? max : Math.min(Math.max(c, 0), max) };
}

export function serviceProviderConfig(base: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: `${base.replace(/\/scim\/v2$/, '')}/docs`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      { type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'A provisioning token from POST /api/v1/scim-tokens, as "Authorization: Bearer <token>"', primary: true },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string): Record<string, unknown>[] {
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: USER_SCHEMA,
      schemaExtensions: [
        { schema: ENTERPRISE_SCHEMA, required: false },
        { schema: RIDEALONG_SCHEMA, required: false },
      ],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      schema: GROUP_SCHEMA,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

const attr = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

export function schemas(base: string): Record<string, unknown>[] {
  const schema = (id: string, name: string, attributes: unknown[]) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id,
    name,
    attributes,
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
  });
  return [
    schema(USER_SCHEMA, 'User', [
      attr('userName', 'string', { required: true, uniqueness: 'server', description: "The person's email address; unique ignoring case" }),
      attr('name', 'complex', {
        subAttributes: [attr('formatted', 'string'), attr('givenName', 'string'), attr('familyName', 'string')],
      }),
      attr('displayName', 'string'),
      attr('emails', 'complex', {
        multiValued: true,
        subAttributes: [attr('value', 'string'), attr('type', 'string'), attr('primary', 'boolean')],
      }),
      attr('active', 'boolean'),
      attr('timezone', 'string', { description: 'IANA time zone, e.g. Europe/Berlin' }),
      attr('externalId', 'string', { caseExact: true }),
      attr('groups', 'complex', { multiValued: true, mutability: 'readOnly', subAttributes: [attr('value', 'string'), attr('display', 'string')] }),
    ]),
    schema(ENTERPRISE_SCHEMA, 'EnterpriseUser', [attr('employeeNumber', 'string')]),
    schema(RIDEALONG_SCHEMA, 'RidealongUser', [attr('startedOn', 'string', { description: 'First day at the company (YYYY-MM-DD); drives support-rotation onboarding' })]),
    schema(GROUP_SCHEMA, 'Group', [
      attr('displayName', 'string', { required: true, uniqueness: 'server', mutability: 'readOnly' }),
      attr('members', 'complex', { multiValued: true, subAttributes: [attr('value', 'string'), attr('display', 'string')] }),
    ]),
  ];
}
