import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { notFound } from '../../common/errors.js';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { SaveRepNoteDto } from '../../rep-notes/rep-notes.dto.js';
import { RepNotesService, type RepNoteJson } from '../../rep-notes/rep-notes.service.js';
import { numberOr, parseDto, submitForm, text, type FormBody } from '../kit/forms.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { noticeText } from './rep-view.js';
import { repNotePage, type RepNoteFormValues } from './rep-notes-views.js';

/** The rep's note after a shadowed call: the three optional questions, saved as a draft or sent. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('rep')
export class RepNotesPagesController {
  constructor(private readonly notes: RepNotesService) {}

  /** The rep's own note (someone else's, even for a lifecycle reader: 404; this page is the writer's). */
  private async own(user: User, id: string): Promise<RepNoteJson> {
    const note = await this.notes.get(user, id);
    if (note.repId !== user.id) throw notFound('Rep note', id);
    return note;
  }

  @Get('rep/notes/:id')
  async show(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Query('notice') notice?: string): Promise<string> {
    return repNotePage({ user, csrf, note: await this.own(user, id), notice: noticeText(notice) }).value;
  }

  /** "Save draft" (intent=save) or "Send to the lifecycle team" (intent=submit); a blank answer clears it. */
  @Post('rep/notes/:id')
  async save(@CurrentUser() user: User, @Csrf() csrf: string, @Param('id', uuid('id')) id: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const note = await this.own(user, id); // someone else's note: 404 before anything else
    const values: RepNoteFormValues = { wish: text(body, 'wish'), usefulness: text(body, 'usefulness'), followUp: text(body, 'followUp'), markedNames: text(body, 'markedNames') };
    const names = values.markedNames
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const send = text(body, 'intent') === 'submit';
    await submitForm(res, {
      input: parseDto(SaveRepNoteDto, { wish: values.wish || null, usefulness: numberOr(body, 'usefulness') ?? null, followUp: values.followUp || null, markedNames: names }),
      act: async (dto) => {
        if (send) {
          await this.notes.submit(user, id, dto);
          return '/rep?notice=rep-note-sent';
        }
        await this.notes.save(user, id, dto);
        return `/rep/notes/${id}?notice=rep-note-saved`;
      },
      again: (p) => repNotePage({ user, csrf, note, values, errors: p.errors, message: p.message }),
    });
  }
}
