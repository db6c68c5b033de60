import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CreateNoticeDto } from '../../notices/notices.dto.js';
import { NoticesService, type NoticeOut } from '../../notices/notices.service.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { ProgramsService } from '../../programs/programs.service.js';
import { parseDto, submitForm, type FormBody } from '../kit/forms.js';
import type { Html } from '../kit/html.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { lifecycleDoc, problem, valuesOf } from './lifecycle-forms.js';
import type { FormState } from './lifecycle-views.js';
import { noticeBody, noticesBody } from './notices-views.js';

/** Lifecycle pages: a program's notices to reps (send, and acknowledgement counts), and one notice with who acknowledged. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('lifecycle')
export class LifecycleNoticesController {
  constructor(
    private readonly notices: NoticesService,
    private readonly programs: ProgramsService,
  ) {}

  @Get('lifecycle/programs/:id/notices')
  async noticesPage(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Query('notice') notice?: string): Promise<string> {
    return (await this.noticesDoc(user, csrf, id, undefined, notice)).value;
  }

  private async noticesDoc(user: User, csrf: string, id: string, send?: FormState, notice?: string): Promise<Html> {
    const program = await this.programs.getProgram(id);
    const [periods, notices, choices] = await Promise.all([this.programs.listPeriods(id), this.notices.ofProgram(id), this.notices.formChoices(id)]);
    const body = noticesBody({ program, periods, notices, defaultPeriodId: choices.defaultPeriodId, actions: choices.actions, user, csrf, send });
    return lifecycleDoc(user, csrf, `Notices: ${program.name}`, body, '/lifecycle', notice);
  }

  @Post('lifecycle/programs/:id/notices')
  async send(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    await this.programs.getProgram(id); // an unknown program: 404 before anything else
    const values = valuesOf(body, ['periodId', 'kind', 'subject', 'body', 'actionId']);
    const optional = (name: string) => (values[name] ? { [name]: values[name] } : {});
    await submitForm(res, {
      input: parseDto(CreateNoticeDto, { programId: id, kind: values.kind, subject: values.subject, body: values.body, ...optional('periodId'), ...optional('actionId') }),
      act: async (dto) => {
        await this.notices.send(user, dto);
        return `/lifecycle/programs/${id}/notices?notice=notice-sent`;
      },
      again: (p) => this.noticesDoc(user, csrf, id, { values, errors: p.errors, message: p.message }),
      problem,
    });
  }

  @Get('lifecycle/notices/:id')
  async noticePage(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string): Promise<string> {
    const notice = (await this.notices.get(user, id)) as NoticeOut & { recipients: { repId: string; name: string; acknowledgedAt: Date | null }[] };
    const program = await this.programs.getProgram(notice.programId);
    return lifecycleDoc(user, csrf, notice.subject, noticeBody({ notice, programName: program.name, user }), '/lifecycle').value;
  }
}
