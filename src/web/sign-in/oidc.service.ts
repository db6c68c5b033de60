import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import * as oidc from 'openid-client';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service.js';
import { Clock } from '../../common/clock.js';
import { guardedFetchFunction } from '../../common/outbound/guarded-fetch.js';
import { APP_CONFIG, type AppConfig, type OidcConfig } from '../../config/config.js';
import { UsersRepository } from '../../people/users.repository.js';
import { emailVerified } from './oidc-claims.js';
import { OidcFlowsRepository } from './oidc.repository.js';
import { SignInService } from './sign-in.service.js';

/** A flow started by `GET /sign-in/oidc` must come back within this long. */
export const OIDC_FLOW_MINUTES = 10;
/** After a failed discovery, the next try waits at least this long (a click on the button retries). */
export const DISCOVERY_RETRY_SECONDS = 5;
/** A successful discovery is read again after this long (keys rotate through the JWKS, which openid-client refetches itself). */
export const DISCOVERY_TTL_HOURS = 24;

/** Why a callback signs nobody in; each is a 4xx page and an audit row. */
export type OidcRefusal =
  | 'no_flow' // no cookie, an unknown, used or expired flow: another browser, a replay, too late
  | 'state_mismatch'
  | 'provider_error' // the identity provider answered with an error (the person cancelled, consent refused)
  | 'invalid_response' // the code exchange or the ID token failed openid-client's checks (nonce, signature, issuer, audience)
  | 'email_missing'
  | 'email_unverified'
  | 'unknown_user'
  | 'inactive_user';

export type OidcOutcome =
  | { ok: true; sessionToken: string; expiresAt: Date; next: string }
  | { ok: false; reason: OidcRefusal; detail?: string };

export class OidcUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The identity provider could not be reached', { cause });
    this.name = 'OidcUnavailableError';
  }
}

/**
 * Company single sign-on with OpenID Connect (authorization code flow with PKCE S256, state and nonce),
 * through openid-client: discovery, the token call and the JWKS all go through the outbound guard.
 * Discovery is cached; the service starts when the issuer is down and tries again on the next use.
 */
