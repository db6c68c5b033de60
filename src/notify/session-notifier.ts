import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobsService, type SendJobOptions } from '../jobs/jobs.service.js';
import { MailService } from '../mail/mail.service.js';
import type { OutgoingMail } from '../mail/mail.types.js';
import { senderOf } from '../mail/sender.js';

/** Someone a session's emails and invites are written to (and in whose zone). */
export interface Person {
  id: string;
  name: string;
  email: string;
  timeZone: string;
}

/** What a reminder checks before it sends: the session is still confirmed and has not moved since. */
export interface SessionState {
  status: string;
  sequence: number;
}

/** The organizer, instant and public URL that every email and invite of one change is written with. */
export interface NoticeContext {
  organizer: { name: string; email: string };
  stamp: Date;
  publicUrl: string;
}

/** One email, with its outbox dedupe key (the same key twice queues once: retries and replays send nothing twice). */
export interface Notice {
  key: string;
  mail: OutgoingMail;
}

/** A session's reminder job: queued only while `at` is still ahead of the change's stamp. */
export interface Reminder {
  queue: string;
  data: { sequence: number } & Record<string, unknown>;
  at: Date;
  options?: Omit<SendJobOptions, 'startAfter'>;
}

/**
 * Tells the people of a session (a shadowing booking, a support shift) about it: the emails with their
 * invites go to the outbox and the reminder job to the queue, both in the caller's transaction, so they
 * exist exactly when the change commits. The feature supplies its facts and the words of its emails;
 * this owns the organizer, the clock, the outbox, the reminder queue and the "still current?" check.
 */
@Injectable()
export class SessionNotifier {
  constructor(
    private readonly db: DataSource,
    private readonly mail: MailService,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The sender every invite names as organizer (MAIL_FROM). */
  organizer(): { name: string; email: string } {
    return senderOf(this.config.mailFrom);
  }

  /** Organizer, now, public URL: build one per change and write all its emails and invites with it. */
  context(): NoticeContext {
    return { organizer: this.organizer(), stamp: this.clock.now(), publicUrl: this.config.publicUrl };
  }

  /** In the change's transaction: queues the emails, then the reminder job when its time is still ahead of `ctx.stamp`. */
  async announce(m: EntityManager, ctx: NoticeContext, notices: Notice[], reminder?: Reminder): Promise<void> {
    for (const n of notices) await this.mail.enqueue(m, n.key, n.mail);
    if (reminder && reminder.at > ctx.stamp) await this.jobs.send(m, reminder.queue, reminder.data, { ...reminder.options, startAfter: reminder.at });
  }

  /** Runs `remind` for every job of a reminder queue (call it from the feature's onModuleInit). */
  async workReminders<D extends { sequence: number }>(queue: string, remind: (data: D) => Promise<void>): Promise<void> {
    await this.jobs.work<D>(queue, (data) => remind(data));
  }

  /**
   * A reminder job's body, in a transaction of its own: loads the session and sends `notices` only when it
   * is still confirmed at the job's `sequence` (the job of a moved or cancelled session sends nothing; a
   * retried job sends nothing twice, by the notices' keys).
   */
  async remind<F extends SessionState>(
    sequence: number,
    load: (m: EntityManager) => Promise<F | null | undefined>,
    notices: (facts: F, ctx: NoticeContext) => Notice[],
  ): Promise<void> {
    await this.db.transaction(async (m) => {
      const facts = await load(m);
      if (!facts || facts.status !== 'confirmed' || facts.sequence !== sequence) return;
      const ctx = this.context();
      await this.announce(m, ctx, notices(facts, ctx));
    });
  }
}
