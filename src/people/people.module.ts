import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import { BootstrapService } from './bootstrap.service.js';
import { CredentialCache } from './credential-cache.js';
import { DeactivationHooks } from './deactivation-hooks.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  controllers: [UsersController],
  providers: [UsersRepository, UsersService, BootstrapService, DeactivationHooks, CredentialCache, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [UsersRepository, UsersService, BootstrapService, DeactivationHooks, CredentialCache],
})
export class PeopleModule {}
