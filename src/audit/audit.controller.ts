import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsString } from 'class-validator';
import { ApiJsonResponse, entity, listOf } from '../common/openapi.js';
import { NEXT_CURSOR_DOC, PageCursor, PageLimit } from '../common/paging.js';
import { Optional } from '../common/validation.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
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

  @PageLimit(100, 1000, 'audit rows')
  limit?: number;

  @PageCursor()
  cursor?: string;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit rows, newest first, a page at a time, for the lifecycle team. */
  @Get()
  @Roles('lifecycle')
  @ApiJsonResponse(listOf('entries', entity(AuditEntry), { nextCursor: { ...NEXT_CURSOR_DOC, type: 'string' } }))
  list(@CurrentUser() actor: User, @Query() q: AuditQuery): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    return this.audit.page(actor.id, q);
  }
}
