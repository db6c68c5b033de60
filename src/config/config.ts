import { plainToInstance, Transform } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync, ValidateBy } from 'class-validator';
import { parseTrustProxy, TRUST_PROXY_MESSAGE, type TrustProxy } from './trust-proxy.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value.trim()) : value;
const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Every environment variable the service reads, validated at boot.
 * The README's "Configuration" table documents the same list.
 */
export class EnvironmentVariables {
  /** HTTP port. */
  @Transform(toInt)
  @IsInt({ message: 'PORT must be an integer from 0 to 65535' })
  @Min(0, { message: 'PORT must be an integer from 0 to 65535' })
  @Max(65535, { message: 'PORT must be an integer from 0 to 65535' })
  PORT: number = 3000;

  /** PostgreSQL server; unset starts the embedded server under ./var/pg. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  /** Port of the embedded PostgreSQL (only when DATABASE_URL is unset). */
  @Transform(toInt)
  @IsInt({ message: 'EMBEDDED_PG_PORT must be an integer from 1024 to 65535' })
  @Min(1024, { message: 'EMBEDDED_PG_PORT must be an integer from 1024 to 65535' })
  @Max(65535, { message: 'EMBEDDED_PG_PORT must be an integer from 1024 to 65535' })
  EMBEDDED_PG_PORT: number = 54329;

  /** Folder for the embedded database and the .eml outbox. */
  @IsString()
  VAR_DIR: string = 'var';

  /** SMTP server; unset writes .eml files under ./var/mail. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** Sender of every email. */
  @IsString({ message: 'MAIL_FROM must be an address like "ridealong <ridealong@example.com>"' })
  @Matches(/^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, {
    message: 'MAIL_FROM must be an address like "ridealong <ridealong@example.com>"',
  })
  MAIL_FROM: string = 'ridealong <ridealong@localhost>';

  /** Base URL used in links in emails and calendar files. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'PUBLIC_URL must be an http:// or https:// URL' })
  PUBLIC_URL?: string;

  /** Bootstrap lifecycle user, created when no lifecycle user exists. */
  @IsEmail({}, { message: 'ADMIN_EMAIL must be an email address' })
  ADMIN_EMAIL: string = 'admin@ridealong.local';

  /** Token for the bootstrap user; generated and printed once when unset. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @MinLength(24, { message: 'ADMIN_TOKEN must be at least 24 characters' })
  @Matches(/^[A-Za-z0-9_\-.~]+$/, { message: 'ADMIN_TOKEN may hold only letters, digits and - _ . ~' })
  ADMIN_TOKEN?: string;

  /** Token for `GET /metrics` (`Authorization: Bearer <token>`); unset: /metrics is open to whoever reaches the port. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @MinLength(24, { message: 'METRICS_TOKEN must be at least 24 characters' })
  @Matches(/^[A-Za-z0-9_\-.~]+$/, { message: 'METRICS_TOKEN may hold only letters, digits and - _ . ~' })
  METRICS_TOKEN?: string;

  /** HTTP worker processes (node:cluster) sharing the port; 1 runs in-process. */
  @Transform(toInt)
  @IsInt({ message: 'WEB_CONCURRENCY must be an integer from 1 to 64' })
  @Min(1, { message: 'WEB_CONCURRENCY must be an integer from 1 to 64' })
  @Max(64, { message: 'WEB_CONCURRENCY must be an integer from 1 to 64' })
  WEB_CONCURRENCY: number = 1;

  /** How often each instance's job workers (mail, reminders) look for due jobs, in seconds (pg-boss allows 0.5+). */
  @Transform(toNumber)
  @IsNumber({}, { message: 'JOBS_POLL_SECONDS must be a number of seconds from 0.5 to 60' })
  @Min(0.5, { message: 'JOBS_POLL_SECONDS must be a number of seconds from 0.5 to 60' })
  @Max(60, { message: 'JOBS_POLL_SECONDS must be a number of seconds from 0.5 to 60' })
  JOBS_POLL_SECONDS: number = 2;

  /** Retries of a failing job (e.g. an email while SMTP is down) before it is failed for good. */
  @Transform(toInt)
  @IsInt({ message: 'JOBS_RETRY_LIMIT must be an integer from 0 to 100' })
  @Min(0, { message: 'JOBS_RETRY_LIMIT must be an integer from 0 to 100' })
  @Max(100, { message: 'JOBS_RETRY_LIMIT must be an integer from 0 to 100' })
  JOBS_RETRY_LIMIT: number = 10;

