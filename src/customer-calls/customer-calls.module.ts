import { Module } from '@nestjs/common';
import { BookingsModule } from '../bookings/bookings.module.js';
import { PeopleModule } from '../people/people.module.js';
import { CompanyDomains } from './company-domains.service.js';
import { CustomerCallsController } from './customer-calls.controller.js';
import { CustomerCallsRepository } from './customer-calls.repository.js';
import { CustomerCallsService } from './customer-calls.service.js';
import { OrganisationController } from './organisation.controller.js';
import { OrganisationRepository } from './organisation.repository.js';

/** Customer calls in the reps' calendars (open, close, the standing rule, following the calendar) and the company's domains. */
@Module({
  imports: [PeopleModule, BookingsModule],
  controllers: [CustomerCallsController, OrganisationController],
  providers: [CustomerCallsRepository, CustomerCallsService, OrganisationRepository, CompanyDomains],
  exports: [CustomerCallsService, CompanyDomains],
})
export class CustomerCallsModule {}
