import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJsonResponse, entity, listOf, S, view } from '../common/openapi.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { ThemeHistory } from './theme.entity.js';
import { CreateThemeDto, ListThemesQuery, MergeThemeDto, UpdateThemeDto } from './themes.dto.js';
import { ThemesService, ThemeView } from './themes.service.js';

const THEME = view('Theme', ['id', 'name', 'description', 'parentId', 'status', 'mergedInto', 'createdBy', 'proposedBy', 'createdAt', 'updatedAt'], {
  id: S.uuid, name: S.text, description: S.textOrNull, parentId: S.uuidOrNull, status: S.text, mergedInto: S.uuidOrNull, createdBy: S.uuidOrNull, proposedBy: S.uuidOrNull, createdAt: S.instant, updatedAt: S.instant,
});

@ApiTags('themes')
@ApiBearerAuth()
@Controller('api/v1/themes')
export class ThemesController {
  constructor(private readonly themes: ThemesService) {}

  /** Every signed-in user reads active themes (marketers pick them on forms); the lifecycle team reads any status. */
  @Get()
  @ApiJsonResponse(listOf('themes', { type: 'object', description: 'A Theme; with tree=true each also has `children` (the same, nested)' }))
  async list(@CurrentUser() actor: User, @Query() q: ListThemesQuery): Promise<{ themes: unknown[] }> {
    return { themes: await this.themes.list(actor, { status: q.status, tree: q.tree === 'true' }) };
  }

  @Post()
  @Roles('lifecycle')
  @ApiJsonResponse(THEME, 201)
  @ApiErrors(409)
  create(@CurrentUser() actor: User, @Body() dto: CreateThemeDto): Promise<ThemeView> {
    return this.themes.create(actor, dto);
  }

  @Get(':id')
  @ApiJsonResponse(THEME)
  get(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<ThemeView> {
    return this.themes.get(actor, id);
  }

  /** Rename, move (parentId; null to the top level), describe. */
  @Patch(':id')
  @Roles('lifecycle')
  @ApiJsonResponse(THEME)
  @ApiErrors(409)
  update(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: UpdateThemeDto): Promise<ThemeView> {
    return this.themes.update(actor, id, dto);
  }

  @Post(':id/merge')
  @Roles('lifecycle')
  @HttpCode(200)
  @ApiJsonResponse(THEME)
  @ApiErrors(409)
  merge(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: MergeThemeDto): Promise<ThemeView> {
    return this.themes.merge(actor, id, dto.intoId);
  }

  @Post(':id/accept')
  @Roles('lifecycle')
  @HttpCode(200)
  @ApiJsonResponse(THEME)
  @ApiErrors(409)
  accept(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<ThemeView> {
    return this.themes.accept(actor, id);
  }

  @Post(':id/reject')
  @Roles('lifecycle')
  @HttpCode(200)
  @ApiJsonResponse(THEME)
  @ApiErrors(409)
  reject(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<ThemeView> {
    return this.themes.reject(actor, id);
  }

  @Get(':id/history')
  @Roles('lifecycle')
  @ApiJsonResponse(listOf('history', entity(ThemeHistory)))
  async history(@Param('id', uuid('id')) id: string): Promise<{ history: ThemeHistory[] }> {
    return { history: await this.themes.history(id) };
  }
}
