import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, forbidden, notFound } from '../common/errors.js';
import { validationError } from '../common/validation.js';
import { isLifecycle, User } from '../people/user.entity.js';
import { ProgramsRepository } from '../programs/programs.repository.js';
import { SessionNotifier } from '../notify/session-notifier.js';
import { ObservationsService } from '../observations/observations.service.js';
import { reminderAt, shiftEvent, ShiftFacts, ShiftMailKind, shiftMail } from './shift-messages.js';
import { inviteIcs } from '../calendar/ics.js';
import { RotationInputError, expandShifts, generate } from './engine/assign.js';
import { type PeriodRunReport, type RunSpan, heldTemplateIds, periodRunInput, periodRunReport } from './engine/period-run.js';
import { type ShiftTemplate, validateTemplate } from './engine/shifts.js';
import { CreateShiftTemplateDto, CreateTimeOffDto, ListShiftsQuery } from './rotations.dto.js';
import { AssignmentRow, RotationsRepository, Span, TemplateRow, TimeOffRow, isPlaceConflict } from './rotations.repository.js';

export const SHIFT_REMINDER_JOB = 'shift.reminder';
const fromMinute = (t: number) => new Date(t * 60_000);

/** A shift template as the API shows it: the engine's template plus its program, state and creation time. */
export interface TemplateView extends ShiftTemplate {
  programId: string;
  active: boolean;
  createdAt: Date;
}

export interface AssignmentView {
  id: string;
  periodId: string;
  templateId: string;
  shiftKey: string;
  shiftDate: string;
  queue: string | undefined;
  queueTimeZone: string | undefined;
  startsAt: string;
  endsAt: string;
  /** The start in the viewer's zone. */
  localStart: string;
  marketerId: string;
  status: string;
  uid: string;
  sequence: number;
}

export interface GenerateResponse {
  /** The assignments this run added (earlier ones are never changed). */
  assignments: AssignmentView[];
  report: PeriodRunReport;
}

const engineTemplate = (t: TemplateRow): ShiftTemplate => ({
  id: t.id,
  weekday: t.weekday,
  start: t.start_time,
  end: t.end_time,
  timeZone: t.time_zone,
  queue: t.queue,
  capacity: t.capacity,
});

const templateView = (t: TemplateRow): TemplateView => ({ ...engineTemplate(t), programId: t.program_id, active: t.active, createdAt: t.created_at });

function assignmentView(a: AssignmentRow, viewerZone: string): AssignmentView {
  const startsAt = new Date(a.starts_at);
  return {
    id: a.id,
    periodId: a.period_id,
    templateId: a.template_id,
    shiftKey: a.shift_key,
    shiftDate: a.shift_date,
    queue: a.queue,
    queueTimeZone: a.time_zone,
    startsAt: startsAt.toISOString(),
    endsAt: new Date(a.ends_at).toISOString(),
    localStart: DateTime.fromJSDate(startsAt, { zone: viewerZone }).toISO({ suppressMilliseconds: true })!,
    marketerId: a.marketer_id,
    status: a.status,
    uid: a.uid,
    sequence: a.sequence,
  };
}

const SWAP_MESSAGES = {
  shift_started: 'The shift has already started',
  shift_full: 'Every place on that shift is taken',
  time_off: 'The marketer has time off during that shift',
  marketer_conflict: 'The marketer is busy (a booking or another shift) during that shift',
  one_shift_per_day: 'The marketer already has a shift on that local day',
} as const;

const refuse = (code: keyof typeof SWAP_MESSAGES, details: Record<string, unknown> = {}) => new DomainError(code, SWAP_MESSAGES[code], details);

const overlaps = (a: { starts_at: Date; ends_at: Date }, start: Date, end: Date) => new Date(a.starts_at) < end && start < new Date(a.ends_at);

/** Support-shift rotations: templates, time off, generating assignments and swapping them. */
@Injectable()
export class RotationsService implements OnModuleInit {
  constructor(
    private readonly db: DataSource,
    private readonly repo: RotationsRepository,
    private readonly programs: ProgramsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly notifier: SessionNotifier,
    private readonly observations: ObservationsService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.notifier.workReminders<{ assignmentId: string; sequence: number }>(SHIFT_REMINDER_JOB, (d) => this.sendReminder(d.assignmentId, d.sequence));
  }

  // ---------------------------------------------------------------- messages

