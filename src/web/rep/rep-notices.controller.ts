import { Controller, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { NoticesService } from '../../notices/notices.service.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { seeOther } from '../kit/forms.js';
import { WebPage } from '../kit/web.decorators.js';

/** The "Got it" button of a notice banner on the rep's page. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('rep')
export class RepNoticesPagesController {
  constructor(private readonly notices: NoticesService) {}

  /** Acknowledges the rep's own notice (someone else's: 404) and goes back to the rep's page, where its banner is gone. */
  @Post('rep/notices/:id/ack')
  async ack(@CurrentUser() user: User, @Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    await this.notices.acknowledge(user, id);
    seeOther(res, '/rep?notice=notice-acknowledged');
  }
}
