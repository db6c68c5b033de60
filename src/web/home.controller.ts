import { Controller, Get, Header, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../people/auth.decorators.js';
import { APP_CSS, APP_JS } from './kit/assets.js';
import { seeOther } from './kit/forms.js';
import { WebPage } from './kit/web.decorators.js';
import type { WebRequest } from './kit/web-request.js';

/** The start page sends each user to the home of their main role; the two static assets. */
@Controller()
@ApiExcludeController()
export class HomeController {
  @Get()
  @WebPage()
  home(@Req() req: WebRequest, @Res() res: Response): void {
    const roles = req.user!.roles;
    seeOther(res, roles.includes('lifecycle') ? '/lifecycle' : roles.includes('marketer') ? '/marketer' : '/rep');
  }

  @Get('assets/app.css')
  @Public()
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  css(): string {
    return APP_CSS;
  }

  @Get('assets/app.js')
  @Public()
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  js(): string {
    return APP_JS;
  }
}
