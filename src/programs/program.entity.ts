import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ProgramKind, ProgramSettings } from './program-settings.js';

@Entity('programs')
export class Program {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column('text')
  kind: ProgramKind;

  /** The zone period dates are read in. */
  @Column('text', { name: 'time_zone' })
  timeZone: string;

  @Column('jsonb')
  settings: ProgramSettings;

  /** The guide marketers get with confirmations and reminders; null uses the default one. */
  @Column('text', { name: 'preparation_note', nullable: true })
  preparationNote: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

export const PERIOD_STATUSES = ['planned', 'open', 'closed', 'rolled_up'] as const;
export type PeriodStatus = (typeof PERIOD_STATUSES)[number];

@Entity('periods')
export class Period {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'program_id' })
  programId: string;

  /** First day, in the program's zone. */
  @Column('date', { name: 'starts_on' })
  startsOn: string;

  /** Last day (inclusive), in the program's zone. */
  @Column('date', { name: 'ends_on' })
  endsOn: string;

  /** The problem the team suspects and wants to learn about. */
  @Column('text', { nullable: true })
  focus: string | null;

  @Column('text')
  status: PeriodStatus;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

export const ROSTER_STATUSES = ['invited', 'active', 'declined', 'removed'] as const;
export type RosterStatus = (typeof ROSTER_STATUSES)[number];

@Entity('roster_entries')
export class RosterEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'period_id' })
  periodId: string;

  @Column('uuid', { name: 'rep_id' })
  repId: string;

  @Column('text')
  status: RosterStatus;

  @Column('timestamptz', { name: 'invited_at', default: () => 'now()' })
  invitedAt: Date;

  @Column('timestamptz', { name: 'responded_at', nullable: true })
  respondedAt: Date | null;
}

@Entity('enrollments')
export class Enrollment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'period_id' })
  periodId: string;

  @Column('uuid', { name: 'marketer_id' })
  marketerId: string;

  @Column('int')
  quota: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** Set when the marketer was deactivated while the period was planned or open. */
  @Column('timestamptz', { name: 'ended_at', nullable: true })
  endedAt: Date | null;
}
