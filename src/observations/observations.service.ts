import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { cursorScope, encodeCursor, positions } from '../common/cursor.js';
import { DomainError, notFound } from '../common/errors.js';
import { everyPage, readCursor } from '../common/paging.js';
import { validationError } from '../common/validation.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { WebhookEvents } from '../webhooks/webhook-events.js';
import { JobsService } from '../jobs/jobs.service.js';
import { MailService } from '../mail/mail.service.js';
import { isLifecycle, User } from '../people/user.entity.js';
import { ProgramsRepository } from '../programs/programs.repository.js';
import { ThemesService } from '../themes/themes.service.js';
import { answerProblems, DEFAULT_FIELDS, TemplateField, templateProblems } from './form-template.js';
import { FormMailKind, formMail, reminderAt } from './observation-messages.js';
import { FormTemplate, Observation } from './observation.entity.js';
import { OBSERVATIONS_PAGE } from './observations.dto.js';
import { ObservationsRepository } from './observations.repository.js';

export const FORM_JOBS: Record<FormMailKind, string> = { nudge: 'observation.nudge', reminder: 'observation.reminder', overdue: 'observation.overdue' };

/** What opens a form: a completed booking or a completed support shift. */
export interface CompletedSession {
  programId: string;
  periodId: string;
  bookingId?: string;
  shiftAssignmentId?: string;
  authorId: string;
  repId: string | null;
  endedAt: Date;
}

