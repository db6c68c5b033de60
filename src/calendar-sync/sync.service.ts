import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { guardedFetch, OutboundFailedError, type OutboundPolicy } from '../common/outbound/guarded-fetch.js';
import { Secrets } from '../common/secrets.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { CustomerCallsService } from '../customer-calls/customer-calls.service.js';
import { MailService } from '../mail/mail.service.js';
import { Metrics } from '../metrics/metrics.service.js';
import { caldavRead } from './caldav.js';
import type { ConnectionKind } from './calendar.entity.js';
import { ConnectionsRepository, type ConnectionForSync, type Validators } from './connections.repository.js';
import { CalendarParseError, type FeedEvent, readCalendar, readCalendarObjects } from './ics-read.js';
import { planApply, rowsOf } from './sync-diff.js';
import { describeReadFailure, failureMail } from './sync-messages.js';

/** The kept window when the rep is on no open or planned roster: what a typical booking horizon covers. */
export const DEFAULT_WINDOW_DAYS = 60;
/**
 * Extra days read past the horizon. A calendar that answers "unchanged" (304, same ctag) is not read again
 * until the next day's full read, while the horizon's end moves on: the margin keeps that end covered.
 */
export const WINDOW_MARGIN_DAYS = 1;
/** Longest validator (ETag, Last-Modified, ctag, sync-token) kept; a longer one is not sent back. */
const VALIDATOR_MAX = 512;
const DAY_MS = 86_400_000;

/** What a connection reads: the sealed secret, opened. */
export interface CalendarSource {
  kind: ConnectionKind;
  url: string;
  username?: string;
  password?: string;
}

/** The instants a sync keeps: [from, to) is the booking horizon, [from, readTo) what is read and kept. */
export interface SyncWindow {
  from: Date;
  to: Date;
  readTo: Date;
}

export type ReadResult = { unchanged: true } | { unchanged: false; events: FeedEvent[]; validators: Validators };

export type SyncOutcome =
  | { outcome: 'synced' | 'unchanged'; eventCount: number }
  | { outcome: 'failed'; reason: string }
  /** The connection was disconnected (before or during the sync). */
  | { outcome: 'gone' };

