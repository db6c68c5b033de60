import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import type { Response } from 'express';
import { ApiJsonResponse, entity, listOf, S, view } from '../common/openapi.js';
import { IsDateOrInstant } from '../common/time/dates.js';
import { Optional } from '../common/validation.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { Rollup } from './rollup.entity.js';
import { RollupsService } from './rollups.service.js';

class RunRollupDto {
  @ApiProperty()
  @IsUUID('all', { message: 'programId must be a UUID' })
  programId: string;

  @ApiProperty({ example: '2026-10-01', description: "A date (midnight in the program's zone) or an instant" })
  @IsDateOrInstant()
  from: string;

  @ApiProperty({ example: '2026-12-31', description: 'A date (inclusive) or an instant (exclusive)' })
  @IsDateOrInstant()
  to: string;
}

class ListRollupsQuery {
  @ApiPropertyOptional()
  @Optional()
  @IsUUID('all', { message: 'programId must be a UUID' })
  programId?: string;
}

const ROLLUP_SUMMARY = view('RollupSummary', ['id', 'programId', 'periodId', 'windowFrom', 'windowTo', 'kind', 'status', 'generatedAt', 'createdAt'], {
  id: S.uuid, programId: S.uuid, periodId: S.uuidOrNull, windowFrom: S.instant, windowTo: S.instant, kind: { type: 'string', enum: ['period', 'weekly', 'custom'] },
  status: { type: 'string', enum: ['pending', 'ready'] }, generatedAt: S.instantOrNull, createdAt: S.instant,
});

@ApiTags('rollups')
@ApiBearerAuth()
@Controller()
export class RollupsController {
  constructor(private readonly rollups: RollupsService) {}

  /** Runs the rollup of a window once: the same window again returns the stored one (200) instead of a second (201). */
  @Post('api/v1/rollups')
  @Roles('lifecycle')
  @ApiJsonResponse(entity(Rollup), 201, 'The rollup, run now')
  @ApiJsonResponse(entity(Rollup), 200, 'The rollup of this window, run before')
  async run(@CurrentUser() actor: User, @Body() dto: RunRollupDto, @Res({ passthrough: true }) res: Response) {
    const { rollup, created } = await this.rollups.runNow(actor, dto);
    res.status(created ? 201 : 200);
    return rollup;
  }

  @Get('api/v1/rollups')
  @Roles('lifecycle')
  @ApiJsonResponse(listOf('rollups', ROLLUP_SUMMARY))
  async list(@Query() q: ListRollupsQuery) {
    return { rollups: await this.rollups.list(q.programId) };
  }

  @Get('api/v1/rollups/:id')
  @Roles('lifecycle')
  @ApiJsonResponse(entity(Rollup))
  get(@Param('id', uuid('id')) id: string) {
    return this.rollups.get(id);
  }
}
