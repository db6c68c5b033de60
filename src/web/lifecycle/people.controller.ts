import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { CreateUserDto } from '../../people/users.dto.js';
import { UsersService } from '../../people/users.service.js';
import { parseDto, submitForm, text, texts, type FormBody, type Parsed } from '../kit/forms.js';
import type { Html } from '../kit/html.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { lifecycleDoc, problem, valuesOf } from './lifecycle-forms.js';
import { peopleBody, type FormState } from './lifecycle-views.js';

/** Lifecycle pages: the people, and adding one. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('lifecycle')
export class LifecyclePeopleController {
  constructor(private readonly users: UsersService) {}

  @Get('lifecycle/people')
  async peoplePage(@CurrentUser() user: User, @Csrf() csrf: string, @Query('notice') notice?: string): Promise<string> {
    return (await this.peopleDoc(user, csrf, undefined, notice)).value;
  }

  private async peopleDoc(user: User, csrf: string, create?: FormState & { roles?: string[] }, notice?: string): Promise<Html> {
    const people = await this.users.list({ limit: 500, offset: 0 });
    people.sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name));
    return lifecycleDoc(user, csrf, 'People', peopleBody({ people, user, csrf, create }), '/lifecycle/people', notice);
  }

  @Post('lifecycle/people')
  async addPerson(@CurrentUser() user: User, @Csrf() csrf: string, @Body() body: FormBody, @Res() res: Response): Promise<void> {
    const values = valuesOf(body, ['name', 'email', 'timeZone', 'startedOn']);
    const roles = texts(body, 'roles');
    const startedOn = text(body, 'startedOn');
    const parsed: Parsed<CreateUserDto> = await parseDto(CreateUserDto, { name: text(body, 'name'), email: text(body, 'email'), timeZone: text(body, 'timeZone'), roles, ...(startedOn ? { startedOn } : {}) });
    if (!parsed.ok && parsed.errors.roles) parsed.errors.roles = ['Choose at least one role'];
    await submitForm(res, {
      input: parsed,
      act: async (dto) => {
        await this.users.create(user, dto);
        return '/lifecycle/people?notice=person-added';
      },
      again: (p) => this.peopleDoc(user, csrf, { values, roles, errors: p.errors, message: p.message }),
      problem,
    });
  }
}
