import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { ProgramsModule } from '../programs/programs.module.js';
import { ThemesModule } from '../themes/themes.module.js';
import { ExportService } from './export.service.js';
import { ObservationsController } from './observations.controller.js';
import { ObservationsRepository } from './observations.repository.js';
import { ObservationsService } from './observations.service.js';

@Module({
  imports: [ProgramsModule, ThemesModule, JobsModule],
  controllers: [ObservationsController],
  providers: [ObservationsRepository, ObservationsService, ExportService],
  exports: [ObservationsService, ObservationsRepository],
})
export class ObservationsModule {}
