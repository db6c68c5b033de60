import { Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { DomainError } from '../common/errors.js';
import { ApiErrors, ApiJsonResponse, view } from '../common/openapi.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { ImportPeopleQuery } from './imports.dto.js';
import { ImportResult, ImportsService } from './imports.service.js';
import { CSV_MEDIA_TYPES } from './people-csv.js';

@ApiTags('imports')
@ApiBearerAuth()
@Controller('api/v1/imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  /** People from a CSV (header email,name,roles,timeZone[,startedOn,rosterPeriodId,enrolPeriodId,quota]). */
  @Post('people')
  @Roles('lifecycle')
  @HttpCode(200)
  @ApiConsumes('text/csv')
  @ApiBody({
    description: 'The CSV itself, a header line first (UTF-8, at most 5 MB; application/csv is taken too).',
    schema: { type: 'string', example: 'email,name,roles,timeZone,startedOn\nana@example.com,Ana Silva,marketer,Europe/Lisbon,2026-01-05\n' },
  })
  @ApiJsonResponse(view('ImportResult', ['dryRun', 'applied', 'totals', 'welcomeEmails', 'rows'], { dryRun: { type: 'boolean' }, applied: { type: 'boolean' }, welcomeEmails: { type: 'integer' }, rows: { type: 'array', items: { type: 'object' } } }))
  @ApiErrors(415, 422) // not text/csv; a row has an error (details hold every row's answer)
  @ApiOperation({
    summary: 'Import people from a CSV body (text/csv)',
    description:
      'Header email,name,roles,timeZone and optionally startedOn,rosterPeriodId,enrolPeriodId,quota; roles separated by ";". ' +
      'Answers every row with its outcome; dryRun=false applies all rows or none (422 with the same rows).',
  })
  people(@CurrentUser() actor: User, @Query() q: ImportPeopleQuery, @Req() req: Request): Promise<ImportResult> {
    if (typeof req.body !== 'string' || !req.is(CSV_MEDIA_TYPES)) {
      throw new DomainError('unsupported_media_type', 'Send the CSV as the body with Content-Type: text/csv', { field: 'body' });
    }
    return this.imports.importPeople(actor, req.body, { dryRun: q.dryRun, welcome: q.welcome ?? false });
  }
}
