import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsISO8601, IsString, IsUUID, Length } from 'class-validator';
import { PageCursor, PageLimit } from '../common/paging.js';
import { Optional } from '../common/validation.js';
import { IsInstant, IsSaneIso } from '../common/time/dates.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateBookingDto {
  @ApiProperty()
  @IsUUID('all', { message: 'periodId must be a UUID' })
  periodId: string;

  @ApiProperty()
  @IsUUID('all', { message: 'repId must be a UUID' })
  repId: string;

  @ApiProperty({ example: '2027-03-15T13:00:00.000Z', description: 'A slot start from GET /slots' })
  @IsInstant()
  startsAt: string;

  @ApiPropertyOptional({ description: 'The lifecycle team books for a marketer; a marketer books for themself' })
  @Optional()
  @IsUUID('all', { message: 'marketerId must be a UUID' })
  marketerId?: string;
}

export class CancelBookingDto {
  @ApiProperty({ example: 'Customer moved the call' })
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  reason: string;
}

export class RescheduleBookingDto {
  @ApiProperty()
  @IsInstant()
  startsAt: string;

  @ApiPropertyOptional({ description: 'Move to another rep of the roster' })
  @Optional()
  @IsUUID('all', { message: 'repId must be a UUID' })
  repId?: string;
}

export const OUTCOMES = ['completed', 'marketer_no_show', 'rep_no_show', 'customer_no_show'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export class AttendanceDto {
  @ApiProperty({ enum: OUTCOMES })
  @IsIn(OUTCOMES)
  outcome: Outcome;
}

/** Bookings per page of GET /bookings, by default and at most (the list stopped at 1,000 before it had pages). */
export const BOOKINGS_PAGE = 1000;

export class ListBookingsQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: "true: bookings I am in (as marketer or rep); the lifecycle team may list everyone's" })
  @Optional()
  @IsIn(['true', 'false'])
  mine?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsISO8601({ strict: true }, { message: 'from must be a date or an instant' })
  @IsSaneIso()
  from?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsISO8601({ strict: true }, { message: 'to must be a date or an instant' })
  @IsSaneIso()
  to?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsUUID('all', { message: 'periodId must be a UUID' })
  periodId?: string;

  @ApiPropertyOptional({ enum: ['confirmed', 'cancelled', 'completed', 'no_show'] })
  @Optional()
  @IsIn(['confirmed', 'cancelled', 'completed', 'no_show'])
  status?: string;

  @PageLimit(BOOKINGS_PAGE, BOOKINGS_PAGE, 'bookings')
  limit?: number;

  @PageCursor()
  cursor?: string;
}

/** The call to wait for: the same three fields as a booking. */
export class JoinWaitlistDto extends PickType(CreateBookingDto, ['periodId', 'repId', 'startsAt'] as const) {}
