import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { ProgramsService } from '../../programs/programs.service.js';
import { MergeSegmentDto, RenameSegmentDto } from '../../segments/segments.dto.js';
import { SegmentsService } from '../../segments/segments.service.js';
import { formProblem, parseDto, sendHtml, submitForm, text, type FormBody, type FormProblem } from '../kit/forms.js';
import type { Html } from '../kit/html.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { empathyBody, pickerValues } from './empathy-views.js';
import { lifecycleDoc, problem, valuesOf } from './lifecycle-forms.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Back to the empathy page after a curation, in the window the form was posted from (when it names one). */
function back(id: string, body: FormBody): string {
  const from = text(body, 'from');
  const to = text(body, 'to');
  const q = DATE.test(from) && DATE.test(to) ? `?from=${from}&to=${to}` : '';
  return `/lifecycle/programs/${id}/empathy${q}#segments`;
}

/** Lifecycle page: a program's empathy maps by segment over a window, and the segments to rename and merge. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('lifecycle')
export class LifecycleEmpathyController {
  constructor(
    private readonly segments: SegmentsService,
    private readonly programs: ProgramsService,
  ) {}

  @Get('lifecycle/programs/:id/empathy')
  async empathyPage(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Res() res: Response, @Query('from') from?: unknown, @Query('to') to?: unknown): Promise<void> {
    const q = { from: str(from), to: str(to) };
    try {
      const doc = await this.doc(user, csrf, id, q);
      sendHtml(res, 200, doc);
    } catch (e) {
      const p = formProblem(e);
      sendHtml(res, p.status, await this.doc(user, csrf, id, {}, { ...p, values: { from: q.from ?? '', to: q.to ?? '' } }));
    }
  }

  @Post('lifecycle/programs/:id/segments/:segmentId/rename')
  async rename(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Param('segmentId', uuid('segmentId')) segmentId: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    await this.programs.getProgram(id);
    const values = valuesOf(body, ['name']);
    await submitForm(res, {
      input: parseDto(RenameSegmentDto, { name: values.name }),
      act: async (dto) => {
        await this.segments.rename(user, segmentId, dto.name);
        return back(id, body);
      },
      again: (p) => this.doc(user, csrf, id, {}, { ...p, segmentId }),
      problem: (e) => this.segmentProblem(e, 'name'),
    });
  }

  @Post('lifecycle/programs/:id/segments/:segmentId/merge')
  async merge(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Param('segmentId', uuid('segmentId')) segmentId: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    await this.programs.getProgram(id);
    const values = valuesOf(body, ['intoId']);
    await submitForm(res, {
      input: parseDto(MergeSegmentDto, { intoId: values.intoId }),
      act: async (dto) => {
        await this.segments.merge(user, segmentId, dto.intoId);
        return back(id, body);
      },
      again: (p) => this.doc(user, csrf, id, {}, { ...p, segmentId }),
      problem: (e) => this.segmentProblem(e, 'intoId'),
    });
  }

  @Post('lifecycle/programs/:id/segments/:segmentId/unmerge')
  async unmerge(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Param('segmentId', uuid('segmentId')) segmentId: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    await this.programs.getProgram(id);
    await submitForm(res, {
      act: async () => {
        await this.segments.unmerge(user, segmentId);
        return back(id, body);
      },
      again: (p) => this.doc(user, csrf, id, {}, { ...p, segmentId }),
      problem: (e) => this.segmentProblem(e, 'name'),
    });
  }

  /** A refusal about the segment itself (merged, not found) reads next to the form's field. */
  private segmentProblem(e: unknown, field: string): FormProblem {
    const p = problem(e);
    if (p.message && Object.keys(p.errors).length === 0) return { errors: { [field]: [p.message] }, status: p.status };
    if (p.errors.id) return { errors: { [field]: p.errors.id }, status: p.status };
    return p;
  }

  private async doc(user: User, csrf: string, id: string, q: { from?: string; to?: string }, problem?: FormProblem & { segmentId?: string; values?: { from: string; to: string } }): Promise<Html> {
    const program = await this.programs.getProgram(id);
    const [map, segments] = await Promise.all([problem?.values ? Promise.resolve(null) : this.segments.empathy(id, q), this.segments.list({ programId: id })]);
    const values = problem?.values ?? pickerValues(map!.window, program.timeZone);
    const body = empathyBody({ program, map, values, segments, csrf, errors: problem?.errors, message: problem?.message, segmentId: problem?.segmentId });
    return lifecycleDoc(user, csrf, `Empathy maps: ${program.name}`, body, '/lifecycle');
  }
}
