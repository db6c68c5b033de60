import { Module } from '@nestjs/common';
import { ThemeSuggestionsController } from './theme-suggestions.controller.js';
import { ThemeSuggestionsRepository } from './theme-suggestions.repository.js';
import { ThemeSuggestionsService } from './theme-suggestions.service.js';
import { ThemesController } from './themes.controller.js';
import { ThemesRepository } from './themes.repository.js';
import { ThemesService } from './themes.service.js';

@Module({
  controllers: [ThemesController, ThemeSuggestionsController],
  providers: [ThemesRepository, ThemesService, ThemeSuggestionsRepository, ThemeSuggestionsService],
  exports: [ThemesRepository, ThemesService, ThemeSuggestionsService],
})
export class ThemesModule {}
