import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WebPage } from './web.decorators.js';

/** Rep pages: roster invitations, weekly availability and date overrides, upcoming shadowed calls, attendance. */
@Controller()
@ApiExcludeController()
@WebPage()
export class RepPagesController {}
