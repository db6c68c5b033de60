import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import type { PreRead, Statement } from '../common/opened-transaction.js';
import { cursorScope, encodeCursor, positions } from '../common/cursor.js';
import { forbidden, notFound } from '../common/errors.js';
import { readCursor } from '../common/paging.js';
import { validationError, windowBound } from '../common/validation.js';
import { isLifecycle, User } from '../people/user.entity.js';
import { Period, Program } from '../programs/program.entity.js';
import { ProgramsRepository } from '../programs/programs.repository.js';
import { SLOTS_PAGE, SlotsQuery } from './availability.dto.js';
import { AvailabilityRepository } from './availability.repository.js';
import { type Listing, ListingCache, listingKey } from './listing-cache.js';
import { localToEpoch, parseIsoDate } from '../common/time/local-time.js';
import { checkSlot, concatColumns, findSlotsColumnar, MarketerContext, SlotCheck, type SlotColumns, SlotQuery } from './engine/slot-engine.js';
import { noSlots, pageOf, type SlotFilter, type SlotKey, type SlotList } from './slot-page.js';

/**
 * A page of the engine's listing of `query`, computing no more of the range than the page needs. A slot
 * depends on its start, not on the range searched (the engine's slots for [from, t) are exactly its slots for
 * [from, to) that start before t), so a listing can be computed in parts and joined (`concatColumns`).
 * `kept`: the listing so far (its slots starting in [query.from, kept.done)), which the engine goes on from.
 * `probe` (for a page near the start of `query`): the engine first runs over two days; when that already holds
 * the page and one more slot, it is the page (and `more`) of the whole range. Otherwise it goes on from where
 * it stopped, over the span the first run's density says the page needs (with a fifth to spare), then to the
 * end of the range. Returns the page and the listing as far as it was computed.
 */
function pageOfListing(
  query: SlotQuery,
  zone: string,
  filter: SlotFilter,
  page: { limit: number; after?: SlotKey },
  kept: Listing | undefined,
  probe: boolean,
): ReturnType<typeof pageOf> & { listing: Listing } {
  const repIds = query.reps.map((r) => r.repId);
  const parts: SlotColumns[] = kept ? [kept.cols] : [];
  let done = kept ? kept.done : query.from; // the parts hold the slots starting in [query.from, done)
  let span = 2 * 1440;
  for (let round = 0; probe && !kept && round < 2 && query.from + span < query.to; round++) {
    parts.push(findSlotsColumnar({ ...query, from: done, to: query.from + span }));
    done = query.from + span;
    const cols = concatColumns(parts);
    const out = pageOf(cols, repIds, zone, filter, page);
    if (out.more) return { ...out, listing: { cols, done } };
    const found = out.list.rows.length;
    if (found === 0) break;
    span = Math.max(span + 1, Math.ceil((span * (page.limit + 1) * 1.2) / found));
  }
  if (done < query.to) {
    parts.push(findSlotsColumnar({ ...query, from: done }));
    done = query.to;
  }
  const cols = concatColumns(parts);
  return { ...pageOf(cols, repIds, zone, filter, page), listing: kept && kept.done === done ? kept : { cols, done } };
}

/** The longest range one slot search may span. */
export const MAX_RANGE_DAYS = 93;
const DAY_MS = 86_400_000;

export interface MarketerLimits {
  marketerId: string;
  enrolled: boolean;
  quota: number | null;
  booked: number;
  quotaReached: boolean;
}

export interface SlotsResult {
  periodId: string;
  timeZone: string;
  from: string;
  to: string;
  marketer?: MarketerLimits;
  /** The cursor of the next page; null on the last one. */
  nextCursor: string | null;
  /** This page's slots, as the engine's columns (the API writes them with slots-json.ts, pages read `slotObjects`). */
  slots: SlotList;
}

/**
 * Loads everything the engine needs in a handful of queries (period, roster with availability,
 * overrides, calls, the marketer's own commitments) and hands it to the pure engine. Listing and
 * booking share `buildQuery`, so they apply the same rules.
 */
@Injectable()
export class SlotsService {
  constructor(
    private readonly db: DataSource,
    private readonly programs: ProgramsRepository,
    private readonly repo: AvailabilityRepository,
    private readonly clock: Clock,
    private readonly listings: ListingCache,
  ) {}

