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

const ascii = (s: string) => Buffer.from(s, 'utf8');

/**
 * Writes a listing straight from the engine's columns as the JSON array of the contract's slot objects
 * (`repId, startsAt, endsAt, localStart, capacityLeft, label?, callType?, marketingSourced?`) into one
 * buffer, with no object or string per slot: instants repeat across reps, so each is formatted once per
 * call (with its end and local time) and copied as bytes; rep ids and window metadata are encoded once. Returns the bytes, how
 * many slots they hold, the last one written, and whether more (that pass the filter) follow it: with `page`, only
 * the slots after `page.after`, at most `page.limit` of them. (A listing can hold tens of thousands of slots; JSON.stringify over objects
 * spent most of a request's time building and collecting them.)
 */
export function slotsJson(
  cols: SlotColumns,
  repIds: readonly string[],
  zone: string,
  filter: SlotFilter = {},
  page: SlotPage = {},
): { json: Buffer; count: number; last?: SlotKey; more: boolean } {
  const limit = page.limit ?? Infinity;
  const first = page.after ? firstAfter(cols, repIds, page.after) : 0;
  // Per (start, end): `<startsAt>","endsAt":"<endsAt>","localStart":"<local>","capacityLeft":` as one chunk.
  const middles = new Map<number, Buffer>();
  const middleOf = (start: number, end: number) => {
    const key = start * 4096 + (end - start); // slots last under 4096 minutes
    let b = middles.get(key);
    if (b === undefined) {
      middles.set(key, (b = ascii(`${utcIso(start)}","endsAt":"${utcIso(end)}","localStart":"${localIso(start, zone)}","capacityLeft":`)));
    }
    return b;
  };
  const metaJson = cols.meta.map((m) => {
    let out = '';
    if (m.label !== undefined) out += `,"label":${JSON.stringify(m.label)}`;
    if (m.callType !== undefined) out += `,"callType":${JSON.stringify(m.callType)}`;
    if (m.marketingSourced !== undefined) out += `,"marketingSourced":${m.marketingSourced}`;
    return ascii(`${out}}`);
  });
  const plainEnd = ascii('}');
  const repPrefix = repIds.map((id) => ascii(`{"repId":${JSON.stringify(id)},"startsAt":"`));
  const maxRep = repPrefix.reduce((n, b) => Math.max(n, b.length), 0);
  const maxMeta = metaJson.reduce((n, b) => Math.max(n, b.length), 1);
  const perSlot = maxRep + 128 + 12 + maxMeta + 1;

  const buf = Buffer.allocUnsafe(2 + perSlot * Math.min(cols.count - first, limit)); // perSlot bounds every slot's bytes
  let o = 0;
  buf[o++] = 0x5b; // [
  let count = 0;
  let last = -1;
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
    last = i;
    if (count++) buf[o++] = 0x2c; // ,
    const prefix = repPrefix[cols.repIndex[i]];
    buf.set(prefix, o);
    o += prefix.length;
    const middle = middleOf(cols.start[i], cols.end[i]);
    buf.set(middle, o);
    o += middle.length;
    const cap = cols.capacityLeft[i];
    if (cap >= 0 && cap < 10) buf[o++] = 0x30 + cap;
    else o += buf.write(String(cap), o, 'latin1');
    const tail = mi >= 0 ? metaJson[mi] : plainEnd;
    buf.set(tail, o);
    o += tail.length;
  }
  buf[o++] = 0x5d; // ]
  const json = buf.subarray(0, o);
  return last < 0 ? { json, count, more } : { json, count, more, last: { start: cols.start[last], repId: repIds[cols.repIndex[last]] } };
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
