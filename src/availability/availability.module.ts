import { Module } from '@nestjs/common';
import { PeopleModule } from '../people/people.module.js';
import { ProgramsModule } from '../programs/programs.module.js';
import { AvailabilityController } from './availability.controller.js';
import { AvailabilityRepository } from './availability.repository.js';
import { AvailabilityService } from './availability.service.js';
import { SlotsService } from './slots.service.js';

@Module({
  imports: [PeopleModule, ProgramsModule],
  controllers: [AvailabilityController],
  providers: [AvailabilityRepository, AvailabilityService, SlotsService],
  exports: [SlotsService, AvailabilityRepository, AvailabilityService],
})
export class AvailabilityModule {}
