import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const ROLES = ['rep', 'marketer', 'lifecycle'] as const;
export type Role = (typeof ROLES)[number];

/** Whether a user is on the lifecycle team (the role that may act for anyone, in any program). */
export const isLifecycle = (u: { roles: readonly Role[] }): boolean => u.roles.includes('lifecycle');

@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored as given; unique ignoring case (index on lower(email)). */
  @Column('text')
  email: string;

  @Column('text')
  name: string;

  /** IANA zone, e.g. Europe/Berlin: every time shown to this user is in it. */
  @Column('text', { name: 'time_zone' })
  timeZone: string;

  @Column('text', { array: true })
  roles: Role[];

  @Column('boolean', { default: true })
  active: boolean;

  /** First day at the company (drives support-rotation onboarding). */
  @Column('date', { name: 'started_on', nullable: true })
  startedOn: string | null;

  /** The identity provider's id for this person (SCIM `externalId`), unique when set. */
  @Column('text', { name: 'external_id', nullable: true })
  externalId: string | null;

  /** SCIM enterprise `employeeNumber`. */
  @Column('text', { name: 'employee_number', nullable: true })
  employeeNumber: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
