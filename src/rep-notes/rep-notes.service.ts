import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, forbidden, notFound } from '../common/errors.js';
import { validationError } from '../common/validation.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { MailService } from '../mail/mail.service.js';
import { isLifecycle, User } from '../people/user.entity.js';
import { ProgramsRepository } from '../programs/programs.repository.js';
import { cleanAnswer, hasAnswer, repNoteMail } from './rep-note-messages.js';
import { ListRepNotesQuery, REP_NOTES_LIMIT, SaveRepNoteDto } from './rep-notes.dto.js';
import { RepNote, RepNoteListed, RepNotesRepository } from './rep-notes.repository.js';

/** The queue of the one email that asks for a note. */
export const REP_NOTE_ASK_JOB = 'rep-note.ask';

/** A note as the API shows it (to its rep and the lifecycle team only). */
export interface RepNoteJson {
  id: string;
  bookingId: string;
  programId: string;
  periodId: string;
  repId: string;
  status: RepNote['status'];
  wish: string | null;
  usefulness: number | null;
  followUp: string | null;
  markedNames: string[];
  sessionEndedAt: Date;
  dueAt: Date;
  submittedAt: Date | null;
  /** Submitted after its due time (still welcome: a note is never required). */
  late: boolean;
  session?: { startsAt: Date; endsAt: Date; marketerName: string };
  programName?: string;
}

export function repNoteJson(n: RepNote | RepNoteListed): RepNoteJson {
  const listed = 'marketerName' in n;
  return {
    id: n.id,
    bookingId: n.bookingId,
    programId: n.programId,
    periodId: n.periodId,
    repId: n.repId,
    status: n.status,
    wish: n.wish,
    usefulness: n.usefulness,
    followUp: n.followUp,
    markedNames: n.markedNames,
    sessionEndedAt: n.sessionEndedAt,
    dueAt: n.dueAt,
    submittedAt: n.submittedAt,
    late: !!n.submittedAt && n.submittedAt > n.dueAt,
    ...(listed ? { session: { startsAt: n.sessionStartedAt, endsAt: n.sessionEndedAt, marketerName: n.marketerName }, programName: n.programName } : {}),
  };
}

/**
 * The rep's own optional note after a shadowed call. Opened when the booking is marked completed (in that
 * transaction), withdrawn when the completion is corrected to a no-show, one gentle email. Only the note's
 * rep writes it; the lifecycle team reads it; everyone else (the session's marketer included) is told it does
 * not exist. Nothing waits on a note.
 */
@Injectable()
export class RepNotesService implements OnModuleInit {
  constructor(
    private readonly db: DataSource,
    private readonly repo: RepNotesRepository,
    private readonly programs: ProgramsRepository,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    private readonly mail: MailService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.work<{ noteId: string }>(REP_NOTE_ASK_JOB, (data) => this.sendAsk(data.noteId));
  }

  /**
   * Opens the rep's note of a booking just marked completed, in that change's transaction: due like the
   * marketer's form (the program's formDueHours after the session's end), its one email at the session's
   * end. A note withdrawn by an earlier correction stands again (no second email).
   */
  async openForBooking(m: EntityManager, s: { bookingId: string; programId: string; periodId: string; repId: string; endedAt: Date }): Promise<RepNote> {
    const program = await this.programs.findProgram(m, s.programId);
    const dueAt = new Date(s.endedAt.getTime() + (program?.settings.formDueHours ?? 24) * 3_600_000);
    const { note, created } = await this.repo.openForBooking(m, { bookingId: s.bookingId, programId: s.programId, periodId: s.periodId, repId: s.repId, sessionEndedAt: s.endedAt, dueAt });
    if (created) {
      const now = this.clock.now();
      await this.jobs.send(m, REP_NOTE_ASK_JOB, { noteId: note.id }, { startAfter: s.endedAt > now ? s.endedAt : undefined, singletonKey: `rep-note:${note.id}` });
      await this.audit.record(m, { actorId: null, action: 'rep_note.open', entity: 'rep_note', entityId: note.id, details: { bookingId: s.bookingId, dueAt: dueAt.toISOString() } });
    } else if (note.status === 'withdrawn') {
      await this.repo.reinstate(m, note.id);
      await this.audit.record(m, { actorId: null, action: 'rep_note.reinstate', entity: 'rep_note', entityId: note.id, details: { bookingId: s.bookingId } });
    }
    return note;
  }

  /** The completion was corrected to a no-show: an unsubmitted note is withdrawn (a submitted one stays the rep's word). */
  async withdrawForBooking(m: EntityManager, bookingId: string, actorId: string): Promise<string | null> {
    const id = await this.repo.withdrawForBooking(m, bookingId);
    if (id) await this.audit.record(m, { actorId, action: 'rep_note.withdraw', entity: 'rep_note', entityId: id, details: { bookingId } });
    return id;
  }

