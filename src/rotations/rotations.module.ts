import { Module } from '@nestjs/common';
import { PeopleModule } from '../people/people.module.js';
import { ProgramsModule } from '../programs/programs.module.js';
import { NotifyModule } from '../notify/notify.module.js';
import { ObservationsModule } from '../observations/observations.module.js';
import { RotationsController } from './rotations.controller.js';
import { RotationsRepository } from './rotations.repository.js';
import { RotationsService } from './rotations.service.js';

@Module({
  imports: [PeopleModule, ProgramsModule, ObservationsModule, NotifyModule],
  controllers: [RotationsController],
  providers: [RotationsRepository, RotationsService],
  exports: [RotationsService, RotationsRepository],
})
export class RotationsModule {}
