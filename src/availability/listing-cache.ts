import { createHash } from 'node:crypto';
import type { SlotColumns, SlotQuery } from './engine/slot-engine.js';

/** How many listings (whole or first parts) an instance keeps, and how many slots in all (28 bytes each, arrays up to twice that: 11-22 MB). */
export const LISTINGS_KEPT = 32;
export const LISTING_SLOTS_KEPT = 400_000;

/** A listing as far as the engine computed it: its slots starting from the query's start up to `done` (epoch minutes; the query's end: all of it). */
export interface Listing {
  cols: SlotColumns;
  done: number;
}

/**
 * Listings as the engine computed them, by everything that decides one (`listingKey`), so that the
 * later pages of a listing, and the same listing asked by other clients, page through one computation
 * instead of running the engine again (a first page keeps the part it computed, the next page computes
 * the rest and keeps the whole). Exact, like `SupplyCache`: the key holds each rep's supply version
 * as this request read it from the database, the minute the engine took as now, the range, the program's
 * rules and the marketer's own commitments (read by the request too), so a change of any of them is a
 * different key and the old entry is never served again (it ages out). Nothing is shared across
 * instances: each finds its own entries by what it reads. Oldest entries go first past either bound.
 * The columns are shared by requests: nobody may mutate them (paging, joining and writing only read).
 */
export class ListingCache {
  private readonly entries = new Map<string, Listing>();
  private slots = 0;
  /** Lookups that found their listing, and those that did not (for tests and the bench). */
  hits = 0;
  misses = 0;

  constructor(
    readonly limit = LISTINGS_KEPT,
    readonly maxSlots = LISTING_SLOTS_KEPT,
  ) {
    if (!(limit >= 1) || !(maxSlots >= 1)) throw new Error('ListingCache bounds must be at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Listing | undefined {
    const listing = this.entries.get(key);
    if (listing) this.hits++;
    else this.misses++;
    return listing;
  }

  /**
   * Keeps `listing` under `key` in place of what it held, unless that went as far (two requests computed the
   * same listing at once), or `listing` alone is over the bound of slots.
   */
  set(key: string, listing: Listing): void {
    const old = this.entries.get(key);
    if (old && old.done >= listing.done) return;
    if (old) {
      this.entries.delete(key);
      this.slots -= old.cols.count;
    }
    if (listing.cols.count > this.maxSlots) return;
    this.entries.set(key, listing);
    this.slots += listing.cols.count;
    for (const [k, l] of this.entries) {
      if (this.entries.size <= this.limit && this.slots <= this.maxSlots) break;
      this.entries.delete(k);
      this.slots -= l.cols.count;
    }
  }
}

/**
 * What decides a listing's whole result, hashed: the engine's query but for the reps' supplies, which
 * `snapshot` names instead (each rep's id, supply version and zone, as `AvailabilityRepository.cachedSupply`
 * read them), and the exact range the supplies were read for (`readFrom`, `readTo`, epoch ms).
 */
export function listingKey(q: SlotQuery, snapshot: string, readFrom: number, readTo: number): string {
  const { now, from, to, bounds, settings, marketer } = q;
  return createHash('sha256')
    .update(JSON.stringify({ now, from, to, readFrom, readTo, bounds, settings, marketer: marketer ?? null }))
    .update('\n')
    .update(snapshot)
    .digest('base64');
}
