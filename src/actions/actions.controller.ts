import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJsonResponse, listOf, S, type Schema, view } from '../common/openapi.js';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { CreateActionDto, ListActionsQuery, UpdateActionDto } from './actions.dto.js';
import { ActionsService } from './actions.service.js';

const ACTION_FIELDS = ['id', 'programId', 'programName', 'rollupId', 'kind', 'title', 'detail', 'ideas', 'themeIds', 'ownerId', 'ownerName', 'dueOn', 'status', 'doneAt', 'overdue', 'createdBy', 'createdAt', 'updatedAt'];
const ACTION_TYPES: Record<string, Schema> = {
  id: S.uuid, programId: S.uuid, programName: S.text, rollupId: S.uuidOrNull, kind: S.text, title: S.text, detail: S.textOrNull, ideas: S.objects,
  themeIds: S.texts, ownerId: S.uuid, ownerName: S.text, dueOn: S.dateOrNull, status: { type: 'string', enum: ['open', 'in_progress', 'done', 'dropped'] },
  doneAt: S.instantOrNull, overdue: S.boolean, createdBy: S.uuidOrNull, createdAt: S.instant, updatedAt: S.instant,
};
const ACTION = view('Action', ACTION_FIELDS, ACTION_TYPES);
const ACTION_WITH_HISTORY = view('ActionWithHistory', [...ACTION_FIELDS, 'history'], {
  ...ACTION_TYPES,
  history: { type: 'array', items: { type: 'object', required: ['at', 'actorId', 'actorName', 'changes'], properties: { at: S.instant, actorId: S.uuidOrNull, actorName: S.textOrNull, changes: { type: 'object' } } } },
});

@ApiTags('actions')
@ApiBearerAuth()
@Controller('api/v1/actions')
@Roles('lifecycle')
export class ActionsController {
  constructor(private readonly actions: ActionsService) {}

  /** Turns a rollup's themes and ideas into an action with an owner (emailed) and an optional due date. */
  @Post()
  @ApiJsonResponse(ACTION, 201)
  @ApiErrors(422)
  create(@CurrentUser() actor: User, @Body() dto: CreateActionDto) {
    return this.actions.create(actor, dto);
  }

  /** Actions (of a program, in a status, of an owner): overdue first, then by due date, then oldest first. */
  @Get()
  @ApiJsonResponse(listOf('actions', ACTION))
  list(@Query() q: ListActionsQuery) {
    return this.actions.list(q);
  }

  /** The action with its history: who changed what, when. */
  @Get(':id')
  @ApiJsonResponse(ACTION_WITH_HISTORY)
  get(@Param('id', uuid('id')) id: string) {
    return this.actions.get(id);
  }

  /** Status (open -> in_progress -> done | dropped; done or dropped may reopen), title, detail, owner, due date, themes. */
  @Patch(':id')
  @ApiJsonResponse(ACTION)
  @ApiErrors(409, 422)
  update(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: UpdateActionDto) {
    return this.actions.update(actor, id, dto);
  }
}
