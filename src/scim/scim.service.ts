import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { CredentialCache } from '../people/credential-cache.js';
import { DeactivationHooks } from '../people/deactivation-hooks.js';
import { generateToken, hashToken } from '../people/tokens.js';
import type { Role, User } from '../people/user.entity.js';
import { UsersRepository } from '../people/users.repository.js';
import { evaluate, Filter, FilterSyntaxError, parseFilter } from './scim-filter.js';
import { applyPatch, PatchError, readPatchBody } from './scim-patch.js';
import {
  GROUPS,
  groupById,
  groupToScim,
  groupVersion,
  listResponse,
  readMembers,
  readUserDoc,
  ScimError,
  ScimUserInput,
  userToScim,
  userVersion,
} from './scim-resources.js';
import { ScimToken } from './scim-token.entity.js';
import { ScimRepository } from './scim.repository.js';

export interface IssuedScimToken {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  /** The secret itself: shown once, never stored. */
  token: string;
}

const SCIM_PREFIX = 'scim_';
const DEFAULT_ZONE = 'UTC';

const notFound = (what: string, id: string) => new ScimError(404, `${what} ${id} was not found`);

function isUniqueViolation(e: unknown): boolean {
  return e instanceof QueryFailedError && (e.driverError as { code?: string }).code === '23505';
}

function readFilter(text: string | undefined): Filter | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return parseFilter(text);
  } catch (e) {
    if (e instanceof FilterSyntaxError) throw new ScimError(400, `The filter is not valid: ${e.message}`, 'invalidFilter');
    throw e;
  }
}

function patchOps(body: unknown) {
  try {
    return readPatchBody(body);
  } catch (e) {
    if (e instanceof PatchError) throw new ScimError(400, e.message, e.scimType);
    throw e;
  }
}

function patched(doc: Record<string, unknown>, body: unknown): Record<string, unknown> {
  const ops = patchOps(body);
  try {
    return applyPatch(doc, ops);
  } catch (e) {
    if (e instanceof PatchError) throw new ScimError(400, e.message, e.scimType);
    throw e;
  }
}

