import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { AssignShiftDto, CancelShiftDto, CreateShiftTemplateDto, CreateTimeOffDto, ListShiftsQuery, ShiftAttendanceDto, SwapShiftDto } from './rotations.dto.js';
import { TimeOffRow } from './rotations.repository.js';
import { AssignmentView, GenerateResponse, RotationsService, TemplateView } from './rotations.service.js';

@ApiTags('rotations')
@ApiBearerAuth()
@Controller('api/v1')
export class RotationsController {
  constructor(private readonly rotations: RotationsService) {}

  @Post('programs/:id/shift-templates')
  @Roles('lifecycle')
  createTemplate(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: CreateShiftTemplateDto): Promise<TemplateView> {
    return this.rotations.createTemplate(actor, id, dto);
  }

  @Get('programs/:id/shift-templates')
  async listTemplates(@Param('id', uuid('id')) id: string): Promise<{ templates: TemplateView[] }> {
    return { templates: await this.rotations.listTemplates(id) };
  }

  @Post('users/:id/time-off')
  addTimeOff(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: CreateTimeOffDto): Promise<TimeOffRow> {
    return this.rotations.addTimeOff(actor, id, dto);
  }

  @Get('users/:id/time-off')
  async listTimeOff(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<{ timeOff: TimeOffRow[] }> {
    return { timeOff: await this.rotations.listTimeOff(actor, id) };
  }

  @Post('periods/:id/rotation/generate')
  @Roles('lifecycle')
  @HttpCode(200)
  generate(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<GenerateResponse> {
    return this.rotations.generate(actor, id);
  }

  /** `mine=true`: my assignments; the lifecycle team may pass `periodId` without `mine` to see everyone's. */
  @Get('shifts')
  async list(@CurrentUser() actor: User, @Query() q: ListShiftsQuery): Promise<{ shifts: AssignmentView[] }> {
    return { shifts: await this.rotations.list(actor, q) };
  }

  @Post('shift-assignments/:id/swap')
  @HttpCode(200)
  swap(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: SwapShiftDto): Promise<AssignmentView> {
    return this.rotations.swap(actor, id, dto.toShiftKey);
  }

  /** A lifecycle override: puts a marketer on a shift directly (same rules as a swap). */
  @Post('periods/:id/shift-assignments')
  @Roles('lifecycle')
  assign(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: AssignShiftDto): Promise<AssignmentView> {
    return this.rotations.assign(actor, id, dto.marketerId, dto.shiftKey);
  }

  /** A lifecycle override: cancels the assignment (a CANCEL invite goes to the marketer). */
  @Post('shift-assignments/:id/cancel')
  @HttpCode(200)
  cancel(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: CancelShiftDto): Promise<AssignmentView> {
    return this.rotations.cancel(actor, id, dto.reason);
  }

  /** Completed (opens the marketer's observation form) or no-show, once the shift has started. */
  @Post('shift-assignments/:id/attendance')
  @HttpCode(200)
  attendance(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: ShiftAttendanceDto): Promise<AssignmentView> {
    return this.rotations.attendance(actor, id, dto.outcome);
  }

  @Get('shift-assignments/:id/invite.ics')
  @Header('Content-Type', 'text/calendar; charset=utf-8')
  invite(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<string> {
    return this.rotations.inviteFile(actor, id);
  }
}
