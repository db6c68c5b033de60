import { HomeController } from './home.controller.js';
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
import { RepCalendarPagesController } from './rep/rep-calendar.controller.js';
import { RepPagesController } from './rep/rep.controller.js';
import { RepNoticesPagesController } from './rep/rep-notices.controller.js';
import { RepNotesPagesController } from './rep/rep-notes.controller.js';
import { LifecycleNoticesController } from './lifecycle/notices.controller.js';
import { LifecycleActionsController } from './lifecycle/actions.controller.js';
import { LifecycleEmpathyController } from './lifecycle/empathy.controller.js';
import { LifecycleSearchController } from './lifecycle/search.controller.js';
import { OidcController } from './sign-in/oidc.controller.js';
import { SignInController } from './sign-in/sign-in.controller.js';

/** The controllers of the role pages (/rep, /marketer, /lifecycle), each route under its role's path. */
export const ROLE_PAGE_CONTROLLERS = [
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
];

/** Every page controller: the role pages, then the rollup page, the email links, the start page and sign-in. */
export const PAGE_CONTROLLERS = [...ROLE_PAGE_CONTROLLERS, RollupPageController, LinksController, HomeController, OidcController, SignInController];
