import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { IsIsoDate } from '../common/time/dates.js';
import { Optional, OptionalOrNull } from '../common/validation.js';
import { ACTION_KINDS, ACTION_STATUSES, type ActionKind, type ActionStatus } from './action-status.js';

/** Themes and ideas one action may answer. */
export const MAX_ACTION_THEMES = 50;
export const MAX_ACTION_IDEAS = 50;
const SOME_TEXT = /\S/;

/** `{programId, rollupId?, themeIds[], ideaRefs?, kind, title, detail?, ownerId, dueOn?}` */
export class CreateActionDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'programId must be a UUID' })
  programId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The rollup (of the program) the action comes from; needed for ideaRefs' })
  @Optional()
  @IsUUID('all', { message: 'rollupId must be a UUID' })
  rollupId?: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Themes the action answers (may be empty); a merged theme counts as the theme it was merged into' })
  @IsArray({ message: 'themeIds must be a list of theme ids' })
  @ArrayMaxSize(MAX_ACTION_THEMES, { message: `themeIds may name at most ${MAX_ACTION_THEMES} themes` })
  @IsUUID('all', { each: true, message: 'themeIds must be a list of UUIDs' })
  themeIds: string[];

  @ApiPropertyOptional({ type: [Number], description: "Indexes into the rollup's report.ideas (needs rollupId); stored as a snapshot of the ideas" })
  @Optional()
  @IsArray({ message: 'ideaRefs must be a list of idea indexes' })
  @ArrayMaxSize(MAX_ACTION_IDEAS, { message: `ideaRefs may name at most ${MAX_ACTION_IDEAS} ideas` })
  @IsInt({ each: true, message: 'ideaRefs must be whole numbers' })
  @Min(0, { each: true, message: 'ideaRefs must be 0 or more' })
  @Max(100000, { each: true, message: 'ideaRefs must be indexes of the rollup’s ideas' })
  ideaRefs?: number[];

  @ApiProperty({ enum: ACTION_KINDS })
  @IsIn(ACTION_KINDS, { message: `kind must be one of ${ACTION_KINDS.join(', ')}` })
  kind: ActionKind;

  @ApiProperty({ example: 'One-pager on the new pricing for the reps' })
  @IsString({ message: 'title must be text' })
  @Length(1, 200, { message: 'title must be 1 to 200 characters' })
  @Matches(SOME_TEXT, { message: 'title must not be blank' })
  title: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'detail must be text' })
  @Length(1, 5000, { message: 'detail must be 1 to 5000 characters' })
  detail?: string;

  @ApiProperty({ format: 'uuid', description: 'An active member of the lifecycle team' })
  @IsUUID('all', { message: 'ownerId must be a UUID' })
  ownerId: string;

  @ApiPropertyOptional({ example: '2026-12-18' })
  @Optional()
  @IsIsoDate({ message: 'dueOn must be a date like 2026-12-18' })
  dueOn?: string;
}

/** `{status?, title?, detail?, ownerId?, dueOn?, themeIds?}`; `dueOn: null` and `detail: null` clear. */
export class UpdateActionDto {
  @ApiPropertyOptional({ enum: ACTION_STATUSES, description: 'open -> in_progress -> done | dropped; open may go straight to done or dropped; done or dropped may be reopened' })
  @Optional()
  @IsIn(ACTION_STATUSES, { message: `status must be one of ${ACTION_STATUSES.join(', ')}` })
  status?: ActionStatus;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'title must be text' })
  @Length(1, 200, { message: 'title must be 1 to 200 characters' })
  @Matches(SOME_TEXT, { message: 'title must not be blank' })
  title?: string;

  @ApiPropertyOptional({ nullable: true })
  @OptionalOrNull()
  @IsString({ message: 'detail must be text' })
  @Length(1, 5000, { message: 'detail must be 1 to 5000 characters' })
  detail?: string | null;

  @ApiPropertyOptional({ format: 'uuid' })
  @Optional()
  @IsUUID('all', { message: 'ownerId must be a UUID' })
  ownerId?: string;

  @ApiPropertyOptional({ nullable: true, example: '2026-12-18' })
  @OptionalOrNull()
  @IsIsoDate({ message: 'dueOn must be a date like 2026-12-18' })
  dueOn?: string | null;

  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @Optional()
  @IsArray({ message: 'themeIds must be a list of theme ids' })
  @ArrayMaxSize(MAX_ACTION_THEMES, { message: `themeIds may name at most ${MAX_ACTION_THEMES} themes` })
  @IsUUID('all', { each: true, message: 'themeIds must be a list of UUIDs' })
  themeIds?: string[];
}

export class ListActionsQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @Optional()
  @IsUUID('all', { message: 'programId must be a UUID' })
  programId?: string;

  @ApiPropertyOptional({ enum: [...ACTION_STATUSES, 'pending'], description: 'pending: open or in progress' })
  @Optional()
  @IsIn([...ACTION_STATUSES, 'pending'], { message: `status must be one of ${[...ACTION_STATUSES, 'pending'].join(', ')}` })
  status?: ActionStatus | 'pending';

  @ApiPropertyOptional({ format: 'uuid' })
  @Optional()
  @IsUUID('all', { message: 'ownerId must be a UUID' })
  ownerId?: string;
}
