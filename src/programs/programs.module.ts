import { Module } from '@nestjs/common';
import { PeopleModule } from '../people/people.module.js';
import { PeriodCadenceService } from './period-cadence.service.js';
import { ProgramsController } from './programs.controller.js';
import { ProgramsRepository } from './programs.repository.js';
import { ProgramsService } from './programs.service.js';

@Module({
  imports: [PeopleModule],
  controllers: [ProgramsController],
  providers: [ProgramsRepository, ProgramsService, PeriodCadenceService],
  exports: [ProgramsRepository, ProgramsService],
})
export class ProgramsModule {}