@Injectable()
export class OidcService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Oidc');
  readonly settings: OidcConfig | undefined;
  private discovered?: { config: oidc.Configuration; at: number };
  private pending?: Promise<oidc.Configuration>;
  private lastFailure = 0;

  constructor(
    private readonly db: DataSource,
    private readonly flows: OidcFlowsRepository,
    private readonly users: UsersRepository,
    private readonly signIn: SignInService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly appConfig: AppConfig,
  ) {
    this.settings = appConfig.oidc;
  }

  get callbackUrl(): string {
    return `${this.appConfig.publicUrl}/sign-in/oidc/callback`;
  }

  onApplicationBootstrap(): void {
    // Warm the cache without holding up the start: a failure is logged and retried on first use.
    if (this.settings) this.configuration().catch(() => undefined);
  }

  /** The issuer's metadata, discovered once and cached; throws OidcUnavailableError when it cannot be read. */
  async configuration(): Promise<oidc.Configuration> {
    const s = this.settings;
    if (!s) throw new Error('OIDC is not configured');
    const now = Date.now();
    if (this.discovered && now - this.discovered.at < DISCOVERY_TTL_HOURS * 3600_000) return this.discovered.config;
    if (this.pending) return this.pending;
    if (!this.discovered && now - this.lastFailure < DISCOVERY_RETRY_SECONDS * 1000) {
      throw new OidcUnavailableError(new Error('discovery failed moments ago'));
    }
    const fetcher = guardedFetchFunction({ allowPrivate: s.insecureLoopback });
    this.pending = oidc
      .discovery(new URL(s.issuer), s.clientId, { client_secret: s.clientSecret }, oidc.ClientSecretBasic(s.clientSecret), {
        [oidc.customFetch]: (url, options) => fetcher(url, options as RequestInit),
        execute: s.insecureLoopback ? [oidc.allowInsecureRequests] : [],
        timeout: 15,
      })
      .then(
        (config) => {
          this.discovered = { config, at: Date.now() };
          this.logger.debug(`Discovered the OpenID Connect issuer ${s.issuer}`); // after the banner, at boot: debug
          return config;
        },
        (e: unknown) => {
          this.lastFailure = Date.now();
          this.logger.warn(`OpenID Connect discovery at ${s.issuer} failed: ${e instanceof Error ? e.message : String(e)}`);
          // A stale configuration beats none while the issuer is down.
          if (this.discovered) return this.discovered.config;
          throw new OidcUnavailableError(e);
        },
      )
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Starts a flow: the URL to send the browser to and the id its cookie keeps. */
  async start(next: string): Promise<{ url: URL; flowId: string; maxAgeMs: number }> {
    const config = await this.configuration();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const flowId = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.flows.deleteExpired(now);
    await this.flows.insert(flowId, { state, nonce, codeVerifier, next }, new Date(now.getTime() + OIDC_FLOW_MINUTES * 60_000));
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl,
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, flowId, maxAgeMs: OIDC_FLOW_MINUTES * 60_000 };
  }

  /** Finishes a flow from the callback's query and the browser's cookie id. Never throws for a bad callback. */
  async finish(flowId: string | undefined, query: URLSearchParams): Promise<OidcOutcome> {
    const outcome = await this.decide(flowId, query);
    if (!outcome.ok) {
      await this.db.transaction((m) =>
        this.audit.record(m, {
          actorId: outcome.userId ?? null,
          action: 'sign_in.oidc_refused',
          entity: 'user',
          entityId: outcome.userId ?? null,
          details: { reason: outcome.reason, ...(outcome.email ? { email: outcome.email } : {}), ...(outcome.detail ? { detail: outcome.detail } : {}) },
        }),
      );
      return { ok: false, reason: outcome.reason, detail: outcome.detail };
    }
    await this.db.transaction((m) =>
      this.audit.record(m, { actorId: outcome.userId, action: 'sign_in.oidc', entity: 'user', entityId: outcome.userId, details: { issuer: this.settings?.issuer } }),
    );
    return { ok: true, sessionToken: outcome.sessionToken, expiresAt: outcome.expiresAt, next: outcome.next };
  }

  private async decide(
    flowId: string | undefined,
    query: URLSearchParams,
  ): Promise<
    | { ok: true; userId: string; sessionToken: string; expiresAt: Date; next: string }
    | { ok: false; reason: OidcRefusal; detail?: string; email?: string; userId?: string }
  > {
    const flow = flowId && /^[A-Za-z0-9_-]{43}$/.test(flowId) ? await this.flows.take(flowId, this.clock.now()) : null;
    if (!flow) return { ok: false, reason: 'no_flow' };
    if (query.get('state') !== flow.state) return { ok: false, reason: 'state_mismatch' };
    if (query.has('error')) {
      return { ok: false, reason: 'provider_error', detail: `${query.get('error')}${query.has('error_description') ? `: ${query.get('error_description')}` : ''}`.slice(0, 300) };
    }
    const config = await this.configuration();
    const current = new URL(this.callbackUrl);
    for (const [k, v] of query) current.searchParams.append(k, v);
    let claims: { email?: unknown; email_verified?: unknown; xms_edov?: unknown } | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      claims = idToken ? { email: idToken.email, email_verified: idToken.email_verified, xms_edov: idToken.xms_edov } : undefined;
      // Providers such as Okta keep scope claims out of an ID token issued with an access token: ask the
      // UserInfo endpoint then (openid-client checks its `sub` is the ID token's).
      if (idToken && idToken.email === undefined && config.serverMetadata().userinfo_endpoint) {
        claims = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub);
      }
    } catch (e) {
      if (e instanceof OidcUnavailableError) throw e;
      return { ok: false, reason: 'invalid_response', detail: describe(e) };
    }
    if (!claims) return { ok: false, reason: 'invalid_response', detail: 'no ID token' };
    const email = typeof claims.email === 'string' ? claims.email.trim() : '';
    if (!email) return { ok: false, reason: 'email_missing' };
    if (!emailVerified(claims)) return { ok: false, reason: 'email_unverified', email };
    const user = await this.users.findByEmail(this.db.manager, email);
    if (!user) return { ok: false, reason: 'unknown_user', email };
    const session = user.active ? await this.signIn.openSession(user.id) : null;
    if (!session) return { ok: false, reason: 'inactive_user', email, userId: user.id };
    return { ok: true, userId: user.id, ...session, next: flow.next };
  }
}

/** An error's message and its code (openid-client's `OAUTH_*` codes say which check failed). */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e).slice(0, 300);
  const code = (e as { code?: unknown }).code;
  // openid-client wraps oauth4webapi's error, whose message names the claim (`unexpected ID Token "nonce" claim value`).
  const cause = e.cause instanceof Error && e.cause.message !== e.message ? ` (${e.cause.message})` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${e.message}${cause}`.slice(0, 300);
}
