import { Body, Controller, Get, Header, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors, ApiJsonResponse, ApiTextResponse, entity, listOf, objectOf, S } from '../common/openapi.js';
import { NEXT_CURSOR_DOC } from '../common/paging.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { validationError } from '../common/validation.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { Booking } from './booking.entity.js';
import { AttendanceDto, CancelBookingDto, CreateBookingDto, ListBookingsQuery, RescheduleBookingDto } from './bookings.dto.js';
import { BookingsService } from './bookings.service.js';

const KEY = /^[\x21-\x7e]{1,200}$/;
/** A booking as listed: the stored booking, its start in the reader's zone, the names, and the reader's part in it. */
const LISTED_BOOKING = {
  allOf: [
    entity(Booking),
    objectOf(['localStart', 'repName', 'marketerName', 'role'], { localStart: S.text, repName: S.text, marketerName: S.text, role: { type: 'string', enum: ['rep', 'marketer', 'lifecycle'] } }),
  ],
};

@ApiTags('bookings')
@ApiBearerAuth()
@ApiErrors(403) // its marketer or rep, or the lifecycle team
@Controller('api/v1')
export class BookingsController {
  constructor(private readonly bookings: BookingsService) {}

  /** Takes a seat; retries with the same Idempotency-Key and body return the first 201. */
  @Post('bookings')
  @Roles('marketer', 'lifecycle')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiJsonResponse(entity(Booking), 201)
  @ApiErrors(409, 422) // a rule refuses the seat (code says which); the Idempotency-Key came with another body
  async create(
    @CurrentUser() actor: User,
    @Body() dto: CreateBookingDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Booking> {
    if (key !== undefined && !KEY.test(key)) throw validationError([{ field: 'Idempotency-Key', problems: ['Idempotency-Key must be 1-200 visible ASCII characters'] }]);
    const { booking, replayed } = await this.bookings.create(actor, dto, key);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(201);
    return booking;
  }

  /** One page of bookings in start order; `nextCursor` (null on the last page) asks for the next one. */
  @Get('bookings')
  @ApiJsonResponse(listOf('bookings', LISTED_BOOKING, { nextCursor: { ...NEXT_CURSOR_DOC, type: 'string' } }))
  list(@CurrentUser() actor: User, @Query() q: ListBookingsQuery) {
    return this.bookings.listPage(actor, q);
  }

  @Get('bookings/:id')
  @ApiJsonResponse(entity(Booking))
  get(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<Booking> {
    return this.bookings.get(actor, id);
  }

  @Post('bookings/:id/cancel')
  @HttpCode(200)
  @ApiJsonResponse(entity(Booking))
  @ApiErrors(409)
  cancel(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: CancelBookingDto): Promise<Booking> {
    return this.bookings.cancel(actor, id, dto.reason);
  }

  @Post('bookings/:id/reschedule')
  @HttpCode(200)
  @ApiJsonResponse(entity(Booking))
  @ApiErrors(409)
  reschedule(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: RescheduleBookingDto): Promise<Booking> {
    return this.bookings.reschedule(actor, id, dto.startsAt, dto.repId);
  }

  @Post('bookings/:id/attendance')
  @HttpCode(200)
  @ApiJsonResponse(entity(Booking))
  @ApiErrors(409)
  attendance(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: AttendanceDto): Promise<Booking> {
    return this.bookings.attendance(actor, id, dto.outcome);
  }

  @Get('bookings/:id/invite.ics')
  @Header('Content-Type', 'text/calendar; charset=utf-8')
  @ApiTextResponse('text/calendar', 'The current invite (iCalendar, METHOD REQUEST or CANCEL)')
  invite(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<string> {
    return this.bookings.inviteFile(actor, id);
  }
}
