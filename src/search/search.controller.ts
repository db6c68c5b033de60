import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiPageResponse } from '../common/paging.js';
import { Roles } from '../people/auth.decorators.js';
import { SearchQuery } from './search.dto.js';
import { SearchService } from './search.service.js';

@ApiTags('observations')
@ApiBearerAuth()
@Controller('api/v1')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  /**
   * Full-text search over submitted forms and rep notes (lifecycle team): ranked, paged by cursor, each
   * result with a redacted snippet. Quoted phrases, -exclusions and OR as typed in a search box.
   */
  @Get('observations/search')
  @Roles('lifecycle')
  @ApiPageResponse('results')
  find(@Query() q: SearchQuery) {
    return this.search.search(q);
  }
}
