import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { Optional } from '../common/validation.js';
import { Roles } from '../people/auth.decorators.js';
import { AuditEntry } from './audit-entry.entity.js';
import { AuditService } from './audit.service.js';

class AuditQuery {
  @ApiPropertyOptional({ enum: ['user', 'token'] })
  @Optional()
  @IsIn(['user', 'token'])
  entity?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString()
  entityId?: string;

  @ApiProperty({ required: false, default: 100, minimum: 1, maximum: 1000 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly db: DataSource,
  ) {}

  /** The newest audit rows, for the lifecycle team. */
  @Get()
  @Roles('lifecycle')
  async list(@Query() q: AuditQuery): Promise<{ entries: AuditEntry[] }> {
    return { entries: await this.audit.list(this.db.manager, q) };
  }
}