  private async facts(m: EntityManager, id: string): Promise<ShiftFacts | undefined> {
    const r = await this.repo.shiftFacts(m, id);
    if (!r) return undefined;
    return {
      id: r.id,
      uid: r.uid,
      sequence: r.sequence,
      startsAt: new Date(r.starts_at),
      endsAt: new Date(r.ends_at),
      status: r.status,
      queue: r.queue,
      queueZone: r.queue_zone,
      programName: r.program_name,
      marketer: { name: r.marketer_name, email: r.marketer_email, timeZone: r.marketer_zone },
    };
  }

  /** The email (with the invite) about a change, and the evening-before reminder (not for a cancellation), in the change's transaction. */
  private async announce(m: EntityManager, id: string, kind: ShiftMailKind): Promise<void> {
    const f = (await this.facts(m, id))!;
    const ctx = this.notifier.context();
    const reminder =
      kind === 'cancelled'
        ? undefined
        : { queue: SHIFT_REMINDER_JOB, data: { assignmentId: id, sequence: f.sequence }, at: reminderAt(f.startsAt, f.marketer.timeZone), options: { singletonKey: `shift-reminder:${id}:${f.sequence}` } };
    await this.notifier.announce(m, ctx, [{ key: `shift:${id}:${kind}:${f.sequence}`, mail: shiftMail(kind, f, ctx) }], reminder);
  }

  /** The reminder job: only while the shift is confirmed and has not moved since. */
  async sendReminder(id: string, sequence: number): Promise<void> {
    await this.notifier.remind(
      sequence,
      (m) => this.facts(m, id),
      (f, ctx) => [{ key: `shift:${id}:reminder:${sequence}`, mail: shiftMail('reminder', f, ctx) }],
    );
  }

  private async loadOwn(m: EntityManager, actor: User, id: string) {
    const a = await this.repo.findAssignment(m, id, true);
    if (!a || (!isLifecycle(actor) && a.marketer_id !== actor.id)) throw notFound('Shift assignment', id);
    return a;
  }

  /** A lifecycle override: the assignment is cancelled (a CANCEL invite goes out); the seat frees. */
  async cancel(actor: User, id: string, reason: string): Promise<AssignmentView> {
    return this.db.transaction(async (m) => {
      const a = await this.loadOwn(m, actor, id);
      if (!isLifecycle(actor)) throw forbidden('Only the lifecycle team cancels a shift; swap it instead');
      if (a.status !== 'confirmed') throw new DomainError('invalid_state', `The assignment is ${a.status}`, { status: a.status });
      await this.repo.setStatus(m, id, 'cancelled', true);
      await this.audit.record(m, { actorId: actor.id, action: 'shift_assignment.cancel', entity: 'shift_assignment', entityId: id, details: { reason } });
      await this.announce(m, id, 'cancelled');
      return assignmentView((await this.repo.findAssignment(m, id))!, actor.timeZone);
    });
  }

  /** Completed (opens the marketer's observation form) or no-show; once the shift has started. */
  async attendance(actor: User, id: string, outcome: 'completed' | 'no_show'): Promise<AssignmentView> {
    return this.db.transaction(async (m) => {
      const a = await this.loadOwn(m, actor, id);
      if (new Date(a.starts_at) > this.clock.now()) throw new DomainError('invalid_state', 'Attendance can be marked once the shift has started', { field: 'outcome' });
      if (a.status !== 'confirmed') throw new DomainError('invalid_state', `The assignment is ${a.status}`, { status: a.status });
      if (outcome === 'no_show') {
        await this.repo.setStatus(m, id, 'cancelled', false);
      } else {
        await this.repo.setStatus(m, id, 'completed', false);
        const found = (await this.programs.findPeriodWithProgram(m, a.period_id))!;
        await this.observations.openForSession(m, {
          programId: found.program.id,
          periodId: a.period_id,
          shiftAssignmentId: id,
          authorId: a.marketer_id,
          repId: null,
          endedAt: new Date(a.ends_at),
        });
      }
      await this.audit.record(m, { actorId: actor.id, action: 'shift_assignment.attendance', entity: 'shift_assignment', entityId: id, details: { outcome } });
      return assignmentView((await this.repo.findAssignment(m, id))!, actor.timeZone);
    });
  }

  /** The current invite: REQUEST while confirmed, CANCEL once cancelled. */
  async inviteFile(actor: User, id: string): Promise<string> {
    const a = await this.repo.findAssignment(this.db.manager, id);
    if (!a || (!isLifecycle(actor) && a.marketer_id !== actor.id)) throw notFound('Shift assignment', id);
    const f = (await this.facts(this.db.manager, id))!;
    const cancelled = f.status === 'cancelled';
    const ctx = this.notifier.context();
    return inviteIcs(shiftEvent(f, ctx.organizer, ctx.stamp, ctx.publicUrl, cancelled), cancelled ? 'CANCEL' : 'REQUEST');
  }

