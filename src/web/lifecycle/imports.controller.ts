import { Body, Controller, Get, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError } from '../../common/errors.js';
import { ImportResult, ImportsService } from '../../imports/imports.service.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { checked, formProblem, sendHtml, text, type FormBody } from '../kit/forms.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { importBody, type ImportPageState } from './imports-views.js';
import { lifecycleDoc } from './lifecycle-forms.js';

/** The lifecycle page for importing people from a CSV: paste, preview (a dry run), apply. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('lifecycle')
export class LifecycleImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Get('lifecycle/people/import')
  importPage(@CurrentUser() user: User, @Csrf() csrf: string): string {
    return this.doc(user, csrf, { csv: '', welcome: false }).value;
  }

  @Post('lifecycle/people/import')
  async submit(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const csv = text(body, 'csv');
    const welcome = checked(body, 'welcome');
    const apply = text(body, 'mode') === 'apply';
    if (!csv.trim()) return sendHtml(res, 400, this.doc(user, csrf, { csv, welcome, errors: { csv: ['Paste a CSV with its header row'] } }));
    let result: ImportResult;
    try {
      result = await this.imports.importPeople(user, csv, { dryRun: !apply, welcome });
    } catch (e) {
      // An import refused for its rows shows the same preview (each row's problems beside it), at 422.
      if (e instanceof DomainError && e.code === 'unprocessable' && Array.isArray((e.details as { rows?: unknown }).rows)) {
        return sendHtml(res, 422, this.doc(user, csrf, { csv, welcome, result: e.details as unknown as ImportResult, message: e.message }));
      }
      const p = formProblem(e);
      const errors = Object.fromEntries(Object.entries(p.errors).map(([k, v]) => [k === 'body' || k === 'columns' ? 'csv' : k, v]));
      return sendHtml(res, p.status, this.doc(user, csrf, { csv, welcome, errors, message: p.message }));
    }
    return sendHtml(res, 200, this.doc(user, csrf, { csv: apply ? '' : csv, welcome, result }));
  }

  private doc(user: User, csrf: string, state: ImportPageState) {
    return lifecycleDoc(user, csrf, 'Import people', importBody({ csrf, state }), '/lifecycle/people');
  }
}
