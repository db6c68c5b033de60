import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { IsDateOrInstant } from '../common/time/dates.js';
import { Optional } from '../common/validation.js';
import { NEXT_CURSOR_DOC, PageCursor, PageLimit } from '../common/paging.js';
import { IsIanaZone } from '../common/time/time-zone.js';

/** Slots per page of GET /slots: the default and the most a caller may ask for. */
export const SLOTS_PAGE = { default: 1000, max: 5000 } as const;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const HHMM = /^\d{2}:\d{2}$/;

export class WindowDto {
  @ApiProperty({ example: '09:00', description: 'Local wall-clock time, HH:mm' })
  @IsString()
  @Matches(HHMM, { message: 'start must be a time like 09:00' })
  start: string;

  @ApiProperty({ example: '12:00', description: 'Local wall-clock time, HH:mm; 24:00 ends at midnight' })
  @IsString()
  @Matches(HHMM, { message: 'end must be a time like 12:00' })
  end: string;

  @ApiPropertyOptional({ example: 'Renewal calls' })
  @Optional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  label?: string;

  @ApiPropertyOptional({ example: 'discovery' })
  @Optional()
  @Transform(trim)
  @IsString()
  @Length(1, 50)
  callType?: string;

  @ApiPropertyOptional({ description: 'The calls in this window follow up marketing-sourced leads' })
  @Optional()
  @IsBoolean()
  marketingSourced?: boolean;
}

export class WeeklyWindowDto extends WindowDto {
  @ApiProperty({ minimum: 1, maximum: 7, description: 'ISO weekday: 1 Monday … 7 Sunday' })
  @IsInt()
  @Min(1)
  @Max(7)
  weekday: number;
}

export class PutAvailabilityDto {
  @ApiProperty({ example: 'America/New_York', description: "The rep's zone the windows are read in" })
  @IsIanaZone()
  timeZone: string;

  @ApiProperty({ type: [WeeklyWindowDto] })
  @IsArray()
  @ArrayMaxSize(70)
  @ValidateNested({ each: true })
  @Type(() => WeeklyWindowDto)
  weekly: WeeklyWindowDto[];
}

export class PutOverrideDto {
  @ApiProperty({ type: [WindowDto], description: '[] blocks the date' })
  @IsArray()
  @ArrayMaxSize(24)
  @ValidateNested({ each: true })
  @Type(() => WindowDto)
  windows: WindowDto[];
}

export class SlotsQuery {
  @ApiProperty()
  @IsUUID('all', { message: 'periodId must be a UUID' })
  periodId: string;

  @ApiProperty({ example: '2027-03-08', description: 'ISO date (00:00 in timeZone) or date-time with offset, years 2000 to 2200' })
  @IsDateOrInstant()
  from: string;

  @ApiProperty({ example: '2027-03-14', description: 'Exclusive; a date means the end of that day in timeZone; years 2000 to 2200' })
  @IsDateOrInstant()
  to: string;

  @ApiPropertyOptional()
  @Optional()
  @IsUUID('all', { message: 'repId must be a UUID' })
  repId?: string;

  @ApiPropertyOptional({ description: "Apply this marketer's own commitments and limits (default: me, when I am a marketer)" })
  @Optional()
  @IsUUID('all', { message: 'marketerId must be a UUID' })
  marketerId?: string;

  @ApiPropertyOptional({ description: "Zone of localStart and of date-only from/to (default: the caller's zone)" })
  @Optional()
  @IsIanaZone()
  timeZone?: string;

  @ApiPropertyOptional({ description: 'Filter by call type' })
  @Optional()
  @IsString()
  @Length(1, 50)
  callType?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only slots following up marketing-sourced leads' })
  @Optional()
  @IsIn(['true', 'false'])
  marketingSourced?: string;

  @ApiPropertyOptional({
    description:
      'Search for moving this booking: list slots as if it were not held (its seat, its time in the rep\'s and the marketer\'s calendars, its place in the caps and the quota), as the reschedule decides. Only the booking\'s marketer or the lifecycle team; marketerId defaults to its marketer.',
  })
  @Optional()
  @IsUUID('all', { message: 'excludeBookingId must be a UUID' })
  excludeBookingId?: string;

  @PageLimit(SLOTS_PAGE.default, SLOTS_PAGE.max, 'slots')
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class SlotDto {
  @ApiProperty() repId: string;
  @ApiProperty({ example: '2027-03-15T13:00:00.000Z' }) startsAt: string;
  @ApiProperty() endsAt: string;
  @ApiProperty({ example: '2027-03-15T09:00:00-04:00', description: 'startsAt in the requested zone' }) localStart: string;
  @ApiProperty() capacityLeft: number;
  @ApiPropertyOptional() label?: string;
  @ApiPropertyOptional() callType?: string;
  @ApiPropertyOptional() marketingSourced?: boolean;
  @ApiPropertyOptional({ description: 'Set when the slot is a customer call the rep opened from their calendar (its event id); the slot then has the event’s start and end' })
  customerCallId?: string;
}

export class MarketerLimitsDto {
  @ApiProperty() marketerId: string;
  @ApiProperty() enrolled: boolean;
  @ApiProperty({ nullable: true, type: Number }) quota: number | null;
  @ApiProperty() booked: number;
  @ApiProperty() quotaReached: boolean;
}

export class SlotsResponseDto {
  @ApiProperty() periodId: string;
  @ApiProperty({ description: 'The zone of localStart' }) timeZone: string;
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiPropertyOptional({ type: MarketerLimitsDto, description: "Present when a marketer's commitments were applied" }) marketer?: MarketerLimitsDto;
  @ApiProperty({ type: [SlotDto], description: 'Ordered by startsAt, then repId; at most `limit` per page' }) slots: SlotDto[];
  @ApiProperty(NEXT_CURSOR_DOC) nextCursor: string | null;
}