  // ---------------------------------------------------------------- templates

  async createTemplate(actor: User, programId: string, dto: CreateShiftTemplateDto): Promise<TemplateView> {
    try {
      validateTemplate({ id: 'new', ...dto }, 'template');
    } catch (e) {
      if (e instanceof RotationInputError) {
        const field = e.field.replace(/^template\.?/, '') || 'body';
        throw validationError([{ field, problems: [e.message.replace(/^template\./, '')] }]);
      }
      throw e;
    }
    return this.db.transaction(async (m) => {
      const program = await this.programs.findProgram(m, programId);
      if (!program) throw notFound('Program', programId);
      if (program.kind !== 'support_rotation') {
        throw new DomainError('invalid_state', 'Shift templates belong to support_rotation programs', { kind: program.kind });
      }
      const row = await this.repo.insertTemplate(m, { programId, ...dto });
      await this.audit.record(m, { actorId: actor.id, action: 'shift_template.create', entity: 'shift_template', entityId: row.id, details: { programId, ...dto } });
      return templateView(row);
    });
  }

  async listTemplates(programId: string): Promise<TemplateView[]> {
    const m = this.db.manager;
    if (!(await this.programs.findProgram(m, programId))) throw notFound('Program', programId);
    return (await this.repo.listTemplates(m, programId)).map(templateView);
  }

  // ---------------------------------------------------------------- time off

  async addTimeOff(actor: User, userId: string, dto: CreateTimeOffDto): Promise<TimeOffRow> {
    if (actor.id !== userId && !isLifecycle(actor)) throw forbidden('Only that user or the lifecycle team records time off');
    const startsAt = new Date(dto.startsAt);
    const endsAt = new Date(dto.endsAt);
    if (endsAt <= startsAt) throw validationError([{ field: 'endsAt', problems: ['endsAt must be after startsAt'] }]);
    return this.db.transaction(async (m) => {
      if (!(await this.repo.userExists(m, userId))) throw notFound('User', userId);
      const row = await this.repo.insertTimeOff(m, { userId, startsAt, endsAt, reason: dto.reason || null });
      await this.audit.record(m, { actorId: actor.id, action: 'time_off.create', entity: 'time_off', entityId: row.id, details: { userId, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() } });
      return row;
    });
  }

  async listTimeOff(actor: User, userId: string): Promise<TimeOffRow[]> {
    if (actor.id !== userId && !isLifecycle(actor)) throw forbidden('Only that user or the lifecycle team reads time off');
    if (!(await this.repo.userExists(this.db.manager, userId))) throw notFound('User', userId);
    return this.repo.listTimeOff(this.db.manager, userId);
  }

  // ---------------------------------------------------------------- generate

  async generate(actor: User, periodId: string): Promise<GenerateResponse> {
    try {
      return await this.db.transaction((m) => this.generateIn(m, actor, periodId));
    } catch (e) {
      throw fromConstraint(e) ?? e;
    }
  }

