import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length, Matches } from 'class-validator';
import { IsDateOrInstant } from '../common/time/dates.js';
import { Optional } from '../common/validation.js';
import { THEME_NAME_MAX } from './tree.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** A suggested phrase as the API returns it: two or three english lexemes (letters only) joined by one space. */
export const PHRASE = /^\p{L}{2,40}( \p{L}{2,40}){1,2}$/u;
const PHRASE_MESSAGE = 'phrase must be a suggested phrase as listed: two or three lower-case words joined by one space';

export class SuggestionWindowQuery {
  @ApiPropertyOptional({ example: '2026-10-01', description: "A date (midnight in the program's zone) or an instant; default 90 days before `to`" })
  @Optional()
  @IsDateOrInstant()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'A date (inclusive) or an instant (exclusive); default now' })
  @Optional()
  @IsDateOrInstant()
  to?: string;
}

export class SuggestionPhraseDto {
  @ApiProperty({ example: 'dark mode' })
  @IsString()
  @Matches(PHRASE, { message: PHRASE_MESSAGE })
  phrase: string;
}

export class AcceptSuggestionDto {
  @ApiProperty({ example: 'dark mode' })
  @IsString()
  @Matches(PHRASE, { message: PHRASE_MESSAGE })
  phrase: string;

  @ApiProperty({ example: 'Dark mode', maxLength: THEME_NAME_MAX, description: 'The theme to create (or an active theme of this name to tag with)' })
  @Transform(trim)
  @IsString()
  @Length(1, THEME_NAME_MAX)
  name: string;

  @ApiPropertyOptional({ description: 'Tag only forms of sessions from here (a date or an instant); default: all of the program' })
  @Optional()
  @IsDateOrInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'Tag only forms of sessions before this (a date, inclusive, or an instant)' })
  @Optional()
  @IsDateOrInstant()
  to?: string;
}
