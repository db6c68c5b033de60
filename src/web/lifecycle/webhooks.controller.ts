import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { WebhooksService } from '../../webhooks/webhooks.service.js';
import { formProblem, seeOther, sendHtml, text, texts, type FormBody } from '../kit/forms.js';
import type { FieldErrors } from '../kit/html.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { lifecycleDoc } from './lifecycle-forms.js';
import { deliveriesBody, webhooksBody, type WebhooksPageState } from './webhooks-views.js';

/** The lifecycle team's webhooks: register (the secret shown once), enable, delete, and each one's delivery log. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('lifecycle')
export class LifecycleWebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get('lifecycle/webhooks')
  async list(@CurrentUser() user: User, @Csrf() csrf: string, @Res() res: Response): Promise<void> {
    await this.send(res, 200, user, csrf, {});
  }

  @Post('lifecycle/webhooks')
  async register(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const url = text(body, 'url').trim();
    const events = texts(body, 'events');
    const description = text(body, 'description').trim();
    const errors: FieldErrors = {};
    if (!url) errors.url = ['Enter the receiver URL'];
    if (!events.length) errors.events = ['Choose at least one event'];
    if (Object.keys(errors).length) return this.send(res, 400, user, csrf, { url, events, description, errors });
    try {
      const created = await this.webhooks.create(user, { url, events, ...(description ? { description } : {}) });
      return this.send(res, 201, user, csrf, { created });
    } catch (e) {
      const p = formProblem(e);
      return this.send(res, p.status, user, csrf, { url, events, description, errors: p.errors, message: p.message });
    }
  }

  @Post('lifecycle/webhooks/:id/enable')
  async enable(@CurrentUser() user: User, @Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    await this.webhooks.enable(user, id);
    seeOther(res, '/lifecycle/webhooks');
  }

  @Post('lifecycle/webhooks/:id/delete')
  async remove(@CurrentUser() user: User, @Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    await this.webhooks.remove(user, id);
    seeOther(res, '/lifecycle/webhooks');
  }

  @Get('lifecycle/webhooks/:id')
  async deliveries(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Res() res: Response, @Query('cursor') cursor?: string): Promise<void> {
    const endpoint = await this.webhooks.get(id);
    const page = await this.webhooks.deliveries(id, { limit: 50, ...(typeof cursor === 'string' && cursor ? { cursor } : {}) });
    sendHtml(res, 200, lifecycleDoc(user, csrf, `Webhook to ${endpoint.host}`, deliveriesBody({ endpoint, deliveries: page.deliveries, nextCursor: page.nextCursor, zone: user.timeZone }), '/lifecycle/webhooks'));
  }

  private async send(res: Response, status: number, user: User, csrf: string, state: WebhooksPageState): Promise<void> {
    const endpoints = await this.webhooks.list();
    sendHtml(res, status, lifecycleDoc(user, csrf, 'Webhooks', webhooksBody({ csrf, zone: user.timeZone, endpoints, state }), '/lifecycle/webhooks'));
  }
}
