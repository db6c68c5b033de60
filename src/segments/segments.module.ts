import { Module } from '@nestjs/common';
import { ProgramsModule } from '../programs/programs.module.js';
import { EmpathyController, SegmentsController } from './segments.controller.js';
import { SegmentsRepository } from './segments.repository.js';
import { SegmentsService } from './segments.service.js';

@Module({
  imports: [ProgramsModule],
  controllers: [SegmentsController, EmpathyController],
  providers: [SegmentsRepository, SegmentsService],
  exports: [SegmentsService],
})
export class SegmentsModule {}
