import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import type { Response } from 'express';
import { IsDateOrInstant } from '../common/time/dates.js';
import { Optional } from '../common/validation.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
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

@ApiTags('rollups')
@ApiBearerAuth()
@Controller()
export class RollupsController {
  constructor(private readonly rollups: RollupsService) {}

  /** Runs the rollup of a window once: the same window again returns the stored one (200) instead of a second (201). */
  @Post('api/v1/rollups')
  @Roles('lifecycle')
  async run(@CurrentUser() actor: User, @Body() dto: RunRollupDto, @Res({ passthrough: true }) res: Response) {
    const { rollup, created } = await this.rollups.runNow(actor, dto);
    res.status(created ? 201 : 200);
    return rollup;
  }

  @Get('api/v1/rollups')
  @Roles('lifecycle')
  async list(@Query() q: ListRollupsQuery) {
    return { rollups: await this.rollups.list(q.programId) };
  }

  @Get('api/v1/rollups/:id')
  @Roles('lifecycle')
  get(@Param('id', uuid('id')) id: string) {
    return this.rollups.get(id);
  }
}
