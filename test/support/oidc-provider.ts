import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface IdpAccount {
  email?: string;
  email_verified?: boolean;
  /** Microsoft Entra ID's optional claim: the email domain's owner is verified. */
  xms_edov?: boolean;
}

/**
 * A real OpenID Connect identity provider (oidc-provider 8) on 127.0.0.1, port 0, with one static client
 * and its development login and consent pages (any password; the login is the account id).
 */
export class IdentityProvider {
  readonly accounts = new Map<string, IdpAccount>();
  readonly clientId = 'ridealong-test';
  readonly clientSecret = 'ridealong-test-secret-0123456789abcdef';
  issuer = '';
  private server?: Server;

  constructor(private readonly redirectUri: string) {}

  /** Listens on `port` (0: any free port). */
  async start(port = 0): Promise<void> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: this.clientId,
          client_secret: this.clientSecret,
          redirect_uris: [this.redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      findAccount: (_ctx: unknown, id: string) => ({
        accountId: id,
        claims: () => ({ sub: id, ...this.accounts.get(id) }),
      }),
      claims: { openid: ['sub'], email: ['email', 'email_verified', 'xms_edov'] },
      pkce: { required: () => true },
      cookies: { keys: ['oidc-test-cookie-key'] },
      features: { devInteractions: { enabled: true } },
    });
    server.on('request', provider.callback());
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A cookie jar per origin, enough for the app and the provider (Secure and Path ignored: everything is local). */
export class Jar {
  private readonly byOrigin = new Map<string, Map<string, string>>();

  keep(url: URL, res: Response): void {
    const jar = this.byOrigin.get(url.origin) ?? new Map<string, string>();
    this.byOrigin.set(url.origin, jar);
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(c) || /Max-Age=0\b/i.test(c)) jar.delete(name);
      else jar.set(name, value);
    }
  }

  header(url: URL): string {
    return [...(this.byOrigin.get(url.origin) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(url: URL, name: string): string | undefined {
    return this.byOrigin.get(url.origin)?.get(name);
  }
}

/** One browser: a jar, and requests without automatic redirects. */
export class Browser {
  readonly jar = new Jar();

  async request(url: string | URL, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const u = new URL(url);
    const headers: Record<string, string> = { Accept: 'text/html', Cookie: this.jar.header(u) };
    let body: string | undefined;
    if (init.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(u, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    this.jar.keep(u, res);
    return res;
  }
}

/**
 * Follows redirects from `start` through the provider's login and consent pages (logging in as `login`)
 * until the provider sends the browser to the redirect URI; returns that callback URL without opening it.
 * `alterAuthorization` may change the authorization request on its way to the provider.
 */
export async function throughProvider(
  browser: Browser,
  start: string,
  o: { login: string; callbackPrefix: string; alterAuthorization?: (u: URL) => URL },
): Promise<URL> {
  let url = new URL(start);
  let method = 'GET';
  let form: Record<string, string> | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const res = await browser.request(url, { method, form });
    method = 'GET';
    form = undefined;
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location') ?? '', url);
      await res.arrayBuffer();
      if (next.href.startsWith(o.callbackPrefix)) return next;
      url = next.pathname === '/auth' && o.alterAuthorization ? o.alterAuthorization(next) : next;
      continue;
    }
    const text = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(text)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(text)?.[1];
    if (res.status !== 200 || !action || !prompt) throw new Error(`unexpected page ${res.status} at ${url.href}: ${text.slice(0, 500)}`);
    url = new URL(action.replace(/&amp;/g, '&'), url);
    method = 'POST';
    form = prompt === 'login' ? { prompt, login: o.login, password: 'any' } : { prompt };
  }
  throw new Error('too many redirects');
}
