import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJsonResponse, listOf, objectOf, S, view } from '../common/openapi.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { EmpathyQuery, ListSegmentsQuery, MergeSegmentDto, RenameSegmentDto } from './segments.dto.js';
import type { SegmentHistoryRow } from './segments.repository.js';
import { EmpathyMapView, SegmentsService, SegmentView } from './segments.service.js';

const SEGMENT = view('Segment', ['id', 'name', 'status', 'mergedInto', 'keys', 'forms', 'observers', 'createdAt', 'updatedAt'], {
  id: S.uuid, name: S.text, status: { type: 'string', enum: ['active', 'merged'] }, mergedInto: S.uuidOrNull, keys: S.texts, forms: S.integer, observers: S.integer, createdAt: S.instant, updatedAt: S.instant,
});

/** Segments, curated by the lifecycle team: list, rename, merge (and undo a merge), history. */
@ApiTags('segments')
@ApiBearerAuth()
@Controller('api/v1/segments')
@Roles('lifecycle')
export class SegmentsController {
  constructor(private readonly segments: SegmentsService) {}

  @Get()
  @ApiJsonResponse(listOf('segments', SEGMENT))
  async list(@Query() q: ListSegmentsQuery): Promise<{ segments: SegmentView[] }> {
    return { segments: await this.segments.list(q) };
  }

  @Patch(':id')
  @ApiJsonResponse(SEGMENT)
  @ApiErrors(409)
  rename(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: RenameSegmentDto): Promise<SegmentView> {
    return this.segments.rename(actor, id, dto.name);
  }

  @Post(':id/merge')
  @HttpCode(200)
  @ApiJsonResponse(SEGMENT)
  @ApiErrors(409)
  merge(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: MergeSegmentDto): Promise<SegmentView> {
    return this.segments.merge(actor, id, dto.intoId);
  }

  @Post(':id/unmerge')
  @HttpCode(200)
  @ApiJsonResponse(SEGMENT)
  @ApiErrors(409)
  unmerge(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<SegmentView> {
    return this.segments.unmerge(actor, id);
  }

  @Get(':id/history')
  @ApiJsonResponse(listOf('history', objectOf(['id', 'segmentId', 'action', 'details', 'actorId', 'at'], { id: S.text, segmentId: S.uuid, action: { type: 'string', enum: ['create', 'rename', 'merge', 'unmerge'] }, details: { type: 'object' }, actorId: S.uuidOrNull, at: S.instant })))
  async history(@Param('id', uuid('id')) id: string): Promise<{ history: SegmentHistoryRow[] }> {
    return { history: await this.segments.history(id) };
  }
}

/** A program's empathy maps by segment over a window (observed and told apart). */
@ApiTags('segments')
@ApiBearerAuth()
@Controller('api/v1/programs')
@Roles('lifecycle')
export class EmpathyController {
  constructor(private readonly segments: SegmentsService) {}

  @Get(':id/empathy')
  @ApiJsonResponse(view('EmpathyMaps', ['programId', 'window', 'segments'], { programId: S.uuid, window: objectOf(['from', 'to'], { from: S.text, to: S.text }), segments: S.objects }))
  empathy(@Param('id', uuid('id')) id: string, @Query() q: EmpathyQuery): Promise<EmpathyMapView> {
    return this.segments.empathy(id, q);
  }
}
