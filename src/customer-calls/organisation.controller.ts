import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../people/auth.decorators.js';
import { User } from '../people/user.entity.js';
import { CompanyDomains, type OrganisationView } from './company-domains.service.js';
import { OrganisationDto, PutOrganisationDto } from './customer-calls.dto.js';

/** The organisation's settings: the company's email domains (what makes a meeting a customer call). */
@ApiTags('organisation')
@ApiBearerAuth()
@Controller('api/v1/organisation')
export class OrganisationController {
  constructor(private readonly domains: CompanyDomains) {}

  @Get()
  @Roles('lifecycle', 'rep')
  @ApiOkResponse({ type: OrganisationDto })
  get(): Promise<OrganisationView> {
    return this.domains.view();
  }

  /** `companyDomains: null` goes back to the configured default (COMPANY_DOMAINS, else ADMIN_EMAIL's domain). */
  @Put()
  @Roles('lifecycle')
  @ApiOkResponse({ type: OrganisationDto })
  put(@CurrentUser() actor: User, @Body() dto: PutOrganisationDto): Promise<OrganisationView> {
    return this.domains.set(actor, dto.companyDomains);
  }
}