  /** Seconds before a failed job's first retry; each further retry waits about twice as long (with jitter). */
  @Transform(toInt)
  @IsInt({ message: 'JOBS_RETRY_DELAY_SECONDS must be an integer from 1 to 3600' })
  @Min(1, { message: 'JOBS_RETRY_DELAY_SECONDS must be an integer from 1 to 3600' })
  @Max(3600, { message: 'JOBS_RETRY_DELAY_SECONDS must be an integer from 1 to 3600' })
  JOBS_RETRY_DELAY_SECONDS: number = 5;

  /**
   * Longest a statement of a rollup build may run, in seconds; a rollup build job expires after three times
   * this (its lock, its parallel reads and its quotes), so a build whose process died is retried soon after.
   */
  @Transform(toInt)
  @IsInt({ message: 'ROLLUP_STATEMENT_TIMEOUT_SECONDS must be an integer from 1 to 300' })
  @Min(1, { message: 'ROLLUP_STATEMENT_TIMEOUT_SECONDS must be an integer from 1 to 300' })
  @Max(300, { message: 'ROLLUP_STATEMENT_TIMEOUT_SECONDS must be an integer from 1 to 300' })
  ROLLUP_STATEMENT_TIMEOUT_SECONDS: number = 10;

  /** Longest the HTTP server waits for a whole request (headers and body), in seconds; then 408 and the connection closes. */
  @Transform(toInt)
  @IsInt({ message: 'HTTP_REQUEST_TIMEOUT_SECONDS must be an integer from 1 to 600' })
  @Min(1, { message: 'HTTP_REQUEST_TIMEOUT_SECONDS must be an integer from 1 to 600' })
  @Max(600, { message: 'HTTP_REQUEST_TIMEOUT_SECONDS must be an integer from 1 to 600' })
  HTTP_REQUEST_TIMEOUT_SECONDS: number = 30;

  /** Longest the HTTP server waits for a request's headers, in seconds (at most HTTP_REQUEST_TIMEOUT_SECONDS). */
  @Transform(toInt)
  @IsInt({ message: 'HTTP_HEADERS_TIMEOUT_SECONDS must be an integer from 1 to 600' })
  @Min(1, { message: 'HTTP_HEADERS_TIMEOUT_SECONDS must be an integer from 1 to 600' })
  @Max(600, { message: 'HTTP_HEADERS_TIMEOUT_SECONDS must be an integer from 1 to 600' })
  HTTP_HEADERS_TIMEOUT_SECONDS: number = 10;

  /**
   * Proxies in front of the service whose X-Forwarded-For names the client (the per-IP sign-in limit counts
   * that address): `false`, a hop count (`1` behind one load balancer) or comma-separated addresses/CIDRs.
   */
  @ValidateBy({ name: 'trustProxy', validator: { validate: (v: unknown) => parseTrustProxy(v) !== undefined, defaultMessage: () => TRUST_PROXY_MESSAGE } })
  TRUST_PROXY: string = 'false';

  /** How often each calendar connection is synced, in minutes (once across instances). */
  @Transform(toInt)
  @IsInt({ message: 'CALENDAR_SYNC_MINUTES must be an integer from 1 to 1440' })
  @Min(1, { message: 'CALENDAR_SYNC_MINUTES must be an integer from 1 to 1440' })
  @Max(1440, { message: 'CALENDAR_SYNC_MINUTES must be an integer from 1 to 1440' })
  CALENDAR_SYNC_MINUTES: number = 10;

  /** `true` lets calendar fetches reach loopback, private, link-local and unique-local addresses (tests; a calendar server on the company network). */
  @IsIn(['true', 'false'], { message: 'CALENDAR_ALLOW_PRIVATE_HOSTS must be true or false' })
  CALENDAR_ALLOW_PRIVATE_HOSTS: string = 'false';

  /** `true` lets webhook deliveries reach loopback, private, link-local and unique-local addresses (tests; a receiver on the company network). */
  @IsIn(['true', 'false'], { message: 'WEBHOOK_ALLOW_PRIVATE_HOSTS must be true or false' })
  WEBHOOK_ALLOW_PRIVATE_HOSTS: string = 'false';

