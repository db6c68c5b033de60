import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { RollupReport } from './rollup.types.js';

@Entity('rollups')
export class Rollup {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'program_id' })
  programId: string;

  @Column('uuid', { name: 'period_id', nullable: true })
  periodId: string | null;

  @Column('timestamptz', { name: 'window_from' })
  windowFrom: Date;

  @Column('timestamptz', { name: 'window_to' })
  windowTo: Date;

  @Column('text')
  kind: 'period' | 'weekly' | 'custom';

  @Column('text')
  status: 'pending' | 'ready';

  @Column('jsonb', { nullable: true })
  report: RollupReport | null;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'generated_at', nullable: true })
  generatedAt: Date | null;
}
