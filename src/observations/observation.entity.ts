import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { TemplateField } from './form-template.js';

@Entity('form_templates')
export class FormTemplate {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'program_id' })
  programId: string;

  @Column('int')
  version: number;

  @Column('jsonb')
  fields: TemplateField[];

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

export type ObservationStatus = 'open' | 'draft' | 'submitted';

/** The structured form for one completed session: confidential to its author and the lifecycle team. */
@Entity('observations')
export class Observation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'program_id' })
  programId: string;

  @Column('uuid', { name: 'period_id' })
  periodId: string;

  @Column('uuid', { name: 'booking_id', nullable: true })
  bookingId: string | null;

  /** Set instead of bookingId when the session was a support shift. */
  @Column('uuid', { name: 'shift_assignment_id', nullable: true })
  shiftAssignmentId: string | null;

  @Column('uuid', { name: 'author_id' })
  authorId: string;

  @Column('uuid', { name: 'rep_id', nullable: true })
  repId: string | null;

  @Column('int', { name: 'template_version' })
  templateVersion: number;

  @Column('text')
  status: ObservationStatus;

  @Column('jsonb')
  answers: Record<string, unknown>;

  /** Names the author marked as customer identifiers: redacted wherever the form's words travel. */
  @Column('text', { name: 'marked_names', array: true })
  markedNames: string[];

  @Column('timestamptz', { name: 'session_ended_at' })
  sessionEndedAt: Date;

  @Column('timestamptz', { name: 'due_at' })
  dueAt: Date;

  @Column('timestamptz', { name: 'submitted_at', nullable: true })
  submittedAt: Date | null;

  @Column('boolean', { nullable: true })
  late: boolean | null;

  @Column('int')
  revision: number;

  /**
   * Set when the session was corrected from completed to a no-show: the form is no longer due, gets no more
   * emails and counts nowhere (rollups, exports, health); a submitted one is kept, marked. Cleared if the
   * session is marked completed again.
   */
  @Column('timestamptz', { name: 'withdrawn_at', nullable: true })
  withdrawnAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
