import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { Optional } from '../common/validation.js';

const clean = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : value);

export const SEGMENT_NAME_MAX = 120;

export class ListSegmentsQuery {
  @ApiPropertyOptional({ description: 'Only segments with forms in this program (their counts are of its forms)' })
  @Optional()
  @IsUUID('all', { message: 'programId must be a UUID' })
  programId?: string;

  @ApiPropertyOptional({ enum: ['active', 'merged'] })
  @Optional()
  @IsIn(['active', 'merged'])
  status?: 'active' | 'merged';
}

export class RenameSegmentDto {
  @ApiProperty({ example: 'Mid-market', maxLength: SEGMENT_NAME_MAX })
  @Transform(clean)
  @IsString()
  @Length(1, SEGMENT_NAME_MAX)
  name: string;
}

export class MergeSegmentDto {
  @ApiProperty({ description: 'The active segment this one counts as from now on' })
  @IsUUID('all', { message: 'intoId must be a UUID' })
  intoId: string;
}

export class EmpathyQuery {
  @ApiPropertyOptional({ description: "Start: a date in the program's zone or an instant (default: 90 days before `to`)" })
  @Optional()
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({ description: "End (exclusive instant, or a date: through that day in the program's zone; default now)" })
  @Optional()
  @IsString()
  @MaxLength(40)
  to?: string;
}
