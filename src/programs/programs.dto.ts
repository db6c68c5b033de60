import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsString, IsUUID, Length, Max, Min, ValidateNested } from 'class-validator';
import { IsIsoDate } from '../common/time/dates.js';
import { Optional, OptionalOrNull } from '../common/validation.js';
import { IsIanaZone } from '../common/time/time-zone.js';
import { PROGRAM_KINDS, ProgramSettingsDto, type ProgramKind } from './program-settings.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateProgramDto {
  @ApiProperty({ example: 'Rep Life EMEA' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: PROGRAM_KINDS })
  @IsIn(PROGRAM_KINDS)
  kind: ProgramKind;

  @ApiProperty({ example: 'Europe/London', description: 'The zone period dates are read in' })
  @IsIanaZone()
  timeZone: string;

  @ApiPropertyOptional({ type: ProgramSettingsDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => ProgramSettingsDto)
  settings?: ProgramSettingsDto;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'The preparation guide sent with confirmations and reminders (null: the default guide)' })
  @OptionalOrNull()
  @Transform(trim)
  @IsString()
  @Length(1, 4000)
  preparationNote?: string | null;
}

/**
 * Any of a program's fields but its kind; only the given settings change. `skipNullProperties: false`:
 * a field left out is kept, a field sent as null is validated (and refused unless it may be null).
 */
export class UpdateProgramDto extends PartialType(OmitType(CreateProgramDto, ['kind'] as const), { skipNullProperties: false }) {}

export class CreatePeriodDto {
  @ApiProperty({ example: '2027-01-01' })
  @IsIsoDate()
  startsOn: string;

  @ApiProperty({ example: '2027-03-31', description: 'Last day, inclusive' })
  @IsIsoDate()
  endsOn: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'The problem the team suspects and wants to learn about' })
  @OptionalOrNull()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  focus?: string | null;
}

export class UpdatePeriodDto {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'null or "" clears it' })
  @OptionalOrNull()
  @Transform(trim)
  @IsString()
  @Length(0, 2000)
  focus?: string | null;
}

export class InviteRepDto {
  @ApiProperty()
  @IsUUID('all', { message: 'repId must be a UUID' })
  repId: string;
}

export class UpdateRosterDto {
  @ApiProperty({ enum: ['invited', 'active', 'declined', 'removed'] })
  @IsIn(['invited', 'active', 'declined', 'removed'])
  status: 'invited' | 'active' | 'declined' | 'removed';
}

export class EnrollDto {
  @ApiProperty()
  @IsUUID('all', { message: 'marketerId must be a UUID' })
  marketerId: string;

  @ApiPropertyOptional({ description: "Defaults to the program's quota setting" })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(1000)
  quota?: number;
}

export class UpdateEnrollmentDto {
  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(1000)
  quota: number;
}

export class RosterQuery {
  @ApiPropertyOptional({ description: 'true: my own entries (reps)' })
  @Optional()
  @IsIn(['true', 'false'])
  mine?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsUUID('all', { message: 'periodId must be a UUID' })
  periodId?: string;
}
