import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, forbidden, notFound } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { MailService } from '../mail/mail.service.js';
import { isLifecycle, User } from '../people/user.entity.js';
import { WebhookEvents } from '../webhooks/webhook-events.js';
import { noticeMail } from './notice-messages.js';
import type { CreateNoticeDto } from './notices.dto.js';
import { NoticesRepository, type NoticeRow, type RepNoticeRow } from './notices.repository.js';

/** The queue whose job (one per notice) writes the notice's emails to the outbox; its data is `{ noticeId }`. */
export const NOTICE_FANOUT_QUEUE = 'notice.fanout';
/** Emails written per transaction by the fan-out (each keyed `notice:<id>:<repId>`, so a retried batch adds nothing). */
export const FANOUT_BATCH = 100;
/** Notices per list (newest first). */
export const NOTICES_LIST_LIMIT = 200;
/** Unacknowledged notices shown as banners on the rep's page (newest first). */
export const BANNER_LIMIT = 20;

/** A notice as the lifecycle team sees it. */
export interface NoticeOut {
  id: string;
  programId: string;
  periodId: string | null;
  actionId: string | null;
  kind: string;
  subject: string;
  body: string;
  sentBy: string | null;
  sentAt: Date;
  recipientCount: number;
  acknowledgedCount: number;
}

/** A notice as a rep who got it sees it. */
export type RepNoticeOut = Omit<RepNoticeRow, 'programName'> & { programName: string };

const unprocessable = (field: string, message: string) => new DomainError('unprocessable', message, { field });
const isRep = (u: User) => u.roles.includes('rep');

/**
 * Notices to reps: the lifecycle team sends one to a period's roster (or chosen reps of it); the notice, its
 * recipients, its fan-out job and its `notice.sent` event are written in one transaction, so sending to 500
 * reps is a few statements; the fan-out job then writes one email per rep (in the rep's zone) to the outbox.
 * Each rep sees it on their page until they press "Got it".
 */
@Injectable()
export class NoticesService implements OnModuleInit {
  constructor(
    private readonly db: DataSource,
    private readonly repo: NoticesRepository,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    private readonly mail: MailService,
    private readonly webhookEvents: WebhookEvents,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.work<{ noticeId: string }>(NOTICE_FANOUT_QUEUE, (data) => this.fanOut(data.noticeId));
  }

  /** Sends a notice: 201 with its counts. Every refusal names its field and writes nothing. */
  async send(actor: User, dto: CreateNoticeDto): Promise<NoticeOut> {
    const id = await this.db.transaction(async (m) => {
      const programName = await this.repo.programName(m, dto.programId);
      if (programName === null) throw new DomainError('not_found', `Program ${dto.programId} was not found`, { field: 'programId' });
      let periodId = dto.periodId ?? null;
      if (periodId) {
        const of = await this.repo.periodProgram(m, periodId);
        if (of === null) throw new DomainError('not_found', `Period ${periodId} was not found`, { field: 'periodId' });
        if (of !== dto.programId) throw unprocessable('periodId', 'periodId must be a period of the program');
      } else {
        periodId = await this.repo.defaultPeriod(m, dto.programId);
        if (!periodId) throw unprocessable('periodId', 'The program has no period, so no roster to send to');
      }
      if (dto.actionId) {
        const of = await this.repo.actionProgram(m, dto.actionId);
        if (of !== dto.programId) throw unprocessable('actionId', 'actionId must be an action of the same program');
      }
      const roster = await this.repo.rosterReps(m, periodId);
      let repIds = roster;
      if (dto.repIds) {
        const on = new Set(roster);
        const off = [...new Set(dto.repIds)].filter((r) => !on.has(r));
        if (off.length) {
          throw new DomainError('unprocessable', `repIds must be reps on the period's roster (accepted); not on it: ${off.slice(0, 5).join(', ')}${off.length > 5 ? ', …' : ''}`, {
            field: 'repIds',
            notOnRoster: off.slice(0, 50),
          });
        }
        repIds = [...new Set(dto.repIds)];
      }
      if (repIds.length === 0) throw unprocessable(dto.periodId ? 'periodId' : 'programId', 'No rep has accepted the roster of that period yet: there is no one to send to');
      const sentAt = this.clock.now();
      const n = await this.repo.insertWithRecipients(m, {
        programId: dto.programId,
        periodId,
        actionId: dto.actionId ?? null,
        kind: dto.kind,
        subject: dto.subject.trim(),
        body: dto.body,
        sentBy: actor.id,
        sentAt,
        repIds,
      });
      await this.jobs.send(m, NOTICE_FANOUT_QUEUE, { noticeId: n.id }, { singletonKey: `notice:${n.id}`, expireInSeconds: 120 });
      await this.webhookEvents.emit(m, 'notice.sent', {
        noticeId: n.id,
        programId: dto.programId,
        periodId,
        kind: dto.kind,
        recipientCount: n.recipientCount,
        actionId: dto.actionId ?? null,
      });
      await this.audit.record(m, { actorId: actor.id, action: 'notice.send', entity: 'notice', entityId: n.id, details: { programId: dto.programId, periodId, kind: dto.kind, recipients: n.recipientCount, chosen: !!dto.repIds } });
      return n.id;
    });
    return out((await this.repo.find(this.repo.manager, id))!);
  }

