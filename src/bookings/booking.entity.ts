import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const BOOKING_STATUSES = ['confirmed', 'cancelled', 'completed', 'no_show'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
export type NoShowParty = 'rep' | 'marketer' | 'customer';

/** One marketer on one rep's call. */
@Entity('bookings')
export class Booking {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'period_id' })
  periodId: string;

  @Column('uuid', { name: 'rep_id' })
  repId: string;

  @Column('uuid', { name: 'marketer_id' })
  marketerId: string;

  @Column('timestamptz', { name: 'starts_at' })
  startsAt: Date;

  @Column('timestamptz', { name: 'ends_at' })
  endsAt: Date;

  @Column('text')
  status: BookingStatus;

  /** iCalendar UID: never changes, through reschedules and cancellation. */
  @Column('text')
  uid: string;

  /** iCalendar SEQUENCE: rises on every change a calendar should see. */
  @Column('int')
  sequence: number;

  /** Which seat of the call (1..seatsAllowed): the exclusion constraint keeps seats from overlapping. */
  @Column('int', { select: true })
  seat: number;

  @Column('int', { name: 'seats_allowed' })
  seatsAllowed: number;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column('timestamptz', { name: 'cancelled_at', nullable: true })
  cancelledAt: Date | null;

  @Column('uuid', { name: 'cancelled_by', nullable: true })
  cancelledBy: string | null;

  @Column('text', { name: 'cancel_reason', nullable: true })
  cancelReason: string | null;

  /** Cancelled inside the program's cancellation notice. */
  @Column('boolean', { name: 'late_cancel', nullable: true })
  lateCancel: boolean | null;

  @Column('text', { name: 'no_show_party', nullable: true })
  noShowParty: NoShowParty | null;

  @Column('uuid', { name: 'attendance_by', nullable: true })
  attendanceBy: string | null;

  @Column('timestamptz', { name: 'attendance_at', nullable: true })
  attendanceAt: Date | null;

  /**
   * The label, call type and marketing-sourced flag of the rep's window the booking was made (or last moved)
   * into, kept as they were then: editing availability later does not rewrite them. Null when the window had none.
   */
  @Column('text', { nullable: true })
  label: string | null;

  @Column('text', { name: 'call_type', nullable: true })
  callType: string | null;

  @Column('boolean', { name: 'marketing_sourced', nullable: true })
  marketingSourced: boolean | null;

  /** The opened customer call (a calendar event of the rep) this booking sits on; it follows the event's moves. */
  @Column('uuid', { name: 'customer_call_id', nullable: true })
  customerCallId: string | null;
}

@Entity('waitlist_entries')
export class WaitlistEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'period_id' })
  periodId: string;

  @Column('uuid', { name: 'rep_id' })
  repId: string;

  @Column('uuid', { name: 'marketer_id' })
  marketerId: string;

  @Column('timestamptz', { name: 'starts_at' })
  startsAt: Date;

  @Column('text')
  status: 'waiting' | 'booked' | 'left' | 'expired';

  @Column('uuid', { name: 'booking_id', nullable: true })
  bookingId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