  /** The one email, only while the note is still unwritten (open or draft) and the rep active; once (outbox key). */
  async sendAsk(id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const f = await this.repo.mailFacts(m, id);
      if (!f || (f.status !== 'open' && f.status !== 'draft') || !f.rep_active) return;
      const mail = repNoteMail({
        noteId: id,
        rep: { name: f.rep_name, email: f.rep_email, timeZone: f.rep_zone },
        marketerName: f.marketer_name,
        sessionStart: new Date(f.starts_at),
        dueAt: new Date(f.due_at),
        programName: f.program_name,
        publicUrl: this.config.publicUrl,
      });
      await this.mail.enqueue(m, `rep-note:${id}`, mail);
    });
  }

  /** The note's rep, or the lifecycle team (read only); anyone else is told it does not exist. */
  private readable<T extends RepNote>(actor: User, n: T | null, id: string): T {
    if (!n || (n.repId !== actor.id && !isLifecycle(actor))) throw notFound('Rep note', id);
    return n;
  }

  private writable(actor: User, n: RepNote | null, id: string): RepNote {
    const found = this.readable(actor, n, id);
    if (found.repId !== actor.id) throw forbidden('Only the rep writes their note; the lifecycle team reads it');
    if (found.status === 'withdrawn') throw new DomainError('invalid_state', 'The note was withdrawn: its session was marked a no-show', { status: found.status });
    if (found.status === 'submitted') throw new DomainError('invalid_state', 'The note is already sent', { status: found.status, submittedAt: found.submittedAt?.toISOString() });
    return found;
  }

  async get(actor: User, id: string): Promise<RepNoteJson> {
    return repNoteJson(this.readable(actor, await this.repo.findListed(this.db.manager, id), id));
  }

  /** Reps list their own notes; the lifecycle team everyone's (or its own with mine=true); anyone else: 404. */
  async list(actor: User, q: ListRepNotesQuery): Promise<{ repNotes: RepNoteJson[] }> {
    const everyone = isLifecycle(actor) && q.mine !== 'true';
    if (!isLifecycle(actor) && !actor.roles.includes('rep')) throw notFound('Rep notes');
    const rows = await this.repo.list(this.db.manager, { repId: everyone ? undefined : actor.id, programId: q.programId, statuses: q.status ? [q.status] : undefined, limit: REP_NOTES_LIMIT });
    return { repNotes: rows.map(repNoteJson) };
  }

  /** The rep's notes still unwritten (open or draft), for their page. */
  async waitingFor(actor: User): Promise<RepNoteJson[]> {
    const rows = await this.repo.list(this.db.manager, { repId: actor.id, statuses: ['open', 'draft'], limit: 50 });
    return rows.map(repNoteJson);
  }

  /** Saves a draft. */
  async save(actor: User, id: string, dto: SaveRepNoteDto): Promise<RepNoteJson> {
    await this.db.transaction(async (m) => {
      const n = this.apply(this.writable(actor, await this.repo.find(m, id, true), id), dto);
      await this.repo.save(m, { ...n, status: 'draft', submittedAt: null });
    });
    return this.get(actor, id);
  }

  /** Sends the note to the lifecycle team (with any answers given at the same time); it needs one answer at least. Late is fine. */
  async submit(actor: User, id: string, dto: SaveRepNoteDto = {}): Promise<RepNoteJson> {
    await this.db.transaction(async (m) => {
      const n = this.apply(this.writable(actor, await this.repo.find(m, id, true), id), dto);
      if (!hasAnswer(n)) {
        throw validationError([{ field: 'wish', problems: ['Answer at least one question (wish, usefulness or followUp) to send the note; it is optional, so you may also leave it'] }]);
      }
      const now = this.clock.now();
      await this.repo.save(m, { ...n, status: 'submitted', submittedAt: now });
      await this.audit.record(m, { actorId: actor.id, action: 'rep_note.submit', entity: 'rep_note', entityId: id, details: { late: now > n.dueAt } });
    });
    return this.get(actor, id);
  }

  private apply(n: RepNote, dto: SaveRepNoteDto): RepNote {
    const wish = cleanAnswer(dto.wish);
    const followUp = cleanAnswer(dto.followUp);
    return {
      ...n,
      wish: wish === undefined ? n.wish : wish,
      usefulness: dto.usefulness === undefined ? n.usefulness : dto.usefulness,
      followUp: followUp === undefined ? n.followUp : followUp,
      markedNames: dto.markedNames ? [...new Set(dto.markedNames.map((s) => s.trim()).filter(Boolean))] : n.markedNames,
    };
  }
}
