import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WebPage } from './web.decorators.js';

/** Lifecycle pages: programs, periods, rosters, enrolments, people, the theme taxonomy with merge, rollups, program health. */
@Controller()
@ApiExcludeController()
@WebPage()
export class LifecyclePagesController {}
