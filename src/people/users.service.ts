import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainError, forbidden, notFound } from '../common/errors.js';
import { ApiToken } from './api-token.entity.js';
import { CredentialCache } from './credential-cache.js';
import { DeactivationHooks } from './deactivation-hooks.js';
import { generateToken, hashToken, tokenPrefix } from './tokens.js';
import { isLifecycle, User } from './user.entity.js';
import { CreateTokenDto, CreateUserDto, ListUsersQuery, UpdateUserDto } from './users.dto.js';
import { UsersRepository } from './users.repository.js';

export interface IssuedToken {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  /** The secret itself: shown once, never stored. */
  token: string;
}

/** Only the lifecycle team, or the user themself. */
function assertSelfOrLifecycle(actor: User, userId: string): void {
  if (actor.id !== userId && !isLifecycle(actor)) throw forbidden('Only the lifecycle team or the user themself may do this');
}

function isUniqueViolation(e: unknown): boolean {
  return e instanceof QueryFailedError && (e.driverError as { code?: string }).code === '23505';
}

@Injectable()
export class UsersService {
  constructor(
    private readonly db: DataSource,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    private readonly deactivationHooks: DeactivationHooks,
    private readonly credentials: CredentialCache,
  ) {}

  async create(actor: User | null, dto: CreateUserDto): Promise<User> {
    try {
      return await this.db.transaction(async (m) => {
        if (await this.users.findByEmail(m, dto.email)) throw emailTaken(dto.email);
        const user = await this.users.insert(m, { email: dto.email, name: dto.name, timeZone: dto.timeZone, roles: dto.roles, startedOn: dto.startedOn ?? null });
        await this.audit.record(m, {
          actorId: actor?.id ?? null,
          action: 'user.create',
          entity: 'user',
          entityId: user.id,
          details: { email: user.email, roles: user.roles },
        });
        return user;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw emailTaken(dto.email); // a concurrent create won the race
      throw e;
    }
  }

  async get(actor: User, id: string): Promise<User> {
    assertSelfOrLifecycle(actor, id);
    const user = await this.users.findById(this.db.manager, id);
    if (!user) throw notFound('User', id);
    return user;
  }

  list(q: ListUsersQuery): Promise<User[]> {
    return this.users.list(this.db.manager, q);
  }

  async update(actor: User, id: string, dto: UpdateUserDto): Promise<User> {
    assertSelfOrLifecycle(actor, id);
    if (!isLifecycle(actor)) {
      const restricted = (['roles', 'active', 'startedOn'] as const).filter((f) => dto[f] !== undefined);
      if (restricted.length) {
        throw new DomainError('forbidden', `Only the lifecycle team may change ${restricted.join(', ')}`, { fields: restricted });
      }
    }
    const updated = await this.db.transaction(async (m) => {
      const user = await this.users.findByIdForUpdate(m, id);
      if (!user) throw notFound('User', id);
      const losesLifecycle =
        user.active && isLifecycle(user) && (dto.active === false || (dto.roles !== undefined && !dto.roles.includes('lifecycle')));
      if (losesLifecycle) {
        const others = (await this.users.lockActiveLifecycleIds(m)).filter((x) => x !== id);
        if (others.length === 0) {
          throw new DomainError('last_lifecycle_user', 'This is the last active lifecycle user; add another one first', {
            field: dto.active === false ? 'active' : 'roles',
          });
        }
      }
      const before = { name: user.name, timeZone: user.timeZone, roles: user.roles, active: user.active, startedOn: user.startedOn };
      const changes: Partial<User> = {};
      if (dto.name !== undefined) changes.name = dto.name;
      if (dto.timeZone !== undefined) changes.timeZone = dto.timeZone;
      if (dto.roles !== undefined) changes.roles = dto.roles;
      if (dto.active !== undefined) changes.active = dto.active;
      if (dto.startedOn !== undefined) changes.startedOn = dto.startedOn;
      Object.assign(user, changes);
      const saved = await this.users.save(m, user);
      const deactivated = dto.active === false && before.active;
      const activated = dto.active === true && !before.active;
      // Deactivation revokes every credential for good, in this transaction, and reactivation starts with none
      // (revoking again on the way back also clears anything a deactivated user kept from before this rule).
      const revoked = deactivated || activated ? await this.users.revokeCredentials(m, id) : undefined;
      // Future bookings cancelled with notice, roster entries and enrolments ended (features register these).
      if (deactivated) Object.assign(revoked!, await this.deactivationHooks.run(m, id, actor.id));
      const action = deactivated ? 'user.deactivate' : activated ? 'user.activate' : 'user.update';
      await this.audit.record(m, { actorId: actor.id, action, entity: 'user', entityId: id, details: { before, changes, ...(revoked ? { revoked } : {}) } });
      return saved;
    });
    // Committed: this instance's next request sees the change (the others on the trigger's notification).
    this.credentials.forgetUser(id);
    return updated;
  }

  async issueToken(actor: User, userId: string, dto: CreateTokenDto): Promise<IssuedToken> {
    assertSelfOrLifecycle(actor, userId);
    return this.db.transaction(async (m) => {
      const user = await this.users.findById(m, userId);
      if (!user) throw notFound('User', userId);
      if (!(await this.users.lockActive(m, userId))) {
        throw new DomainError('invalid_state', 'The user is deactivated; activate them before issuing a token');
      }
      return this.insertToken(m, actor.id, user.id, dto.name ?? 'api');
    });
  }

  /** Used by the bootstrap too (actor null), so both write the same rows. */
  async insertToken(m: EntityManager, actorId: string | null, userId: string, name: string, secret = generateToken()): Promise<IssuedToken> {
    const row = await this.users.insertToken(m, { userId, name, tokenHash: hashToken(secret), prefix: tokenPrefix(secret), createdBy: actorId });
    await this.audit.record(m, { actorId, action: 'token.create', entity: 'token', entityId: row.id, details: { userId, name } });
    return { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt, token: secret };
  }

  async listTokens(actor: User, userId: string): Promise<ApiToken[]> {
    assertSelfOrLifecycle(actor, userId);
    if (!(await this.users.findById(this.db.manager, userId))) throw notFound('User', userId);
    return this.users.listTokens(this.db.manager, userId);
  }

  async revokeToken(actor: User, userId: string, tokenId: string): Promise<void> {
    assertSelfOrLifecycle(actor, userId);
    await this.db.transaction(async (m) => {
      const token = await this.users.findToken(m, userId, tokenId);
      if (!token) throw notFound('Token', tokenId);
      if (await this.users.revokeToken(m, tokenId)) {
        await this.audit.record(m, { actorId: actor.id, action: 'token.revoke', entity: 'token', entityId: tokenId, details: { userId } });
      }
    });
    this.credentials.forgetUser(userId);
  }
}

function emailTaken(email: string): DomainError {
  return new DomainError('email_taken', `A user with the email ${email} already exists (emails ignore letter case)`, { field: 'email' });
}