  async search(actor: User, q: SlotsQuery): Promise<SlotsResult> {
    const zone = q.timeZone ?? actor.timeZone;
    const from = windowBound(q.from, zone, 'from');
    const to = windowBound(q.to, zone, 'to');
    if (to <= from) throw validationError([{ field: 'to', problems: ['to must be after from'] }]);
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw validationError([{ field: 'to', problems: [`a search may span at most ${MAX_RANGE_DAYS} days`] }]);
    }
    const lifecycle = isLifecycle(actor);
    let marketerId = q.marketerId;
    if (marketerId && marketerId !== actor.id && !lifecycle) throw forbidden("Only the lifecycle team may search with another marketer's commitments");
    const m = this.db.manager;
    if (q.excludeBookingId) {
      // A search for a move: only the booking's marketer or the lifecycle team, with its marketer's commitments.
      const moving = await this.repo.bookingToMove(m, q.excludeBookingId);
      if (!moving || (moving.marketerId !== actor.id && !lifecycle)) throw notFound('Booking', q.excludeBookingId);
      if (marketerId && marketerId !== moving.marketerId) {
        throw validationError([{ field: 'marketerId', problems: ['marketerId must be the marketer of the booking excludeBookingId names'] }]);
      }
      marketerId = moving.marketerId;
    }
    if (!marketerId && actor.roles.includes('marketer') && !lifecycle) marketerId = actor.id;

    // The cursor is bound to every parameter that decides the listing (not to `limit`: pages may differ in size).
    const scope = cursorScope({
      actor: actor.id,
      periodId: q.periodId,
      from: from.toISOString(),
      to: to.toISOString(),
      repId: q.repId,
      marketerId,
      zone,
      callType: q.callType,
      marketingSourced: q.marketingSourced,
      excludeBookingId: q.excludeBookingId,
    });
    const after = readCursor('slots', scope, q.cursor, positions.minuteAndId);
    const limit = q.limit ?? SLOTS_PAGE.default;

    const found = await this.programs.findPeriodWithProgram(m, q.periodId);
    if (!found) throw notFound('Period', q.periodId);
    // A later page needs no slot before its cursor (a slot depends on its start, not on the range).
    const searchFrom = after && after.minute * 60_000 > from.getTime() ? new Date(after.minute * 60_000) : from;
    // The listing takes reps' supplies from the instance's cache where their versions say it holds them (never
    // stale), and then the listing itself from the instance's `ListingCache`: every page asks for the whole
    // range, so that all pages share one listing and one cut of each supply. A move's search reads everything
    // from the database and starts at its page's cursor.
    const queryFrom = q.excludeBookingId ? searchFrom : from;
    const built =
      searchFrom < to
        ? await this.buildQuery(m, found, { from: queryFrom, to, repId: q.repId, marketerId, excludeBookingId: q.excludeBookingId, cached: true })
        : {};
    const base: SlotsResult = { periodId: q.periodId, timeZone: zone, from: from.toISOString(), to: to.toISOString(), nextCursor: null, slots: noSlots(zone) };
    if (built.limits) base.marketer = built.limits;
    if (!built.query) return base;

