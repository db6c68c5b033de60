import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import { AuditService } from '../../src/audit/audit.service.js';
import { AvailabilityRepository } from '../../src/availability/availability.repository.js';
import { ListingCache } from '../../src/availability/listing-cache.js';
import { SlotsService } from '../../src/availability/slots.service.js';
import { BookingNotices } from '../../src/bookings/booking-notices.js';
import { BookingsRepository } from '../../src/bookings/bookings.repository.js';
import { BookingsService } from '../../src/bookings/bookings.service.js';
import { WaitlistRepository } from '../../src/bookings/waitlist.repository.js';
import { WaitlistService } from '../../src/bookings/waitlist.service.js';
import { Clock } from '../../src/common/clock.js';
import { type AppConfig, loadConfig } from '../../src/config/config.js';
import { dataSourceOptions } from '../../src/database/data-source.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { MailOutboxRepository } from '../../src/mail/mail-outbox.repository.js';
import { MailService } from '../../src/mail/mail.service.js';
import { MailTransport } from '../../src/mail/mail.transport.js';
import { SessionNotifier } from '../../src/notify/session-notifier.js';
import { ObservationsRepository } from '../../src/observations/observations.repository.js';
import { ObservationsService } from '../../src/observations/observations.service.js';
import { User } from '../../src/people/user.entity.js';
import { DEFAULT_SETTINGS, type ProgramSettings } from '../../src/programs/program-settings.js';
import { RepNotesRepository } from '../../src/rep-notes/rep-notes.repository.js';
import { RepNotesService } from '../../src/rep-notes/rep-notes.service.js';
import { ProgramsRepository } from '../../src/programs/programs.repository.js';
import { ThemesRepository } from '../../src/themes/themes.repository.js';
import { ThemesService } from '../../src/themes/themes.service.js';
import { WebhookEvents } from '../../src/webhooks/webhook-events.js';
import { WebhooksRepository } from '../../src/webhooks/webhooks.repository.js';
import { createTestDatabase, TestDatabase } from './database.js';

/** A clock the test sets: services read "now" from it, so a rule about time is tested at the instant it names. */
export class TestClock extends Clock {
  constructor(private at: Date = new Date()) {
    super();
  }
  override now(): Date {
    return new Date(this.at);
  }
  set(at: Date | string): void {
    this.at = new Date(at);
  }
}

/**
 * The middle test size: services built with `new` on a real PostgreSQL database of the test file's own
 * (a copy of the migrated template), with no Nest application and no HTTP. Jobs and emails are queued in
 * the database as in production; no worker runs them (the services' onModuleInit is not called).
 */
export interface TestServices {
  database: TestDatabase;
  db: DataSource;
  clock: TestClock;
  config: AppConfig;
  jobs: JobsService;
  mail: MailService;
  notifier: SessionNotifier;
  audit: AuditService;
  programs: ProgramsRepository;
  slots: SlotsService;
  observations: ObservationsService;
  bookingsRepo: BookingsRepository;
  notices: BookingNotices;
  waitlist: WaitlistService;
  bookings: BookingsService;
  close(): Promise<void>;
}

export async function startServices(env: Record<string, string> = {}): Promise<TestServices> {
  const database = await createTestDatabase();
  const db = await new DataSource(dataSourceOptions(database.url, 5)).initialize();
  const config = loadConfig({ LOG_LEVEL: 'silent', VAR_DIR: `var/test-${process.pid}`, MAIL_FROM: 'Rep Life <replife@example.com>', ...env });
  const clock = new TestClock();
  const jobs = new JobsService(db, config);
  const mail = new MailService(db, jobs, new MailOutboxRepository(db), new MailTransport(config), config);
  const notifier = new SessionNotifier(db, mail, jobs, clock, config);
  const audit = new AuditService(db, new AuditRepository());
  const programs = new ProgramsRepository();
  const slots = new SlotsService(db, programs, new AvailabilityRepository(), clock, new ListingCache());
  const themes = new ThemesService(db, new ThemesRepository(), audit);
  const webhookEvents = new WebhookEvents(jobs, new WebhooksRepository(), clock);
  const observations = new ObservationsService(db, new ObservationsRepository(), programs, themes, audit, jobs, mail, clock, config, webhookEvents);
  const bookingsRepo = new BookingsRepository();
  const notices = new BookingNotices(bookingsRepo, notifier);
  const waitlist = new WaitlistService(db, new WaitlistRepository(), bookingsRepo, programs, slots, audit, notices);
  const repNotes = new RepNotesService(db, new RepNotesRepository(), programs, audit, jobs, mail, clock, config);
  const bookings = new BookingsService(db, bookingsRepo, programs, slots, audit, clock, observations, waitlist, notices, webhookEvents, repNotes, mail, jobs);
  return {
    database,
    db,
    clock,
    config,
    jobs,
    mail,
    notifier,
    audit,
    programs,
    slots,
    observations,
    bookingsRepo,
    notices,
    waitlist,
    bookings,
    close: async () => {
      await jobs.beforeApplicationShutdown();
      await db.destroy();
      await database.drop();
    },
  };
}

/** Rows straight into the tables (no HTTP): the people, programs and periods a service test needs. */
export function seeder(db: DataSource) {
  let n = 0;
  return {
    async user(roles: string[], timeZone = 'UTC'): Promise<User> {
      const id = randomUUID();
      await db.query(`INSERT INTO users (id, email, name, time_zone, roles) VALUES ($1, $2, $3, $4, $5)`, [id, `${roles.join('-')}-${++n}-${id.slice(0, 8)}@example.com`, `${roles[0]} ${n}`, timeZone, roles]);
      return db.manager.findOneByOrFail(User, { id });
    },
    async program(settings: Partial<ProgramSettings> = {}, timeZone = 'UTC'): Promise<string> {
      const [row] = await db.query(`INSERT INTO programs (name, kind, time_zone, settings) VALUES ($1, 'call_shadowing', $2, $3) RETURNING id`, [
        `Program ${++n}`,
        timeZone,
        JSON.stringify({ ...DEFAULT_SETTINGS, periodCadence: 'none', ...settings }),
      ]);
      return row.id;
    },
    async period(programId: string, startsOn: string, endsOn: string): Promise<string> {
      const [row] = await db.query(`INSERT INTO periods (program_id, starts_on, ends_on, status) VALUES ($1, $2, $3, 'open') RETURNING id`, [programId, startsOn, endsOn]);
      return row.id;
    },
    /** An active roster entry: the rep takes bookings in the period. */
    async roster(periodId: string, repId: string): Promise<void> {
      await db.query(`INSERT INTO roster_entries (period_id, rep_id, status, responded_at) VALUES ($1, $2, 'active', now())`, [periodId, repId]);
    },
    async enrol(periodId: string, marketerId: string, quota = DEFAULT_SETTINGS.quota): Promise<void> {
      await db.query(`INSERT INTO enrollments (period_id, marketer_id, quota) VALUES ($1, $2, $3)`, [periodId, marketerId, quota]);
    },
    /** The rep's weekly windows (local wall-clock times in `timeZone`), every day of the week from `start` to `end`. */
    async everyDay(repId: string, start: string, end: string, timeZone = 'UTC'): Promise<void> {
      const weekly = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start, end }));
      await db.query(`INSERT INTO availability (rep_id, time_zone, weekly) VALUES ($1, $2, $3)`, [repId, timeZone, JSON.stringify(weekly)]);
    },
  };
}
