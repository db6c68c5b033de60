import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, IsUUID, Length } from 'class-validator';
import { Optional, OptionalOrNull } from '../common/validation.js';
import { THEME_STATUSES, type ThemeStatus } from './theme.entity.js';
import { THEME_NAME_MAX } from './tree.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateThemeDto {
  @ApiProperty({ example: 'Pricing confusion', maxLength: THEME_NAME_MAX })
  @Transform(trim)
  @IsString()
  @Length(1, THEME_NAME_MAX)
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 })
  @OptionalOrNull()
  @Transform(trim)
  @IsString()
  @Length(0, 2000)
  description?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'An active theme to nest this one under' })
  @OptionalOrNull()
  @IsUUID('all', { message: 'parentId must be a UUID' })
  parentId?: string | null;
}

export class UpdateThemeDto {
  @ApiPropertyOptional({ maxLength: THEME_NAME_MAX, description: 'Renames the theme' })
  @Optional()
  @Transform(trim)
  @IsString()
  @Length(1, THEME_NAME_MAX)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000, description: 'null or "" clears it' })
  @OptionalOrNull()
  @Transform(trim)
  @IsString()
  @Length(0, 2000)
  description?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Moves the theme under another active theme; null moves it to the top level' })
  @OptionalOrNull()
  @IsUUID('all', { message: 'parentId must be a UUID' })
  parentId?: string | null;
}

export class MergeThemeDto {
  @ApiProperty({ description: 'The active theme this one becomes part of' })
  @IsUUID('all', { message: 'intoId must be a UUID' })
  intoId: string;
}

export class ListThemesQuery {
  @ApiPropertyOptional({ enum: THEME_STATUSES, description: 'Only the lifecycle team sees themes that are not active' })
  @Optional()
  @IsIn(THEME_STATUSES)
  status?: ThemeStatus;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: active themes nested under their parents' })
  @Optional()
  @IsIn(['true', 'false'])
  tree?: string;
}
