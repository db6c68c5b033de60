import type { RepSupply } from './engine/slot-engine.js';

/**
 * How many reps' supplies an instance keeps: about 3 KiB each for four weeks, about 12 KiB with the cuts and the
 * engine's preparations a paged listing leaves (measured with 2,000 reps), so at most about 120 MB, plus the
 * engine's day ranges (DAY_RANGES_KEPT, a few kB each).
 */
export const SUPPLY_CACHE_REPS = 10_000;

/** The instants and local dates a supply was read for (what `AvailabilityRepository.supply` is asked). */
export interface SupplyRange {
  fromDate: string;
  toDate: string;
  from: Date;
  to: Date;
  eventsFrom: Date;
  eventsTo: Date;
}

interface Entry {
  version: string;
  /** The range read, in epoch ms (dates as ISO strings). */
  fromDate: string;
  toDate: string;
  from: number;
  to: number;
  eventsFrom: number;
  eventsTo: number;
  supply: RepSupply;
  /** `clock` when the entry was last put at the recent end. */
  stamp: number;
  /** The supply as cut for the last few other ranges (or zones) asked, so that each is one object the engine prepares once. */
  cuts: Map<string, RepSupply>;
}

/**
 * How many cuts of one entry are kept: a listing's first page asks the entry's own range, and its later pages
 * each their own (two for the four weeks of 13,000 slots the bench lists in pages of 5,000). Each cut carries
 * the engine's preparation of it, about 2.5 KiB for a rep with three weekly windows and 25 calls.
 */
const CUTS_PER_ENTRY = 2;

/** A range's part of a cut's key, made once per range object (a listing asks for every rep with one). */
const rangeKeys = new WeakMap<SupplyRange, string>();

/**
 * Each rep's slot-search supply (windows, overrides, calls, busy pairs, opened calls) as read at a version
 * of `supply_versions` (bumped by triggers in every transaction that changes any of it), and the range it
 * was read for. Exact, not a time-based cache: an entry is served only when the version the request has just
 * read from the database is the one it was stored with, so a listing never sees an older supply than its
 * own read of the versions. A request inside the stored range gets the entry cut to its own range (the rows
 * the query would have returned for it); one outside misses. Least recently used entries go first past `limit`.
 * The entries are shared by requests: nobody may mutate a supply it was handed (the engine does not).
 */
export class SupplyCache {
  private readonly entries = new Map<string, Entry>();
  /** Counts puts at the recent end: a hit moves its entry there only once a quarter of `limit` others went there since (most hits are then one lookup). */
  private clock = 0;

  constructor(readonly limit = SUPPLY_CACHE_REPS) {
    if (!(limit >= 1)) throw new Error('SupplyCache limit must be at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The rep's supply for `range` if the cache holds exactly `version` read for a range covering it; `timeZone` is the rep's zone as read now. */
  get(repId: string, version: string, range: SupplyRange, timeZone: string): RepSupply | undefined {
    const e = this.entries.get(repId);
    if (!e || e.version !== version) return undefined;
    const from = range.from.getTime();
    const to = range.to.getTime();
    const eventsFrom = range.eventsFrom.getTime();
    const eventsTo = range.eventsTo.getTime();
    if (e.from > from || e.to < to || e.eventsFrom > eventsFrom || e.eventsTo < eventsTo || e.fromDate > range.fromDate || e.toDate < range.toDate) return undefined;
    if (this.clock - e.stamp > this.limit / 4) {
      this.entries.delete(repId); // most recently used last
      this.entries.set(repId, e);
      e.stamp = ++this.clock;
    }
    const same = e.from === from && e.to === to && e.eventsFrom === eventsFrom && e.eventsTo === eventsTo && e.fromDate === range.fromDate && e.toDate === range.toDate;
    if (same && e.supply.timeZone === timeZone) return e.supply;
    // The same range and zone again get the same object (the engine's per-supply work is then done once).
    let rangeKey = rangeKeys.get(range);
    if (rangeKey === undefined) rangeKeys.set(range, (rangeKey = `${from} ${to} ${eventsFrom} ${eventsTo} ${range.fromDate} ${range.toDate} `));
    const key = rangeKey + timeZone;
    let out = e.cuts.get(key);
    if (out) {
      e.cuts.delete(key);
    } else {
      out = same ? { ...e.supply, timeZone } : cut(e.supply, range, timeZone);
      if (e.cuts.size >= CUTS_PER_ENTRY) e.cuts.delete(e.cuts.keys().next().value as string);
    }
    e.cuts.set(key, out);
    return out;
  }

  set(repId: string, version: string, range: SupplyRange, supply: RepSupply): void {
    this.entries.delete(repId);
    this.entries.set(repId, {
      version,
      fromDate: range.fromDate,
      toDate: range.toDate,
      from: range.from.getTime(),
      to: range.to.getTime(),
      eventsFrom: range.eventsFrom.getTime(),
      eventsTo: range.eventsTo.getTime(),
      supply,
      stamp: ++this.clock,
      cuts: new Map(),
    });
    while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(repId: string): void {
    this.entries.delete(repId);
  }
}

/**
 * A supply narrowed to a range inside the one it was read for, as the supply query filters: overrides on
 * local dates in [fromDate, toDate], calls overlapping [from, to), opened calls overlapping [eventsFrom,
 * eventsTo) (in whole minutes: the query rounds a call's start down and its end up), busy pairs whole.
 */
function cut(s: RepSupply, r: SupplyRange, timeZone: string): RepSupply {
  const from = r.from.getTime() / 60_000;
  const to = r.to.getTime() / 60_000;
  const overrides: RepSupply['overrides'] = {};
  for (const [date, windows] of Object.entries(s.overrides)) if (date >= r.fromDate && date <= r.toDate) overrides[date] = windows;
  const out: RepSupply = { ...s, timeZone, overrides, calls: s.calls.filter((c) => c.start < to && c.end > from) };
  if (s.openCalls) {
    const eFrom = r.eventsFrom.getTime() / 60_000;
    const eTo = r.eventsTo.getTime() / 60_000;
    const open = s.openCalls.filter((c) => c.start < eTo && c.end > eFrom);
    if (open.length) out.openCalls = open;
    else delete out.openCalls;
  }
  return out;
}
