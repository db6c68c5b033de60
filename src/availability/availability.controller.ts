import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Clock } from '../common/clock.js';
import { ApiErrors, ApiJsonResponse, objectOf, view } from '../common/openapi.js';
import { todayIn } from '../common/time/dates.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { PutAvailabilityDto, PutOverrideDto, SlotsQuery, SlotsResponseDto } from './availability.dto.js';
import { AvailabilityService, AvailabilityView } from './availability.service.js';
import { writeSlots } from './slots-json.js';
import { SlotsService, type SlotsResult } from './slots.service.js';

const CLOSE = Buffer.from('}');

/** The `/slots` response body: the result's fields, then its slots array written from the engine's columns. */
function slotsBody(r: SlotsResult): Buffer {
  const head = { periodId: r.periodId, timeZone: r.timeZone, from: r.from, to: r.to, nextCursor: r.nextCursor, ...(r.marketer ? { marketer: r.marketer } : {}) };
  return writeSlots(r.slots, Buffer.from(`${JSON.stringify(head).slice(0, -1)},"slots":`), CLOSE);
}

const WINDOW = objectOf(['start', 'end', 'label?', 'callType?', 'marketingSourced?'], { start: { type: 'string' }, end: { type: 'string' }, label: { type: 'string' }, callType: { type: 'string' }, marketingSourced: { type: 'boolean' } });
const AVAILABILITY = view('AvailabilityView', ['repId', 'timeZone', 'weekly', 'overrides'], {
  timeZone: { type: 'string', nullable: true },
  weekly: { type: 'array', items: objectOf(['weekday', 'start', 'end'], { weekday: { type: 'integer', minimum: 1, maximum: 7 }, start: { type: 'string' }, end: { type: 'string' } }) },
  overrides: { type: 'array', items: objectOf(['date', 'windows'], { date: { type: 'string', format: 'date' }, windows: { type: 'array', items: WINDOW } }) },
});
const OVERRIDE = view('DateOverrideView', ['repId', 'date', 'windows'], { date: { type: 'string', format: 'date' }, windows: { type: 'array', items: WINDOW } });

@ApiTags('availability')
@ApiBearerAuth()
@ApiErrors(403) // that rep, or the lifecycle team
@Controller('api/v1')
export class AvailabilityController {
  constructor(
    private readonly availability: AvailabilityService,
    private readonly slots: SlotsService,
    private readonly clock: Clock,
  ) {}

  @Get('reps/:repId/availability')
  @ApiJsonResponse(AVAILABILITY)
  get(@CurrentUser() actor: User, @Param('repId', uuid('repId')) repId: string): Promise<AvailabilityView> {
    return this.availability.get(actor, repId, todayIn(actor.timeZone, this.clock.now()));
  }

  /** Replaces the rep's weekly windows (local times in `timeZone`). */
  @Put('reps/:repId/availability')
  @ApiJsonResponse(AVAILABILITY)
  put(@CurrentUser() actor: User, @Param('repId', uuid('repId')) repId: string, @Body() dto: PutAvailabilityDto): Promise<AvailabilityView> {
    return this.availability.putWeekly(actor, repId, dto, todayIn(actor.timeZone, this.clock.now()));
  }

  /** Replaces one local date's windows; `windows: []` blocks the date. */
  @Put('reps/:repId/overrides/:date')
  @ApiJsonResponse(OVERRIDE)
  putOverride(@CurrentUser() actor: User, @Param('repId', uuid('repId')) repId: string, @Param('date') date: string, @Body() dto: PutOverrideDto) {
    return this.availability.putOverride(actor, repId, date, dto);
  }

  @Delete('reps/:repId/overrides/:date')
  @HttpCode(204)
  deleteOverride(@CurrentUser() actor: User, @Param('repId', uuid('repId')) repId: string, @Param('date') date: string): Promise<void> {
    return this.availability.deleteOverride(actor, repId, date);
  }

  /** Open slots of a period's active roster, as UTC instants plus local time in the requested zone. */
  @Get('slots')
  @ApiOkResponse({ type: SlotsResponseDto })
  async search(@CurrentUser() actor: User, @Query() q: SlotsQuery, @Res() res: Response): Promise<void> {
    // Thousands of slots: the body is written from the engine's columns, not via objects and JSON.stringify.
    res.type('application/json').send(slotsBody(await this.slots.search(actor, q)));
  }
}
