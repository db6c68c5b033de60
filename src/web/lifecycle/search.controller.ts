import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { ProgramsService } from '../../programs/programs.service.js';
import { SearchQuery } from '../../search/search.dto.js';
import { SearchService, type SearchPage } from '../../search/search.service.js';
import { formProblem, parseDto, sendHtml, type FormProblem } from '../kit/forms.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { lifecycleDoc } from './lifecycle-forms.js';
import { searchBody, type SearchValues } from './search-views.js';

const KEYS = ['q', 'programId', 'periodId', 'themeId', 'segment', 'mode', 'limit', 'cursor'] as const;

/** Lifecycle page: search every submitted form and rep note, with the API's filters and paging. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('lifecycle')
export class LifecycleSearchController {
  constructor(
    private readonly search: SearchService,
    private readonly programs: ProgramsService,
  ) {}

  @Get('lifecycle/search')
  async searchPage(@CurrentUser() user: User, @Csrf() csrf: string, @Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const raw: Record<string, string> = {};
    for (const k of KEYS) {
      const v = query[k];
      if (typeof v === 'string' && v.trim() !== '') raw[k] = k === 'q' || k === 'segment' ? v : v.trim();
    }
    const values: SearchValues = { q: raw.q ?? '', programId: raw.programId ?? '', periodId: raw.periodId ?? '', themeId: raw.themeId ?? '', segment: raw.segment ?? '', mode: raw.mode ?? '', limit: raw.limit ?? '' };
    const programs = await this.programs.listPrograms();
    const programNames = new Map(programs.map((p) => [p.id, p.name]));
    let page: SearchPage | null = null;
    let problem: FormProblem | undefined;
    if (raw.q !== undefined || Object.keys(raw).length > 0) {
      const parsed = await parseDto(SearchQuery, raw);
      if (!parsed.ok) problem = { errors: parsed.errors, status: 400 };
      else {
        try {
          page = await this.search.search(parsed.value);
        } catch (e) {
          problem = formProblem(e);
        }
      }
    }
    const body = searchBody({ values, programs, page, errors: problem?.errors, message: problem?.message, programNames });
    sendHtml(res, problem?.status ?? 200, lifecycleDoc(user, csrf, 'Search', body, '/lifecycle/search'));
  }
}
