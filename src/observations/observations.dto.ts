import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUUID, Length, Matches, ValidateNested } from 'class-validator';

export class SaveObservationDto {
  @ApiProperty({ description: 'Answers by key (mode, segment, empathy, painPoints, quotes, themeIds, proposedThemes, lead, ideas, peak, end, negativeFeedback, focusFinding, intros, custom.*)' })
  @IsObject({ message: 'answers must be an object' })
  answers: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], description: 'Customer names to keep out of anything that leaves the form' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  markedNames?: string[];
}

export class ListObservationsQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  mine?: string;

  @ApiPropertyOptional({ enum: ['open', 'draft', 'submitted', 'due', 'overdue'] })
  @IsOptional()
  @IsIn(['open', 'draft', 'submitted', 'due', 'overdue'])
  status?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'periodId must be a UUID' })
  periodId?: string;
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
  @IsOptional()
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
