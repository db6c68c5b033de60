import { DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditModule } from './audit/audit.module.js';
import { AllErrorsFilter } from './common/error.filter.js';
import { APP_CONFIG, type AppConfig } from './config/config.js';
import { dataSourceOptions, migrate } from './database/data-source.js';
import { Notifications } from './database/notifications.js';
import { HealthModule } from './health/health.module.js';
import { ImportsModule } from './imports/imports.module.js';
import { PeopleModule } from './people/people.module.js';
import { ProgramsModule } from './programs/programs.module.js';
import { AvailabilityModule } from './availability/availability.module.js';
import { BookingsModule } from './bookings/bookings.module.js';
import { CalendarSyncModule } from './calendar-sync/calendar-sync.module.js';
import { CustomerCallsModule } from './customer-calls/customer-calls.module.js';
import { FeedsModule } from './feeds/feeds.module.js';
import { ObservationsModule } from './observations/observations.module.js';
import { RollupsModule } from './rollups/rollups.module.js';
import { NoticesModule } from './notices/notices.module.js';
import { ActionsModule } from './actions/actions.module.js';
import { RepNotesModule } from './rep-notes/rep-notes.module.js';
import { RotationsModule } from './rotations/rotations.module.js';
import { ScimModule } from './scim/scim.module.js';
import { ThemesModule } from './themes/themes.module.js';
import { SegmentsModule } from './segments/segments.module.js';
import { SearchModule } from './search/search.module.js';
import { MailModule } from './mail/mail.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { Clock } from './common/clock.js';
import { SecretsModule } from './common/secrets.js';
import { WebModule } from './web/web.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/** The resolved database URL (DATABASE_URL or the embedded server's), for what needs its own connection. */
export const DATABASE_URL = Symbol('DATABASE_URL');

export interface AppModuleOptions {
  config: AppConfig;
  /** Resolved database URL (DATABASE_URL or the embedded server's). */
  databaseUrl: string;
}

@Module({})
export class AppModule {
  static forRoot({ config, databaseUrl }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(databaseUrl),
          dataSourceFactory: async (options) => {
            const ds = await new DataSource(options!).initialize();
            const applied = await migrate(ds);
            const all = ds.migrations.length;
            new Logger('Database').log(applied ? `applied ${applied} of ${all} migrations` : `schema up to date (${all} migrations)`);
            return ds;
          },
        }),
        ScheduleModule.forRoot(),
        MetricsModule,
        SecretsModule,
        AuditModule,
        WebhooksModule,
        PeopleModule,
        ProgramsModule,
        AvailabilityModule,
        MailModule,
        BookingsModule,
        CalendarSyncModule,
        CustomerCallsModule,
        FeedsModule,
        ThemesModule,
        SegmentsModule,
        SearchModule,
        ObservationsModule,
        RollupsModule,
        NoticesModule,
        ActionsModule,
        RepNotesModule,
        RotationsModule,
        ImportsModule,
        ScimModule,
        WebModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: DATABASE_URL, useValue: databaseUrl },
        Clock,
        Notifications,
        { provide: APP_FILTER, useClass: AllErrorsFilter },
      ],
      exports: [APP_CONFIG, DATABASE_URL, Clock, Notifications],
    };
  }
}
