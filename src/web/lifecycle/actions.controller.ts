import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import type { Response } from 'express';
import { CreateActionDto, UpdateActionDto } from '../../actions/actions.dto.js';
import { ActionsService } from '../../actions/actions.service.js';
import { validationError } from '../../common/validation.js';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { parseDto, submitForm, text, texts, type FormBody } from '../kit/forms.js';
import type { Html } from '../kit/html.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { actionBody, actionsBody, newActionBody, type ActionFormState } from './actions-views.js';
import { lifecycleDoc, problem, valuesOf } from './lifecycle-forms.js';

/** A query id: absent, or a UUID (else a 400 naming it). */
function queryId(name: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !isUUID(value)) throw validationError([{ field: name, problems: [`${name} must be a UUID`] }]);
  return value;
}

/** Where a status button returns: a lifecycle page of this app only (never another site). */
const BACK = /^\/lifecycle(\/actions(\/[0-9a-f-]{36})?)?(\?programId=[0-9a-f-]{36})?$/;

/** A form number: the number when it is one, else the text (so validation names the field). */
const numberOrText = (s: string): number | string => (/^\d{1,6}$/.test(s) ? Number(s) : s);

/** Lifecycle pages: every action (by program), turning a rollup's themes and ideas into one, and one action with its history. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('lifecycle')
export class LifecycleActionsController {
  constructor(private readonly actions: ActionsService) {}

  @Get('lifecycle/actions')
  async actionsPage(@CurrentUser() user: User, @Csrf() csrf: string, @Query('programId') programIdQ?: unknown, @Query('notice') notice?: string): Promise<string> {
    const programId = queryId('programId', programIdQ);
    const [{ actions }, programs] = await Promise.all([this.actions.list({ programId }), this.actions.programs()]);
    const name = programs.find((p) => p.id === programId)?.name;
    return lifecycleDoc(user, csrf, name ? `Actions: ${name}` : 'Actions', actionsBody({ actions, programs, programId, user, csrf }), '/lifecycle/actions', notice).value;
  }

  @Get('lifecycle/actions/new')
  async newPage(@CurrentUser() user: User, @Csrf() csrf: string, @Query('rollupId') rollupIdQ?: unknown, @Query('programId') programIdQ?: unknown): Promise<string> {
    const rollupId = queryId('rollupId', rollupIdQ);
    const programId = queryId('programId', programIdQ);
    return (await this.newDoc(user, csrf, { rollupId, programId })).value;
  }

  private async newDoc(user: User, csrf: string, q: { rollupId?: string; programId?: string }, state?: ActionFormState): Promise<Html> {
    const c = await this.actions.formChoices(q);
    const body = newActionBody({ rollup: c.rollup, programId: c.programId, programs: c.programs, themes: c.themes, ideas: c.ideas, owners: c.owners, user, csrf, state });
    return lifecycleDoc(user, csrf, 'New action', body, '/lifecycle/actions');
  }

  @Post('lifecycle/actions')
  async create(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['programId', 'rollupId', 'kind', 'title', 'detail', 'ownerId', 'dueOn']);
    const themeIds = texts(body, 'themeIds');
    const ideaRefs = texts(body, 'ideaRefs');
    const optional = (name: string) => (values[name] ? { [name]: values[name] } : {});
    // The form again: from the rollup it came from when that is one, else with the program to choose.
    const rollupId = isUUID(values.rollupId) ? values.rollupId : undefined;
    const programId = !rollupId && isUUID(values.programId) ? values.programId : undefined;
    await submitForm(res, {
      input: parseDto(CreateActionDto, {
        programId: values.programId,
        themeIds,
        kind: values.kind,
        title: values.title,
        ownerId: values.ownerId,
        ...(ideaRefs.length ? { ideaRefs: ideaRefs.map(numberOrText) } : {}),
        ...optional('rollupId'),
        ...optional('detail'),
        ...optional('dueOn'),
      }),
      act: async (dto) => `/lifecycle/actions/${(await this.actions.create(user, dto)).id}?notice=action-created`,
      again: async (p) => {
        try {
          return await this.newDoc(user, csrf, { rollupId, programId }, { values, themeIds, ideaRefs, errors: p.errors, message: p.message });
        } catch {
          // The rollup or program named is gone: the form without it.
          return this.newDoc(user, csrf, {}, { values, themeIds, ideaRefs, errors: p.errors, message: p.message });
        }
      },
      problem,
    });
  }

  @Get('lifecycle/actions/:id')
  async actionPage(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Query('notice') notice?: string): Promise<string> {
    return (await this.actionDoc(user, csrf, id, undefined, notice)).value;
  }

  private async actionDoc(user: User, csrf: string, id: string, edit?: ActionFormState, notice?: string, moveProblem?: string): Promise<Html> {
    const action = await this.actions.get(id);
    const themeIds = new Set([...action.themeIds, ...action.history.flatMap((h) => Object.values(h.changes).flatMap((c) => [c.from, c.to].filter(Array.isArray).flat() as string[]))]);
    const [themeNames, owners] = await Promise.all([this.actions.themeNames([...themeIds]), this.actions.owners()]);
    return lifecycleDoc(user, csrf, action.title, actionBody({ action, themeNames, owners, user, csrf, edit, moveProblem }), '/lifecycle/actions', notice);
  }

  @Post('lifecycle/actions/:id')
  async update(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    await this.actions.get(id); // an unknown action: 404 before anything else
    const values = valuesOf(body, ['title', 'detail', 'ownerId', 'dueOn']);
    await submitForm(res, {
      input: parseDto(UpdateActionDto, {
        title: values.title,
        ownerId: values.ownerId,
        // Emptied: cleared.
        detail: text(body, 'detail') === '' ? null : String(body.detail),
        dueOn: values.dueOn === '' ? null : values.dueOn,
      }),
      act: async (dto) => {
        await this.actions.update(user, id, dto);
        return `/lifecycle/actions/${id}?notice=action-saved`;
      },
      again: (p) => this.actionDoc(user, csrf, id, { values, errors: p.errors, message: p.message }),
      problem,
    });
  }

  @Post('lifecycle/actions/:id/status')
  async move(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    await this.actions.get(id);
    const back = BACK.test(text(body, 'back')) ? text(body, 'back') : `/lifecycle/actions/${id}`;
    await submitForm(res, {
      input: parseDto(UpdateActionDto, { status: text(body, 'status') }),
      act: async (dto) => {
        await this.actions.update(user, id, { status: dto.status });
        return `${back}${back.includes('?') ? '&' : '?'}notice=action-saved`;
      },
      again: (p) => this.actionDoc(user, csrf, id, undefined, undefined, p.message),
      problem: (e) => {
        const p = problem(e);
        // A step the action cannot take is said at the top of its page.
        return { ...p, errors: {}, message: p.message ?? Object.values(p.errors).flat().join('; ') };
      },
    });
  }
}
