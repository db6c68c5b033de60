import type { SlotColumns } from './engine/slot-engine.js';
import { localIso, utcIso } from './local-format.js';

export interface SlotFilter {
  callType?: string;
  marketingSourced?: boolean;
}

/** A slot's place in a listing: its start (epoch minutes) and rep. */
export interface SlotKey {
  start: number;
  repId: string;
}

/** One page of a listing: at most `limit` slots, those after `after` (a page's last slot). */
export interface SlotPage {
  after?: SlotKey;
  limit?: number;
}

/**
 * The slots of one page of a search, as the engine found them: its columns, the reps they index, the zone
 * of `localStart`, and which of the columns' slots the page holds (positions, in listing order). The API
 * writes it as JSON (slots-json.ts) and the week view reads it as objects (`slotObjects`), without either
 * going through the other.
 */
export interface SlotList {
  cols: SlotColumns;
  repIds: readonly string[];
  zone: string;
  rows: Int32Array;
}

/** A slot as the contract names it (the API's `slots` items). */
export interface SlotObject {
  repId: string;
  startsAt: string;
  endsAt: string;
  localStart: string;
  capacityLeft: number;
  label?: string;
  callType?: string;
  marketingSourced?: boolean;
  /** Set when the slot is an opened customer call from the rep's calendar. */
  customerCallId?: string;
}

const EMPTY: SlotColumns = {
  count: 0,
  start: new Float64Array(0),
  end: new Float64Array(0),
  repIndex: new Int32Array(0),
  capacityLeft: new Int32Array(0),
  windowMeta: new Int32Array(0),
  meta: [],
};

/** A page with no slots. */
export const noSlots = (zone: string): SlotList => ({ cols: EMPTY, repIds: [], zone, rows: new Int32Array(0) });

/**
 * Chooses a page of a listing: the slots that pass `filter`, after `page.after`, at most `page.limit` of
 * them. Returns the page, its last slot, and whether more (that pass the filter) follow it.
 */
export function pageOf(
  cols: SlotColumns,
  repIds: readonly string[],
  zone: string,
  filter: SlotFilter = {},
  page: SlotPage = {},
): { list: SlotList; last?: SlotKey; more: boolean } {
  const limit = page.limit ?? Infinity;
  const first = page.after ? firstAfter(cols, repIds, page.after) : 0;
  const rows = new Int32Array(Math.max(0, Math.min(cols.count - first, limit)));
  let count = 0;
  let more = false;
  for (let i = first; i < cols.count; i++) {
    const mi = cols.windowMeta[i];
    const meta = mi >= 0 ? cols.meta[mi] : undefined;
    if (filter.callType !== undefined && meta?.callType !== filter.callType) continue;
    if (filter.marketingSourced !== undefined && (meta?.marketingSourced ?? false) !== filter.marketingSourced) continue;
    if (count === limit) {
      more = true;
      break;
    }
    rows[count++] = i;
  }
  const list = { cols, repIds, zone, rows: rows.subarray(0, count) };
  if (!count) return { list, more };
  const last = rows[count - 1];
  return { list, more, last: { start: cols.start[last], repId: repIds[cols.repIndex[last]] } };
}

/** The page's slots as objects, the same as the API's JSON items (instants formatted once per start and end). */
export function slotObjects(list: SlotList): SlotObject[] {
  const { cols, repIds, zone, rows } = list;
  const utc = new Map<number, string>();
  const local = new Map<number, string>();
  const utcOf = (t: number) => utc.get(t) ?? (utc.set(t, utcIso(t)), utc.get(t)!);
  const localOf = (t: number) => local.get(t) ?? (local.set(t, localIso(t, zone)), local.get(t)!);
  const out: SlotObject[] = new Array<SlotObject>(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const s: SlotObject = {
      repId: repIds[cols.repIndex[i]],
      startsAt: utcOf(cols.start[i]),
      endsAt: utcOf(cols.end[i]),
      localStart: localOf(cols.start[i]),
      capacityLeft: cols.capacityLeft[i],
    };
    const mi = cols.windowMeta[i];
    if (mi >= 0) {
      const m = cols.meta[mi];
      if (m.label !== undefined) s.label = m.label;
      if (m.callType !== undefined) s.callType = m.callType;
      if (m.marketingSourced !== undefined) s.marketingSourced = m.marketingSourced;
      if (m.customerCallId !== undefined) s.customerCallId = m.customerCallId;
    }
    out[k] = s;
  }
  return out;
}

/**
 * The first slot after `after` in the listing's order (start, then repId in string order: see
 * `findSlotsColumnar`), by binary search over the starts and a walk through the reps of that start.
 */
function firstAfter(cols: SlotColumns, repIds: readonly string[], after: SlotKey): number {
  let lo = 0;
  let hi = cols.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cols.start[mid] < after.start) lo = mid + 1;
    else hi = mid;
  }
  while (lo < cols.count && cols.start[lo] === after.start && repIds[cols.repIndex[lo]] <= after.repId) lo++;
  return lo;
}
