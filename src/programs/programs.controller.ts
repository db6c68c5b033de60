import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJsonResponse, entity, listOf } from '../common/openapi.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { Enrollment, Period, Program, RosterEntry } from './program.entity.js';
import { programFor, type ProgramView } from './program-view.js';
import {
  CreatePeriodDto,
  CreateProgramDto,
  EnrollDto,
  InviteRepDto,
  RosterQuery,
  UpdateEnrollmentDto,
  UpdatePeriodDto,
  UpdateProgramDto,
  UpdateRosterDto,
} from './programs.dto.js';
import { ProgramsService } from './programs.service.js';

@ApiTags('programs')
@ApiBearerAuth()
@Controller('api/v1')
export class ProgramsController {
  constructor(private readonly programs: ProgramsService) {}

  @Post('programs')
  @Roles('lifecycle')
  @ApiJsonResponse(entity(Program), 201)
  @ApiErrors(409)
  createProgram(@CurrentUser() actor: User, @Body() dto: CreateProgramDto): Promise<Program> {
    return this.programs.createProgram(actor, dto);
  }

  /** Every user reads programs; the rollup recipients (email addresses) only the lifecycle team. */
  @Get('programs')
  @ApiJsonResponse(listOf('programs', entity(Program)))
  async listPrograms(@CurrentUser() actor: User): Promise<{ programs: ProgramView[] }> {
    return { programs: (await this.programs.listPrograms()).map((p) => programFor(actor.roles, p)) };
  }

  @Get('programs/:id')
  @ApiJsonResponse(entity(Program))
  async getProgram(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<ProgramView> {
    return programFor(actor.roles, await this.programs.getProgram(id));
  }

  @Patch('programs/:id')
  @Roles('lifecycle')
  @ApiJsonResponse(entity(Program))
  @ApiErrors(409)
  updateProgram(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: UpdateProgramDto): Promise<Program> {
    return this.programs.updateProgram(actor, id, dto);
  }

  @Post('programs/:id/periods')
  @Roles('lifecycle')
  @ApiJsonResponse(entity(Period), 201)
  @ApiErrors(409)
  createPeriod(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: CreatePeriodDto): Promise<Period> {
    return this.programs.createPeriod(actor, id, dto);
  }

  @Get('programs/:id/periods')
  @ApiJsonResponse(listOf('periods', entity(Period)))
  async listPeriods(@Param('id', uuid('id')) id: string): Promise<{ periods: Period[] }> {
    return { periods: await this.programs.listPeriods(id) };
  }

  @Get('periods/:id')
  @ApiJsonResponse(entity(Period))
  getPeriod(@Param('id', uuid('id')) id: string): Promise<Period> {
    return this.programs.getPeriod(id);
  }

  @Patch('periods/:id')
  @Roles('lifecycle')
  @ApiJsonResponse(entity(Period))
  @ApiErrors(409)
  updatePeriod(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: UpdatePeriodDto): Promise<Period> {
    return this.programs.updatePeriod(actor, id, dto);
  }

  @Post('periods/:id/roster')
  @Roles('lifecycle')
  @ApiJsonResponse(entity(RosterEntry), 201)
  @ApiErrors(409)
  invite(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: InviteRepDto): Promise<RosterEntry> {
    return this.programs.inviteRep(actor, id, dto.repId);
  }

  /** `mine=true`: my own entries (a rep's invitations); otherwise a period's roster, for the lifecycle team. */
  @Get('roster')
  @ApiJsonResponse(listOf('entries', entity(RosterEntry)))
  @ApiErrors(403)
  async listRoster(@CurrentUser() actor: User, @Query() q: RosterQuery): Promise<{ entries: RosterEntry[] }> {
    return { entries: await this.programs.listRoster(actor, { mine: q.mine === 'true', periodId: q.periodId }) };
  }

  @Get('periods/:id/roster')
  @Roles('lifecycle')
  @ApiJsonResponse(listOf('entries', entity(RosterEntry)))
  async periodRoster(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<{ entries: RosterEntry[] }> {
    return { entries: await this.programs.listRoster(actor, { mine: false, periodId: id }) };
  }

  /** The rep accepts (`active`) or declines; the lifecycle team removes or re-invites. */
  @Patch('roster/:entryId')
  @ApiJsonResponse(entity(RosterEntry))
  @ApiErrors(403, 409)
  updateRoster(@CurrentUser() actor: User, @Param('entryId', uuid('entryId')) id: string, @Body() dto: UpdateRosterDto): Promise<RosterEntry> {
    return this.programs.updateRoster(actor, id, dto.status);
  }

  @Post('periods/:id/enrollments')
  @Roles('lifecycle')
  @ApiJsonResponse(entity(Enrollment), 201)
  @ApiErrors(409)
  enroll(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: EnrollDto): Promise<Enrollment> {
    return this.programs.enroll(actor, id, dto);
  }

  /** The lifecycle team sees every enrolment; a marketer sees their own. */
  @Get('periods/:id/enrollments')
  @ApiJsonResponse(listOf('enrollments', entity(Enrollment)))
  async listEnrollments(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<{ enrollments: Enrollment[] }> {
    return { enrollments: await this.programs.listEnrollments(actor, id) };
  }

  @Patch('enrollments/:id')
  @Roles('lifecycle')
  @ApiJsonResponse(entity(Enrollment))
  @ApiErrors(409)
  updateEnrollment(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: UpdateEnrollmentDto): Promise<Enrollment> {
    return this.programs.updateEnrollment(actor, id, dto);
  }
}
