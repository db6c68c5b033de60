import { Global, Module } from '@nestjs/common';
import { AvailabilityModule } from '../availability/availability.module.js';
import { BookingsModule } from '../bookings/bookings.module.js';
import { ObservationsModule } from '../observations/observations.module.js';
import { PeopleModule } from '../people/people.module.js';
import { ProgramsModule } from '../programs/programs.module.js';
import { RollupsModule } from '../rollups/rollups.module.js';
import { RotationsModule } from '../rotations/rotations.module.js';
import { ThemesModule } from '../themes/themes.module.js';
import { FormsPagesRepository } from './forms-pages.repository.js';
import { HomeController } from './home.controller.js';
import { LifecycleHealthRepository } from './lifecycle-health.repository.js';
import { LifecyclePagesController } from './lifecycle.controller.js';
import { LinksController } from './links.controller.js';
import { MarketerFormsController } from './marketer-forms.controller.js';
import { MarketerPagesController } from './marketer.controller.js';
import { MarketerPagesRepository } from './marketer-pages.repository.js';
import { RepPagesController } from './rep.controller.js';
import { SessionsRepository } from './sessions.repository.js';
import { ShiftsPagesRepository } from './shifts-pages.repository.js';
import { SignInController } from './sign-in.controller.js';
import { SignInService } from './sign-in.service.js';
import { WebErrorFilter } from './web.filter.js';
import { WebGuard } from './web.guard.js';

/** The server-rendered web app: sign-in, and the pages of reps, marketers and the lifecycle team. */
@Global()
@Module({
  imports: [PeopleModule, ProgramsModule, AvailabilityModule, BookingsModule, ObservationsModule, RotationsModule, ThemesModule, RollupsModule],
  controllers: [
    SignInController,
    HomeController,
    RepPagesController,
    MarketerPagesController,
    MarketerFormsController,
    LifecyclePagesController,
    LinksController,
  ],
  providers: [
    FormsPagesRepository,
    ShiftsPagesRepository,
    SessionsRepository,
    LifecycleHealthRepository,
    MarketerPagesRepository,
    SignInService,
    WebGuard,
    WebErrorFilter,
  ],
  exports: [PeopleModule, SessionsRepository, SignInService, WebGuard, WebErrorFilter],
})
export class WebModule {}
