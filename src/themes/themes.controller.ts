import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { ThemeHistory } from './theme.entity.js';
import { CreateThemeDto, ListThemesQuery, MergeThemeDto, UpdateThemeDto } from './themes.dto.js';
import { ThemesService, ThemeView } from './themes.service.js';

@ApiTags('themes')
@ApiBearerAuth()
@Controller('api/v1/themes')
export class ThemesController {
  constructor(private readonly themes: ThemesService) {}

  /** Every signed-in user reads active themes (marketers pick them on forms); the lifecycle team reads any status. */
  @Get()
  async list(@CurrentUser() actor: User, @Query() q: ListThemesQuery): Promise<{ themes: unknown[] }> {
    return { themes: await this.themes.list(actor, { status: q.status, tree: q.tree === 'true' }) };
  }

  @Post()
  @Roles('lifecycle')
  create(@CurrentUser() actor: User, @Body() dto: CreateThemeDto): Promise<ThemeView> {
    return this.themes.create(actor, dto);
  }

  @Get(':id')
  get(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<ThemeView> {
    return this.themes.get(actor, id);
  }

  /** Rename, move (parentId; null to the top level), describe. */
  @Patch(':id')
  @Roles('lifecycle')
  update(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: UpdateThemeDto): Promise<ThemeView> {
    return this.themes.update(actor, id, dto);
  }

  @Post(':id/merge')
  @Roles('lifecycle')
  @HttpCode(200)
  merge(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: MergeThemeDto): Promise<ThemeView> {
    return this.themes.merge(actor, id, dto.intoId);
  }

  @Post(':id/accept')
  @Roles('lifecycle')
  @HttpCode(200)
  accept(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<ThemeView> {
    return this.themes.accept(actor, id);
  }

  @Post(':id/reject')
  @Roles('lifecycle')
  @HttpCode(200)
  reject(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<ThemeView> {
    return this.themes.reject(actor, id);
  }

  @Get(':id/history')
  @Roles('lifecycle')
  async history(@Param('id', uuid('id')) id: string): Promise<{ history: ThemeHistory[] }> {
    return { history: await this.themes.history(id) };
  }
}
