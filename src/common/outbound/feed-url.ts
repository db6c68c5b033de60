import { isMetadataHostname } from './addresses.js';
import { OutboundRefusedError } from './outbound-errors.js';

/** Longest URL accepted. */
export const MAX_URL_LENGTH = 4096;

const SCHEMES: Record<string, 'http:' | 'https:'> = {
  'http:': 'http:',
  'https:': 'https:',
  'webcal:': 'https:',
  'webcals:': 'https:',
};

/**
 * A URL the outbound guard may try: http or https (webcal and webcals become https), no user name or
 * password, a host, not a cloud metadata host name. Whether the host's address is allowed is decided when
 * connecting (see guarded-fetch.ts). Throws OutboundRefusedError.
 */
export function normalizeFeedUrl(raw: string | URL): URL {
  const text = typeof raw === 'string' ? raw.trim() : raw.href;
  if (text === '' || text.length > MAX_URL_LENGTH) {
    throw new OutboundRefusedError('invalid_url', `url must be a web address of at most ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OutboundRefusedError('invalid_url', 'url is not a valid web address');
  }
  const scheme = SCHEMES[url.protocol.toLowerCase()];
  if (!scheme) throw new OutboundRefusedError('scheme', 'url must start with https://, http:// or webcal://');
  if (url.protocol !== scheme) {
    // WHATWG URL does not let a special scheme replace a non-special one; rebuild from the text after the colon.
    url = new URL(`${scheme}${url.href.slice(url.protocol.length)}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new OutboundRefusedError('credentials', 'url must not contain a user name or password');
  }
  if (url.hostname === '') throw new OutboundRefusedError('invalid_url', 'url has no host name');
  if (isMetadataHostname(url.hostname)) {
    throw new OutboundRefusedError('metadata', 'url points to a cloud metadata service, which is never allowed');
  }
  url.hash = '';
  return url;
}

/** The host name of a URL without IPv6 brackets, as given to DNS or checked as a literal address. */
export function bareHostname(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}
