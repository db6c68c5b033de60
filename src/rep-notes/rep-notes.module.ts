import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { ProgramsModule } from '../programs/programs.module.js';
import { RepNotesController } from './rep-notes.controller.js';
import { RepNotesRepository } from './rep-notes.repository.js';
import { RepNotesService } from './rep-notes.service.js';

@Module({
  imports: [ProgramsModule, JobsModule],
  controllers: [RepNotesController],
  providers: [RepNotesRepository, RepNotesService],
  exports: [RepNotesService],
})
export class RepNotesModule {}
