import { Global, Module } from '@nestjs/common';
import { AvailabilityModule } from '../availability/availability.module.js';
import { BookingsModule } from '../bookings/bookings.module.js';
import { CalendarSyncModule } from '../calendar-sync/calendar-sync.module.js';
import { CustomerCallsModule } from '../customer-calls/customer-calls.module.js';
import { FeedsModule } from '../feeds/feeds.module.js';
import { ImportsModule } from '../imports/imports.module.js';
import { WelcomeLinks } from '../imports/welcome-links.js';
import { ObservationsModule } from '../observations/observations.module.js';
import { PeopleModule } from '../people/people.module.js';
import { ProgramsModule } from '../programs/programs.module.js';
import { RollupsModule } from '../rollups/rollups.module.js';
import { RotationsModule } from '../rotations/rotations.module.js';
import { ThemesModule } from '../themes/themes.module.js';
import { FormsPagesRepository } from './marketer/forms-pages.repository.js';
import { HomeController } from './home.controller.js';
import { LifecycleHealthRepository } from './lifecycle/lifecycle-health.repository.js';
import { LifecycleHealthController } from './lifecycle/health.controller.js';
import { LifecycleImportsController } from './lifecycle/imports.controller.js';
import { LifecyclePeopleController } from './lifecycle/people.controller.js';
import { LifecyclePeriodsController } from './lifecycle/periods.controller.js';
import { LifecycleProgramsController } from './lifecycle/programs.controller.js';
import { LifecycleRollupsController, RollupPageController } from './lifecycle/rollups.controller.js';
import { LifecycleThemesController } from './lifecycle/themes.controller.js';
import { LifecycleThemeSuggestionsController } from './lifecycle/theme-suggestions.controller.js';
import { LifecycleWebhooksController } from './lifecycle/webhooks.controller.js';
import { LinksController } from './links.controller.js';
import { MarketerFormsController } from './marketer/marketer-forms.controller.js';
import { MarketerPagesController } from './marketer/marketer.controller.js';
import { MarketerPagesRepository } from './marketer/marketer-pages.repository.js';
import { RepCalendarPagesController } from './rep/rep-calendar.controller.js';
import { RepPagesController } from './rep/rep.controller.js';
import { RepNoticesPagesController } from './rep/rep-notices.controller.js';
import { RepNotesPagesController } from './rep/rep-notes.controller.js';
import { RepNotesModule } from '../rep-notes/rep-notes.module.js';
import { LifecycleNoticesController } from './lifecycle/notices.controller.js';
import { LifecycleActionsController } from './lifecycle/actions.controller.js';
import { LifecycleEmpathyController } from './lifecycle/empathy.controller.js';
import { LifecycleSearchController } from './lifecycle/search.controller.js';
import { SearchModule } from '../search/search.module.js';
import { SegmentsModule } from '../segments/segments.module.js';
import { ActionsModule } from '../actions/actions.module.js';
import { NoticesModule } from '../notices/notices.module.js';
import { SessionsRepository } from './kit/sessions.repository.js';
import { ShiftsPagesRepository } from './marketer/shifts-pages.repository.js';
import { OidcController } from './sign-in/oidc.controller.js';
import { OidcFlowsRepository } from './sign-in/oidc.repository.js';
import { OidcService } from './sign-in/oidc.service.js';
import { SignInController } from './sign-in/sign-in.controller.js';
import { SignInService } from './sign-in/sign-in.service.js';
import { WelcomeLinksService } from './sign-in/welcome-links.service.js';
import { WebErrorFilter } from './kit/web.filter.js';
import { WebGuard } from './kit/web.guard.js';

/** The server-rendered web app: sign-in, and the pages of reps, marketers and the lifecycle team. */
@Global()
@Module({
  imports: [
    PeopleModule,
    ProgramsModule,
    AvailabilityModule,
    BookingsModule,
    FeedsModule,
    ObservationsModule,
    RotationsModule,
    ThemesModule,
    RollupsModule,
    CalendarSyncModule,
    CustomerCallsModule,
    ImportsModule,
    NoticesModule,
    ActionsModule,
    RepNotesModule,
    SegmentsModule,
    SearchModule,
  ],
  controllers: [
    // Before SignInController: its `sign-in/:token` would take `/sign-in/oidc`.
    OidcController,
    SignInController,
    HomeController,
    RepPagesController,
    RepCalendarPagesController,
    MarketerPagesController,
    MarketerFormsController,
    LifecycleProgramsController,
    LifecyclePeriodsController,
    LifecycleImportsController,
    LifecyclePeopleController,
    LifecycleThemesController,
    LifecycleThemeSuggestionsController,
    LifecycleRollupsController,
    LifecycleHealthController,
    LifecycleWebhooksController,
    RepNoticesPagesController,
    LifecycleNoticesController,
    LifecycleActionsController,
    RepNotesPagesController,
    LifecycleEmpathyController,
    LifecycleSearchController,
    RollupPageController,
    LinksController,
  ],
  providers: [
    FormsPagesRepository,
    ShiftsPagesRepository,
    SessionsRepository,
    LifecycleHealthRepository,
    MarketerPagesRepository,
    SignInService,
    OidcFlowsRepository,
    OidcService,
    { provide: WelcomeLinks, useClass: WelcomeLinksService },
    WebGuard,
    WebErrorFilter,
  ],
  exports: [PeopleModule, SessionsRepository, SignInService, WelcomeLinks, WebGuard, WebErrorFilter],
})
export class WebModule {}
