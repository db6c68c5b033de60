import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WebPage } from './web.decorators.js';

/** Marketer pages: the week view of open slots, booking, cancelling, rescheduling, the waitlist, quota progress, the calendar feed link. */
@Controller()
@ApiExcludeController()
@WebPage()
export class MarketerPagesController {}
