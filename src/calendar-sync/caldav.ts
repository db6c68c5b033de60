import { calendarQuery, createAccount, type DAVResponse, fetchHomeUrl, propfind } from 'tsdav';
import { guardedFetchFunction, type OutboundPolicy } from '../common/outbound/guarded-fetch.js';
import { normalizeFeedUrl } from '../common/outbound/feed-url.js';
import { OutboundFailedError, OutboundRefusedError } from '../common/outbound/outbound-errors.js';

export interface CaldavCredentials {
  url: string;
  username: string;
  password: string;
}

/** What says whether a calendar changed: its ctag (calendarserver.org getctag) and its WebDAV sync-token. */
export interface CaldavState {
  ctag: string | null;
  syncToken: string | null;
}

export type CaldavReadResult =
  | { unchanged: true; state: CaldavState }
  | { unchanged: false; state: CaldavState; /** iCalendar texts of the objects with an event in the range */ objects: string[] };

/** The CalDAV server answered, but not as a readable calendar (refused password, no calendar there, not CalDAV). Plain words for a rep. */
export class CaldavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaldavError';
  }
}

type Fetch = typeof globalThis.fetch;

/** Properties read from the address given and from each collection of a calendar home. */
const COLLECTION_PROPS = {
  'd:resourcetype': {},
  'd:displayname': {},
  'cs:getctag': {},
  'd:sync-token': {},
  'c:supported-calendar-component-set': {},
  'd:current-user-principal': {},
  'c:calendar-home-set': {},
};

interface Calendar {
  url: string;
  state: CaldavState;
}

/**
 * Reads the calendar collection at `creds.url`, or, when that is the server, the account's principal or its
 * calendar home, the account's first calendar that holds events. Every request goes through the outbound
 * guard (`policy`), redirects included. When the calendar's ctag and sync-token both equal `prev`, answers
 * `unchanged` without downloading any object; otherwise one calendar-query REPORT with a time-range filter
 * returns the objects with an event (or an instance of a recurring series) overlapping `range`.
 *
 * Throws OutboundRefusedError (the URL or its address is refused), OutboundFailedError (network, timeout,
 * too large) or CaldavError (401/403: "the username or password was refused"; 404: "no calendar at this
 * address"; not a CalDAV server; no calendar with events in the account).
 */
export async function caldavRead(
  creds: CaldavCredentials,
  prev: CaldavState | null,
  range: { from: Date; to: Date },
  policy: OutboundPolicy,
): Promise<CaldavReadResult> {
  if (!(range.from.getTime() < range.to.getTime())) throw new RangeError('caldavRead: range.from must be before range.to');
  const url = normalizeFeedUrl(creds.url).href;
  const session = new DavSession(guardedFetchFunction(policy), creds);
  try {
    const calendar = await session.findCalendar(url);
    if (prev && sameState(prev, calendar.state)) return { unchanged: true, state: calendar.state };
    const objects = await session.objectsInRange(calendar.url, range);
    return { unchanged: false, state: calendar.state, objects };
  } catch (err) {
    throw plainError(err);
  }
}

/**
 * True when `next` shows no change since `prev`: every marker the server gives (ctag, sync-token) is the
 * same, and it gives at least one (a server with neither is read every time).
 */
export function sameState(prev: CaldavState, next: CaldavState): boolean {
  if (next.ctag === null && next.syncToken === null) return false;
  return prev.ctag === next.ctag && prev.syncToken === next.syncToken;
}

/** CalDAV's time-range form: 20270301T150000Z. */
export function caldavTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** Words for a rep about an HTTP status a CalDAV server gave, or null when the status is a success. */
export function statusProblem(status: number): string | null {
  if (status >= 200 && status < 300) return null;
  if (status === 401 || status === 403) return 'the username or password was refused';
  if (status === 404 || status === 410) return 'no calendar at this address';
  if (status === 405 || status === 501) return 'this address is not a CalDAV server';
  if (status >= 500) return `the calendar server failed (HTTP ${status}); it may be down for a while`;
  return `the calendar server refused the request (HTTP ${status})`;
}

class DavSession {
  private readonly headers: Record<string, string>;

