import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, notFound } from '../common/errors.js';
import { validationError, windowBound } from '../common/validation.js';
import { redact } from '../observations/redact.js';
import { ProgramsRepository } from '../programs/programs.repository.js';
import type { Program } from '../programs/program.entity.js';
import type { User } from '../people/user.entity.js';
import { buildMaps, compactSummary, EmpathySummary, MIN_OBSERVERS, SegmentMap } from './empathy.js';
import { SegmentHistoryRow, SegmentListRow, SegmentRecord, SegmentsRepository } from './segments.repository.js';

export interface SegmentView {
  id: string;
  name: string;
  status: 'active' | 'merged';
  mergedInto: string | null;
  /** The normalised answers filed under it (and under the segments merged into it). */
  keys: string[];
  forms: number;
  observers: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface EmpathyMapView {
  programId: string;
  window: { from: string; to: string };
  segments: SegmentMap[];
}

const toView = (s: SegmentListRow): SegmentView => ({
  id: s.id,
  name: s.name,
  status: s.status,
  mergedInto: s.merged_into,
  keys: s.keys,
  forms: s.forms,
  observers: s.observers,
  createdAt: s.created_at,
  updatedAt: s.updated_at,
});

/** The default window of a map: the 90 days before its end. */
const DEFAULT_DAYS = 90;
const MAX_DAYS = 400;
/** The page and API: five entries a quadrant, three examples each; the rollup: three top segments, three entries a quadrant. */
const MAP = { perQuadrant: 5, examples: 3 };
const ROLLUP = { segments: 3, per: 3 };

/**
 * Segments (the form's `segment` answer, normalised and curated like themes) and the empathy maps by
 * segment. A key seen for the first time is filed under a new segment of its own when segments are read,
 * so every answer shows up, and "MM" becomes "Mid-market" by merging its segment into Mid-market.
 */
@Injectable()
export class SegmentsService {
  private readonly logger = new Logger('Segments');

