import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WebPage } from './web.decorators.js';

/** Marketer pages: forms due with a countdown, the observation form with drafts saved as they type, support shifts and swaps. */
@Controller()
@ApiExcludeController()
@WebPage()
export class MarketerFormsController {}
