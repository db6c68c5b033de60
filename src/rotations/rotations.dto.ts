import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { Optional } from '../common/validation.js';
import { IsInstant } from '../common/time/dates.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Shapes only; the engine's `validateTemplate` decides the rest (HH:mm, end after start, IANA zone). */
export class CreateShiftTemplateDto {
  @ApiProperty({ minimum: 1, maximum: 7, description: 'ISO weekday in timeZone: 1 = Monday .. 7 = Sunday' })
  @IsInt({ message: 'weekday must be an integer from 1 (Monday) to 7 (Sunday)' })
  weekday: number;

  @ApiProperty({ example: '09:00' })
  @IsString({ message: 'start must be a local time HH:mm' })
  start: string;

  @ApiProperty({ example: '12:00', description: 'Local HH:mm after start, up to 24:00' })
  @IsString({ message: 'end must be a local time HH:mm' })
  end: string;

  @ApiProperty({ example: 'America/New_York' })
  @IsString({ message: 'timeZone must be an IANA time zone' })
  timeZone: string;

  @ApiProperty({ example: 'billing' })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  queue: string;

  @ApiProperty({ minimum: 1, maximum: 100, description: 'Marketers per shift' })
  @IsInt({ message: 'capacity must be an integer from 1 to 100' })
  @Min(1, { message: 'capacity must be an integer from 1 to 100' })
  @Max(100, { message: 'capacity must be an integer from 1 to 100' })
  capacity: number;
}

export class CreateTimeOffDto {
  @ApiProperty({ example: '2027-03-15T00:00:00Z' })
  @IsInstant()
  startsAt: string;

  @ApiProperty({ example: '2027-03-17T00:00:00Z' })
  @IsInstant()
  endsAt: string;

  @ApiPropertyOptional()
  @Optional()
  @Transform(trim)
  @IsString()
  @Length(0, 1000)
  reason?: string;
}

export class ListShiftsQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: "true: my own assignments; the lifecycle team may pass periodId without mine to see everyone's" })
  @Optional()
  @IsIn(['true', 'false'])
  mine?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsUUID('all', { message: 'periodId must be a UUID' })
  periodId?: string;
}

export class SwapShiftDto {
  @ApiProperty({ example: '7f0c...@2027-03-15', description: 'A shift key `${templateId}@${yyyy-MM-dd}` of the same period' })
  @IsString()
  @Length(1, 100)
  toShiftKey: string;
}

export class CancelShiftDto {
  @ApiProperty({ example: 'Queue closed for the holiday' })
  @IsString()
  @Length(1, 1000)
  reason: string;
}

export class ShiftAttendanceDto {
  @ApiProperty({ enum: ['completed', 'no_show'] })
  @IsIn(['completed', 'no_show'])
  outcome: 'completed' | 'no_show';
}

export class AssignShiftDto {
  @ApiProperty()
  @IsUUID('all', { message: 'marketerId must be a UUID' })
  marketerId: string;

  @ApiProperty({ example: '6a1f0c3e-8b1d-4c55-9a0e-2f4f7d9b1c11@2027-03-15', description: '`${templateId}@yyyy-MM-dd`' })
  @IsString()
  @Length(1, 60)
  shiftKey: string;
}
