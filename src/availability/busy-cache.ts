/** How many reps' busy arrays an instance keeps (some 2.4 kB each at 300 events). */
export const BUSY_CACHE_REPS = 10_000;

/**
 * Each rep's calendar busy pairs (rep_calendar_busy.minutes) at a version (rep_calendar_busy.version), kept
 * in memory so the slot search reads only the versions. Exact, not a time-based cache: an entry is used only
 * when its version equals the one the database holds, and a version names one content for ever (a sequence
 * value stamped on every write). Least recently used entries go first past `limit` reps.
 */
export class BusyCache {
  private readonly entries = new Map<string, { version: string; pairs: Int32Array }>();

  constructor(readonly limit = BUSY_CACHE_REPS) {
    if (!(limit >= 1)) throw new Error('BusyCache limit must be at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The rep's pairs if the cache holds exactly `version`. */
  get(repId: string, version: string): Int32Array | undefined {
    const e = this.entries.get(repId);
    if (!e || e.version !== version) return undefined;
    this.entries.delete(repId); // most recently used last
    this.entries.set(repId, e);
    return e.pairs;
  }

  set(repId: string, version: string, pairs: Int32Array): void {
    this.entries.delete(repId);
    this.entries.set(repId, { version, pairs });
    while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(repId: string): void {
    this.entries.delete(repId);
  }
}
