import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { BookingsService } from '../bookings/bookings.service.js';
import { Clock } from '../common/clock.js';
import { notFound } from '../common/errors.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser } from '../people/auth.decorators.js';
import type { User } from '../people/user.entity.js';
import { seeOther } from './kit/forms.js';
import { WebPage } from './kit/web.decorators.js';

/**
 * The links that emails and calendar invites carry (`/observations/:id`, `/bookings/:id`, `/shifts/:id`,
 * written before the pages existed and kept stable since) lead to the page where the reader acts on the
 * thing. Signed-out readers sign in first and come back here.
 */
@Controller()
@ApiExcludeController()
@WebPage()
export class LinksController {
  constructor(
    private readonly bookings: BookingsService,
    private readonly clock: Clock,
  ) {}

  /** A form email's "Open the form": the form page, which lets in its author and the lifecycle team. */
  @Get('observations/:id')
  observation(@Param('id', uuid('id')) id: string, @Res() res: Response): void {
    seeOther(res, `/marketer/forms/${id}`);
  }

  /** A booking invite's link: the reader's own list, at the booking. */
  @Get('bookings/:id')
  async booking(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    const b = await this.bookings.get(actor, id);
    const started = b.startsAt <= this.clock.now();
    if (b.marketerId === actor.id) return seeOther(res, started ? '/marketer#h-mark' : '/marketer#h-upcoming');
    if (b.repId === actor.id) return seeOther(res, b.status === 'confirmed' ? `/rep#${started ? 'mark' : 'call'}-${b.id}` : '/rep');
    seeOther(res, `/lifecycle/periods/${b.periodId}`);
  }

  /** A shift invite's link: the marketer's shifts (the lifecycle team's programs). */
  @Get('shifts/:id')
  shift(@CurrentUser() actor: User, @Param('id', uuid('id')) _id: string, @Res() res: Response): void {
    if (actor.roles.includes('marketer')) return seeOther(res, '/marketer/shifts');
    if (actor.roles.includes('lifecycle')) return seeOther(res, '/lifecycle');
    throw notFound('Shift');
  }
}
