import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { ConnectCalendarDto, ConnectionListDto, ConnectionViewDto } from './connections.dto.js';
import { CalendarConnectionsService, type ConnectionView } from './connections.service.js';

@ApiTags('calendar-connections')
@ApiBearerAuth()
@ApiErrors(403) // the rep's own, or the lifecycle team
@Controller('api/v1')
export class ConnectionsController {
  constructor(private readonly connections: CalendarConnectionsService) {}

  /**
   * Connects one of my calendars (a rep): it is read before the answer. 400 naming `url` for an address that
   * is not allowed; 422 `calendar_unreadable` with the reason when it cannot be read or parsed (nothing stored).
   */
  @Post('me/calendar-connections')
  @Roles('rep')
  @ApiCreatedResponse({ type: ConnectionViewDto })
  @ApiErrors(409, 422) // already connected; the calendar cannot be read
  connect(@CurrentUser() actor: User, @Body() dto: ConnectCalendarDto): Promise<ConnectionView> {
    return this.connections.connect(actor, dto);
  }

  @Get('me/calendar-connections')
  @ApiOkResponse({ type: ConnectionListDto })
  async mine(@CurrentUser() actor: User): Promise<{ connections: ConnectionView[] }> {
    return { connections: await this.connections.list(actor, actor.id) };
  }

  /** A rep's connections, host and status only: that rep, or the lifecycle team. */
  @Get('reps/:repId/calendar-connections')
  @ApiOkResponse({ type: ConnectionListDto })
  async ofRep(@CurrentUser() actor: User, @Param('repId', uuid('repId')) repId: string): Promise<{ connections: ConnectionView[] }> {
    return { connections: await this.connections.list(actor, repId) };
  }

  /** Reads the calendar now; `lastError` says why when it could not. */
  @Post('calendar-connections/:id/sync')
  @HttpCode(200)
  @ApiOkResponse({ type: ConnectionViewDto })
  syncNow(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<ConnectionView> {
    return this.connections.syncNow(actor, id);
  }

  /** Disconnects and forgets its events (their busy time is freed); bookings on its opened calls stay. */
  @Delete('calendar-connections/:id')
  @HttpCode(204)
  disconnect(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<void> {
    return this.connections.disconnect(actor, id);
  }
}
