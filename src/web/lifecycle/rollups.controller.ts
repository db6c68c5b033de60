import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError } from '../../common/errors.js';
import { ApiErrors, ApiTextResponse } from '../../common/openapi.js';
import { uuidParam as uuid } from '../../common/uuid.pipe.js';
import { CurrentUser, Roles } from '../../people/auth.decorators.js';
import type { User } from '../../people/user.entity.js';
import { rollupPage } from '../../rollups/render.js';
import { RollupsService } from '../../rollups/rollups.service.js';
import { sendHtml } from '../kit/forms.js';
import type { FieldErrors } from '../kit/html.js';
import { Csrf, WebPage } from '../kit/web.decorators.js';
import { LifecycleHealthRepository } from './lifecycle-health.repository.js';
import { lifecycleDoc } from './lifecycle-forms.js';
import { rollupsBody } from './lifecycle-views.js';

/** Lifecycle pages: the rollups, of every program or one. */
@Controller()
@ApiExcludeController()
@WebPage()
@Roles('lifecycle')
export class LifecycleRollupsController {
  constructor(
    private readonly rollups: RollupsService,
    private readonly health: LifecycleHealthRepository,
  ) {}

  @Get('lifecycle/rollups')
  async rollupsPage(@CurrentUser() user: User, @Csrf() csrf: string, @Res() res: Response, @Query('program') program?: string, @Query('notice') notice?: string): Promise<void> {
    const programs = await this.health.programNames();
    const chosen = typeof program === 'string' && program !== '' ? program : undefined;
    const bad = chosen !== undefined && !programs.has(chosen);
    const rollups = await this.rollups.list(bad ? undefined : chosen);
    const errors: FieldErrors | undefined = bad ? { program: ['Choose one of the programs'] } : undefined;
    sendHtml(res, bad ? 400 : 200, lifecycleDoc(user, csrf, 'Rollups', rollupsBody({ rollups, programs, programId: bad ? undefined : chosen, user, errors }), '/lifecycle/rollups', notice));
  }
}

/**
 * One rollup as a page (`/rollups/:id`, the link its email carries), in the reader's zone. Listed in the
 * OpenAPI document under rollups, as it was when the rollups controller served it.
 */
@ApiTags('rollups')
@ApiBearerAuth()
@Controller()
@WebPage()
@Roles('lifecycle')
export class RollupPageController {
  constructor(private readonly rollups: RollupsService) {}

  @Get('rollups/:id')
  @ApiTextResponse('text/html', 'The rollup as a page')
  @ApiErrors(409)
  @ApiOperation({ operationId: 'RollupsController_page' }) // the document's name for it since the rollups controller served it
  async page(@CurrentUser() actor: User, @Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    const rollup = await this.rollups.get(id);
    if (!rollup.report) throw new DomainError('invalid_state', 'The rollup is still being built; try again in a moment');
    res.type('text/html; charset=utf-8').send(rollupPage(rollup.report, actor.timeZone, { rollupId: id }));
  }
}