  private async generateIn(m: EntityManager, actor: User, periodId: string): Promise<GenerateResponse> {
    const found = await this.programs.findPeriodWithProgram(m, periodId);
    if (!found) throw notFound('Period', periodId);
    const { period, program } = found;
    if (program.kind !== 'support_rotation') {
      throw new DomainError('invalid_state', 'Rotations are generated for support_rotation programs', { kind: program.kind });
    }
    // One run per period at a time; swaps of the period hold this lock shared.
    await this.repo.lock(m, [`rotation:${periodId}`]);
    const people = await this.repo.enrolledMarketers(m, periodId);
    const ids = people.filter((p) => p.started_on).map((p) => p.id);
    // The same per-marketer keys as bookings and swaps, so their busy time cannot change under this run.
    if (ids.length) await this.repo.lock(m, ids.map((id) => `marketer:${id}`));
    const span = (s: Span): RunSpan => ({ userId: s.user_id, startsAt: s.starts_at, endsAt: s.ends_at });
    const timeOff = ids.length ? (await this.repo.timeOffOf(m, ids)).map(span) : [];
    const busy = ids.length ? (await this.repo.busyOf(m, ids, { exceptPeriodId: periodId })).map(span) : [];
    // Confirmed and completed (history) assignments are both kept as they are: never moved, counted toward K.
    const existingRows = await this.repo.periodAssignments(m, periodId);
    const existing = existingRows.map((a) => ({ marketerId: a.marketer_id, templateId: a.template_id, shiftKey: a.shift_key, shiftDate: a.shift_date }));
    const active = (await this.repo.listTemplates(m, program.id)).filter((t) => t.active);
    const heldIds = heldTemplateIds(active.map((t) => t.id), existing);
    const templates = [...active, ...(heldIds.length ? await this.repo.templatesByIds(m, heldIds) : [])].map((t) => ({ ...engineTemplate(t), active: t.active }));

    const run = periodRunInput({
      period,
      people: people.map((p) => ({ id: p.id, timeZone: p.time_zone, startedOn: p.started_on })),
      timeOff,
      busy,
      existing,
      templates,
      shiftsPerHire: program.settings.onboardingShifts,
      windowDays: program.settings.onboardingDays,
      now: this.clock.now(),
    });
    let result: ReturnType<typeof generate>;
    try {
      result = generate(run.input);
    } catch (e) {
      // Stored data the engine refuses (it validates everything it is given): a 422 naming the engine's field.
      if (e instanceof RotationInputError) throw new DomainError('unprocessable', e.message, { field: e.field });
      throw e;
    }

    const byKey = new Map(run.input.shifts.map((s) => [s.key, s]));
    const created: string[] = [];
    for (const a of result.assignments) {
      if (!a.isNew) continue;
      const s = byKey.get(a.shiftKey)!;
      const id = randomUUID();
      await this.repo.insertAssignment(m, {
        id,
        periodId,
        templateId: s.templateId,
        shiftKey: s.key,
        shiftDate: s.date,
        startsAt: fromMinute(s.start),
        endsAt: fromMinute(s.end),
        marketerId: a.marketerId,
        createdBy: actor.id,
      });
      created.push(id);
      await this.announce(m, id, 'assigned');
    }
    const report = periodRunReport(result.report, run.noStart, created.length, existingRows.length);
    await this.audit.record(m, {
      actorId: actor.id,
      action: 'rotation.generate',
      entity: 'period',
      entityId: periodId,
      details: { added: created, kept: existingRows.length, unmet: report.unmet.map((u) => ({ marketerId: u.marketerId, missing: u.missing, reason: u.reason })) },
    });
    const rows = created.length ? await this.repo.findAssignmentsByIds(m, created) : [];
    return { assignments: rows.map((r) => assignmentView(r, actor.timeZone)), report };
  }

  // ---------------------------------------------------------------- list

  async list(actor: User, q: ListShiftsQuery): Promise<AssignmentView[]> {
    const mine = q.mine === 'true' || !isLifecycle(actor);
    if (!mine && !q.periodId) throw validationError([{ field: 'periodId', problems: ['periodId is required unless mine=true'] }]);
    const rows = await this.repo.list(this.db.manager, { marketerId: mine ? actor.id : undefined, periodId: q.periodId });
    return rows.map((r) => assignmentView(r, actor.timeZone));
  }

  // ---------------------------------------------------------------- swap

  async swap(actor: User, id: string, toShiftKey: string): Promise<AssignmentView> {
    const first = await this.repo.findAssignment(this.db.manager, id);
    if (!first || (!isLifecycle(actor) && first.marketer_id !== actor.id)) throw notFound('Shift assignment', id);
    parseShiftKey(toShiftKey);
    try {
      return await this.db.transaction(async (m) => {
        await this.repo.lockShared(m, `rotation:${first.period_id}`);
        await this.repo.lock(m, [`shift:${first.shift_key}`, `shift:${toShiftKey}`, `marketer:${first.marketer_id}`]);
        const a = (await this.repo.findAssignment(m, id, true))!;
        if (a.status !== 'confirmed') throw new DomainError('invalid_state', `The assignment is ${a.status}`, { status: a.status });
        if (a.shift_key === toShiftKey) throw new DomainError('invalid_state', 'The assignment is already on that shift', { field: 'toShiftKey' });
        if (new Date(a.starts_at) <= this.clock.now()) throw refuse('shift_started', { shiftKey: a.shift_key });
        const target = await this.seatFor(m, a.period_id, a.marketer_id, toShiftKey, a.id);
        await this.repo.moveAssignment(m, a.id, target);
        await this.audit.record(m, {
          actorId: actor.id,
          action: 'shift_assignment.swap',
          entity: 'shift_assignment',
          entityId: a.id,
          details: { from: a.shift_key, to: target.shiftKey, sequence: a.sequence + 1 },
        });
        await this.announce(m, a.id, 'changed');
        return assignmentView((await this.repo.findAssignment(m, a.id))!, actor.timeZone);
      });
    } catch (e) {
      throw fromConstraint(e) ?? e;
    }
  }

