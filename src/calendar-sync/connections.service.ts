import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, forbidden, notFound } from '../common/errors.js';
import { normalizeFeedUrl, OutboundRefusedError } from '../common/outbound/guarded-fetch.js';
import { validationError } from '../common/validation.js';
import { isLifecycle, User } from '../people/user.entity.js';
import { UsersRepository } from '../people/users.repository.js';
import type { ConnectCalendarDto } from './connections.dto.js';
import { ConnectionsRepository, type ConnectionRow } from './connections.repository.js';
import { describeReadFailure } from './sync-messages.js';
import { type CalendarSource, CalendarSyncService, type ReadResult } from './sync.service.js';

/** Calendars one rep may connect. */
export const MAX_CONNECTIONS_PER_REP = 10;
/** Busy times one call of busyTimes returns at most. */
const BUSY_TIMES_MAX = 5000;

/** A connection as the API and the pages show it: never the URL, user name or password. */
export interface ConnectionView {
  id: string;
  kind: 'ics' | 'caldav';
  host: string;
  lastSyncedAt: Date | null;
  lastAttemptAt: Date | null;
  lastError: string | null;
  eventCount: number;
  createdAt: Date;
}

export function viewOf(r: ConnectionRow): ConnectionView {
  return {
    id: r.id,
    kind: r.kind,
    host: r.host,
    lastSyncedAt: r.lastSyncedAt,
    lastAttemptAt: r.lastAttemptAt,
    lastError: r.lastError,
    eventCount: r.eventCount,
    createdAt: r.createdAt,
  };
}

/**
 * A rep's calendar connections: connect (read and parse before anything is stored), list, sync now,
 * disconnect. The rep acts on their own; the lifecycle team reads anyone's (host and status); everyone else
 * is told there is nothing (404).
 */
