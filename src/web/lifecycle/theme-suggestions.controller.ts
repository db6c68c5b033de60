import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import type { Response } from 'express';
import { DateTime } from 'luxon';
import { DomainError } from '../../common/errors.js';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { AcceptSuggestionDto, SuggestionPhraseDto } from '../../themes/theme-suggestions.dto.js';
import { ThemeSuggestionsService } from '../../themes/theme-suggestions.service.js';
import { parseDto, submitForm, type FormBody, type FormProblem } from '../kit/forms.js';
import { html, type Html } from '../kit/html.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { lifecycleDoc, problem, valuesOf } from './lifecycle-forms.js';
import { suggestionsSection } from './theme-suggestions-views.js';

class ProgramForm {
  @IsUUID('all', { message: 'programId must be a UUID' })
  programId: string;
}

/** The window the themes page shows suggestions for: the last 90 days by default, dates in the program's zone. */
export async function buildSuggestionsSection(
  service: ThemeSuggestionsService,
  user: User,
  csrf: string,
  q: { programId?: string; from?: string; to?: string },
  problemOf?: { message?: string; errors?: Record<string, string[]>; phrase?: string; name?: string },
): Promise<Html> {
  const programs = await service.programs();
  const chosen = programs.find((p) => p.id === q.programId) ?? (q.programId ? null : programs[0]) ?? null;
  const zone = chosen?.time_zone ?? user.timeZone ?? 'UTC';
  const today = DateTime.now().setZone(zone);
  const from = typeof q.from === 'string' && q.from ? q.from : today.minus({ days: 89 }).toISODate()!;
  const to = typeof q.to === 'string' && q.to ? q.to : today.toISODate()!;
  let view = null;
  let problemShown = problemOf;
  if (!chosen) {
    if (q.programId) problemShown = { message: 'Choose a program from the list.', errors: { programId: ['There is no such program'] } };
  } else {
    try {
      view = await service.view(chosen.id, { from, to });
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      problemShown = { message: e.message, errors: typeof e.details.field === 'string' ? { [e.details.field]: [e.message] } : undefined };
    }
  }
  return suggestionsSection({ programs, programId: chosen?.id ?? null, from, to, view, problem: problemShown, csrf, zone: user.timeZone ?? zone });
}

/** The buttons of the "Suggested themes" section on /lifecycle/themes: accept as a theme, undo, dismiss, restore. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('lifecycle')
export class LifecycleThemeSuggestionsController {
  constructor(private readonly suggestions: ThemeSuggestionsService) {}

  @Post('lifecycle/theme-suggestions/accept')
  async accept(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['programId', 'phrase', 'name']);
    const [program, dto] = await Promise.all([parseDto(ProgramForm, { programId: values.programId }), parseDto(AcceptSuggestionDto, { phrase: values.phrase, name: values.name })]);
    await submitForm(res, {
      input: program.ok && dto.ok ? { ok: true, value: { programId: program.value.programId, ...dto.value } } : { ok: false, errors: { ...(program.ok ? {} : program.errors), ...(dto.ok ? {} : dto.errors) } },
      act: async (v) => {
        await this.suggestions.accept(user, v.programId, { phrase: v.phrase, name: v.name });
        return `/lifecycle/themes?programId=${encodeURIComponent(v.programId)}&notice=theme-created#suggested`;
      },
      again: (p) => this.again(user, csrf, values.programId, p, values),
      problem,
    });
  }

  @Post('lifecycle/theme-suggestions/acceptances/:acceptanceId/undo')
  async undo(@CurrentUser() user: User, @Csrf() csrf: string, @Param('acceptanceId', uuid('acceptanceId')) acceptanceId: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['programId']);
    await submitForm(res, {
      input: parseDto(ProgramForm, { programId: values.programId }),
      act: async (v) => {
        await this.suggestions.undo(user, v.programId, acceptanceId);
        return `/lifecycle/themes?programId=${encodeURIComponent(v.programId)}#suggested`;
      },
      again: (p) => this.again(user, csrf, values.programId, p),
    });
  }

  @Post('lifecycle/theme-suggestions/:decision')
  async decide(@CurrentUser() user: User, @Csrf() csrf: string, @Param('decision') decision: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    if (decision !== 'dismiss' && decision !== 'restore') throw new DomainError('not_found', `There is no suggestion action "${decision}"`);
    const values = valuesOf(body, ['programId', 'phrase']);
    const [program, dto] = await Promise.all([parseDto(ProgramForm, { programId: values.programId }), parseDto(SuggestionPhraseDto, { phrase: values.phrase })]);
    await submitForm(res, {
      input: program.ok && dto.ok ? { ok: true, value: { programId: program.value.programId, phrase: dto.value.phrase } } : { ok: false, errors: { ...(program.ok ? {} : program.errors), ...(dto.ok ? {} : dto.errors) } },
      act: async (v) => {
        if (decision === 'dismiss') await this.suggestions.dismiss(user, v.programId, v.phrase);
        else await this.suggestions.restore(user, v.programId, v.phrase);
        return `/lifecycle/themes?programId=${encodeURIComponent(v.programId)}#suggested`;
      },
      again: (p) => this.again(user, csrf, values.programId, p),
    });
  }

  /** The section again with the problem (the themes page's link above it). */
  private async again(user: User, csrf: string, programId: string, p: FormProblem, values?: Record<string, string>): Promise<Html> {
    const section = await buildSuggestionsSection(this.suggestions, user, csrf, { programId }, {
      message: p.message ?? 'The suggestion could not be changed.',
      errors: p.errors,
      phrase: values?.phrase,
      name: values?.name,
    });
    return lifecycleDoc(user, csrf, 'Suggested themes', html`<p><a href="/lifecycle/themes">← All themes</a></p>${section}`, '/lifecycle/themes');
  }
}
