import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { AcceptSuggestionDto, SuggestionPhraseDto, SuggestionWindowQuery } from './theme-suggestions.dto.js';
import { ThemeSuggestionsService } from './theme-suggestions.service.js';

/** Themes nobody tagged yet, for the lifecycle team: list, accept as a theme (and undo), dismiss (and restore). */
@ApiTags('themes')
@ApiBearerAuth()
@Controller('api/v1/programs/:id/theme-suggestions')
@Roles('lifecycle')
export class ThemeSuggestionsController {
  constructor(private readonly suggestions: ThemeSuggestionsService) {}

  @Get()
  list(@Param('id', uuid('id')) id: string, @Query() q: SuggestionWindowQuery) {
    return this.suggestions.view(id, q);
  }

  /** Creates the theme (or uses the active theme of that name) and tags the program's forms that have the phrase. */
  @Post('accept')
  accept(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: AcceptSuggestionDto) {
    return this.suggestions.accept(actor, id, dto);
  }

  @Post('acceptances/:acceptanceId/undo')
  @HttpCode(200)
  undo(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Param('acceptanceId', uuid('acceptanceId')) acceptanceId: string) {
    return this.suggestions.undo(actor, id, acceptanceId);
  }

  @Post('dismiss')
  @HttpCode(200)
  dismiss(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: SuggestionPhraseDto) {
    return this.suggestions.dismiss(actor, id, dto.phrase);
  }

  @Post('restore')
  @HttpCode(200)
  restore(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: SuggestionPhraseDto) {
    return this.suggestions.restore(actor, id, dto.phrase);
  }
}
