import { isIP } from 'node:net';

/** What Express's `trust proxy` setting gets: nothing trusted, a number of hops, or the proxies' addresses and ranges. */
export type TrustProxy = false | number | string[];

export const TRUST_PROXY_MESSAGE =
  'TRUST_PROXY must be false, a number of proxy hops from 1 to 10, or comma-separated proxy addresses or CIDR ranges ' +
  '(loopback, linklocal and uniquelocal name the private ranges); true is refused because it believes any client';

/** Names proxy-addr (Express) knows for address ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(item: string): boolean {
  if (RANGE_NAMES.has(item)) return true;
  const [address, bits, extra] = item.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * Reads TRUST_PROXY: `false` or empty (the default: the client is the socket's peer), `N` (trust N proxy
 * hops in front of the service, as behind one load balancer: `1`), or a comma-separated list of proxy
 * addresses and CIDR ranges. Undefined when the value is none of these; `true` is refused on purpose: it
 * would take any client's own X-Forwarded-For as its address and void the per-IP sign-in limit.
 */
export function parseTrustProxy(value: unknown): TrustProxy | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  if (v === '' || v.toLowerCase() === 'false' || v === '0') return false;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops >= 1 && hops <= 10 ? hops : undefined;
  }
  const items = v.split(',').map((s) => s.trim());
  return items.every(isAddressOrRange) ? items : undefined;
}
