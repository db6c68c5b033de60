import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJsonResponse, listOf, S, view } from '../common/openapi.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { ListRepNotesQuery, SaveRepNoteDto } from './rep-notes.dto.js';
import { RepNotesService } from './rep-notes.service.js';

/** The rep's own note after a shadowed call: the rep writes, the lifecycle team reads, marketers get 404. */
const REP_NOTE = view(
  'RepNote',
  ['id', 'bookingId', 'programId', 'periodId', 'repId', 'status', 'wish', 'usefulness', 'followUp', 'markedNames', 'sessionEndedAt', 'dueAt', 'submittedAt', 'late', 'session?', 'programName?'],
  {
    id: S.uuid, bookingId: S.uuid, programId: S.uuid, periodId: S.uuid, repId: S.uuid, status: S.text, wish: S.textOrNull, usefulness: { type: 'integer', nullable: true, minimum: 1, maximum: 5 },
    followUp: S.textOrNull, markedNames: S.texts, sessionEndedAt: S.instant, dueAt: S.instant, submittedAt: S.instantOrNull, late: S.boolean,
    session: { type: 'object', required: ['startsAt', 'endsAt', 'marketerName'], properties: { startsAt: S.instant, endsAt: S.instant, marketerName: S.text } }, programName: S.text,
  },
);

@ApiTags('rep-notes')
@ApiBearerAuth()
@ApiErrors(403) // the note's rep writes, the lifecycle team reads
@Controller('api/v1')
export class RepNotesController {
  constructor(private readonly notes: RepNotesService) {}

  /** Reps: their own notes. Lifecycle team: everyone's (`programId`, `status`), or its own with mine=true. */
  @Get('rep-notes')
  @ApiJsonResponse(listOf('repNotes', REP_NOTE))
  @ApiErrors(404) // anyone but a rep or the lifecycle team
  list(@CurrentUser() actor: User, @Query() q: ListRepNotesQuery) {
    return this.notes.list(actor, q);
  }

  @Get('rep-notes/:id')
  @ApiJsonResponse(REP_NOTE)
  get(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string) {
    return this.notes.get(actor, id);
  }

  /** Saves a draft (only the note's rep; blank or null clears an answer). */
  @Put('rep-notes/:id')
  @ApiJsonResponse(REP_NOTE)
  @ApiErrors(409)
  save(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: SaveRepNoteDto) {
    return this.notes.save(actor, id, dto);
  }

  /** Sends the note to the lifecycle team; answers may come along. Late is fine; one answer at least. */
  @Post('rep-notes/:id/submit')
  @ApiJsonResponse(REP_NOTE, 201)
  @ApiErrors(409)
  submit(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: SaveRepNoteDto) {
    return this.notes.submit(actor, id, dto);
  }
}
