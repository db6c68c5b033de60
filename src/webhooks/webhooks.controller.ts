import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi.js';
import { ApiPageResponse } from '../common/paging.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { CreatedWebhookDto, CreateWebhookDto, DeliveriesQueryDto, WebhookListDto, WebhookViewDto } from './webhooks.dto.js';
import { type DeliveryView, type EndpointView, WebhooksService } from './webhooks.service.js';

/** Signed outgoing events (Standard Webhooks): the lifecycle team's. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('api/v1/webhooks')
@Roles('lifecycle')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** Registers an endpoint; the answer holds its signing secret, shown this once. 400 naming `url` for an address the outbound rule refuses. */
  @Post()
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  @ApiErrors(409)
  create(@CurrentUser() actor: User, @Body() dto: CreateWebhookDto): Promise<EndpointView & { secret: string }> {
    return this.webhooks.create(actor, dto);
  }

  @Get()
  @ApiOkResponse({ type: WebhookListDto })
  async list(): Promise<{ webhooks: EndpointView[] }> {
    return { webhooks: await this.webhooks.list() };
  }

  @Get(':id')
  @ApiOkResponse({ type: WebhookViewDto })
  get(@Param('id', uuid('id')) id: string): Promise<EndpointView> {
    return this.webhooks.get(id);
  }

  /** Deletes the endpoint and its delivery log; nothing more is sent to it. */
  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<void> {
    return this.webhooks.remove(actor, id);
  }

  /** Turns a disabled endpoint on again (its failure count starts from zero). */
  @Post(':id/enable')
  @HttpCode(200)
  @ApiOkResponse({ type: WebhookViewDto })
  enable(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<EndpointView> {
    return this.webhooks.enable(actor, id);
  }

  /** The endpoint's deliveries, newest first, each with every attempt (time, HTTP status or error, duration). */
  @Get(':id/deliveries')
  @ApiPageResponse('deliveries')
  deliveries(@Param('id', uuid('id')) id: string, @Query() q: DeliveriesQueryDto): Promise<{ deliveries: DeliveryView[]; nextCursor: string | null }> {
    return this.webhooks.deliveries(id, q);
  }
}
