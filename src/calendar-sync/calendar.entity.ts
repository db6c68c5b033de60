import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ConnectionKind = 'ics' | 'caldav';

/** A rep's own calendar, read by ridealong. `secret` is sealed (src/common/secrets.ts) and never leaves the service. */
@Entity('calendar_connections')
export class CalendarConnection {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'rep_id' })
  repId: string;

  @Column('text')
  kind: ConnectionKind;

  /** The URL's host: the only part of it ever shown. */
  @Column('text')
  host: string;

  /** AES-256-GCM sealed JSON `{url, username?, password?}`. */
  @Column('text', { select: false })
  secret: string;

  @Column('text', { nullable: true })
  etag: string | null;

  @Column('text', { name: 'last_modified', nullable: true })
  lastModified: string | null;

  @Column('text', { nullable: true })
  ctag: string | null;

  @Column('text', { name: 'sync_token', nullable: true })
  syncToken: string | null;

  @Column('timestamptz', { name: 'last_synced_at', nullable: true })
  lastSyncedAt: Date | null;

  @Column('timestamptz', { name: 'last_attempt_at', nullable: true })
  lastAttemptAt: Date | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  @Column('timestamptz', { name: 'failing_since', nullable: true })
  failingSince: Date | null;

  @Column('timestamptz', { name: 'failure_mailed_at', nullable: true })
  failureMailedAt: Date | null;

  @Column('int', { name: 'event_count' })
  eventCount: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * One instance of an event in a connected calendar, within the kept window. `instance` is '' for a single
 * event and the instance's original start (RECURRENCE-ID, ISO UTC) for one of a series, so (uid, instance)
 * names the same instance across syncs and its row keeps its id. `busy` is false for what does not block
 * the rep (cancelled, transparent, free, declined, ridealong's own invites). `attendees`: lower-case
 * addresses of the other participants: customer contact details, never shown to marketers.
 */
@Entity('calendar_events')
export class CalendarEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'connection_id' })
  connectionId: string;

  @Column('uuid', { name: 'rep_id' })
  repId: string;

  @Column('text')
  uid: string;

  @Column('text')
  instance: string;

  @Column('timestamptz', { name: 'starts_at' })
  startsAt: Date;

  @Column('timestamptz', { name: 'ends_at' })
  endsAt: Date;

  @Column('boolean', { name: 'all_day' })
  allDay: boolean;

  @Column('boolean')
  busy: boolean;

  @Column('text')
  title: string;

  @Column('text', { array: true })
  attendees: string[];

  /** Set while the rep has opened this customer call for shadowing. */
  @Column('timestamptz', { name: 'opened_at', nullable: true })
  openedAt: Date | null;

  @Column('uuid', { name: 'opened_by', nullable: true })
  openedBy: string | null;

  @Column('text', { nullable: true })
  label: string | null;

  @Column('text', { name: 'call_type', nullable: true })
  callType: string | null;

  @Column('boolean', { name: 'marketing_sourced', nullable: true })
  marketingSourced: boolean | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A rep's standing rule: open every customer call (only those whose title holds `keyword`, when set). */
@Entity('customer_call_rules')
export class CustomerCallRule {
  @Column('uuid', { name: 'rep_id', primary: true })
  repId: string;

  @Column('boolean')
  enabled: boolean;

  @Column('text', { nullable: true })
  keyword: string | null;

  @Column('text', { name: 'call_type', nullable: true })
  callType: string | null;

  @Column('boolean', { name: 'marketing_sourced', nullable: true })
  marketingSourced: boolean | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** The organisation's settings: one row. `companyDomains` null means the configured default. */
@Entity('organisation_settings')
export class OrganisationSettings {
  @Column('smallint', { primary: true })
  id: number;

  @Column('text', { name: 'company_domains', array: true, nullable: true })
  companyDomains: string[] | null;

  @Column('uuid', { name: 'updated_by', nullable: true })
  updatedBy: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
