import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CalendarConnectionsService } from '../../calendar-sync/connections.service.js';
import { ConnectCalendarDto } from '../../calendar-sync/connections.dto.js';
import { Clock } from '../../common/clock.js';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CompanyDomains } from '../../customer-calls/company-domains.service.js';
import { CustomerCallRuleDto, OpenCustomerCallDto } from '../../customer-calls/customer-calls.dto.js';
import { CustomerCallsService } from '../../customer-calls/customer-calls.service.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { checked, formProblem, messageOf, parseDto, submitForm, text, type FormBody } from '../kit/forms.js';
import type { Html } from '../kit/html.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { CALENDAR_NOTICES, calendarPage, type CalendarPageData, type ConnectForm } from './rep-calendar.js';
import { CUSTOMER_CALL_NOTICES, customerCallsPage, type CustomerCallsData, type OpenForm, type RuleValues } from './rep-customer-calls.js';

/** How far ahead the Customer calls page lists meetings (the kept window is at most the programs' horizon). */
const CALLS_AHEAD_DAYS = 90;

const noticeOf = (table: Record<string, string>, key: string | undefined): string | undefined => (key && Object.hasOwn(table, key) ? table[key] : undefined);

/** The rep's own calendar: connecting it (ICS address or CalDAV), its status, sync now, disconnect; and the customer calls found in it. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('rep')
export class RepCalendarPagesController {
  constructor(
    private readonly connections: CalendarConnectionsService,
    private readonly calls: CustomerCallsService,
    private readonly domains: CompanyDomains,
    private readonly clock: Clock,
  ) {}

  // ---------------------------------------------------------------- your calendar

  @Get('rep/calendar')
  async calendar(@CurrentUser() user: User, @Csrf() csrf: string, @Query('notice') notice?: string): Promise<string> {
    return (await this.calendarHtml(user, csrf, { notice: noticeOf(CALENDAR_NOTICES, notice) })).value;
  }

  @Post('rep/calendar')
  async connect(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const kind = text(body, 'kind') === 'caldav' ? 'caldav' : 'ics';
    const url = text(body, 'url');
    const username = text(body, 'username');
    // The password as typed (spaces may belong to it); never shown again.
    const rawPassword = body?.password;
    const password = typeof rawPassword === 'string' ? rawPassword : '';
    const failed = (p: { errors: ConnectForm['errors']; message?: string }): ConnectForm => ({ kind, url, username, errors: p.errors, message: p.message });
    await submitForm(res, {
      input: parseDto(ConnectCalendarDto, kind === 'ics' ? { kind, url } : { kind, url, username, password }),
      act: async (dto) => {
        await this.connections.connect(user, dto);
        return '/rep/calendar?notice=connected';
      },
      // A feed that cannot be read or parsed is about the address the rep typed.
      problem: (e) => formProblem(e, () => 'url'),
      again: (p) => this.calendarHtml(user, csrf, { failed: failed(p) }),
    });
  }

  @Post('rep/calendar/:id/sync')
  async sync(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    await submitForm(res, {
      act: async () => {
        const after = await this.connections.syncNow(user, id);
        return `/rep/calendar?notice=${after.lastError ? 'sync-failed' : 'synced'}`;
      },
      again: (p) => this.calendarHtml(user, csrf, { rowError: { id, message: messageOf(p) } }),
    });
  }

  @Post('rep/calendar/:id/disconnect')
  async disconnect(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    await submitForm(res, {
      act: async () => {
        await this.connections.disconnect(user, id);
        return '/rep/calendar?notice=disconnected';
      },
      again: (p) => this.calendarHtml(user, csrf, { rowError: { id, message: messageOf(p) } }),
    });
  }

  private async calendarHtml(user: User, csrf: string, extra: Partial<CalendarPageData>): Promise<Html> {
    const connections = await this.connections.list(user, user.id);
    return calendarPage({ user, csrf, connections, ...extra });
  }

  // ---------------------------------------------------------------- customer calls

  @Get('rep/customer-calls')
  async customerCalls(@CurrentUser() user: User, @Csrf() csrf: string, @Query('notice') notice?: string): Promise<string> {
    return (await this.callsHtml(user, csrf, { notice: noticeOf(CUSTOMER_CALL_NOTICES, notice) })).value;
  }

  @Post('rep/customer-calls/:id/open')
  async open(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const typed = { label: text(body, 'label'), callType: text(body, 'callType'), marketingSourced: checked(body, 'marketingSourced') };
    const failed = (p: { errors: OpenForm['errors']; message?: string }): OpenForm => ({ id, ...typed, errors: p.errors, message: p.message });
    await submitForm(res, {
      input: parseDto(OpenCustomerCallDto, {
        ...(typed.label ? { label: typed.label } : {}),
        ...(typed.callType ? { callType: typed.callType } : {}),
        marketingSourced: typed.marketingSourced,
      }),
      act: async (dto) => {
        await this.calls.open(user, id, dto);
        return '/rep/customer-calls?notice=opened';
      },
      again: (p) => this.callsHtml(user, csrf, { open: failed(p) }),
    });
  }

  @Post('rep/customer-calls/:id/close')
  async close(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    await submitForm(res, {
      act: async () => {
        await this.calls.close(user, id);
        return '/rep/customer-calls?notice=closed';
      },
      again: (p) => this.callsHtml(user, csrf, { rowError: { id, message: messageOf(p) } }),
    });
  }

  @Post('rep/customer-calls/rule')
  async saveRule(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values: RuleValues = { enabled: checked(body, 'enabled'), keyword: text(body, 'keyword'), callType: text(body, 'callType'), marketingSourced: checked(body, 'marketingSourced') };
    await submitForm(res, {
      input: parseDto(CustomerCallRuleDto, {
        enabled: values.enabled,
        ...(values.keyword ? { keyword: values.keyword } : {}),
        ...(values.callType ? { callType: values.callType } : {}),
        marketingSourced: values.marketingSourced,
      }),
      act: async (dto) => {
        await this.calls.setRule(user, dto);
        return `/rep/customer-calls?notice=${dto.enabled ? 'rule-on' : 'rule-saved'}`;
      },
      again: (p) => this.callsHtml(user, csrf, { rule: { values, errors: p.errors, message: p.message } }),
    });
  }

  private async callsHtml(user: User, csrf: string, extra: Partial<CustomerCallsData>): Promise<Html> {
    const now = this.clock.now();
    const [connections, calls, rule, companyDomains] = await Promise.all([
      this.connections.list(user, user.id),
      this.calls.list(user, { from: now.toISOString(), to: new Date(now.getTime() + CALLS_AHEAD_DAYS * 86_400_000).toISOString() }),
      this.calls.rule(user),
      this.domains.current(),
    ]);
    return customerCallsPage({
      user,
      csrf,
      connected: connections.length > 0,
      companyDomains,
      calls,
      rule: { values: { enabled: rule.enabled, keyword: rule.keyword ?? '', callType: rule.callType ?? '', marketingSourced: rule.marketingSourced ?? false } },
      ...extra,
    });
  }
}
