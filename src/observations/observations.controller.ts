import { Body, Controller, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiPageResponse } from '../common/paging.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { ExportService } from './export.service.js';
import { ListObservationsQuery, PutTemplateDto, SaveObservationDto } from './observations.dto.js';
import { ObservationsService } from './observations.service.js';

@ApiTags('observations')
@ApiBearerAuth()
@Controller('api/v1')
export class ObservationsController {
  constructor(
    private readonly observations: ObservationsService,
    private readonly exports: ExportService,
  ) {}

  /** My forms (`status`: open, draft, submitted, due, overdue); the lifecycle team may list everyone's with mine=false. */
  @Get('observations')
  @ApiPageResponse('observations')
  list(@CurrentUser() actor: User, @Query() q: ListObservationsQuery) {
    return this.observations.listPage(actor, q);
  }

  /** The form with its template version, the period's focus and its edit history. Author and lifecycle team only. */
  @Get('observations/:id')
  get(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string) {
    return this.observations.get(actor, id);
  }

  /** Saves a draft as often as the author likes; after submit, an edit kept in the history. */
  @Put('observations/:id')
  save(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: SaveObservationDto) {
    return this.observations.save(actor, id, dto.answers, dto.markedNames);
  }

  /** Checks the answers against the form's template version: 400 names every failing field. */
  @Post('observations/:id/submit')
  submit(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string) {
    return this.observations.submit(actor, id);
  }

  @Get('programs/:id/form-template')
  template(@Param('id', uuid('id')) id: string) {
    return this.observations.getTemplate(id);
  }

  /** A new template version (old forms keep theirs). */
  @Put('programs/:id/form-template')
  @Roles('lifecycle')
  putTemplate(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: PutTemplateDto) {
    return this.observations.putTemplate(actor, id, dto.fields);
  }

  /** CSV of the period's submitted forms, redacted. */
  @Get('periods/:id/observations.csv')
  @Roles('lifecycle')
  async export(@Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    await this.exports.assertPeriod(id);
    res.status(200).type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="observations-${id}.csv"`);
    await this.exports.write(id, res);
    res.end();
  }
}
