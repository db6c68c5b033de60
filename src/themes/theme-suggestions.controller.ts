import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJsonResponse, objectOf, S, view } from '../common/openapi.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { AcceptSuggestionDto, SuggestionPhraseDto, SuggestionWindowQuery } from './theme-suggestions.dto.js';
import { ThemeSuggestionsService } from './theme-suggestions.service.js';

const ACCEPTANCE = view('ThemeSuggestionAcceptance', ['id', 'phrase', 'themeId', 'themeName', 'createdTheme', 'tagged', 'acceptedAt', 'undoneAt'], {
  id: S.uuid, phrase: S.text, themeId: S.uuid, themeName: S.text, createdTheme: S.boolean, tagged: S.integer, acceptedAt: S.instant, undoneAt: S.instantOrNull,
});
const PHRASE_STATE = view('SuggestionPhraseState', ['phrase', 'dismissed'], { phrase: S.text, dismissed: S.boolean });

/** Themes nobody tagged yet, for the lifecycle team: list, accept as a theme (and undo), dismiss (and restore). */
@ApiTags('themes')
@ApiBearerAuth()
@Controller('api/v1/programs/:id/theme-suggestions')
@Roles('lifecycle')
export class ThemeSuggestionsController {
  constructor(private readonly suggestions: ThemeSuggestionsService) {}

  @Get()
  @ApiJsonResponse(
    view('ThemeSuggestions', ['programId', 'window', 'minObservers', 'suggestions', 'accepted', 'dismissed'], {
      programId: S.uuid, window: objectOf(['from', 'to'], { from: S.text, to: S.text }), minObservers: S.integer, suggestions: S.objects, accepted: { type: 'array', items: ACCEPTANCE }, dismissed: S.objects,
    }),
  )
  list(@Param('id', uuid('id')) id: string, @Query() q: SuggestionWindowQuery) {
    return this.suggestions.view(id, q);
  }

  /** Creates the theme (or uses the active theme of that name) and tags the program's forms that have the phrase. */
  @Post('accept')
  @ApiJsonResponse(ACCEPTANCE, 201)
  @ApiErrors(409)
  accept(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: AcceptSuggestionDto) {
    return this.suggestions.accept(actor, id, dto);
  }

  @Post('acceptances/:acceptanceId/undo')
  @HttpCode(200)
  @ApiJsonResponse(ACCEPTANCE)
  @ApiErrors(409)
  undo(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Param('acceptanceId', uuid('acceptanceId')) acceptanceId: string) {
    return this.suggestions.undo(actor, id, acceptanceId);
  }

  @Post('dismiss')
  @HttpCode(200)
  @ApiJsonResponse(PHRASE_STATE)
  dismiss(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: SuggestionPhraseDto) {
    return this.suggestions.dismiss(actor, id, dto.phrase);
  }

  @Post('restore')
  @HttpCode(200)
  @ApiJsonResponse(PHRASE_STATE)
  restore(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: SuggestionPhraseDto) {
    return this.suggestions.restore(actor, id, dto.phrase);
  }
}
