import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const THEME_STATUSES = ['active', 'proposed', 'rejected', 'merged'] as const;
export type ThemeStatus = (typeof THEME_STATUSES)[number];

export const THEME_ACTIONS = ['create', 'rename', 'move', 'merge', 'propose', 'accept', 'reject', 'describe'] as const;
export type ThemeAction = (typeof THEME_ACTIONS)[number];

/** An entry in the taxonomy the lifecycle team curates. */
@Entity('themes')
export class Theme {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Trimmed, 1..120 characters; unique ignoring case among active and proposed themes. */
  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  description: string | null;

  /** The active theme this one sits under; null at the top level. */
  @Column('uuid', { name: 'parent_id', nullable: true })
  parentId: string | null;

  @Column('text')
  status: ThemeStatus;

  /** Set only when merged: always an active theme (later merges re-point earlier ones). */
  @Column('uuid', { name: 'merged_into', nullable: true })
  mergedInto: string | null;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy: string | null;

  /** The marketer who suggested it on a form (proposed themes). */
  @Column('uuid', { name: 'proposed_by', nullable: true })
  proposedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** One row per change to a theme: what changed, from what to what, who did it and when. */
@Entity('theme_history')
export class ThemeHistory {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('uuid', { name: 'theme_id' })
  themeId: string;

  @Column('text')
  action: ThemeAction;

  @Column('jsonb', { default: {} })
  details: Record<string, unknown>;

  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  at: Date;
}
