import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJsonResponse, listOf, S, view } from '../common/openapi.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { CreateNoticeDto, ListNoticesQuery } from './notices.dto.js';
import { NoticesService } from './notices.service.js';

const NOTICE_TYPES = { id: S.uuid, programId: S.uuid, periodId: S.uuidOrNull, actionId: S.uuidOrNull, kind: S.text, subject: S.text, body: S.text, sentBy: S.uuidOrNull, sentAt: S.instant, recipientCount: S.integer, acknowledgedCount: S.integer, programName: S.text, acknowledgedAt: S.instantOrNull, recipients: S.objects };
/** The lifecycle team's view (counts; `recipients` when read one by one) or a recipient's (programName, acknowledgedAt). */
const NOTICE = view(
  'Notice',
  ['id', 'programId', 'periodId', 'actionId?', 'kind', 'subject', 'body', 'sentBy?', 'sentAt', 'recipientCount?', 'acknowledgedCount?', 'recipients?', 'programName?', 'acknowledgedAt?'],
  NOTICE_TYPES,
);

@ApiTags('notices')
@ApiBearerAuth()
@Controller('api/v1/notices')
export class NoticesController {
  constructor(private readonly notices: NoticesService) {}

  /** Sends a rep alert or campaign notification to the reps of a roster (or chosen reps of it): emails go through the queue. */
  @Post()
  @Roles('lifecycle')
  @ApiJsonResponse(NOTICE, 201)
  @ApiErrors(422) // a rep named is not on the roster, or nobody would get it
  send(@CurrentUser() actor: User, @Body() dto: CreateNoticeDto) {
    return this.notices.send(actor, dto);
  }

  /** Lifecycle: notices with recipientCount and acknowledgedCount. Reps (or mine=true): their own, with acknowledgedAt. */
  @Get()
  @Roles('lifecycle', 'rep')
  @ApiJsonResponse(listOf('notices', NOTICE))
  list(@CurrentUser() actor: User, @Query() q: ListNoticesQuery) {
    return this.notices.list(actor, q);
  }

  /** Lifecycle: the notice with who acknowledged when; a recipient: the notice as they got it. Anyone else 404. */
  @Get(':id')
  @Roles('lifecycle', 'rep')
  @ApiJsonResponse(NOTICE)
  get(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string) {
    return this.notices.get(actor, id);
  }

  /** "Got it": the recipient only (others 404); pressing again changes nothing. */
  @Post(':id/ack')
  @HttpCode(200)
  @Roles('lifecycle', 'rep')
  @ApiJsonResponse(NOTICE)
  ack(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string) {
    return this.notices.acknowledge(actor, id);
  }
}
