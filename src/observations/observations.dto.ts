import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsObject, IsString, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import { PageCursor, PageLimit } from '../common/paging.js';
import { Optional } from '../common/validation.js';

export class SaveObservationDto {
  @ApiProperty({ description: 'Answers by key (mode, segment, empathy, painPoints, quotes, themeIds, proposedThemes, lead, ideas, peak, end, negativeFeedback, focusFinding, intros, custom.*)' })
  @IsObject({ message: 'answers must be an object' })
  answers: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], description: 'Customer names to keep out of anything that leaves the form' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  markedNames?: string[];
}

/** Forms per page of GET /observations, by default and at most (the list stopped at 1,000 before it had pages). */
export const OBSERVATIONS_PAGE = 1000;

export class ListObservationsQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @Optional()
  @IsIn(['true', 'false'])
  mine?: string;

  @ApiPropertyOptional({ enum: ['open', 'draft', 'submitted', 'due', 'overdue', 'withdrawn'] })
  @Optional()
  @IsIn(['open', 'draft', 'submitted', 'due', 'overdue', 'withdrawn'])
  status?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsUUID('all', { message: 'periodId must be a UUID' })
  periodId?: string;

  @PageLimit(OBSERVATIONS_PAGE, OBSERVATIONS_PAGE, 'forms')
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class TemplateFieldDto {
  @ApiProperty({ example: 'custom.competitor' })
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9_.]{0,60}$/, { message: 'key must be a known answer key or custom.<slug>' })
  key: string;

  @ApiProperty()
  @IsString()
  @Length(1, 300)
  label: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @Length(1, 1000)
  help?: string;

  @ApiProperty()
  @IsBoolean()
  required: boolean;
}

export class PutTemplateDto {
  @ApiProperty({ type: [TemplateFieldDto] })
  @IsArray()
  @ArrayMaxSize(60)
  @ValidateNested({ each: true })
  @Type(() => TemplateFieldDto)
  fields: TemplateFieldDto[];
}
