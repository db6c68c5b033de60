import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { WallWindow, WeeklyWindow } from './engine/slot-engine.js';

/** A rep's weekly windows: local wall-clock times in `timeZone`, expanded per date by the slot engine. */
@Entity('availability')
export class Availability {
  @PrimaryColumn('uuid', { name: 'rep_id' })
  repId: string;

  @Column('text', { name: 'time_zone' })
  timeZone: string;

  @Column('jsonb')
  weekly: WeeklyWindow[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** Replaces one local date's windows; no windows blocks the date. */
@Entity('availability_overrides')
export class AvailabilityOverride {
  @PrimaryColumn('uuid', { name: 'rep_id' })
  repId: string;

  @PrimaryColumn('date', { name: 'on_date' })
  date: string;

  @Column('jsonb')
  windows: WallWindow[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
