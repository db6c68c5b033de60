import { Body, Controller, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors, ApiJsonResponse, ApiTextResponse, entity, listOf, objectOf, S } from '../common/openapi.js';
import { NEXT_CURSOR_DOC } from '../common/paging.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { ExportService } from './export.service.js';
import { FormTemplate, Observation } from './observation.entity.js';
import { ListObservationsQuery, PutTemplateDto, SaveObservationDto } from './observations.dto.js';
import { ObservationsService } from './observations.service.js';

/** A form as read one by one: the stored form, its period's focus, its template version's fields and its edit history. */
const OBSERVATION_READ = {
  allOf: [entity(Observation), objectOf(['focus', 'template', 'history'], { focus: { nullable: true }, template: S.objects, history: S.objects })],
};

@ApiTags('observations')
@ApiBearerAuth()
@ApiErrors(403) // the author writes; the lifecycle team reads
@Controller('api/v1')
export class ObservationsController {
  constructor(
    private readonly observations: ObservationsService,
    private readonly exports: ExportService,
  ) {}

  /** My forms (`status`: open, draft, submitted, due, overdue); the lifecycle team may list everyone's with mine=false. */
  @Get('observations')
  @ApiJsonResponse(listOf('observations', entity(Observation), { nextCursor: { ...NEXT_CURSOR_DOC, type: 'string' } }))
  list(@CurrentUser() actor: User, @Query() q: ListObservationsQuery) {
    return this.observations.listPage(actor, q);
  }

  /** The form with its template version, the period's focus and its edit history. Author and lifecycle team only. */
  @Get('observations/:id')
  @ApiJsonResponse(OBSERVATION_READ)
  get(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string) {
    return this.observations.get(actor, id);
  }

  /** Saves a draft as often as the author likes; after submit, an edit kept in the history. */
  @Put('observations/:id')
  @ApiJsonResponse(entity(Observation))
  @ApiErrors(409)
  save(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: SaveObservationDto) {
    return this.observations.save(actor, id, dto.answers, dto.markedNames);
  }

  /** Checks the answers against the form's template version: 400 names every failing field. */
  @Post('observations/:id/submit')
  @ApiJsonResponse(entity(Observation), 201)
  @ApiErrors(409)
  submit(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string) {
    return this.observations.submit(actor, id);
  }

  @Get('programs/:id/form-template')
  @ApiJsonResponse(entity(FormTemplate))
  template(@Param('id', uuid('id')) id: string) {
    return this.observations.getTemplate(id);
  }

  /** A new template version (old forms keep theirs). */
  @Put('programs/:id/form-template')
  @Roles('lifecycle')
  @ApiJsonResponse(entity(FormTemplate))
  putTemplate(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: PutTemplateDto) {
    return this.observations.putTemplate(actor, id, dto.fields);
  }

  /** CSV of the period's submitted forms, redacted. */
  @Get('periods/:id/observations.csv')
  @Roles('lifecycle')
  @ApiTextResponse('text/csv', "The period's submitted forms, redacted (CSV, streamed)")
  async export(@Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    await this.exports.assertPeriod(id);
    res.status(200).type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="observations-${id}.csv"`);
    await this.exports.write(id, res);
    res.end();
  }
}
