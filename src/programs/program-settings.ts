import { ApiPropertyOptional } from '@nestjs/swagger';
import { Optional } from '../common/validation.js';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  Max,
  Min,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';

export const PROGRAM_KINDS = ['call_shadowing', 'support_rotation'] as const;
export type ProgramKind = (typeof PROGRAM_KINDS)[number];
export const PERIOD_CADENCES = ['quarter', 'month', 'none'] as const;
export type PeriodCadence = (typeof PERIOD_CADENCES)[number];
export const ROLLUP_CADENCES = ['period', 'weekly'] as const;

/**
 * Program settings; names are part of the HTTP contract (DESIGN.md). The slot engine reads its share (the
 * first six, its EngineSettings): availability imports programs, never the other way round, so the engine
 * declares what it needs and these settings satisfy it structurally.
 */
export interface ProgramSettings {
  slotMinutes: number;
  slotGridMinutes: number;
  minNoticeHours: number;
  horizonDays: number;
  seatsPerCall: number;
  repWeeklyCap: number;
  quota: number;
  sameRepLimit: number;
  cancelNoticeHours: number;
  formDueHours: number;
  periodCadence: PeriodCadence;
  rollupCadence: (typeof ROLLUP_CADENCES)[number];
  rollupRecipients: string[];
  onboardingShifts: number;
  onboardingDays: number;
}

export const DEFAULT_SETTINGS: Readonly<ProgramSettings> = Object.freeze({
  slotMinutes: 45,
  slotGridMinutes: 15,
  minNoticeHours: 12,
  horizonDays: 28,
  seatsPerCall: 1,
  repWeeklyCap: 3,
  quota: 20,
  sameRepLimit: 4,
  cancelNoticeHours: 24,
  formDueHours: 24,
  periodCadence: 'quarter',
  rollupCadence: 'period',
  rollupRecipients: [],
  onboardingShifts: 3,
  onboardingDays: 30,
});

@ValidatorConstraint({ name: 'gridDividesSlot' })
class GridFitsSlot implements ValidatorConstraintInterface {
  validate(grid: unknown, args: ValidationArguments): boolean {
    const slot = (args.object as { slotMinutes?: number }).slotMinutes ?? DEFAULT_SETTINGS.slotMinutes;
    return typeof grid === 'number' && grid <= slot;
  }
  defaultMessage(): string {
    return 'slotGridMinutes must not be longer than slotMinutes';
  }
}

const int = (min: number, max: number) => [IsInt(), Min(min), Max(max)];
function Range(min: number, max: number): PropertyDecorator {
  return (target, key) => {
    for (const d of int(min, max)) d(target, key as string);
    Optional()(target, key as string);
    ApiPropertyOptional({ minimum: min, maximum: max })(target, key as string);
  };
}

/** Partial settings as sent by the client; each missing field takes its default (or its current value on update). */
export class ProgramSettingsDto implements Partial<ProgramSettings> {
  @Range(15, 480) slotMinutes?: number;

  @Optional()
  @IsIn([5, 10, 15, 20, 30, 60], { message: 'slotGridMinutes must be one of 5, 10, 15, 20, 30, 60' })
  @Validate(GridFitsSlot)
  @ApiPropertyOptional({ enum: [5, 10, 15, 20, 30, 60] })
  slotGridMinutes?: number;

  @Range(0, 720) minNoticeHours?: number;
  @Range(1, 730) horizonDays?: number;
  @Range(1, 50) seatsPerCall?: number;
  @Range(1, 100) repWeeklyCap?: number;
  @Range(1, 500) quota?: number;
  @Range(1, 500) sameRepLimit?: number;
  @Range(0, 720) cancelNoticeHours?: number;
  @Range(1, 720) formDueHours?: number;

  @Optional()
  @IsIn(PERIOD_CADENCES)
  @ApiPropertyOptional({ enum: PERIOD_CADENCES })
  periodCadence?: PeriodCadence;

  @Optional()
  @IsIn(ROLLUP_CADENCES)
  @ApiPropertyOptional({ enum: ROLLUP_CADENCES })
  rollupCadence?: (typeof ROLLUP_CADENCES)[number];

  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsEmail({}, { each: true, message: 'each value in rollupRecipients must be an email address' })
  @ApiPropertyOptional({ type: [String] })
  rollupRecipients?: string[];

  @Range(1, 20) onboardingShifts?: number;
  @Range(1, 365) onboardingDays?: number;
}

/** Fills in defaults (or the current values) for whatever the client left out. */
export function resolveSettings(given: Partial<ProgramSettings> | undefined, base: ProgramSettings = { ...DEFAULT_SETTINGS }): ProgramSettings {
  const out: ProgramSettings = { ...DEFAULT_SETTINGS, ...base };
  for (const [k, v] of Object.entries(given ?? {})) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}
