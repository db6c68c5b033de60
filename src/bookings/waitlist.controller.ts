import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJsonResponse, entity, listOf } from '../common/openapi.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { WaitlistEntry } from './booking.entity.js';
import { JoinWaitlistDto } from './bookings.dto.js';
import { WaitlistService } from './waitlist.service.js';

/** A marketer waits for a seat on a full call; a freed seat goes to the first who still fits. */
@ApiTags('bookings')
@ApiBearerAuth()
@Controller('api/v1')
export class WaitlistController {
  constructor(private readonly waitlist: WaitlistService) {}

  @Post('waitlist')
  @Roles('marketer')
  @ApiJsonResponse(entity(WaitlistEntry), 201)
  @ApiErrors(409)
  join(@CurrentUser() actor: User, @Body() dto: JoinWaitlistDto): Promise<WaitlistEntry> {
    return this.waitlist.join(actor, dto);
  }

  @Get('waitlist')
  @ApiJsonResponse(listOf('entries', entity(WaitlistEntry)))
  async list(@CurrentUser() actor: User): Promise<{ entries: WaitlistEntry[] }> {
    return { entries: await this.waitlist.list(actor) };
  }

  @Delete('waitlist/:id')
  @ApiErrors(409)
  @HttpCode(204)
  leave(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<void> {
    return this.waitlist.leave(actor, id);
  }
}
