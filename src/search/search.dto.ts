import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Length, Matches } from 'class-validator';
import { PageCursor, PageLimit } from '../common/paging.js';
import { Optional } from '../common/validation.js';
import { SEARCH_Q_MAX } from './search-text.js';

export const SEARCH_PAGE = 20;
export const SEARCH_PAGE_MAX = 100;

/** GET /api/v1/observations/search: what to look for, the filters, the page. */
export class SearchQuery {
  @ApiProperty({
    example: '"export to csv" -excel OR spreadsheet',
    description: `Words as typed in a search box (PostgreSQL websearch_to_tsquery, english): all words must occur (stemmed: "exports" finds "exporting"); "quoted phrase"; -word excludes; OR between alternatives. 1 to ${SEARCH_Q_MAX} characters.`,
  })
  @IsString({ message: 'q must be the text to search for' })
  @Length(1, SEARCH_Q_MAX, { message: `q must be 1 to ${SEARCH_Q_MAX} characters` })
  @Matches(/\S/, { message: 'q must contain a word to search for' })
  q: string;

  @ApiPropertyOptional()
  @Optional()
  @IsUUID('all', { message: 'programId must be a UUID' })
  programId?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsUUID('all', { message: 'periodId must be a UUID' })
  periodId?: string;

  @ApiPropertyOptional({ description: 'Forms tagged with this theme or a theme merged into it (rep notes have no themes: left out)' })
  @Optional()
  @IsUUID('all', { message: 'themeId must be a UUID' })
  themeId?: string;

  @ApiPropertyOptional({ description: 'A segment id, or a segment as written ("mid market"): forms of that segment and the segments merged into it (rep notes left out)' })
  @Optional()
  @IsString()
  @Length(1, 120, { message: 'segment must be a segment id or name of 1 to 120 characters' })
  segment?: string;

  @ApiPropertyOptional({ enum: ['behavior', 'feedback'], description: 'Observed (behavior) or told (feedback) forms only (rep notes left out)' })
  @Optional()
  @IsIn(['behavior', 'feedback'], { message: 'mode must be behavior or feedback' })
  mode?: 'behavior' | 'feedback';

  @PageLimit(SEARCH_PAGE, SEARCH_PAGE_MAX, 'results')
  limit?: number;

  @PageCursor()
  cursor?: string;
}
