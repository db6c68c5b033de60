import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJsonResponse, ApiTextResponse, listOf, S, view } from '../common/openapi.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { AssignShiftDto, CancelShiftDto, CreateShiftTemplateDto, CreateTimeOffDto, ListShiftsQuery, ShiftAttendanceDto, SwapShiftDto } from './rotations.dto.js';
import { TimeOffRow } from './rotations.repository.js';
import { AssignmentView, GenerateResponse, RotationsService, TemplateView } from './rotations.service.js';

const ASSIGNMENT = view('ShiftAssignment', ['id', 'periodId', 'templateId', 'shiftKey', 'shiftDate', 'queue?', 'queueTimeZone?', 'startsAt', 'endsAt', 'localStart', 'marketerId', 'status', 'uid', 'sequence'], {
  id: S.uuid, periodId: S.uuid, templateId: S.uuid, shiftKey: S.text, shiftDate: S.date, queue: S.text, queueTimeZone: S.text, startsAt: S.instant, endsAt: S.instant,
  localStart: S.text, marketerId: S.uuid, status: S.text, uid: S.text, sequence: S.integer,
});
const TEMPLATE = view('ShiftTemplate', ['id', 'weekday', 'start', 'end', 'timeZone', 'queue', 'capacity', 'programId', 'active', 'createdAt'], {
  id: S.uuid, weekday: { type: 'integer', minimum: 1, maximum: 7 }, start: S.text, end: S.text, timeZone: S.text, queue: S.text, capacity: S.integer, programId: S.uuid, active: S.boolean, createdAt: S.instant,
});
const TIME_OFF = view('TimeOff', ['id', 'user_id', 'starts_at', 'ends_at', 'reason', 'created_at'], { id: S.uuid, user_id: S.uuid, starts_at: S.instant, ends_at: S.instant, reason: S.textOrNull, created_at: S.instant });

@ApiTags('rotations')
@ApiBearerAuth()
@ApiErrors(403) // the marketer's own (or the user's own time off), or the lifecycle team
@Controller('api/v1')
export class RotationsController {
  constructor(private readonly rotations: RotationsService) {}

  @Post('programs/:id/shift-templates')
  @Roles('lifecycle')
  @ApiJsonResponse(TEMPLATE, 201)
  @ApiErrors(409)
  createTemplate(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: CreateShiftTemplateDto): Promise<TemplateView> {
    return this.rotations.createTemplate(actor, id, dto);
  }

  @Get('programs/:id/shift-templates')
  @ApiJsonResponse(listOf('templates', TEMPLATE))
  async listTemplates(@Param('id', uuid('id')) id: string): Promise<{ templates: TemplateView[] }> {
    return { templates: await this.rotations.listTemplates(id) };
  }

  @Post('users/:id/time-off')
  @ApiJsonResponse(TIME_OFF, 201)
  addTimeOff(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: CreateTimeOffDto): Promise<TimeOffRow> {
    return this.rotations.addTimeOff(actor, id, dto);
  }

  @Get('users/:id/time-off')
  @ApiJsonResponse(listOf('timeOff', TIME_OFF))
  async listTimeOff(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<{ timeOff: TimeOffRow[] }> {
    return { timeOff: await this.rotations.listTimeOff(actor, id) };
  }

  @Post('periods/:id/rotation/generate')
  @Roles('lifecycle')
  @HttpCode(200)
  @ApiJsonResponse(listOf('assignments', ASSIGNMENT, { report: { type: 'object' } }))
  @ApiErrors(409, 422)
  generate(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<GenerateResponse> {
    return this.rotations.generate(actor, id);
  }

  /** `mine=true`: my assignments; the lifecycle team may pass `periodId` without `mine` to see everyone's. */
  @Get('shifts')
  @ApiJsonResponse(listOf('shifts', ASSIGNMENT))
  async list(@CurrentUser() actor: User, @Query() q: ListShiftsQuery): Promise<{ shifts: AssignmentView[] }> {
    return { shifts: await this.rotations.list(actor, q) };
  }

  @Post('shift-assignments/:id/swap')
  @HttpCode(200)
  @ApiJsonResponse(ASSIGNMENT)
  @ApiErrors(409)
  swap(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: SwapShiftDto): Promise<AssignmentView> {
    return this.rotations.swap(actor, id, dto.toShiftKey);
  }

  /** A lifecycle override: puts a marketer on a shift directly (same rules as a swap). */
  @Post('periods/:id/shift-assignments')
  @Roles('lifecycle')
  @ApiJsonResponse(ASSIGNMENT, 201)
  @ApiErrors(409)
  assign(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: AssignShiftDto): Promise<AssignmentView> {
    return this.rotations.assign(actor, id, dto.marketerId, dto.shiftKey);
  }

  /** A lifecycle override: cancels the assignment (a CANCEL invite goes to the marketer). */
  @Post('shift-assignments/:id/cancel')
  @HttpCode(200)
  @ApiJsonResponse(ASSIGNMENT)
  @ApiErrors(409)
  cancel(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: CancelShiftDto): Promise<AssignmentView> {
    return this.rotations.cancel(actor, id, dto.reason);
  }

  /** Completed (opens the marketer's observation form) or no-show, once the shift has started. */
  @Post('shift-assignments/:id/attendance')
  @HttpCode(200)
  @ApiJsonResponse(ASSIGNMENT)
  @ApiErrors(409)
  attendance(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: ShiftAttendanceDto): Promise<AssignmentView> {
    return this.rotations.attendance(actor, id, dto.outcome);
  }

  @Get('shift-assignments/:id/invite.ics')
  @Header('Content-Type', 'text/calendar; charset=utf-8')
  @ApiTextResponse('text/calendar', 'The current invite (iCalendar, METHOD REQUEST or CANCEL)')
  invite(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<string> {
    return this.rotations.inviteFile(actor, id);
  }
}
