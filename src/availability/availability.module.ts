import { Module } from '@nestjs/common';
import { PeopleModule } from '../people/people.module.js';
import { ProgramsModule } from '../programs/programs.module.js';
import { AvailabilityController } from './availability.controller.js';
import { AvailabilityRepository } from './availability.repository.js';
import { AvailabilityService } from './availability.service.js';
import { BusyCache } from './busy-cache.js';
import { SlotsService } from './slots.service.js';
import { ListingCache } from './listing-cache.js';
import { SupplyCache } from './supply-cache.js';

@Module({
  imports: [PeopleModule, ProgramsModule],
  controllers: [AvailabilityController],
  // BusyCache, SupplyCache, ListingCache: one per instance, every request's slot search shares them.
  providers: [{ provide: BusyCache, useFactory: () => new BusyCache() }, { provide: SupplyCache, useFactory: () => new SupplyCache() }, { provide: ListingCache, useFactory: () => new ListingCache() }, AvailabilityRepository, AvailabilityService, SlotsService],
  exports: [SlotsService, AvailabilityRepository, AvailabilityService],
})
export class AvailabilityModule {}