  constructor(
    private readonly db: DataSource,
    private readonly repo: SegmentsRepository,
    private readonly programs: ProgramsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(q: { programId?: string; status?: 'active' | 'merged' }): Promise<SegmentView[]> {
    if (q.programId && !(await this.programs.findProgram(this.db.manager, q.programId))) {
      throw new DomainError('not_found', `Program ${q.programId} was not found`, { field: 'programId' });
    }
    await this.fileNewKeys(q.programId ?? null);
    return (await this.repo.list(this.db.manager, q.programId ?? null, q.status)).map(toView);
  }

  async history(id: string): Promise<SegmentHistoryRow[]> {
    if (!(await this.repo.find(this.db.manager, id))) throw notFound('Segment', id);
    return this.repo.history(this.db.manager, id);
  }

  async rename(actor: User, id: string, name: string): Promise<SegmentView> {
    await this.db.transaction(async (m) => {
      const s = await this.active(m, id, 'id');
      if (s.name === name) return;
      const clash = await this.repo.activeByName(m, name, id);
      if (clash) throw new DomainError('conflict', `A segment named "${name}" already exists; merge into it instead`, { field: 'name', segmentId: clash.id });
      await this.repo.rename(m, id, name);
      await this.repo.addHistory(m, [{ segmentId: id, action: 'rename', details: { oldName: s.name, newName: name }, actorId: actor.id }]);
      await this.audit.record(m, { actorId: actor.id, action: 'segment.rename', entity: 'segment', entityId: id, details: { oldName: s.name, newName: name } });
    });
    return this.view(id);
  }

  /** The segment counts as `intoId` from now on (so do the segments merged into it); reversible with unmerge. */
  async merge(actor: User, id: string, intoId: string): Promise<SegmentView> {
    if (id === intoId) throw new DomainError('invalid_state', 'A segment cannot be merged into itself', { field: 'intoId' });
    await this.db.transaction(async (m) => {
      const s = await this.active(m, id, 'id');
      const into = await this.repo.find(m, intoId, true);
      if (!into) throw new DomainError('not_found', `Segment ${intoId} was not found`, { field: 'intoId', id: intoId });
      if (into.status !== 'active') throw new DomainError('invalid_state', `A segment can only be merged into an active segment; ${intoId} is merged`, { field: 'intoId' });
      const repointed = await this.repo.merge(m, id, intoId);
      await this.repo.addHistory(m, [
        { segmentId: id, action: 'merge', details: { name: s.name, intoId, intoName: into.name }, actorId: actor.id },
        { segmentId: intoId, action: 'merge', details: { mergedId: id, mergedName: s.name, repointed }, actorId: actor.id },
        ...repointed.map((other) => ({ segmentId: other, action: 'merge' as const, details: { oldIntoId: id, intoId, reason: 'repoint' }, actorId: actor.id })),
      ]);
      await this.audit.record(m, { actorId: actor.id, action: 'segment.merge', entity: 'segment', entityId: id, details: { intoId, repointed } });
    });
    return this.view(intoId);
  }

  /** Undoes a merge: the segment is active again under its own name (segments re-pointed through it stay with the target). */
  async unmerge(actor: User, id: string): Promise<SegmentView> {
    await this.db.transaction(async (m) => {
      const s = await this.repo.find(m, id, true);
      if (!s) throw notFound('Segment', id);
      if (s.status !== 'merged') throw new DomainError('invalid_state', 'Only a merged segment can be unmerged', { field: 'id' });
      const clash = await this.repo.activeByName(m, s.name, id);
      if (clash) throw new DomainError('conflict', `An active segment is named "${s.name}"; rename it first`, { field: 'id', segmentId: clash.id });
      await this.repo.unmerge(m, id);
      await this.repo.addHistory(m, [{ segmentId: id, action: 'unmerge', details: { fromId: s.merged_into }, actorId: actor.id }]);
      await this.audit.record(m, { actorId: actor.id, action: 'segment.unmerge', entity: 'segment', entityId: id, details: { fromId: s.merged_into } });
    });
    return this.view(id);
  }

  // ------------------------------------------------------------ empathy maps

  /** The program's window: `from`/`to` as dates in its zone or instants; by default the 90 days up to now. */
  async window(programId: string, q: { from?: string; to?: string }): Promise<{ program: Program; from: Date; to: Date }> {
    const program = await this.programs.findProgram(this.db.manager, programId);
    if (!program) throw notFound('Program', programId);
    const to = q.to ? windowBound(q.to, program.timeZone, 'to') : this.clock.now();
    const from = q.from ? windowBound(q.from, program.timeZone, 'from') : new Date(to.getTime() - DEFAULT_DAYS * 86_400_000);
    if (to <= from) throw validationError([{ field: 'to', problems: ['to must be after from'] }]);
    if (to.getTime() - from.getTime() > MAX_DAYS * 86_400_000) throw validationError([{ field: 'to', problems: [`a window covers at most ${MAX_DAYS} days`] }]);
    return { program, from, to };
  }

  async empathy(programId: string, q: { from?: string; to?: string }): Promise<EmpathyMapView> {
    const { program, from, to } = await this.window(programId, q);
    return { programId: program.id, window: { from: from.toISOString(), to: to.toISOString() }, segments: await this.maps(this.db.manager, program.id, from, to, MAP) };
  }

  /**
   * The rollup's compact map: the top segments, a few entries a quadrant (reads with `m`, the rollup's reads).
   * A failure here (a statement timeout on a huge window) leaves the map out of the rollup rather than failing it.
   */
  async summary(m: EntityManager, programId: string, from: Date, to: Date, statementTimeoutMs?: number): Promise<EmpathySummary | undefined> {
    try {
      return compactSummary(await this.maps(m, programId, from, to, { perQuadrant: ROLLUP.per, examples: 1 }, statementTimeoutMs), ROLLUP);
    } catch (err) {
      this.logger.warn({ err, programId }, 'empathy maps left out of the rollup');
      return undefined;
    }
  }

  private async maps(m: EntityManager, programId: string, from: Date, to: Date, o: { perQuadrant: number; examples: number }, statementTimeoutMs?: number): Promise<SegmentMap[]> {
    await this.fileNewKeys(programId, statementTimeoutMs);
    const [segments, entries] = await Promise.all([
      this.repo.segmentCounts(m, programId, from, to),
      this.repo.entries(m, programId, from, to, { minObservers: MIN_OBSERVERS, per: o.perQuadrant, examples: o.examples }),
    ]);
    return buildMaps(segments, entries, (text, marked) => redact(text, { marked }).text, o);
  }

  /**
   * Files the segment keys not seen before, in a transaction of its own. Under a rollup build it runs under the
   * build's limits (statement timeout, and PostgreSQL checking every second that the client is still there), so
   * a build whose process died leaves nothing waiting in the database.
   */
  private fileNewKeys(programId: string | null, statementTimeoutMs?: number) {
    return this.db.transaction(async (m) => {
      if (statementTimeoutMs !== undefined) await this.repo.limitStatements(m, statementTimeoutMs);
      return this.repo.fileNewKeys(m, programId);
    });
  }

  private async active(m: EntityManager, id: string, field: string): Promise<SegmentRecord> {
    const s = await this.repo.find(m, id, true);
    if (!s) throw notFound('Segment', id);
    if (s.status !== 'active') throw new DomainError('invalid_state', 'This segment is merged; unmerge it first', { field, mergedInto: s.merged_into });
    return s;
  }

  private async view(id: string): Promise<SegmentView> {
    const [row] = await this.repo.list(this.db.manager, null, undefined, id);
    if (!row) throw notFound('Segment', id);
    return toView(row);
  }
}
