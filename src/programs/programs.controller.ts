import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
  createProgram(@CurrentUser() actor: User, @Body() dto: CreateProgramDto): Promise<Program> {
    return this.programs.createProgram(actor, dto);
  }

  /** Every user reads programs; the rollup recipients (email addresses) only the lifecycle team. */
  @Get('programs')
  async listPrograms(@CurrentUser() actor: User): Promise<{ programs: ProgramView[] }> {
    return { programs: (await this.programs.listPrograms()).map((p) => programFor(actor.roles, p)) };
  }

  @Get('programs/:id')
  async getProgram(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<ProgramView> {
    return programFor(actor.roles, await this.programs.getProgram(id));
  }

  @Patch('programs/:id')
  @Roles('lifecycle')
  updateProgram(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: UpdateProgramDto): Promise<Program> {
    return this.programs.updateProgram(actor, id, dto);
  }

  @Post('programs/:id/periods')
  @Roles('lifecycle')
  createPeriod(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: CreatePeriodDto): Promise<Period> {
    return this.programs.createPeriod(actor, id, dto);
  }

  @Get('programs/:id/periods')
  async listPeriods(@Param('id', uuid('id')) id: string): Promise<{ periods: Period[] }> {
    return { periods: await this.programs.listPeriods(id) };
  }

  @Get('periods/:id')
  getPeriod(@Param('id', uuid('id')) id: string): Promise<Period> {
    return this.programs.getPeriod(id);
  }

  @Patch('periods/:id')
  @Roles('lifecycle')
  updatePeriod(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: UpdatePeriodDto): Promise<Period> {
    return this.programs.updatePeriod(actor, id, dto);
  }

  @Post('periods/:id/roster')
  @Roles('lifecycle')
  invite(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: InviteRepDto): Promise<RosterEntry> {
    return this.programs.inviteRep(actor, id, dto.repId);
  }

  /** `mine=true`: my own entries (a rep's invitations); otherwise a period's roster, for the lifecycle team. */
  @Get('roster')
  async listRoster(@CurrentUser() actor: User, @Query() q: RosterQuery): Promise<{ entries: RosterEntry[] }> {
    return { entries: await this.programs.listRoster(actor, { mine: q.mine === 'true', periodId: q.periodId }) };
  }

  @Get('periods/:id/roster')
  @Roles('lifecycle')
  async periodRoster(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<{ entries: RosterEntry[] }> {
    return { entries: await this.programs.listRoster(actor, { mine: false, periodId: id }) };
  }

  /** The rep accepts (`active`) or declines; the lifecycle team removes or re-invites. */
  @Patch('roster/:entryId')
  updateRoster(@CurrentUser() actor: User, @Param('entryId', uuid('entryId')) id: string, @Body() dto: UpdateRosterDto): Promise<RosterEntry> {
    return this.programs.updateRoster(actor, id, dto.status);
  }

  @Post('periods/:id/enrollments')
  @Roles('lifecycle')
  enroll(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: EnrollDto): Promise<Enrollment> {
    return this.programs.enroll(actor, id, dto);
  }

  /** The lifecycle team sees every enrolment; a marketer sees their own. */
  @Get('periods/:id/enrollments')
  async listEnrollments(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<{ enrollments: Enrollment[] }> {
    return { enrollments: await this.programs.listEnrollments(actor, id) };
  }

  @Patch('enrollments/:id')
  @Roles('lifecycle')
  updateEnrollment(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: UpdateEnrollmentDto): Promise<Enrollment> {
    return this.programs.updateEnrollment(actor, id, dto);
  }
}