  /** A lifecycle override: puts a marketer on a shift directly, under the same rules as a swap. */
  async assign(actor: User, periodId: string, marketerId: string, shiftKey: string): Promise<AssignmentView> {
    parseShiftKey(shiftKey, 'shiftKey');
    try {
      return await this.db.transaction(async (m) => {
        const found = await this.programs.findPeriodWithProgram(m, periodId);
        if (!found) throw notFound('Period', periodId);
        const who = await this.repo.userExists(m, marketerId);
        if (!who) throw new DomainError('not_found', `User ${marketerId} was not found`, { field: 'marketerId' });
        await this.repo.lockShared(m, `rotation:${periodId}`);
        await this.repo.lock(m, [`shift:${shiftKey}`, `marketer:${marketerId}`]);
        const target = await this.seatFor(m, periodId, marketerId, shiftKey, NO_ASSIGNMENT, 'shiftKey');
        const id = randomUUID();
        await this.repo.insertAssignment(m, { id, periodId, ...target, marketerId, createdBy: actor.id });
        await this.audit.record(m, { actorId: actor.id, action: 'shift_assignment.assign', entity: 'shift_assignment', entityId: id, details: { marketerId, shiftKey } });
        await this.announce(m, id, 'assigned');
        return assignmentView((await this.repo.findAssignment(m, id))!, actor.timeZone);
      });
    } catch (e) {
      throw fromConstraint(e) ?? e;
    }
  }

  /**
   * Whether a marketer may take a seat on a shift of the period now: it exists, starts in the future, has
   * room, and clashes with neither their time off, their other commitments, nor another shift that local day.
   * Called under the shift's and the marketer's advisory locks; `exceptId` is the assignment being moved.
   */
  private async seatFor(m: EntityManager, periodId: string, marketerId: string, shiftKey: string, exceptId: string, field = 'toShiftKey') {
    const [templateId, date] = parseShiftKey(shiftKey, field);
    const found = (await this.programs.findPeriodWithProgram(m, periodId))!;
    const tpl = await this.repo.findTemplate(m, templateId);
    if (!tpl || tpl.program_id !== found.program.id || !tpl.active || date < found.period.startsOn || date > found.period.endsOn) {
      throw new DomainError('not_found', `No shift ${shiftKey} in this period`, { field });
    }
    const [shift] = expandShifts([engineTemplate(tpl)], date, date);
    if (!shift) throw new DomainError('not_found', `No shift ${shiftKey} in this period`, { field });
    const start = fromMinute(shift.start);
    const end = fromMinute(shift.end);
    if (start <= this.clock.now()) throw refuse('shift_started', { shiftKey });
    if ((await this.repo.liveCountOn(m, shiftKey, exceptId)) >= tpl.capacity) throw refuse('shift_full', { shiftKey, capacity: tpl.capacity });
    if ((await this.repo.timeOffOf(m, [marketerId])).some((t) => overlaps(t, start, end))) throw refuse('time_off');
    if ((await this.repo.busyOf(m, [marketerId], { exceptAssignmentId: exceptId })).some((b) => overlaps(b, start, end))) throw refuse('marketer_conflict');
    const who = (await this.repo.userExists(m, marketerId))!;
    const day = (d: Date) => DateTime.fromJSDate(new Date(d), { zone: who.time_zone }).toISODate();
    const targetDay = day(start);
    if ((await this.repo.otherLive(m, marketerId, exceptId)).some((o) => day(o.starts_at) === targetDay)) throw refuse('one_shift_per_day', { date: targetDay });
    return { templateId: tpl.id, shiftKey: shift.key, shiftDate: shift.date, startsAt: start, endsAt: end };
  }
}

const NO_ASSIGNMENT = '00000000-0000-0000-0000-000000000000';

/** `${templateId}@yyyy-MM-dd`, or a 400 naming the field. */
function parseShiftKey(key: string, field = 'toShiftKey'): [string, string] {
  const match = /^([0-9a-f-]{36})@(\d{4}-\d{2}-\d{2})$/i.exec(key);
  if (!match) throw validationError([{ field, problems: [`${field} must be a shift key \`\${templateId}@yyyy-MM-dd\``] }]);
  return [match[1], match[2]];
}

/** The database's own refusals, as the contract's codes. */
function fromConstraint(e: unknown): DomainError | undefined {
  return isPlaceConflict(e) ? refuse('marketer_conflict') : undefined;
}
