import { Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError } from '../common/errors.js';
import { ApiErrors, ApiJsonResponse, ApiTextResponse, view } from '../common/openapi.js';
import { CurrentUser, Public } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { FeedsService } from './feeds.service.js';

// The tag and operation id are the ones these routes had when bookings served them: the OpenAPI document is unchanged.
@ApiTags('bookings')
@ApiBearerAuth()
@Controller('api/v1')
export class FeedTokenController {
  constructor(private readonly feeds: FeedsService) {}

  /** A new secret feed URL (the old one stops working). */
  @Post('me/calendar-token')
  @ApiOperation({ operationId: 'BookingsController_calendarToken', summary: undefined })
  @ApiJsonResponse(view('CalendarToken', ['token', 'url'], { token: { type: 'string' }, url: { type: 'string', description: 'The feed address to subscribe to' } }), 201)
  @ApiErrors(409)
  calendarToken(@CurrentUser() actor: User): Promise<{ token: string; url: string }> {
    return this.feeds.rotateToken(actor);
  }
}

@ApiTags('calendar')
@Controller('calendar')
export class CalendarFeedController {
  constructor(private readonly feeds: FeedsService) {}

  /** The secret feed of a user's upcoming bookings and shifts (subscribe to it in a calendar app). */
  @Public()
  @Get(':file')
  @ApiTextResponse('text/calendar', "The feed: the user's upcoming bookings and shifts (iCalendar)")
  async feed(@Param('file') file: string, @Res() res: Response): Promise<void> {
    const m = /^(rc_[A-Za-z0-9_-]{20,64})\.ics$/.exec(file);
    const body = m ? await this.feeds.feed(m[1]) : null;
    if (body === null) throw new DomainError('not_found', 'No calendar feed at this address');
    // The address is the credential: no cache (browser, proxy or CDN) may keep the answer.
    res.type('text/calendar; charset=utf-8').setHeader('Cache-Control', 'no-store');
    res.send(body);
  }
}