@Injectable()
export class ObservationsService implements OnModuleInit {
  constructor(
    private readonly db: DataSource,
    private readonly repo: ObservationsRepository,
    private readonly programs: ProgramsRepository,
    private readonly themes: ThemesService,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    private readonly mail: MailService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly webhookEvents: WebhookEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const kind of Object.keys(FORM_JOBS) as FormMailKind[]) {
      await this.jobs.work<{ observationId: string }>(FORM_JOBS[kind], (data) => this.sendFormMail(data.observationId, kind));
    }
  }

  // ------------------------------------------------------------ templates

  /** The program's current template; version 1 is the default form, created on first use. */
  async currentTemplate(m: EntityManager, programId: string): Promise<FormTemplate> {
    const found = await this.repo.latestTemplate(m, programId);
    if (found) return found;
    await this.repo.insertTemplateIfNone(m, programId, DEFAULT_FIELDS);
    return (await this.repo.latestTemplate(m, programId))!;
  }

  async getTemplate(programId: string): Promise<FormTemplate> {
    if (!(await this.programs.findProgram(this.db.manager, programId))) throw notFound('Program', programId);
    return this.currentTemplate(this.db.manager, programId);
  }

  /** A new version; forms opened on older versions keep theirs. */
  async putTemplate(actor: User, programId: string, fields: TemplateField[]): Promise<FormTemplate> {
    const problems = templateProblems(fields);
    if (problems.length) throw validationError(problems);
    return this.db.transaction(async (m) => {
      if (!(await this.programs.findProgram(m, programId))) throw notFound('Program', programId);
      await this.repo.lockTemplates(m, programId);
      const current = await this.currentTemplate(m, programId);
      const version = current.version + 1;
      const clean = fields.map((f) => ({ key: f.key, label: f.label, ...(f.help ? { help: f.help } : {}), required: f.required }));
      await this.repo.insertTemplate(m, { programId, version, fields: clean, createdBy: actor.id });
      await this.audit.record(m, { actorId: actor.id, action: 'template.version', entity: 'program', entityId: programId, details: { version } });
      return (await this.repo.template(m, programId, version))!;
    });
  }

  // ------------------------------------------------------------ lifecycle of a form

  /** Opens the author's form when a session is marked completed, in that change's transaction, and schedules its emails. */
  async openForSession(m: EntityManager, s: CompletedSession): Promise<Observation> {
    const program = await this.programs.findProgram(m, s.programId);
    const template = await this.currentTemplate(m, s.programId);
    const dueAt = new Date(s.endedAt.getTime() + program!.settings.formDueHours * 3_600_000);
    const { observation, created } = await this.repo.openForSession(m, {
      programId: s.programId,
      periodId: s.periodId,
      bookingId: s.bookingId ?? null,
      shiftAssignmentId: s.shiftAssignmentId ?? null,
      authorId: s.authorId,
      repId: s.repId,
      templateVersion: template.version,
      sessionEndedAt: s.endedAt,
      dueAt,
    });
    if (created) {
      const now = this.clock.now();
      const key = (kind: FormMailKind) => `${FORM_JOBS[kind]}:${observation.id}`;
      const at = (d: Date) => (d > now ? d : undefined);
      await this.jobs.send(m, FORM_JOBS.nudge, { observationId: observation.id }, { startAfter: at(s.endedAt), singletonKey: key('nudge') });
      const remind = reminderAt(dueAt, program!.settings.formDueHours);
      if (remind > now) await this.jobs.send(m, FORM_JOBS.reminder, { observationId: observation.id }, { startAfter: remind, singletonKey: key('reminder') });
      await this.jobs.send(m, FORM_JOBS.overdue, { observationId: observation.id }, { startAfter: at(dueAt), singletonKey: key('overdue') });
      await this.audit.record(m, { actorId: null, action: 'observation.open', entity: 'observation', entityId: observation.id, details: { bookingId: s.bookingId, shiftAssignmentId: s.shiftAssignmentId, dueAt: dueAt.toISOString() } });
    } else if (observation.withdrawnAt) {
      // The session was corrected back to completed: its form stands again (emails already skipped stay unsent).
      await this.repo.reinstate(m, observation.id);
      observation.withdrawnAt = null;
      await this.audit.record(m, { actorId: null, action: 'observation.reinstate', entity: 'observation', entityId: observation.id, details: { bookingId: s.bookingId } });
    }
    return observation;
  }

  /**
   * Withdraws the form of a booking whose completed session was corrected to a no-show, in that change's
   * transaction: an open or draft form is no longer due and gets no more emails; a submitted one is kept,
   * marked withdrawn. Withdrawn forms count nowhere (rollups, exports, health). Returns the form's id, if any.
   */
  async withdrawForBooking(m: EntityManager, bookingId: string, actorId: string): Promise<string | null> {
    const withdrawn = await this.repo.withdrawForBooking(m, bookingId, this.clock.now());
    if (withdrawn) {
      await this.audit.record(m, { actorId, action: 'observation.withdraw', entity: 'observation', entityId: withdrawn.id, details: { bookingId, status: withdrawn.status } });
    }
    return withdrawn?.id ?? null;
  }

  /** A form email, once per kind, only while the form is not submitted nor withdrawn; in the author's zone. */
  async sendFormMail(id: string, kind: FormMailKind): Promise<void> {
    await this.db.transaction(async (m) => {
      const f = await this.repo.mailFacts(m, id);
      if (!f || f.status === 'submitted' || f.withdrawn_at) return;
      const mail = formMail(kind, {
        observationId: id,
        author: { name: f.author_name, email: f.author_email, timeZone: f.author_zone },
        repName: f.rep_name,
        sessionStart: new Date(f.session_start),
        dueAt: new Date(f.due_at),
        programName: f.program_name,
        focus: f.focus,
        publicUrl: this.config.publicUrl,
      });
      await this.mail.enqueue(m, `observation:${id}:${kind}`, mail);
    });
  }

  /** The author, or the lifecycle team (read only); everyone else is told it does not exist. */
  private readable(actor: User, o: Observation | null, id: string): Observation {
    if (!o || (o.authorId !== actor.id && !isLifecycle(actor))) throw notFound('Observation', id);
    return o;
  }

  private writable(actor: User, o: Observation | null, id: string): Observation {
    const found = this.readable(actor, o, id);
    if (found.authorId !== actor.id) throw new DomainError('forbidden', 'Only the author writes a form; the lifecycle team reads it');
    if (found.withdrawnAt) throw new DomainError('invalid_state', 'The form was withdrawn: its session was marked a no-show', { withdrawnAt: found.withdrawnAt.toISOString() });
    return found;
  }

  async get(actor: User, id: string) {
    const o = this.readable(actor, await this.repo.find(this.db.manager, id), id);
    const template = await this.repo.template(this.db.manager, o.programId, o.templateVersion);
    const period = await this.programs.findPeriod(this.db.manager, o.periodId);
    return { ...o, focus: period?.focus ?? null, template: template?.fields ?? DEFAULT_FIELDS, history: await this.repo.revisions(this.db.manager, id) };
  }

  /** Every form the query names, page after page (for the pages, which show them all). */
  async list(actor: User, q: { mine?: string; status?: string; periodId?: string }): Promise<Observation[]> {
    return everyPage(async (cursor) => {
      const page = await this.listPage(actor, { ...q, ...(cursor ? { cursor } : {}) });
      return { items: page.observations, nextCursor: page.nextCursor };
    });
  }

  /** One page of forms in due order (id breaks ties): `limit` of them after `cursor`, and the next page's cursor. */
  async listPage(actor: User, q: { mine?: string; status?: string; periodId?: string; limit?: number; cursor?: string }): Promise<{ observations: Observation[]; nextCursor: string | null }> {
    const mine = q.mine !== 'false' || !isLifecycle(actor);
    const scope = cursorScope({ actor: actor.id, mine, periodId: q.periodId, status: q.status });
    const after = readCursor('observations', scope, q.cursor, positions.instantAndId);
    const limit = q.limit ?? OBSERVATIONS_PAGE;
    const { rows, cursorAt } = await this.repo.list(this.db.manager, {
      authorId: mine ? actor.id : undefined,
      periodId: q.periodId,
      status: q.status,
      now: this.clock.now(),
      limit: limit + 1,
      after,
    });
    const nextCursor = rows.length > limit ? encodeCursor('observations', scope, [cursorAt[limit - 1], rows[limit - 1].id]) : null;
    return { observations: rows.slice(0, limit), nextCursor };
  }

  /** Saves a draft (shape checked) or, once submitted, an edit (fully checked, kept in the history). */
  async save(actor: User, id: string, answers: Record<string, unknown>, markedNames?: string[]): Promise<Observation> {
    return this.db.transaction(async (m) => {
      const o = this.writable(actor, await this.repo.findForUpdate(m, id), id);
      const submitted = o.status === 'submitted';
      const fields = await this.fieldsOf(m, o);
      const period = await this.programs.findPeriod(m, o.periodId);
      const problems = answerProblems(answers, fields, { complete: submitted, focus: period?.focus });
      if (submitted) problems.push(...(await this.themeProblems(m, answers)));
      if (problems.length) throw validationError(problems);
      o.answers = answers;
      if (markedNames) o.markedNames = markedNames;
      if (!submitted) o.status = 'draft';
      o.revision += 1;
      const saved = await this.repo.save(m, o);
      if (submitted) {
        await this.repo.addRevision(m, saved, actor.id);
        await this.repo.setThemes(m, id, (answers.themeIds as string[]) ?? []);
        await this.audit.record(m, { actorId: actor.id, action: 'observation.edit', entity: 'observation', entityId: id, details: { revision: saved.revision } });
      }
      return saved;
    });
  }

  async submit(actor: User, id: string): Promise<Observation> {
    return this.db.transaction(async (m) => {
      const o = this.writable(actor, await this.repo.findForUpdate(m, id), id);
      if (o.status === 'submitted') throw new DomainError('invalid_state', 'The form is already submitted; save edits with PUT');
      const fields = await this.fieldsOf(m, o);
      const period = await this.programs.findPeriod(m, o.periodId);
      const problems = [...answerProblems(o.answers, fields, { complete: true, focus: period?.focus }), ...(await this.themeProblems(m, o.answers))];
      if (problems.length) throw validationError(problems);
      const now = this.clock.now();
      const proposed = ((o.answers.proposedThemes as string[] | undefined) ?? []).map((s) => s.trim()).filter(Boolean);
      if (proposed.length) await this.themes.propose(m, proposed, actor.id);
      o.status = 'submitted';
      o.submittedAt = now;
      o.late = now > o.dueAt;
      o.revision += 1;
      const saved = await this.repo.save(m, o);
      await this.repo.addRevision(m, saved, actor.id);
      await this.repo.setThemes(m, id, o.answers.themeIds as string[]);
      await this.audit.record(m, { actorId: actor.id, action: 'observation.submit', entity: 'observation', entityId: id, details: { late: o.late } });
      await this.webhookEvents.emit(m, 'observation.submitted', {
        observationId: id,
        programId: o.programId,
        periodId: o.periodId,
        bookingId: o.bookingId ?? null,
        authorId: o.authorId,
        repId: o.repId ?? null,
        submittedAt: now.toISOString(),
        late: o.late,
        themeIds: (o.answers.themeIds as string[] | undefined) ?? [],
      });
      return saved;
    });
  }

  private async fieldsOf(m: EntityManager, o: Observation): Promise<TemplateField[]> {
    return (await this.repo.template(m, o.programId, o.templateVersion))?.fields ?? DEFAULT_FIELDS;
  }

  /** Every theme id must name a live theme of the taxonomy (a merged one counts as its successor). */
  private async themeProblems(m: EntityManager, answers: Record<string, unknown>) {
    const ids = Array.isArray(answers.themeIds) ? answers.themeIds.filter((x): x is string => typeof x === 'string') : [];
    if (!ids.length) return [];
    const canonical = await this.themes.canonicalIds(m, ids);
    return ids.flatMap((tid, i) => (canonical.get(tid) ? [] : [{ field: `themeIds[${i}]`, problems: [`themeIds[${i}] is not a theme of the taxonomy`] }]));
  }
}
