import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { Optional, OptionalOrNull } from '../common/validation.js';
import { REP_NOTE_QUESTIONS } from './rep-note-messages.js';

/** Most notes a list returns (newest session first). */
export const REP_NOTES_LIMIT = 1000;

export const REP_NOTE_STATUSES = ['open', 'draft', 'submitted', 'withdrawn'] as const;

/** The rep's answers; a field left out keeps its value, null (or blank text) clears it. */
export class SaveRepNoteDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 5000, description: REP_NOTE_QUESTIONS.wish })
  @OptionalOrNull()
  @IsString({ message: 'wish must be text' })
  @MaxLength(5000, { message: 'wish must be at most 5000 characters' })
  wish?: string | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 5, description: REP_NOTE_QUESTIONS.usefulness })
  @OptionalOrNull()
  @IsInt({ message: 'usefulness must be a whole number from 1 to 5' })
  @Min(1, { message: 'usefulness must be a whole number from 1 to 5' })
  @Max(5, { message: 'usefulness must be a whole number from 1 to 5' })
  usefulness?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 5000, description: REP_NOTE_QUESTIONS.followUp })
  @OptionalOrNull()
  @IsString({ message: 'followUp must be text' })
  @MaxLength(5000, { message: 'followUp must be at most 5000 characters' })
  followUp?: string | null;

  @ApiPropertyOptional({ type: [String], description: 'Customer names to keep out of anything that leaves ridealong' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  markedNames?: string[];
}

export class ListRepNotesQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Reps always get their own; the lifecycle team gets everyone’s unless mine=true' })
  @Optional()
  @IsIn(['true', 'false'])
  mine?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsUUID('all', { message: 'programId must be a UUID' })
  programId?: string;

  @ApiPropertyOptional({ enum: REP_NOTE_STATUSES })
  @Optional()
  @IsIn(REP_NOTE_STATUSES)
  status?: (typeof REP_NOTE_STATUSES)[number];
}
