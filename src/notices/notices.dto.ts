import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, IsUUID, Length, Matches } from 'class-validator';
import { Optional } from '../common/validation.js';
import { NOTICE_KINDS } from './notice-messages.js';

/** At most this many reps may be chosen by id (a whole roster needs no list). */
export const MAX_CHOSEN_REPS = 2000;
const SOME_TEXT = /\S/;

/** `{programId, periodId?, kind, subject, body, repIds?, actionId?}` */
export class CreateNoticeDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'programId must be a UUID' })
  programId: string;

  @ApiPropertyOptional({ format: 'uuid', description: "The period whose roster receives it; by default the program's open period, else its latest" })
  @Optional()
  @IsUUID('all', { message: 'periodId must be a UUID' })
  periodId?: string;

  @ApiProperty({ enum: NOTICE_KINDS })
  @IsIn(NOTICE_KINDS, { message: `kind must be one of ${NOTICE_KINDS.join(', ')}` })
  kind: (typeof NOTICE_KINDS)[number];

  @ApiProperty({ example: 'Spring campaign starts Monday' })
  @IsString({ message: 'subject must be text' })
  @Length(1, 200, { message: 'subject must be 1 to 200 characters' })
  @Matches(SOME_TEXT, { message: 'subject must not be blank' })
  subject: string;

  @ApiProperty({ description: 'Plain text; http(s) URLs become links that show where they go' })
  @IsString({ message: 'body must be text' })
  @Length(1, 10000, { message: 'body must be 1 to 10000 characters' })
  @Matches(SOME_TEXT, { message: 'body must not be blank' })
  body: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: "Only these reps (each on the period's roster); by default every active rep of the roster" })
  @Optional()
  @IsArray({ message: 'repIds must be a list of rep ids' })
  @ArrayMinSize(1, { message: 'repIds must name at least one rep (leave it out to send to the whole roster)' })
  @ArrayMaxSize(MAX_CHOSEN_REPS, { message: `repIds may name at most ${MAX_CHOSEN_REPS} reps` })
  @IsUUID('all', { each: true, message: 'repIds must be a list of UUIDs' })
  repIds?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'The action (of the same program) this notice carries out' })
  @Optional()
  @IsUUID('all', { message: 'actionId must be a UUID' })
  actionId?: string;
}

export class ListNoticesQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @Optional()
  @IsUUID('all', { message: 'programId must be a UUID' })
  programId?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only the notices sent to me (what a rep sees)' })
  @Optional()
  @IsIn(['true', 'false'])
  mine?: string;
}