  /** The company's email domains, comma-separated: an attendee outside them makes an event a customer call. Default: ADMIN_EMAIL's domain. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\s*[A-Za-z0-9.-]+\.[A-Za-z0-9-]+\s*(,\s*[A-Za-z0-9.-]+\.[A-Za-z0-9-]+\s*)*$/, { message: 'COMPANY_DOMAINS must be domains separated by commas, like "example.com,example.co.uk"' })
  COMPANY_DOMAINS?: string;

  /** Key for secrets at rest (feed URLs, CalDAV passwords): 32 bytes as 64 hex digits or base64. Unset: generated once under VAR_DIR. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'SECRETS_KEY must be 32 bytes as 64 hex digits or 44 characters of base64' })
  SECRETS_KEY?: string;

  /** Company single sign-on (OpenID Connect): the issuer URL (https; discovery reads `<issuer>/.well-known/openid-configuration`). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'OIDC_ISSUER must be an https:// URL like https://example.okta.com' })
  OIDC_ISSUER?: string;

  /** The client id the identity provider gave this service. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\S{1,255}$/, { message: 'OIDC_CLIENT_ID must be the client id from the identity provider (no spaces)' })
  OIDC_CLIENT_ID?: string;

  /** The client secret the identity provider gave this service. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\S{1,1024}$/, { message: 'OIDC_CLIENT_SECRET must be the client secret from the identity provider (no spaces)' })
  OIDC_CLIENT_SECRET?: string;

  /** The name on the sign-in button ("Sign in with <name>"); default "your company account". */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[^<>\n\r]{1,60}$/, { message: 'OIDC_NAME must be 1 to 60 characters on one line, without < or >' })
  OIDC_NAME?: string;

  /** `true` allows an http:// OIDC_ISSUER on loopback (tests); otherwise the issuer must be https. */
  @IsIn(['true', 'false'], { message: 'OIDC_ALLOW_INSECURE_ISSUER must be true or false' })
  OIDC_ALLOW_INSECURE_ISSUER: string = 'false';

  /** `true` hides the email link: people sign in with single sign-on only (needs OIDC_ISSUER). */
  @IsIn(['true', 'false'], { message: 'OIDC_ONLY must be true or false' })
  OIDC_ONLY: string = 'false';

  /** pino log level. */
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';
}