const validator = (v: string | null | undefined): string | null => (v && v.length <= VALIDATOR_MAX ? v : null);
const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/** The text of a feed's body: UTF-8 unless the server names another charset it knows; a BOM is dropped. */
function decodeBody(body: Buffer, contentType: string | null): string {
  const charset = /charset="?([\w.:-]+)"?/i.exec(contentType ?? '')?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/**
 * Reads a connected calendar and applies what it says: the instances in the kept window (from now to the
 * furthest booking horizon of the rep's programs), in one transaction, with stable ids and the open state
 * of customer calls kept; the customer calls are told what moved, vanished or appeared before vanished rows
 * go. A read that fails keeps the last good events, sets `lastError` in plain words and emails the rep once
 * per failure streak. Never logs or stores the URL or the credentials (only the host).
 */
@Injectable()
export class CalendarSyncService {
  private readonly logger = new Logger('CalendarSync');

  constructor(
    private readonly db: DataSource,
    private readonly repo: ConnectionsRepository,
    private readonly secrets: Secrets,
    private readonly customerCalls: CustomerCallsService,
    private readonly mail: MailService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  /** The outbound rule for calendar fetches (CALENDAR_ALLOW_PRIVATE_HOSTS lifts the private-address ban). */
  policy(): OutboundPolicy {
    return { allowPrivate: this.config.calendarAllowPrivateHosts };
  }

  /** From `now` to the furthest booking horizon of the rep's open and planned rosters (DEFAULT_WINDOW_DAYS without one). */
  async window(m: EntityManager, repId: string, now: Date): Promise<SyncWindow> {
    const days = (await this.repo.horizonDays(m, repId)) || DEFAULT_WINDOW_DAYS;
    const to = new Date(now.getTime() + days * DAY_MS);
    return { from: now, to, readTo: new Date(to.getTime() + WINDOW_MARGIN_DAYS * DAY_MS) };
  }

  /** Seals what a connection reads, for calendar_connections.secret. */
  seal(source: CalendarSource): string {
    return this.secrets.seal(JSON.stringify({ url: source.url, ...(source.kind === 'caldav' ? { username: source.username, password: source.password } : {}) }));
  }

  /** Opens a connection's secret. Throws when it cannot be opened (another SECRETS_KEY). */
  open(kind: ConnectionKind, sealed: string): CalendarSource {
    const s = JSON.parse(this.secrets.open(sealed)) as { url: string; username?: string; password?: string };
    return { kind, url: s.url, username: s.username, password: s.password };
  }

  /**
   * Fetches and parses a calendar. `prev` (the validators of the last read) makes the request conditional:
   * an unchanged calendar answers `{unchanged: true}` without being downloaded or parsed. Throws what the
   * outbound guard, the CalDAV client or the reader throw (see describeReadFailure).
   */
  async read(source: CalendarSource, prev: Validators | null, rep: { email: string; timeZone: string }, window: SyncWindow): Promise<ReadResult> {
    const opts = { from: window.from, to: window.readTo, ownEmails: [rep.email.toLowerCase()], defaultZone: rep.timeZone };
    if (source.kind === 'caldav') {
      const state = prev && (prev.ctag !== null || prev.syncToken !== null) ? { ctag: prev.ctag, syncToken: prev.syncToken } : null;
      const r = await caldavRead({ url: source.url, username: source.username ?? '', password: source.password ?? '' }, state, { from: window.from, to: window.readTo }, this.policy());
      if (r.unchanged) return { unchanged: true };
      const events = readCalendarObjects(r.objects, opts);
      return { unchanged: false, events, validators: { etag: null, lastModified: null, ctag: validator(r.state.ctag), syncToken: validator(r.state.syncToken) } };
    }
    const headers: Record<string, string> = { Accept: 'text/calendar, text/plain;q=0.5, */*;q=0.1', 'User-Agent': 'ridealong-calendar-sync/1' };
    if (prev?.etag) headers['If-None-Match'] = prev.etag;
    if (prev?.lastModified) headers['If-Modified-Since'] = prev.lastModified;
    const conditional = 'If-None-Match' in headers || 'If-Modified-Since' in headers;
    const res = await guardedFetch(source.url, { method: 'GET', headers }, this.policy());
    if (res.status === 304 && conditional) return { unchanged: true };
    if (res.status !== 200 && res.status !== 203) {
      throw new OutboundFailedError('http_status', `the server answered HTTP ${res.status} instead of the calendar`, res.status);
    }
    const text = decodeBody(res.body, res.headers.get('content-type'));
    if (!/BEGIN:VCALENDAR/i.test(text)) {
      // An HTML error page or a sign-in form answered with 200: never read as "no events".
      throw new CalendarParseError(text.trim() === '' ? 'the answer was empty' : 'the answer is not iCalendar (it does not hold a VCALENDAR)');
    }
    const events = readCalendar(text, opts);
    return {
      unchanged: false,
      events,
      validators: { etag: validator(res.headers.get('etag')), lastModified: validator(res.headers.get('last-modified')), ctag: null, syncToken: null },
    };
  }

  /**
   * Applies a read inside the caller's transaction (the connection's row locked by it): new and changed
   * instances are written (a row keeps its id and open state by (uid, instance)), the customer calls are told
   * what moved, vanished or appeared, then vanished rows are deleted and history outside the window pruned.
   * Ends a failure streak. Returns the connection's upcoming event count.
   */
  async apply(m: EntityManager, conn: { id: string; repId: string }, events: FeedEvent[], window: SyncWindow, now: Date, validators: Validators): Promise<number> {
    const kept = { from: window.from, to: window.readTo };
    const plan = planApply(await this.repo.storedInstances(m, conn.id), rowsOf(events, kept), kept);
    const added = await this.repo.writeInstances(m, conn.id, conn.repId, plan.write);
    // Also for rows that only changed (now declined or free): the customer calls find those themselves.
    if (plan.write.length || plan.removed.length) {
      await this.customerCalls.reconcile(m, conn.repId, { moved: plan.moved, removed: plan.removed, added });
    }
    await this.repo.deleteInstances(
      m,
      plan.removed.map((r) => r.eventId),
    );
    await this.repo.pruneOutside(m, conn.id, kept.from, kept.to);
    const eventCount = await this.repo.countUpcoming(m, conn.id, now);
    await this.repo.markSynced(m, conn.id, now, eventCount, validators);
    return eventCount;
  }

  /**
   * Syncs one connection now (the queue's job, and "sync now"). Safe to run twice at once or again after a
   * crash: the apply locks the connection's row and is one transaction. Throws only when the database does
   * (the job is then retried); a calendar that cannot be read is an outcome, not an exception.
   */
  async sync(connectionId: string): Promise<SyncOutcome> {
    return this.metrics ? this.metrics.calendarSync(this.syncOnce(connectionId)) : this.syncOnce(connectionId);
  }

  private async syncOnce(connectionId: string): Promise<SyncOutcome> {
    const now = this.clock.now();
    const conn = await this.repo.findForSync(this.db.manager, connectionId);
    if (!conn) return { outcome: 'gone' };
    let source: CalendarSource;
    try {
      source = this.open(conn.kind, conn.secret);
    } catch {
      this.logger.error({ connectionId, host: conn.host }, 'a calendar connection secret could not be opened (was SECRETS_KEY changed?)');
      return this.fail(conn, now, 'The stored calendar address could not be decrypted on this server; please connect the calendar again.');
    }
    const window = await this.window(this.db.manager, conn.repId, now);
    // One full read a day: an unchanged calendar still grows instances (a series) at the window's moving end.
    const full = !conn.lastSyncedAt || utcDay(conn.lastSyncedAt) !== utcDay(now);
    const prev: Validators | null = full ? null : { etag: conn.etag, lastModified: conn.lastModified, ctag: conn.ctag, syncToken: conn.syncToken };
    let result: ReadResult;
    try {
      result = await this.read(source, prev, { email: conn.repEmail, timeZone: conn.repZone }, window);
    } catch (err) {
      const failure = describeReadFailure(err, source);
      if (failure.unexpected) {
        this.logger.error({ connectionId, host: conn.host, error: (err as Error)?.name ?? typeof err }, 'reading a calendar failed unexpectedly');
      }
      return this.fail(conn, now, failure.reason);
    }
    const outcome = await this.db.transaction(async (m): Promise<SyncOutcome> => {
      if (!(await this.repo.lock(m, conn.id))) return { outcome: 'gone' };
      if (result.unchanged) {
        await this.repo.pruneOutside(m, conn.id, window.from, window.readTo);
        const eventCount = await this.repo.countUpcoming(m, conn.id, now);
        await this.repo.markSynced(m, conn.id, now, eventCount);
        return { outcome: 'unchanged', eventCount };
      }
      return { outcome: 'synced', eventCount: await this.apply(m, conn, result.events, window, now, result.validators) };
    });
    this.logger.debug({ connectionId, host: conn.host, ...outcome }, 'calendar synced');
    return outcome;
  }

  /** Records a failed read: `lastError`, the events kept; the first failure of a streak emails the rep (once). */
  private async fail(conn: ConnectionForSync, now: Date, reason: string): Promise<SyncOutcome> {
    const gone = await this.db.transaction(async (m) => {
      const row = await this.repo.lock(m, conn.id);
      if (!row) return true;
      const mailNow = row.failureMailedAt === null;
      if (mailNow) {
        const failingSince = row.failingSince ?? now;
        const mail = failureMail({
          rep: { name: conn.repName, email: conn.repEmail, timeZone: conn.repZone },
          host: conn.host,
          kind: conn.kind,
          reason,
          failingSince,
          lastSyncedAt: row.lastSyncedAt,
          pageUrl: `${this.config.publicUrl}/rep/calendar`,
        });
        // Once per streak is kept by the locked row (failure_mailed_at), not by the key: two streaks may start at one instant.
        await this.mail.enqueue(m, `calendar-failing:${conn.id}:${failingSince.toISOString()}:${randomUUID()}`, mail);
      }
      await this.repo.markFailed(m, conn.id, now, reason, mailNow);
      return false;
    });
    if (gone) return { outcome: 'gone' };
    this.logger.warn({ connectionId: conn.id, host: conn.host, reason }, 'a calendar could not be read; its last good events are kept');
    return { outcome: 'failed', reason };
  }
}