@Injectable()
export class CalendarConnectionsService {
  constructor(
    private readonly db: DataSource,
    private readonly repo: ConnectionsRepository,
    private readonly users: UsersRepository,
    private readonly sync: CalendarSyncService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Connects a calendar of the acting rep. The calendar is read and parsed first: a refused address is a 400
   * naming `url`, one that cannot be read or parsed a 422 `calendar_unreadable` with the reason; either way
   * nothing is stored. Then the connection (its address and credentials sealed), its events and the audit row
   * are written in one transaction.
   */
  async connect(actor: User, dto: ConnectCalendarDto): Promise<ConnectionView> {
    if (!actor.roles.includes('rep')) throw forbidden('Only reps connect their calendars');
    const source = this.sourceOf(dto);
    await this.assertNew(this.db.manager, actor.id, source);
    const now = this.clock.now();
    const window = await this.sync.window(this.db.manager, actor.id, now);
    let read: ReadResult;
    try {
      read = await this.sync.read(source, null, { email: actor.email, timeZone: actor.timeZone }, window);
    } catch (err) {
      if (err instanceof OutboundRefusedError) throw err; // 400, details.field = 'url'
      const { reason } = describeReadFailure(err, source);
      throw new DomainError('calendar_unreadable', reason, { field: 'url', reason });
    }
    if (read.unchanged) throw new DomainError('calendar_unreadable', 'The calendar server answered "not modified" to a first read.', { field: 'url' });
    const events = read.events;
    const validators = read.validators;
    const host = new URL(source.url).host;
    const id = await this.db.transaction(async (m) => {
      await this.repo.lockRep(m, actor.id);
      await this.assertNew(m, actor.id, source);
      const connectionId = await this.repo.insert(m, { repId: actor.id, kind: source.kind, host, secret: this.sync.seal(source) });
      const eventCount = await this.sync.apply(m, { id: connectionId, repId: actor.id }, events, window, now, validators);
      await this.audit.record(m, { actorId: actor.id, action: 'calendar.connect', entity: 'calendar_connection', entityId: connectionId, details: { kind: source.kind, host, eventCount } });
      return connectionId;
    });
    return viewOf((await this.repo.find(this.db.manager, id))!);
  }

  /** A rep's connections: that rep or the lifecycle team; anyone else gets 404. */
  async list(actor: User, repId: string): Promise<ConnectionView[]> {
    if (actor.id !== repId) {
      if (!isLifecycle(actor)) throw notFound('Calendar connections of rep', repId);
      if (!(await this.users.findById(this.db.manager, repId))) throw notFound('User', repId);
    }
    return (await this.repo.listForRep(this.db.manager, repId)).map(viewOf);
  }

  /** Reads the calendar now (its rep); the answer shows how it went (`lastError`). */
  async syncNow(actor: User, id: string): Promise<ConnectionView> {
    await this.ownConnection(actor, id);
    await this.sync.sync(id);
    const row = await this.repo.find(this.db.manager, id);
    if (!row) throw notFound('Calendar connection', id);
    return viewOf(row);
  }

  /**
   * Disconnects (its rep) and forgets the calendar's events, which frees the busy time they brought. Bookings
   * on its opened customer calls stay confirmed: the meeting still happens; they only lose the link.
   */
  async disconnect(actor: User, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const row = await this.ownConnection(actor, id, m);
      const events = await this.repo.delete(m, id);
      if (events === null) throw notFound('Calendar connection', id);
      await this.audit.record(m, { actorId: actor.id, action: 'calendar.disconnect', entity: 'calendar_connection', entityId: id, details: { kind: row.kind, host: row.host, events } });
    });
  }

  /** The rep's busy calendar times overlapping [from, to) that block slots (opened customer calls are slots, not busy). */
  busyTimes(repId: string, from: Date, to: Date): Promise<{ startsAt: Date; endsAt: Date; title: string }[]> {
    return this.repo.busyTimes(this.db.manager, repId, from, to, BUSY_TIMES_MAX);
  }

  /** The connection, when the actor is its rep; the lifecycle team reads but does not act (403); others 404. */
  private async ownConnection(actor: User, id: string, m: EntityManager = this.db.manager): Promise<ConnectionRow> {
    const row = await this.repo.find(m, id);
    if (!row || (row.repId !== actor.id && !isLifecycle(actor))) throw notFound('Calendar connection', id);
    if (row.repId !== actor.id) throw forbidden("Only the rep acts on their calendar connection; the lifecycle team reads it");
    return row;
  }

  /** What the request asks to read; a 400 naming the field for anything that cannot be. */
  private sourceOf(dto: ConnectCalendarDto): CalendarSource {
    if (dto.kind === 'ics') {
      if (dto.username !== undefined) throw validationError([{ field: 'username', problems: ['username is only for kind caldav'] }]);
      if (dto.password !== undefined) throw validationError([{ field: 'password', problems: ['password is only for kind caldav'] }]);
    } else {
      const missing = (['username', 'password'] as const).filter((f) => dto[f] === undefined);
      if (missing.length) throw validationError(missing.map((f) => ({ field: f, problems: [`${f} is required for kind caldav`] })));
    }
    const url = normalizeFeedUrl(dto.url); // OutboundRefusedError: 400 naming url
    return { kind: dto.kind, url: url.href, ...(dto.kind === 'caldav' ? { username: dto.username, password: dto.password } : {}) };
  }

  /** Refuses a calendar the rep has connected already (same address, and same account for CalDAV), and more than the cap. */
  private async assertNew(m: EntityManager, repId: string, source: CalendarSource): Promise<void> {
    const existing = await this.repo.secretsOfRep(m, repId);
    if (existing.length >= MAX_CONNECTIONS_PER_REP) {
      throw new DomainError('conflict', `A rep can connect at most ${MAX_CONNECTIONS_PER_REP} calendars; disconnect one first`, { limit: MAX_CONNECTIONS_PER_REP });
    }
    for (const e of existing) {
      if (e.kind !== source.kind) continue;
      let other: CalendarSource;
      try {
        other = this.sync.open(e.kind, e.secret);
      } catch {
        continue; // sealed with another key: it cannot be compared (and cannot be read either)
      }
      if (other.url === source.url && (source.kind === 'ics' || other.username === source.username)) {
        throw new DomainError('conflict', 'This calendar is connected already', { field: 'url', id: e.id });
      }
    }
  }
}