    const filter = { callType: q.callType, marketingSourced: q.marketingSourced === undefined ? undefined : q.marketingSourced === 'true' };
    const page = { limit, after: after && { start: after.minute, repId: after.id } };
    const key = built.snapshot === undefined ? undefined : listingKey(built.query, built.snapshot, from.getTime(), to.getTime());
    const kept = key === undefined ? undefined : this.listings.get(key);
    // A later page of a listing runs from the listing's start when the instance keeps its listing (whole or in
    // part), so probing is for first pages, and for a move's search (which starts at the page).
    const out = pageOfListing(built.query, zone, filter, page, kept, !after || key === undefined);
    if (key !== undefined && out.listing !== kept) this.listings.set(key, out.listing);
    const nextCursor = out.more && out.last ? encodeCursor('slots', scope, [out.last.start, out.last.repId]) : null;
    return { ...base, nextCursor, slots: out.list };
  }

  /** Decides one slot with exactly the listing's rules (the booking engine calls this inside its transaction). */
  async check(
    m: EntityManager,
    found: { period: Period; program: Program },
    repId: string,
    startsAt: Date,
    marketerId: string,
    preread?: PreRead,
  ): Promise<SlotCheck | { ok: false; reason: 'not_enrolled' | 'quota_reached' | 'not_on_roster' }> {
    const start = Math.floor(startsAt.getTime() / 60_000);
    const built = await this.buildQuery(m, found, { ...checkOpts(repId, startsAt, marketerId), preread });
    if (built.limits && !built.limits.enrolled) return { ok: false, reason: 'not_enrolled' };
    if (built.limits?.quotaReached) return { ok: false, reason: 'quota_reached' };
    if (!built.query || !built.query.reps.some((r) => r.repId === repId)) return { ok: false, reason: 'not_on_roster' };
    return checkSlot(built.query, repId, start);
  }

  /**
   * The statement `check` reads with for this slot (the marketer's context and the rep's supply), to run ahead
   * of it in the booking transaction's opening message; `check` takes its rows as `preread` when the period
   * it is given is the one named here, and reads for itself otherwise.
   */
  checkRead(periodId: string, repId: string, startsAt: Date, marketerId: string): Statement {
    const { ctxAsk, supplyAsk } = asksFor(periodId, checkOpts(repId, startsAt, marketerId));
    return this.repo.marketerContextAndSupplyStatement(ctxAsk!, supplyAsk);
  }

  private async buildQuery(
    m: EntityManager,
    { period, program }: { period: Period; program: Program },
    opts: ReadOpts & { cached?: boolean; preread?: PreRead },
  ): Promise<{ query?: SlotQuery; limits?: MarketerLimits; snapshot?: string }> {
    const s = program.settings;
    if (period.status === 'closed' || period.status === 'rolled_up') return {};
    const { ctxAsk, supplyAsk } = asksFor(period.id, opts);
    // A check (and a move's search) reads both sides in one statement, in its transaction where it has one; a
    // listing reads them together on separate pooled connections, the supply through the instance's cache.
    const { ctx, supply, snapshot } =
      ctxAsk && !opts.cached
        ? await this.repo.marketerContextAndSupply(m, ctxAsk, supplyAsk, opts.preread).then((r) => ({ ...r, snapshot: undefined }))
        : await Promise.all([
            ctxAsk ? this.repo.marketerContext(m, ctxAsk) : undefined,
            opts.cached ? this.repo.cachedSupply(m, supplyAsk) : this.repo.supply(m, supplyAsk).then((reps) => ({ reps, snapshot: undefined })),
          ]).then(([ctx, { reps, snapshot }]) => ({ ctx, supply: reps, snapshot }));
    let marketer: MarketerContext | undefined;
    let limits: MarketerLimits | undefined;
    if (ctx && opts.marketerId) {
      limits = {
        marketerId: opts.marketerId,
        enrolled: ctx.quota !== null,
        quota: ctx.quota,
        booked: ctx.total,
        quotaReached: ctx.quota !== null && ctx.total >= ctx.quota,
      };
      if (!limits.enrolled || limits.quotaReached) return { limits };
      marketer = { busy: ctx.busy, bookingsByRep: ctx.byRep, sameRepLimit: s.sameRepLimit };
    }
    if (supply.length === 0) return { limits };
    const bounds = {
      start: localToEpoch(program.timeZone, parseIsoDate(period.startsOn)!, 0),
      end: localToEpoch(program.timeZone, parseIsoDate(period.endsOn)!, 1440),
    };
    const query: SlotQuery = {
      now: Math.floor(this.clock.now().getTime() / 60_000),
      from: Math.floor(opts.from.getTime() / 60_000),
      to: Math.ceil(opts.to.getTime() / 60_000),
      bounds,
      settings: {
        slotMinutes: s.slotMinutes,
        slotGridMinutes: s.slotGridMinutes,
        minNoticeHours: s.minNoticeHours,
        horizonDays: s.horizonDays,
        seatsPerCall: s.seatsPerCall,
        repWeeklyCap: s.repWeeklyCap,
      },
      reps: supply,
      ...(marketer ? { marketer } : {}),
    };
    return snapshot === undefined ? { query, limits } : { query, limits, snapshot };
  }
}

/** What a listing, a check or a move's search reads for. */
type ReadOpts = { from: Date; to: Date; repId?: string; marketerId?: string; excludeBookingId?: string };

/** A check's reads: the minute of one slot's start, for one rep and marketer. */
const checkOpts = (repId: string, startsAt: Date, marketerId: string): ReadOpts => ({ from: startsAt, to: new Date(startsAt.getTime() + 60_000), repId, marketerId });

/** What `buildQuery` asks the repository: the marketer's side (when there is a marketer) and the reps' supply, with the margins each needs. */
function asksFor(periodId: string, opts: ReadOpts) {
  const ctxAsk = opts.marketerId
    ? {
        marketerId: opts.marketerId,
        periodId,
        from: new Date(opts.from.getTime() - DAY_MS),
        to: new Date(opts.to.getTime() + DAY_MS),
        excludeBookingId: opts.excludeBookingId,
      }
    : undefined;
  const supplyAsk = {
    periodId,
    repId: opts.repId,
    // Local dates can sit up to 14 hours either side of the UTC range; the weekly cap looks a week around it.
    fromDate: DateTime.fromJSDate(opts.from, { zone: 'UTC' }).minus({ days: 8 }).toISODate()!,
    toDate: DateTime.fromJSDate(opts.to, { zone: 'UTC' }).plus({ days: 8 }).toISODate()!,
    from: new Date(opts.from.getTime() - 8 * DAY_MS),
    to: new Date(opts.to.getTime() + 8 * DAY_MS),
    // Calendar events only matter where a candidate can be: slots last at most 8 hours. (An opened call
    // longer than a day is judged against the busy time within a day either side of the range.)
    eventsFrom: new Date(opts.from.getTime() - DAY_MS),
    eventsTo: new Date(opts.to.getTime() + DAY_MS),
    excludeBookingId: opts.excludeBookingId,
  };
  return { ctxAsk, supplyAsk };
}
