import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { CreateNoticeDto, ListNoticesQuery } from './notices.dto.js';
import { NoticesService } from './notices.service.js';

@ApiTags('notices')
@ApiBearerAuth()
@Controller('api/v1/notices')
export class NoticesController {
  constructor(private readonly notices: NoticesService) {}

  /** Sends a rep alert or campaign notification to the reps of a roster (or chosen reps of it): emails go through the queue. */
  @Post()
  @Roles('lifecycle')
  send(@CurrentUser() actor: User, @Body() dto: CreateNoticeDto) {
    return this.notices.send(actor, dto);
  }

  /** Lifecycle: notices with recipientCount and acknowledgedCount. Reps (or mine=true): their own, with acknowledgedAt. */
  @Get()
  @Roles('lifecycle', 'rep')
  list(@CurrentUser() actor: User, @Query() q: ListNoticesQuery) {
    return this.notices.list(actor, q);
  }

  /** Lifecycle: the notice with who acknowledged when; a recipient: the notice as they got it. Anyone else 404. */
  @Get(':id')
  @Roles('lifecycle', 'rep')
  get(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string) {
    return this.notices.get(actor, id);
  }

  /** "Got it": the recipient only (others 404); pressing again changes nothing. */
  @Post(':id/ack')
  @HttpCode(200)
  @Roles('lifecycle', 'rep')
  ack(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string) {
    return this.notices.acknowledge(actor, id);
  }
}
