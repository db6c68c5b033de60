import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { uuidParam as uuid } from '../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { CreateActionDto, ListActionsQuery, UpdateActionDto } from './actions.dto.js';
import { ActionsService } from './actions.service.js';

@ApiTags('actions')
@ApiBearerAuth()
@Controller('api/v1/actions')
@Roles('lifecycle')
export class ActionsController {
  constructor(private readonly actions: ActionsService) {}

  /** Turns a rollup's themes and ideas into an action with an owner (emailed) and an optional due date. */
  @Post()
  create(@CurrentUser() actor: User, @Body() dto: CreateActionDto) {
    return this.actions.create(actor, dto);
  }

  /** Actions (of a program, in a status, of an owner): overdue first, then by due date, then oldest first. */
  @Get()
  list(@Query() q: ListActionsQuery) {
    return this.actions.list(q);
  }

  /** The action with its history: who changed what, when. */
  @Get(':id')
  get(@Param('id', uuid('id')) id: string) {
    return this.actions.get(id);
  }

  /** Status (open -> in_progress -> done | dropped; done or dropped may reopen), title, detail, owner, due date, themes. */
  @Patch(':id')
  update(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Body() dto: UpdateActionDto) {
    return this.actions.update(actor, id, dto);
  }
}
