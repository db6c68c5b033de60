import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { ListRepNotesQuery, SaveRepNoteDto } from './rep-notes.dto.js';
import { RepNotesService } from './rep-notes.service.js';

/** The rep's own note after a shadowed call: the rep writes, the lifecycle team reads, marketers get 404. */
@ApiTags('rep-notes')
@ApiBearerAuth()
@Controller('api/v1')
export class RepNotesController {
  constructor(private readonly notes: RepNotesService) {}

  /** Reps: their own notes. Lifecycle team: everyone's (`programId`, `status`), or its own with mine=true. */
  @Get('rep-notes')
  list(@CurrentUser() actor: User, @Query() q: ListRepNotesQuery) {
    return this.notes.list(actor, q);
  }

  @Get('rep-notes/:id')
  get(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string) {
    return this.notes.get(actor, id);
  }

  /** Saves a draft (only the note's rep; blank or null clears an answer). */
  @Put('rep-notes/:id')
  save(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: SaveRepNoteDto) {
    return this.notes.save(actor, id, dto);
  }

  /** Sends the note to the lifecycle team; answers may come along. Late is fine; one answer at least. */
  @Post('rep-notes/:id/submit')
  submit(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: SaveRepNoteDto) {
    return this.notes.submit(actor, id, dto);
  }
}
