import type { SlotColumns } from './engine/slot-engine.js';
import { localIso, utcIso } from './local-format.js';
import { pageOf, type SlotFilter, type SlotKey, type SlotList, type SlotPage } from './slot-page.js';

const ascii = (s: string) => Buffer.from(s, 'utf8');

/**
 * Per zone, per (start, end): `<startsAt>","endsAt":"<endsAt>","localStart":"<local>","capacityLeft":` as bytes,
 * shared by every listing of the process (the same instants recur in every search of the same weeks; a
 * chunk depends only on its instants and the zone, whose offsets come from the zone day cache). Bounded:
 * a zone's map is emptied when it reaches MIDDLES_PER_ZONE (about 100 bytes each).
 */
const middleCache = new Map<string, Map<number, Buffer>>();
const MIDDLES_PER_ZONE = 50_000;
const MAX_ZONES = 64;

function middlesOf(zone: string): Map<number, Buffer> {
  let m = middleCache.get(zone);
  if (!m) {
    if (middleCache.size >= MAX_ZONES) middleCache.clear();
    middleCache.set(zone, (m = new Map()));
  }
  return m;
}

/**
 * Writes a page of a listing straight from the engine's columns as the JSON array of the contract's slot objects
 * (`repId, startsAt, endsAt, localStart, capacityLeft, label?, callType?, marketingSourced?, customerCallId?`) into one
 * buffer (between `head` and `tail` when given), with no object or string per slot: instants repeat across reps and
 * searches, so each is formatted once per process (with its end and local time: `middleCache`) and copied as bytes;
 * rep ids and window metadata are encoded once per call.
 * (A listing can hold tens of thousands of slots; JSON.stringify over objects spent most of a request's
 * time building and collecting them.)
 */
export function writeSlots(list: SlotList, head?: Buffer, tail?: Buffer): Buffer {
  const { cols, repIds, zone, rows } = list;
  const middles = middlesOf(zone);
  const middleOf = (start: number, end: number) => {
    // Grid slots last under 4096 minutes, opened calls (calendar events) may last days: under 2^21
    // minutes (4 years) the key is exact (starts are under 2^31 until the year 6053).
    const key = start * 2 ** 21 + (end - start);
    let b = middles.get(key);
    if (b === undefined) {
      if (middles.size >= MIDDLES_PER_ZONE) middles.clear();
      middles.set(key, (b = ascii(`${utcIso(start)}","endsAt":"${utcIso(end)}","localStart":"${localIso(start, zone)}","capacityLeft":`)));
    }
    return b;
  };
  const metaJson = cols.meta.map((m) => {
    let out = '';
    if (m.label !== undefined) out += `,"label":${JSON.stringify(m.label)}`;
    if (m.callType !== undefined) out += `,"callType":${JSON.stringify(m.callType)}`;
    if (m.marketingSourced !== undefined) out += `,"marketingSourced":${m.marketingSourced}`;
    if (m.customerCallId !== undefined) out += `,"customerCallId":${JSON.stringify(m.customerCallId)}`;
    return ascii(`${out}}`);
  });
  const plainEnd = ascii('}');
  const repPrefix = repIds.map((id) => ascii(`{"repId":${JSON.stringify(id)},"startsAt":"`));
  const maxRep = repPrefix.reduce((n, b) => Math.max(n, b.length), 0);
  const maxMeta = metaJson.reduce((n, b) => Math.max(n, b.length), 1);
  const perSlot = maxRep + 128 + 12 + maxMeta + 1;

  const buf = Buffer.allocUnsafe(2 + perSlot * rows.length + (head?.length ?? 0) + (tail?.length ?? 0)); // perSlot bounds every slot's bytes
  let o = 0;
  if (head) {
    buf.set(head, o);
    o += head.length;
  }
  buf[o++] = 0x5b; // [
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    if (k) buf[o++] = 0x2c; // ,
    const prefix = repPrefix[cols.repIndex[i]];
    buf.set(prefix, o);
    o += prefix.length;
    const middle = middleOf(cols.start[i], cols.end[i]);
    buf.set(middle, o);
    o += middle.length;
    const cap = cols.capacityLeft[i];
    if (cap >= 0 && cap < 10) buf[o++] = 0x30 + cap;
    else o += buf.write(String(cap), o, 'latin1');
    const mi = cols.windowMeta[i];
    const tail = mi >= 0 ? metaJson[mi] : plainEnd;
    buf.set(tail, o);
    o += tail.length;
  }
  buf[o++] = 0x5d; // ]
  if (tail) {
    buf.set(tail, o);
    o += tail.length;
  }
  return buf.subarray(0, o);
}

/**
 * One page of a listing as JSON (`pageOf`, then `writeSlots`): the bytes, how many slots they hold, the
 * last one written, and whether more (that pass the filter) follow it.
 */
export function slotsJson(
  cols: SlotColumns,
  repIds: readonly string[],
  zone: string,
  filter: SlotFilter = {},
  page: SlotPage = {},
): { json: Buffer; count: number; last?: SlotKey; more: boolean } {
  const { list, last, more } = pageOf(cols, repIds, zone, filter, page);
  const json = writeSlots(list);
  return last ? { json, count: list.rows.length, more, last } : { json, count: list.rows.length, more };
}
