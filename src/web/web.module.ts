import { Global, Module } from '@nestjs/common';
import { PeopleModule } from '../people/people.module.js';
import { HomeController } from './home.controller.js';
import { SessionsRepository } from './sessions.repository.js';
import { SignInController } from './sign-in.controller.js';
import { SignInService } from './sign-in.service.js';
import { WebErrorFilter } from './web.filter.js';
import { WebGuard } from './web.guard.js';

/** The server-rendered web app: sign-in, and the pages of reps, marketers and the lifecycle team. */
@Global()
@Module({
  imports: [PeopleModule],
  controllers: [SignInController, HomeController],
  providers: [SessionsRepository, SignInService, WebGuard, WebErrorFilter],
  exports: [PeopleModule, SessionsRepository, SignInService, WebGuard, WebErrorFilter],
})
export class WebModule {}