  /**
   * Writes the notice's emails to the outbox, FANOUT_BATCH per transaction, each in the rep's zone. A retry
   * (or a second run) writes only what is missing: the outbox dedupes on `notice:<id>:<repId>`.
   */
  async fanOut(noticeId: string): Promise<void> {
    const notice = await this.repo.find(this.repo.manager, noticeId);
    if (!notice) return;
    const programName = (await this.repo.programName(this.repo.manager, notice.programId)) ?? '';
    let after: string | null = null;
    for (;;) {
      const batch = await this.db.transaction(async (m) => {
        const rows = await this.repo.mailBatch(m, noticeId, after, FANOUT_BATCH);
        for (const r of rows) {
          const mail = noticeMail({
            noticeId,
            kind: notice.kind,
            subject: notice.subject,
            body: notice.body,
            sentAt: notice.sentAt,
            programName,
            rep: { name: r.name, email: r.email, timeZone: r.timeZone },
            publicUrl: this.config.publicUrl,
          });
          await this.mail.enqueue(m, `notice:${noticeId}:${r.repId}`, mail);
        }
        return rows;
      });
      if (batch.length < FANOUT_BATCH) return;
      after = batch[batch.length - 1].repId;
    }
  }

  /** Lifecycle: every notice (of a program) with counts. A rep (or `mine=true`): the notices sent to them. */
  async list(actor: User, q: { programId?: string; mine?: string }): Promise<{ notices: (NoticeOut | RepNoticeOut)[] }> {
    const m = this.repo.manager;
    const mine = q.mine === 'true' || (q.mine === undefined && !isLifecycle(actor));
    if (mine) {
      if (!isRep(actor)) return { notices: [] };
      return { notices: await this.repo.listForRep(m, actor.id, { programId: q.programId, limit: NOTICES_LIST_LIMIT }) };
    }
    if (!isLifecycle(actor)) throw forbidden('Only the lifecycle team lists every notice; use mine=true');
    return { notices: (await this.repo.list(m, q.programId, NOTICES_LIST_LIMIT)).map(out) };
  }

  /** Lifecycle: the notice, its counts and who acknowledged when. A recipient: the notice as they got it. Anyone else: 404. */
  async get(actor: User, id: string): Promise<NoticeOut | RepNoticeOut> {
    const m = this.repo.manager;
    if (isLifecycle(actor)) {
      const n = await this.repo.find(m, id);
      if (!n) throw notFound('Notice', id);
      return { ...out(n), recipients: await this.repo.recipients(m, id) } as NoticeOut;
    }
    const own = isRep(actor) ? await this.repo.findForRep(m, id, actor.id) : null;
    if (!own) throw notFound('Notice', id);
    return own;
  }

  /** The recipient's "Got it": idempotent (the first moment stays). Anyone who did not get the notice: 404. */
  async acknowledge(actor: User, id: string): Promise<RepNoticeOut> {
    return this.db.transaction(async (m) => {
      const own = await this.repo.findForRep(m, id, actor.id);
      if (!own) throw notFound('Notice', id);
      if (await this.repo.acknowledge(m, id, actor.id, this.clock.now())) {
        await this.audit.record(m, { actorId: actor.id, action: 'notice.ack', entity: 'notice', entityId: id });
      }
      return (await this.repo.findForRep(m, id, actor.id))!;
    });
  }

  /** What the rep's page shows as banners: their notices still waiting for "Got it", newest first. */
  waitingFor(rep: User): Promise<RepNoticeRow[]> {
    if (!isRep(rep)) return Promise.resolve([]);
    return this.repo.listForRep(this.repo.manager, rep.id, { unacknowledged: true, limit: BANNER_LIMIT });
  }

  /** The newest notices of a program with counts, for the lifecycle pages. */
  async ofProgram(programId: string): Promise<NoticeOut[]> {
    return (await this.repo.list(this.repo.manager, programId, NOTICES_LIST_LIMIT)).map(out);
  }

  /** What the send form offers: the period a notice goes to by default, and the actions it may carry out. */
  async formChoices(programId: string): Promise<{ defaultPeriodId: string | null; actions: { id: string; title: string }[] }> {
    const m = this.repo.manager;
    return { defaultPeriodId: await this.repo.defaultPeriod(m, programId), actions: await this.repo.openActions(m, programId) };
  }

  /** Totals of a program: notices, recipients, acknowledgements. */
  programCounts(programId: string): Promise<{ notices: number; recipients: number; acknowledged: number }> {
    return this.repo.programCounts(this.repo.manager, programId);
  }
}

function out(n: NoticeRow): NoticeOut {
  return { ...n };
}