  constructor(
    private readonly fetch: Fetch,
    creds: CaldavCredentials,
  ) {
    this.headers = { authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}` };
  }

  /** The calendar at `url`, or the account's first calendar with events when `url` is a server, principal or calendar home. */
  async findCalendar(url: string): Promise<Calendar> {
    const self = await this.propfind(url, '0');
    if (self.kind === 'problem') {
      // A bare server address whose root is not a DAV resource (Nextcloud's is /remote.php/dav): ask /.well-known/caldav.
      if (self.status !== 401 && self.status !== 403 && new URL(url).pathname === '/') return this.firstCalendar(await this.discoverHome(url), url);
      throw new CaldavError(self.problem);
    }
    const own = self.responses.find((r) => hrefIs(r.href, url)) ?? self.responses[0];
    const types = own ? resourceTypes(own) : [];
    if (own && types.includes('calendar')) {
      if (!holdsEvents(own)) throw new CaldavError('this calendar holds no events (only tasks or journal entries)');
      return { url, state: stateOf(own) };
    }
    // Only the server, a principal or a calendar home leads to the account's calendar; another address is a mistake.
    if (new URL(url).pathname !== '/') {
      if (!types.includes('collection')) throw new CaldavError('this address is a single calendar entry, not a calendar');
      if (types.some((t) => t !== 'collection' && t !== 'principal')) throw new CaldavError('this address is not a calendar (it is another kind of collection, such as an address book)');
    }
    const homeHref = href(own?.props?.calendarHomeSet);
    if (homeHref) return this.firstCalendar(new URL(homeHref, url).href, url);
    const principalHref = href(own?.props?.currentUserPrincipal);
    if (principalHref) {
      const principalUrl = new URL(principalHref, url).href;
      const home = await fetchHomeUrl({ account: { accountType: 'caldav', serverUrl: url, rootUrl: url, principalUrl }, headers: this.headers, fetch: this.fetch }).catch(
        (err: unknown) => {
          if (err instanceof OutboundRefusedError || err instanceof OutboundFailedError) throw err;
          return null;
        },
      );
      if (home) return this.firstCalendar(home, url);
    }
    // A collection that names no principal and no home: a calendar home itself (list its calendars).
    if (types.includes('collection')) return this.firstCalendar(url, url);
    throw new CaldavError('this address is not a CalDAV calendar');
  }

  /** tsdav's discovery (/.well-known/caldav, principal, calendar-home-set) from a server's address. */
  private async discoverHome(serverUrl: string): Promise<string> {
    try {
      const account = await createAccount({
        account: { accountType: 'caldav', serverUrl, credentials: {} },
        headers: this.headers,
        fetch: this.fetch,
      });
      if (account.homeUrl) return account.homeUrl;
    } catch (err) {
      if (err instanceof OutboundRefusedError || err instanceof OutboundFailedError) throw err;
      if (err instanceof Error && /401/.test(err.message)) throw new CaldavError('the username or password was refused');
    }
    throw new CaldavError('this address is not a CalDAV server');
  }

  /** The first calendar in `homeUrl` (in the server's order) that holds events. */
  private async firstCalendar(homeUrl: string, given: string): Promise<Calendar> {
    const listing = await this.propfind(homeUrl, '1');
    if (listing.kind === 'problem') throw new CaldavError(listing.problem);
    const calendar = listing.responses.find((r) => r.href && !hrefIs(r.href, homeUrl) && isCalendar(r) && holdsEvents(r));
    if (!calendar?.href) {
      throw new CaldavError(hrefIs(homeUrl, given) ? 'no calendar with events at this address' : 'the account has no calendar with events');
    }
    return { url: new URL(calendar.href, homeUrl).href, state: stateOf(calendar) };
  }

  /** The calendar objects with an event overlapping `range` (recurring series included): one calendar-query REPORT. */
  async objectsInRange(calendarUrl: string, range: { from: Date; to: Date }): Promise<string[]> {
    const responses = await calendarQuery({
      url: calendarUrl,
      props: { 'd:getetag': {}, 'c:calendar-data': {} },
      filters: {
        'comp-filter': {
          _attributes: { name: 'VCALENDAR' },
          'comp-filter': {
            _attributes: { name: 'VEVENT' },
            'time-range': { _attributes: { start: caldavTime(range.from), end: caldavTime(range.to) } },
          },
        },
      },
      depth: '1',
      headers: this.headers,
      fetch: this.fetch,
    }).catch((err: unknown) => {
      if (err instanceof OutboundRefusedError || err instanceof OutboundFailedError) throw err;
      const status = /Collection query failed: (\d{3})/.exec(err instanceof Error ? err.message : '')?.[1];
      throw new CaldavError(status ? (statusProblem(Number(status)) ?? 'the calendar server gave an unreadable answer') : 'the calendar server gave an unreadable answer');
    });
    const objects: string[] = [];
    for (const r of responses) {
      if (!r.ok) continue;
      const data = calendarData(r.props?.calendarData);
      if (data) objects.push(data);
    }
    return objects;
  }

  private async propfind(url: string, depth: '0' | '1'): Promise<{ kind: 'ok'; responses: DAVResponse[] } | { kind: 'problem'; status: number; problem: string }> {
    const responses = await propfind({ url, props: COLLECTION_PROPS, depth, headers: this.headers, fetch: this.fetch });
    const first = responses[0];
    if (!first) return { kind: 'problem', status: 0, problem: 'this address is not a CalDAV server' };
    // tsdav answers a single entry without props when the reply is not a multistatus (an error, an HTML page).
    if (responses.length === 1 && first.props === undefined) {
      const problem = statusProblem(first.status ?? 0) ?? 'this address is not a CalDAV server';
      return { kind: 'problem', status: first.status ?? 0, problem };
    }
    return { kind: 'ok', responses };
  }
}

/** OutboundRefused/Failed and CaldavError pass as they are; anything else tsdav throws becomes plain words. */
function plainError(err: unknown): Error {
  if (err instanceof OutboundRefusedError || err instanceof OutboundFailedError || err instanceof CaldavError || err instanceof RangeError) return err;
  return new CaldavError('the calendar server gave an answer ridealong cannot read');
}

/** The resource types of a response (tsdav camel-cases them: collection, calendar, principal, addressbook, scheduleInbox ...). */
function resourceTypes(r: DAVResponse): string[] {
  const types: unknown = r.props?.resourcetype;
  return types && typeof types === 'object' ? Object.keys(types) : [];
}

function isCalendar(r: DAVResponse): boolean {
  return resourceTypes(r).includes('calendar');
}

/** A calendar that says which components it holds must list VEVENT; one that says nothing may hold events. */
function holdsEvents(r: DAVResponse): boolean {
  const comp: unknown = (r.props?.supportedCalendarComponentSet as { comp?: unknown } | undefined)?.comp;
  const comps = (Array.isArray(comp) ? comp : comp ? [comp] : []) as { _attributes?: { name?: string } }[];
  const names = comps.map((c) => c._attributes?.name?.toUpperCase()).filter(Boolean);
  return names.length === 0 || names.includes('VEVENT');
}

function stateOf(r: DAVResponse): CaldavState {
  return { ctag: text(r.props?.getctag), syncToken: text(r.props?.syncToken) };
}

/** A property's text: tsdav gives strings, numbers (it converts numeric text), or `{_cdata}`/`{_text}`. */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const v = value as { _cdata?: unknown; _text?: unknown };
    if (typeof v._cdata === 'string') return v._cdata;
    if (typeof v._text === 'string') return v._text;
  }
  return null;
}

function calendarData(value: unknown): string | null {
  const data = text(value);
  return data && data.includes('BEGIN:VCALENDAR') ? data : null;
}

/** The first href inside a property such as current-user-principal or calendar-home-set. */
function href(prop: unknown): string | null {
  const raw: unknown = (prop as { href?: unknown } | undefined)?.href;
  const first: unknown = Array.isArray(raw) ? raw[0] : raw;
  return text(first);
}

/** Whether a multistatus href names `url` (hrefs are paths or full URLs, with or without the trailing slash). */
function hrefIs(h: string | undefined, url: string): boolean {
  if (!h) return false;
  const a = new URL(h, url);
  const b = new URL(url);
  const trim = (p: string) => decodeURIComponent(p).replace(/\/+$/, '');
  return a.host === b.host && trim(a.pathname) === trim(b.pathname);
}
