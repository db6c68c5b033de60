import { cachedOffsetAt, type EpochMinute } from '../common/time/local-time.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * An instant as local ISO 8601 with its offset in `timeZone`, e.g. `2027-03-14T09:00:00-04:00`, the
 * same text Luxon writes, without building a DateTime per slot (offsets come from the engine's cache).
 */
export function localIso(t: EpochMinute, timeZone: string): string {
  const offset = cachedOffsetAt(timeZone, t);
  const d = new Date((t + offset) * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${date}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00${offset === 0 && timeZone === 'UTC' ? 'Z' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`}`;
}

/** An instant as UTC ISO 8601, e.g. `2027-03-14T13:00:00.000Z`. */
export function utcIso(t: EpochMinute): string {
  return new Date(t * 60_000).toISOString();
}
