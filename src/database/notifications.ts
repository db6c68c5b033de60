import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { DataSource, type DataSourceOptions, EntityManager } from 'typeorm';

type PostgresConnectionOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

/** What a subscriber of a channel is told. */
export interface NotificationSubscriber {
  /** A NOTIFY on the channel, committed by any instance (or by a trigger). */
  onNotify(payload: string): void;
  /**
   * Notifications may have been missed (the LISTEN connection dropped and is back): whatever was derived
   * from the database before must be dropped. While the connection is down `Notifications.listening`
   * is false, and a cache must neither serve nor fill.
   */
  onReset(): void;
}

/** Waits between reconnection attempts: doubling from the first to the last, then the last forever. */
const RECONNECT_MS = { first: 100, last: 5_000 } as const;

/**
 * PostgreSQL LISTEN/NOTIFY for the process: one dedicated `pg` client (outside the pool, on the
 * DataSource's connection settings) listening on every channel subscribed to. A dropped connection is
 * reopened with backoff, every channel listened to again, and every subscriber reset (it may have missed
 * notifications). Failures are logged, never thrown: a cache that cannot listen just does not cache.
 */
@Injectable()
export class Notifications implements OnApplicationShutdown {
  private readonly log = new Logger('Notifications');
  private readonly subscribers = new Map<string, Set<NotificationSubscriber>>();
  private client: pg.Client | undefined;
  /** Channels the current client has LISTENed on. */
  private readonly listened = new Set<string>();
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number = RECONNECT_MS.first;
  private closed = false;
  /** Whether a connection had been up before (a later one resets the subscribers). */
  private everConnected = false;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Delivers the channel's notifications to `subscriber` from now on; resolves once the channel is
   * listened to (or the attempt failed: then `listening(channel)` is false until a reconnection).
   * Returns the unsubscribe function.
   */
  async subscribe(channel: string, subscriber: NotificationSubscriber): Promise<() => void> {
    let set = this.subscribers.get(channel);
    if (!set) this.subscribers.set(channel, (set = new Set()));
    set.add(subscriber);
    const unsubscribe = () => {
      set.delete(subscriber);
    };
    if (this.closed) return unsubscribe;
    await this.ensureConnected();
    const client = this.client;
    if (client && !this.listened.has(channel)) {
      try {
        await client.query(`LISTEN ${quoteIdent(channel)}`);
        if (client === this.client) this.listened.add(channel);
      } catch (error) {
        this.log.warn(`LISTEN ${channel} failed: ${describe(error)}`);
      }
    }
    return unsubscribe;
  }

  /** Whether a notification on `channel` committed from now on will be delivered (the connection is up and listening). */
  listening(channel: string): boolean {
    return this.client !== undefined && this.listened.has(channel);
  }

  /**
   * NOTIFY `channel` with `payload`; inside a transaction (pass its manager) it is sent on commit.
   * Triggers are the main publishers; this is for changes no trigger sees.
   */
  async publish(channel: string, payload: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    this.listened.clear();
    await client?.end().catch(() => undefined);
  }

  private ensureConnected(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = new pg.Client(this.clientConfig());
    // Without an 'error' listener a dropped connection would be an uncaught exception.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => this.deliver(message.channel, message.payload ?? ''));
    try {
      await client.connect();
      for (const channel of this.subscribers.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (error) {
      this.log.warn(`LISTEN connection failed: ${describe(error)}`);
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    for (const channel of this.subscribers.keys()) this.listened.add(channel);
    this.retryMs = RECONNECT_MS.first;
    if (this.everConnected) {
      this.log.log('LISTEN connection restored; subscribers reset');
      this.resetAll();
    }
    this.everConnected = true;
  }

  private lost(client: pg.Client, error?: unknown): void {
    if (client !== this.client) return; // an old client's late event
    this.client = undefined;
    this.listened.clear();
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.log.warn(`LISTEN connection lost${error ? `: ${describe(error)}` : ''}; reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MS.last);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.ensureConnected();
    }, wait);
    this.retryTimer.unref();
  }

  private deliver(channel: string, payload: string): void {
    for (const subscriber of this.subscribers.get(channel) ?? []) {
      try {
        subscriber.onNotify(payload);
      } catch (error) {
        this.log.error(`subscriber of ${channel} failed: ${describe(error)}`);
      }
    }
  }

  private resetAll(): void {
    for (const [channel, set] of this.subscribers) {
      for (const subscriber of set) {
        try {
          subscriber.onReset();
        } catch (error) {
          this.log.error(`reset of a ${channel} subscriber failed: ${describe(error)}`);
        }
      }
    }
  }

  /** The DataSource's own connection settings (URL, timeouts, keepalive, session options), under its own application name. */
  private clientConfig(): pg.ClientConfig {
    const options = this.dataSource.options as PostgresConnectionOptions;
    const extra = (options.extra ?? {}) as pg.ClientConfig;
    return {
      connectionString: options.url,
      host: options.host,
      port: options.port,
      user: options.username,
      password: typeof options.password === 'string' ? options.password : undefined,
      database: options.database,
      ssl: options.ssl as pg.ClientConfig['ssl'],
      connectionTimeoutMillis: options.connectTimeoutMS,
      keepAlive: extra.keepAlive ?? true,
      keepAliveInitialDelayMillis: extra.keepAliveInitialDelayMillis,
      application_name: `${options.applicationName ?? 'ridealong'}:listen`,
    };
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
