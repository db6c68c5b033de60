import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { CustomerCallDto, CustomerCallRuleDto, CustomerCallRuleSetDto, CustomerCallRuleViewDto, CustomerCallsResponseDto, ListCustomerCallsQuery, OpenCustomerCallDto } from './customer-calls.dto.js';
import { CustomerCallsService, type CustomerCallView, type RuleView } from './customer-calls.service.js';

@ApiTags('customer calls')
@ApiBearerAuth()
@ApiErrors(403) // that rep, or the lifecycle team
@Controller('api/v1')
export class CustomerCallsController {
  constructor(private readonly calls: CustomerCallsService) {}

  /** The rep's customer calls (their calendar's meetings with someone outside the company), with state and who booked them. */
  @Get('me/customer-calls')
  @ApiOkResponse({ type: CustomerCallsResponseDto })
  async list(@CurrentUser() actor: User, @Query() q: ListCustomerCallsQuery): Promise<{ calls: CustomerCallView[] }> {
    return { calls: await this.calls.list(actor, q) };
  }

  /** Opens the call for shadowing at the event's exact times; the label defaults to the event's title. */
  @Post('customer-calls/:id/open')
  @HttpCode(200)
  @ApiOkResponse({ type: CustomerCallDto })
  @ApiErrors(409)
  open(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: OpenCustomerCallDto): Promise<CustomerCallView> {
    return this.calls.open(actor, id, dto);
  }

  /** Withdraws the call; 409 while a marketer is booked on it. */
  @Post('customer-calls/:id/close')
  @HttpCode(200)
  @ApiOkResponse({ type: CustomerCallDto })
  @ApiErrors(409)
  close(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string): Promise<CustomerCallView> {
    return this.calls.close(actor, id);
  }

  @Get('me/customer-call-rule')
  @Roles('rep')
  @ApiOkResponse({ type: CustomerCallRuleViewDto })
  rule(@CurrentUser() actor: User): Promise<RuleView> {
    return this.calls.rule(actor);
  }

  /** The standing rule: open every customer call (whose title holds `keyword`, when given) automatically. */
  @Put('me/customer-call-rule')
  @Roles('rep')
  @ApiOkResponse({ type: CustomerCallRuleSetDto })
  setRule(@CurrentUser() actor: User, @Body() dto: CustomerCallRuleDto): Promise<RuleView & { openedNow: number }> {
    return this.calls.setRule(actor, dto);
  }
}
