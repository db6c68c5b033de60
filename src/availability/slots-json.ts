import type { SlotColumns } from './engine/slot-engine.js';
import { localIso, utcIso } from './local-format.js';

export interface SlotFilter {
  callType?: string;
  marketingSourced?: boolean;
}

const ascii = (s: string) => Buffer.from(s, 'utf8');
const ENDS_AT = ascii('","endsAt":"');
const LOCAL_START = ascii('","localStart":"');
const CAPACITY = ascii('","capacityLeft":');

/**
 * Writes a listing straight from the engine's columns as the JSON array of the contract's slot objects
 * (`repId, startsAt, endsAt, localStart, capacityLeft, label?, callType?, marketingSourced?`) into one
 * buffer, with no object or string per slot: instants repeat across reps, so each is formatted once per
 * call and copied as bytes; rep ids and window metadata are encoded once. Returns the bytes and how
 * many slots they hold. (A listing can hold tens of thousands of slots; JSON.stringify over objects
 * spent most of a request's time building and collecting them.)
 */
export function slotsJson(cols: SlotColumns, repIds: readonly string[], zone: string, filter: SlotFilter = {}): { json: Buffer; count: number } {
  const utc = new Map<number, Buffer>();
  const local = new Map<number, Buffer>();
  const utcOf = (t: number) => {
    let b = utc.get(t);
    if (b === undefined) utc.set(t, (b = ascii(utcIso(t))));
    return b;
  };
  const localOf = (t: number) => {
    let b = local.get(t);
    if (b === undefined) local.set(t, (b = ascii(localIso(t, zone))));
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
  const perSlot = maxRep + 2 * 24 + 32 + ENDS_AT.length + LOCAL_START.length + CAPACITY.length + 12 + maxMeta + 1;

  const buf = Buffer.allocUnsafe(2 + perSlot * cols.count); // perSlot bounds every slot's bytes
  let o = 0;
  const put = (b: Buffer) => {
    buf.set(b, o);
    o += b.length;
  };
  buf[o++] = 0x5b; // [
  let count = 0;
  for (let i = 0; i < cols.count; i++) {
    const mi = cols.windowMeta[i];
    const meta = mi >= 0 ? cols.meta[mi] : undefined;
    if (filter.callType !== undefined && meta?.callType !== filter.callType) continue;
    if (filter.marketingSourced !== undefined && (meta?.marketingSourced ?? false) !== filter.marketingSourced) continue;
    if (count++) buf[o++] = 0x2c; // ,
    const s = cols.start[i];
    put(repPrefix[cols.repIndex[i]]);
    put(utcOf(s));
    put(ENDS_AT);
    put(utcOf(cols.end[i]));
    put(LOCAL_START);
    put(localOf(s));
    put(CAPACITY);
    o += buf.write(String(cols.capacityLeft[i]), o, 'latin1');
    put(mi >= 0 ? metaJson[mi] : plainEnd);
  }
  buf[o++] = 0x5d; // ]
  return { json: buf.subarray(0, o), count };
}