export interface AppConfig {
  port: number;
  databaseUrl?: string;
  embeddedPgPort: number;
  varDir: string;
  smtpUrl?: string;
  mailFrom: string;
  publicUrl: string;
  adminEmail: string;
  adminToken?: string;
  /** METRICS_TOKEN: `GET /metrics` asks for it as a bearer token when set. */
  metricsToken?: string;
  logLevel: LogLevel;
  webConcurrency: number;
  jobsPollSeconds: number;
  jobsRetryLimit: number;
  jobsRetryDelaySeconds: number;
  /** Express `trust proxy`: which X-Forwarded-For hops are believed. */
  trustProxy: TrustProxy;
  httpRequestTimeoutSeconds: number;
  httpHeadersTimeoutSeconds: number;
  rollupStatementTimeoutSeconds: number;
  calendarSyncMinutes: number;
  calendarAllowPrivateHosts: boolean;
  webhookAllowPrivateHosts: boolean;
  /** Lower-cased company domains (COMPANY_DOMAINS, else ADMIN_EMAIL's domain): the organisation setting's default. */
  companyDomains: string[];
  /** SECRETS_KEY as given (undefined: the service generates one under varDir). */
  secretsKey?: string;
  /** Company single sign-on, when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set. */
  oidc?: OidcConfig;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The button's "Sign in with <name>". */
  name: string;
  /** An http:// issuer on loopback (OIDC_ALLOW_INSECURE_ISSUER=true): the outbound guard then lets loopback through. */
  insecureLoopback: boolean;
  /** OIDC_ONLY=true: no email link. */
  only: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The OIDC_* variables as one setting, or the problems naming each bad variable. */
export function oidcConfig(v: Pick<EnvironmentVariables, 'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET' | 'OIDC_NAME' | 'OIDC_ALLOW_INSECURE_ISSUER' | 'OIDC_ONLY'>): { oidc?: OidcConfig; problems: string[] } {
  const trio = { OIDC_ISSUER: v.OIDC_ISSUER, OIDC_CLIENT_ID: v.OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: v.OIDC_CLIENT_SECRET };
  const missing = Object.entries(trio).filter(([, value]) => value === undefined).map(([k]) => k);
  if (missing.length === 3) {
    return { problems: v.OIDC_ONLY === 'true' ? ['OIDC_ONLY="true": OIDC_ONLY needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET'] : [] };
  }
  if (missing.length > 0) {
    return { problems: missing.map((k) => `${k}="": ${k} must be set with OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (all three or none)`) };
  }
  const url = new URL(v.OIDC_ISSUER as string);
  const insecure = url.protocol === 'http:';
  if (insecure && !(v.OIDC_ALLOW_INSECURE_ISSUER === 'true' && LOOPBACK_HOSTS.has(url.hostname))) {
    return {
      problems: [
        `OIDC_ISSUER=${JSON.stringify(v.OIDC_ISSUER)}: OIDC_ISSUER must be an https:// URL (http:// only on localhost, 127.0.0.1 or [::1] with OIDC_ALLOW_INSECURE_ISSUER=true)`,
      ],
    };
  }
  return {
    oidc: {
      issuer: v.OIDC_ISSUER as string,
      clientId: v.OIDC_CLIENT_ID as string,
      clientSecret: v.OIDC_CLIENT_SECRET as string,
      name: v.OIDC_NAME ?? 'your company account',
      insecureLoopback: insecure,
      only: v.OIDC_ONLY === 'true',
    },
    problems: [],
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const known = Object.keys(new EnvironmentVariables());
  const input: Record<string, string> = {};
  for (const key of [...known, 'DATABASE_URL', 'SMTP_URL', 'PUBLIC_URL', 'ADMIN_TOKEN', 'METRICS_TOKEN', 'COMPANY_DOMAINS', 'SECRETS_KEY', 'OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_NAME']) {
    const value = env[key];
    if (value !== undefined) input[key] = value;
  }
  const parsed = plainToInstance(EnvironmentVariables, input);
  const errors = validateSync(parsed, { whitelist: true });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((e) => `${e.property}=${JSON.stringify(input[e.property] ?? '')}: ${Object.values(e.constraints ?? {})[0]}`),
    );
  }
  if (parsed.HTTP_HEADERS_TIMEOUT_SECONDS > parsed.HTTP_REQUEST_TIMEOUT_SECONDS) {
    throw new ConfigError([
      `HTTP_HEADERS_TIMEOUT_SECONDS=${JSON.stringify(input.HTTP_HEADERS_TIMEOUT_SECONDS ?? '')}: HTTP_HEADERS_TIMEOUT_SECONDS must not be more than HTTP_REQUEST_TIMEOUT_SECONDS (${parsed.HTTP_REQUEST_TIMEOUT_SECONDS})`,
    ]);
  }
  const sso = oidcConfig(parsed);
  if (sso.problems.length > 0) throw new ConfigError(sso.problems);
  return {
    port: parsed.PORT,
    databaseUrl: parsed.DATABASE_URL,
    embeddedPgPort: parsed.EMBEDDED_PG_PORT,
    varDir: parsed.VAR_DIR,
    smtpUrl: parsed.SMTP_URL,
    mailFrom: parsed.MAIL_FROM,
    publicUrl: (parsed.PUBLIC_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/$/, ''),
    adminEmail: parsed.ADMIN_EMAIL.toLowerCase(),
    adminToken: parsed.ADMIN_TOKEN,
    metricsToken: parsed.METRICS_TOKEN,
    logLevel: parsed.LOG_LEVEL,
    webConcurrency: parsed.WEB_CONCURRENCY,
    jobsPollSeconds: parsed.JOBS_POLL_SECONDS,
    jobsRetryLimit: parsed.JOBS_RETRY_LIMIT,
    jobsRetryDelaySeconds: parsed.JOBS_RETRY_DELAY_SECONDS,
    trustProxy: parseTrustProxy(parsed.TRUST_PROXY) as TrustProxy,
    httpRequestTimeoutSeconds: parsed.HTTP_REQUEST_TIMEOUT_SECONDS,
    httpHeadersTimeoutSeconds: parsed.HTTP_HEADERS_TIMEOUT_SECONDS,
    rollupStatementTimeoutSeconds: parsed.ROLLUP_STATEMENT_TIMEOUT_SECONDS,
    calendarSyncMinutes: parsed.CALENDAR_SYNC_MINUTES,
    calendarAllowPrivateHosts: parsed.CALENDAR_ALLOW_PRIVATE_HOSTS === 'true',
    webhookAllowPrivateHosts: parsed.WEBHOOK_ALLOW_PRIVATE_HOSTS === 'true',
    companyDomains: parsed.COMPANY_DOMAINS
      ? [...new Set(parsed.COMPANY_DOMAINS.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean))]
      : [parsed.ADMIN_EMAIL.toLowerCase().split('@')[1]],
    secretsKey: parsed.SECRETS_KEY,
    oidc: sso.oidc,
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
