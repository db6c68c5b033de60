import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { ProgramsModule } from '../programs/programs.module.js';
import { SegmentsModule } from '../segments/segments.module.js';
import { ThemesModule } from '../themes/themes.module.js';
import { RollupsController } from './rollups.controller.js';
import { LoopRepository } from './loop.repository.js';
import { IdeasRepository } from './ideas.repository.js';
import { RollupsRepository } from './rollups.repository.js';
import { RollupsService } from './rollups.service.js';

@Module({
  imports: [ProgramsModule, JobsModule, ThemesModule, SegmentsModule],
  controllers: [RollupsController],
  providers: [RollupsRepository, LoopRepository, IdeasRepository, RollupsService],
  exports: [RollupsService],
})
export class RollupsModule {}