/** If-Match: `*` or a list of ETags; 412 when none is the current version. */
function checkIfMatch(ifMatch: string | undefined, version: string): void {
  if (!ifMatch) return;
  const tags = ifMatch.split(',').map((t) => t.trim());
  const bare = (t: string) => t.replace(/^W\//, '');
  if (tags.includes('*') || tags.some((t) => bare(t) === bare(version))) return;
  throw new ScimError(412, `The resource has changed (its version is now ${version})`);
}

/** Provisioning by SCIM: decides what the identity provider's requests do to people and their roles. */
@Injectable()
export class ScimService {
  constructor(
    private readonly db: DataSource,
    private readonly repo: ScimRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    private readonly deactivationHooks: DeactivationHooks,
    private readonly credentials: CredentialCache,
  ) {}

  // ---------------------------------------------------------------- tokens

  async issueToken(actor: User, name: string): Promise<IssuedScimToken> {
    return this.db.transaction(async (m) => {
      const secret = SCIM_PREFIX + generateToken();
      const row = await this.repo.insertToken(m, { name, tokenHash: hashToken(secret), prefix: secret.slice(0, SCIM_PREFIX.length + 9), createdBy: actor.id });
      await this.audit.record(m, { actorId: actor.id, action: 'scim_token.create', entity: 'scim_token', entityId: row.id, details: { name } });
      return { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt, token: secret };
    });
  }

  listTokens(): Promise<ScimToken[]> {
    return this.repo.listTokens(this.db.manager);
  }

  async revokeToken(actor: User, id: string): Promise<boolean> {
    return this.db.transaction(async (m) => {
      if (!(await this.repo.findToken(m, id))) return false;
      if (await this.repo.revokeToken(m, id)) {
        await this.audit.record(m, { actorId: actor.id, action: 'scim_token.revoke', entity: 'scim_token', entityId: id, details: {} });
      }
      return true;
    });
  }

  /** The live token's id, or null. */
  authenticate(secret: string): Promise<string | null> {
    return this.repo.useLiveToken(secret);
  }

  // ---------------------------------------------------------------- users

  async listUsers(base: string, filterText: string | undefined, startIndex: number, count: number) {
    const filter = readFilter(filterText);
    // `userName eq "..."` (how Okta and Entra ID look a person up) reads one row by index; others filter all
    const byUserName = filter?.kind === 'cmp' && filter.op === 'eq' && !filter.path.urn && !filter.path.sub && filter.path.attr.toLowerCase() === 'username';
    const users =
      byUserName && typeof filter.value === 'string' ? await this.repo.usersByEmail(this.db.manager, filter.value) : await this.repo.allUsers(this.db.manager);
    const docs = users.map((u) => userToScim(u, base));
    const matched = filter ? docs.filter((d) => evaluate(filter, d)) : docs;
    return listResponse(matched.slice(startIndex - 1, startIndex - 1 + count), matched.length, startIndex);
  }

  async getUser(base: string, id: string): Promise<Record<string, unknown>> {
    const user = await this.findUser(this.db.manager, id);
    return userToScim(user, base);
  }

  private async findUser(m: EntityManager, id: string, forUpdate = false): Promise<User> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw notFound('User', id);
    const user = forUpdate ? await this.repo.findUserForUpdate(m, id) : await this.repo.findUser(m, id);
    if (!user) throw notFound('User', id);
    return user;
  }

  private async assertNoClash(m: EntityManager, input: ScimUserInput, exceptId: string | null): Promise<void> {
    const clash = await this.repo.clash(m, input.email, input.externalId, exceptId);
    if (clash === 'email') throw new ScimError(409, `userName ${input.email} is already taken (userName ignores letter case)`, 'uniqueness');
    if (clash === 'externalId') throw new ScimError(409, `externalId ${input.externalId} is already taken`, 'uniqueness');
  }

  async createUser(base: string, tokenId: string, body: unknown): Promise<Record<string, unknown>> {
    const input = readUserDoc(body);
    try {
      return await this.db.transaction(async (m) => {
        await this.assertNoClash(m, input, null);
        const user = await this.repo.insertUser(m, {
          email: input.email,
          name: input.name,
          timeZone: input.timeZone ?? DEFAULT_ZONE,
          roles: [], // a group gives the first role
          active: input.active ?? true,
          externalId: input.externalId,
          employeeNumber: input.employeeNumber,
          startedOn: input.startedOn,
        });
        await this.audit.record(m, { actorId: null, action: 'user.create', entity: 'user', entityId: user.id, details: { email: user.email, via: 'scim', scimTokenId: tokenId } });
        return userToScim(user, base);
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ScimError(409, `userName ${input.email} or externalId is already taken`, 'uniqueness');
      throw e;
    }
  }

  async replaceUser(base: string, tokenId: string, id: string, body: unknown, ifMatch?: string): Promise<Record<string, unknown>> {
    return this.writeUser(base, tokenId, id, ifMatch, () => readUserDoc(body));
  }

  async patchUser(base: string, tokenId: string, id: string, body: unknown, ifMatch?: string): Promise<Record<string, unknown>> {
    return this.writeUser(base, tokenId, id, ifMatch, (user) => {
      const before = userToScim(user, base);
      return readUserDoc(preferNewName(before, patched(before, body)));
    });
  }

  /** DELETE: ridealong keeps the person (bookings, forms and the audit name them) and deactivates them. */
  async deleteUser(base: string, tokenId: string, id: string): Promise<void> {
    await this.writeUser(base, tokenId, id, undefined, (user) => ({ ...inputOf(user), active: false }));
  }

  private async writeUser(base: string, tokenId: string, id: string, ifMatch: string | undefined, next: (u: User) => ScimUserInput): Promise<Record<string, unknown>> {
    try {
      const written = await this.db.transaction(async (m) => {
        const user = await this.findUser(m, id, true);
        checkIfMatch(ifMatch, userVersion(user));
        const asked = next(user);
        const input = { ...asked, active: asked.active ?? user.active };
        await this.assertNoClash(m, input, id);
        const before = inputOf(user);
        const deactivated = before.active && !input.active;
        const activated = !before.active && input.active;
        if (deactivated && user.roles.includes('lifecycle') && (await this.repo.activeLifecycleCount(m)) <= 1) {
          throw new ScimError(409, 'This is the last active lifecycle user; add another one first');
        }
        Object.assign(user, {
          email: input.email,
          name: input.name,
          timeZone: input.timeZone ?? user.timeZone,
          active: input.active,
          externalId: input.externalId,
          employeeNumber: input.employeeNumber,
          startedOn: input.startedOn,
        });
        const saved = await this.repo.saveUser(m, user);
        let consequences: Record<string, number> | undefined;
        if (deactivated || activated) consequences = await this.users.revokeCredentials(m, id);
        if (deactivated) Object.assign(consequences!, await this.deactivationHooks.run(m, id, null));
        const action = deactivated ? 'user.deactivate' : activated ? 'user.activate' : 'user.update';
        await this.audit.record(m, {
          actorId: null,
          action,
          entity: 'user',
          entityId: id,
          details: { via: 'scim', scimTokenId: tokenId, before, after: input, ...(consequences ? { revoked: consequences } : {}) },
        });
        return userToScim(saved, base);
      });
      this.credentials.forgetUser(id); // committed: this instance's next request sees it (the others on the notification)
      return written;
    } catch (e) {
      if (isUniqueViolation(e)) throw new ScimError(409, 'userName or externalId is already taken', 'uniqueness');
      throw e;
    }
  }

  // ---------------------------------------------------------------- groups

  private group(id: string) {
    const g = groupById(id);
    if (!g) throw notFound('Group', id);
    return g;
  }

  async listGroups(base: string, filterText: string | undefined, startIndex: number, count: number, excludeMembers: boolean) {
    const filter = readFilter(filterText);
    const docs = [];
    for (const g of GROUPS) docs.push(groupToScim(g.id, await this.repo.membersOfRole(this.db.manager, g.role), base));
    const matched = filter ? docs.filter((d) => evaluate(filter, d)) : docs;
    const page = matched.slice(startIndex - 1, startIndex - 1 + count).map((d) => {
      if (!excludeMembers) return d;
      const { members: _members, ...rest } = d;
      return rest;
    });
    return listResponse(page, matched.length, startIndex);
  }

  async getGroup(base: string, id: string, excludeMembers = false): Promise<Record<string, unknown>> {
    const g = this.group(id);
    return groupToScim(g.id, await this.repo.membersOfRole(this.db.manager, g.role), base, !excludeMembers);
  }

  /** POST /Groups: only the three fixed groups exist; asking for one of them is a uniqueness conflict, any other a refusal. */
  createGroup(body: unknown): never {
    const name = body && typeof body === 'object' ? (body as Record<string, unknown>).displayName : undefined;
    const names = GROUPS.map((g) => g.id).join(', ');
    if (typeof name === 'string' && groupById(name)) throw new ScimError(409, `The group ${name} already exists (ridealong has exactly these groups: ${names})`, 'uniqueness');
    throw new ScimError(400, `ridealong has exactly these groups, one per role, and creates no others: ${names}`, 'invalidValue');
  }

  deleteGroup(id: string): never {
    this.group(id);
    throw new ScimError(400, `The group ${id} is a ridealong role and cannot be deleted; remove its members instead`, 'mutability');
  }

  async replaceGroup(base: string, tokenId: string, id: string, body: unknown, ifMatch?: string) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ScimError(400, 'The body must be a SCIM Group object', 'invalidSyntax');
    return this.writeMembers(base, tokenId, id, ifMatch, () => readMembers(body as Record<string, unknown>));
  }

  async patchGroup(base: string, tokenId: string, id: string, body: unknown, ifMatch?: string) {
    return this.writeMembers(base, tokenId, id, ifMatch, (doc) => readMembers(patched(doc, body)));
  }

  private async writeMembers(
    base: string,
    tokenId: string,
    id: string,
    ifMatch: string | undefined,
    next: (doc: Record<string, unknown>) => string[],
  ): Promise<Record<string, unknown>> {
    const g = this.group(id);
    const written = await this.db.transaction(async (m) => {
      const current = await this.repo.membersOfRole(m, g.role);
      checkIfMatch(ifMatch, groupVersion(current.map((x) => x.id)));
      const wanted = next(groupToScim(g.id, current, base));
      const found = new Set(await this.repo.lockUsers(m, wanted));
      const unknown = wanted.filter((x) => !found.has(x));
      if (unknown.length) throw new ScimError(400, `members: no user has the id ${unknown.join(', ')}`, 'invalidValue');
      const have = new Set(current.map((x) => x.id));
      const add = wanted.filter((x) => !have.has(x));
      const remove = [...have].filter((x) => !found.has(x));
      if (g.role === 'lifecycle' && remove.length) {
        await this.repo.activeLifecycleCount(m); // locks the active lifecycle users
        const remaining = await this.repo.membersOfRole(m, 'lifecycle');
        const stays = (await UsersRepository.peopleByIds(m, remaining.map((x) => x.id))).filter((p) => p.active && !remove.includes(p.id));
        if (stays.length === 0) throw new ScimError(409, 'This would remove the last active lifecycle user; add another one first');
      }
      const changed = await this.repo.setRole(m, g.role as Role, add, remove);
      for (const userId of changed) {
        await this.audit.record(m, {
          actorId: null,
          action: 'user.update',
          entity: 'user',
          entityId: userId,
          details: { via: 'scim', scimTokenId: tokenId, group: g.id, change: add.includes(userId) ? 'added' : 'removed' },
        });
      }
      return groupToScim(g.id, await this.repo.membersOfRole(m, g.role), base);
    });
    this.credentials.forgetAll(); // roles of several people changed: rare, so everyone's entries go
    return written;
  }
}

/**
 * ridealong keeps one name, shown as both displayName and name.formatted: a PATCH that changes only
 * name.givenName or name.familyName (Entra ID sends those) renames the person from those parts.
 */
function preferNewName(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const nameOf = (d: Record<string, unknown>) => JSON.stringify(d.name ?? null);
  if (nameOf(before) === nameOf(after) || before.displayName !== after.displayName) return after;
  const name = { ...((after.name as Record<string, unknown> | undefined) ?? {}) };
  if ((before.name as { formatted?: unknown } | undefined)?.formatted === name.formatted) delete name.formatted;
  const { displayName: _displayName, ...rest } = after;
  return { ...rest, name };
}

function inputOf(u: User): ScimUserInput {
  return { email: u.email, name: u.name, timeZone: u.timeZone, active: u.active, externalId: u.externalId, employeeNumber: u.employeeNumber, startedOn: u.startedOn };
}
