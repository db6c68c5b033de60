/**
 * Which IP addresses an outbound request may reach. Pure: no DNS, no sockets.
 *
 * Every address is sorted into a kind; only `public` is reachable unless the operator allows private hosts
 * (CALENDAR_ALLOW_PRIVATE_HOSTS), and `metadata` (cloud instance metadata services) is never reachable.
 * IPv6 forms that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`,
 * NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by the IPv4 address they carry.
 */

export type AddressKind =
  | 'public'
  | 'unspecified' // 0.0.0.0/8, ::
  | 'loopback' // 127/8, ::1
  | 'private' // 10/8, 172.16/12, 192.168/16, 192.0.0/24, 198.18/15 (benchmarking)
  | 'link_local' // 169.254/16, fe80::/10
  | 'unique_local' // fc00::/7, fec0::/10 (old site-local)
  | 'cgnat' // 100.64/10 (shared address space)
  | 'multicast' // 224/4, ff00::/8
  | 'reserved' // 240/4, 255.255.255.255, 100::/64 (discard)
  | 'metadata' // 169.254.169.254, 169.254.170.2, 100.100.100.200, fd00:ec2::254
  | 'invalid'; // not an IP address

/** Host names of cloud metadata services, refused whatever they resolve to. */
export const METADATA_HOSTNAMES = ['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal'];

/** Parses dotted-quad IPv4 (exactly four decimal parts) into a 32-bit number, or null. */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

/**
 * Parses an IPv6 address (with `::`, an embedded dotted IPv4 tail, an optional `%zone`, optional brackets)
 * into eight 16-bit groups, or null.
 */
export function parseIpv6(text: string): number[] | null {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return null;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    // An embedded dotted IPv4 tail stands for the last two groups.
    const n = parseIpv4(tail);
    if (n === null) return null;
    s = `${s.slice(0, lastColon + 1)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if ([...head, ...rest].some((g) => Number.isNaN(g))) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const known = head.length + rest.length;
  if (known > 7) return null;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest];
}

const v4 = (a: number, b: number, c: number, d: number) => ((a * 256 + b) * 256 + c) * 256 + d;
const inV4 = (n: number, base: number, bits: number) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits));

const V4_METADATA = [v4(169, 254, 169, 254), v4(169, 254, 170, 2), v4(100, 100, 100, 200)];

/** The kind of an IPv4 address given as a 32-bit number. */
export function classifyIpv4(n: number): AddressKind {
  if (V4_METADATA.includes(n)) return 'metadata';
  if (inV4(n, v4(0, 0, 0, 0), 8)) return 'unspecified';
  if (inV4(n, v4(127, 0, 0, 0), 8)) return 'loopback';
  if (inV4(n, v4(10, 0, 0, 0), 8) || inV4(n, v4(172, 16, 0, 0), 12) || inV4(n, v4(192, 168, 0, 0), 16)) return 'private';
  if (inV4(n, v4(192, 0, 0, 0), 24) || inV4(n, v4(198, 18, 0, 0), 15)) return 'private';
  if (inV4(n, v4(169, 254, 0, 0), 16)) return 'link_local';
  if (inV4(n, v4(100, 64, 0, 0), 10)) return 'cgnat';
  if (inV4(n, v4(224, 0, 0, 0), 4)) return 'multicast';
  if (inV4(n, v4(240, 0, 0, 0), 4)) return 'reserved'; // includes 255.255.255.255
  return 'public';
}

/** The kind of an IPv6 address given as eight groups. */
export function classifyIpv6(g: number[]): AddressKind {
  const embedded = () => classifyIpv4(g[6] * 65536 + g[7]);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && g[7] === 1) return 'loopback';
  if (zeros(0, 5) && g[5] === 0xffff) return embedded(); // ::ffff:a.b.c.d (IPv4-mapped)
  if (zeros(0, 6)) return embedded(); // ::a.b.c.d (IPv4-compatible, deprecated)
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return embedded(); // ::ffff:0:a.b.c.d (SIIT)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return embedded(); // NAT64
  if (g[0] === 0x2002) return classifyIpv4(g[1] * 65536 + g[2]); // 6to4
  if (g[0] === 0xfd00 && g[1] === 0x0ec2 && zeros(2, 7) && g[7] === 0x254) return 'metadata'; // AWS IMDS over IPv6
  if ((g[0] & 0xfe00) === 0xfc00) return 'unique_local';
  if ((g[0] & 0xffc0) === 0xfec0) return 'unique_local';
  if ((g[0] & 0xffc0) === 0xfe80) return 'link_local';
  if ((g[0] & 0xff00) === 0xff00) return 'multicast';
  if (g[0] === 0x100 && zeros(1, 4)) return 'reserved';
  return 'public';
}

/** The kind of an IP address written as text (IPv4, IPv6, bracketed IPv6). */
export function classifyAddress(text: string): AddressKind {
  const n = parseIpv4(text);
  if (n !== null) return classifyIpv4(n);
  const g = parseIpv6(text);
  if (g !== null) return classifyIpv6(g);
  return 'invalid';
}

/** Whether an address of this kind may be reached: public always; the others only when private hosts are allowed; metadata and invalid never. */
export function addressAllowed(kind: AddressKind, allowPrivate: boolean): boolean {
  if (kind === 'public') return true;
  if (kind === 'metadata' || kind === 'invalid') return false;
  return allowPrivate;
}

/** Whether a host name (lower-case, no trailing dot) is a cloud metadata service's name. */
export function isMetadataHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return METADATA_HOSTNAMES.includes(h);
}
