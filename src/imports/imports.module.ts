import { Module } from '@nestjs/common';
import { PeopleModule } from '../people/people.module.js';
import { ImportsController } from './imports.controller.js';
import { ImportsRepository } from './imports.repository.js';
import { ImportsService } from './imports.service.js';

/** Bulk people from CSV (POST /api/v1/imports/people); the lifecycle page uses ImportsService too. */
@Module({
  imports: [PeopleModule], // CredentialCache
  controllers: [ImportsController],
  providers: [ImportsRepository, ImportsService],
  exports: [ImportsService],
})
export class ImportsModule {}
