import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One row for every change a user makes: who, what, when. */
@Entity('audit_log')
export class AuditEntry {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  /** Null for changes the system makes on its own (bootstrap, scheduled jobs). */
  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId: string | null;

  /** e.g. `user.create`, `token.revoke`. */
  @Column('text')
  action: string;

  @Column('text')
  entity: string;

  @Column('text', { name: 'entity_id', nullable: true })
  entityId: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  at: Date;

  @Column('text', { name: 'request_id', nullable: true })
  requestId: string | null;

  @Column('jsonb', { default: {} })
  details: Record<string, unknown>;
}
