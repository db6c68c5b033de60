import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError } from '../../common/errors.js';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { CreateThemeDto, MergeThemeDto } from '../../themes/themes.dto.js';
import { ThemesService, type ThemeView } from '../../themes/themes.service.js';
import type { TreeNode } from '../../themes/tree.js';
import { messageOf, parseDto, submitForm, type FormBody, type Parsed } from '../kit/forms.js';
import type { Html } from '../kit/html.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { LifecycleHealthRepository } from './lifecycle-health.repository.js';
import { lifecycleDoc, MergeWhichForm, problem, ThemeDecisionForm, valuesOf } from './lifecycle-forms.js';
import { themeBody, themesBody, type ThemesPageForms } from './lifecycle-views.js';
import { ThemeSuggestionsService } from '../../themes/theme-suggestions.service.js';
import { buildSuggestionsSection } from './theme-suggestions.controller.js';
import { html } from '../kit/html.js';

/** Lifecycle pages: the theme taxonomy, proposals to accept or reject, merging, one theme's history. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('lifecycle')
export class LifecycleThemesController {
  constructor(
    private readonly themes: ThemesService,
    private readonly health: LifecycleHealthRepository,
    private readonly suggestions: ThemeSuggestionsService,
  ) {}

  @Get('lifecycle/themes')
  async themesPage(
    @CurrentUser() user: User,
    @Csrf() csrf: string,
    @Query('notice') notice?: string,
    @Query('programId') programId?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
  ): Promise<string> {
    return (await this.themesDoc(user, csrf, {}, notice, { programId, from, to })).value;
  }

  private async themesDoc(user: User, csrf: string, forms: ThemesPageForms, notice?: string, suggest: { programId?: string; from?: string; to?: string } = {}): Promise<Html> {
    const [tree, all] = await Promise.all([
      this.themes.list(user, { tree: true }) as Promise<TreeNode<ThemeView>[]>,
      this.themes.list(user, {}) as Promise<ThemeView[]>,
    ]);
    const proposed = all.filter((t) => t.status === 'proposed');
    const retired = all.filter((t) => t.status === 'merged' || t.status === 'rejected').sort((a, b) => a.name.localeCompare(b.name));
    const names = new Map<string, string>([...all.map((t) => [t.id, t.name] as [string, string])]);
    for (const [k, name] of await this.health.userNames(proposed.map((t) => t.proposedBy).filter((x): x is string => !!x))) names.set(k, name);
    const suggested = await buildSuggestionsSection(this.suggestions, user, csrf, suggest);
    return lifecycleDoc(user, csrf, 'Themes', html`${themesBody({ tree, proposed, retired, names, user, csrf, forms })}${suggested}`, '/lifecycle/themes', notice);
  }

  @Post('lifecycle/themes')
  async createTheme(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['name', 'parentId', 'description']);
    await submitForm(res, {
      input: parseDto(CreateThemeDto, {
        name: values.name,
        ...(values.parentId ? { parentId: values.parentId } : {}),
        ...(values.description ? { description: values.description } : {}),
      }),
      act: async (dto) => {
        await this.themes.create(user, dto);
        return '/lifecycle/themes?notice=theme-created';
      },
      again: (p) => this.themesDoc(user, csrf, { create: { values, errors: p.errors, message: p.message } }),
      problem,
    });
  }

  @Post('lifecycle/themes/merge')
  async mergeThemes(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['id', 'intoId']);
    const [which, into] = await Promise.all([parseDto(MergeWhichForm, { id: values.id }), parseDto(MergeThemeDto, { intoId: values.intoId })]);
    let input: Parsed<{ id: string; intoId: string }>;
    if (which.ok && into.ok) input = { ok: true, value: { id: which.value.id, intoId: into.value.intoId } };
    else {
      const errors = { ...(which.ok ? {} : which.errors), ...(into.ok ? {} : into.errors) };
      if (errors.intoId && !values.intoId) errors.intoId = ['Choose the theme to merge it into'];
      input = { ok: false, errors };
    }
    await submitForm(res, {
      input,
      act: async ({ id, intoId }) => {
        await this.themes.merge(user, id, intoId);
        return `/lifecycle/themes/${intoId}?notice=merged`;
      },
      again: (p) => this.themesDoc(user, csrf, { merge: { values, errors: p.errors, message: p.message } }),
      // The theme to merge comes from the form here, so its "not found" belongs next to that field too.
      problem: (e) => (e instanceof DomainError && e.code === 'not_found' && typeof e.details.field !== 'string' ? { errors: { id: [e.message] }, status: e.status } : problem(e)),
    });
  }

  @Post('lifecycle/themes/:id/:decision')
  async decideTheme(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Param('decision') decision: string, @Res() res: Response): Promise<void> {
    const parsed = await parseDto(ThemeDecisionForm, { decision });
    if (!parsed.ok) throw new DomainError('not_found', `There is no theme action "${decision}"`);
    await submitForm(res, {
      act: async () => {
        if (parsed.value.decision === 'accept') await this.themes.accept(user, id);
        else await this.themes.reject(user, id);
        return `/lifecycle/themes?notice=theme-${parsed.value.decision}ed`;
      },
      again: (p) => this.themesDoc(user, csrf, { decide: { errors: {}, message: messageOf(p) } }),
    });
  }

  @Get('lifecycle/themes/:id')
  async themePage(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Query('notice') notice?: string): Promise<string> {
    const theme = await this.themes.get(user, id);
    const [history, all] = await Promise.all([this.themes.history(id), this.themes.list(user, {}) as Promise<ThemeView[]>]);
    const names = new Map<string, string>(all.map((t) => [t.id, t.name]));
    for (const [k, name] of await this.health.userNames(history.map((h) => h.actorId).filter((x): x is string => !!x))) names.set(k, name);
    return lifecycleDoc(user, csrf, `Theme: ${theme.name}`, themeBody({ theme, history, names, user }), '/lifecycle/themes', notice).value;
  }
}
