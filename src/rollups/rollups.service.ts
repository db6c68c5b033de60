import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { todayIn } from '../common/time/dates.js';
import { DomainError, notFound } from '../common/errors.js';
import { validationError, windowBound } from '../common/validation.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { MailService } from '../mail/mail.service.js';
import { redact } from '../observations/redact.js';
import { Period, Program } from '../programs/program.entity.js';
import { ProgramsRepository } from '../programs/programs.repository.js';
import { ProgramsService } from '../programs/programs.service.js';
import { User } from '../people/user.entity.js';
import { behindPace, elapsedShare } from '../programs/quota-pace.js';
import { changes, ideaGroup, round, splitRanking } from './ranking.js';
import { rollupEmail } from './render.js';
import { Rollup } from './rollup.entity.js';
import type { EarlierActions, RankedTheme, RollupReport } from './rollup.types.js';
import { RollupsRepository, ThemeStat } from './rollups.repository.js';
import { fromReps, noticesSummary, splitActions, stretchWeights, trendOf, trendWindows } from './loop.js';
import { LoopRepository } from './loop.repository.js';
import { IdeasRepository } from './ideas.repository.js';
import { capPerGroup, groupIdeas } from './idea-groups.js';
import { WebhookEvents } from '../webhooks/webhook-events.js';
import { SegmentsService } from '../segments/segments.service.js';
import { ThemeSuggestionsService } from '../themes/theme-suggestions.service.js';

export const ROLLUP_JOB = 'rollup.build';
/** Tries of a build after the first (a statement timeout or a lost connection is worth another). */
const BUILD_RETRIES = 5;
/** The hourly tick queues a rollup again when it is still pending this long after its claim. */
export const REQUEUE_PENDING_AFTER_MS = 15 * 60_000;
const LIST_CAP = 50;
const TOP_QUOTED = 10;
/** Exact idea groups (same category and english lexemes) per category that near-duplicate grouping considers, most observers first. */
const IDEA_CANDIDATES = 1000;
const QUOTES_PER_THEME = 3;
/** (Action, theme) pairs whose trend a rollup follows: themes of actions done in this window or the one before, newest first. */
const TREND_PAIRS = 200;

@Injectable()
export class RollupsService implements OnModuleInit {
  private readonly logger = new Logger('Rollups');

  constructor(
    private readonly db: DataSource,
    private readonly repo: RollupsRepository,
    private readonly loop: LoopRepository,
    private readonly ideaRepo: IdeasRepository,
    private readonly programs: ProgramsRepository,
    private readonly periods: ProgramsService,
    private readonly jobs: JobsService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly webhookEvents: WebhookEvents,
    private readonly segments: SegmentsService,
    private readonly suggestions: ThemeSuggestionsService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.work<{ rollupId: string }>(ROLLUP_JOB, (data) => this.build(data.rollupId));
  }

  /** Longest a statement of a build may run (ROLLUP_STATEMENT_TIMEOUT_SECONDS). */
  private get statementTimeoutMs(): number {
    return this.config.rollupStatementTimeoutSeconds * 1000;
  }

  /**
   * Queues the build of a claimed rollup in the claim's transaction, so a row never stays pending with no
   * job behind it. The job expires after three statement timeouts (the row lock, the parallel reads, the
   * quotes): a build whose process died is retried by another instance within a minute (default 10 s).
   * Returns false when `key` already queued one.
   */
  private async queueBuild(m: EntityManager, rollupId: string, key = `rollup:${rollupId}`): Promise<boolean> {
    const expireInSeconds = Math.max(30, 3 * this.config.rollupStatementTimeoutSeconds);
    return (await this.jobs.send(m, ROLLUP_JOB, { rollupId }, { singletonKey: key, retryLimit: BUILD_RETRIES, expireInSeconds })) !== null;
  }

  /**
   * Builds now for a caller who waits (POST): a failure (a statement timeout, a lost connection) is logged
   * and left to the build job queued with the claim, which retries; the caller gets the row as it stands.
   */
  private async buildWhileWaiting(rollupId: string): Promise<void> {
    try {
      await this.build(rollupId);
    } catch (err) {
      this.logger.warn({ err, rollupId }, 'rollup build failed; its job will retry it');
    }
  }

  // ------------------------------------------------------------ the report

  /**
   * The window's ideas: near-duplicates are one group, shown once with its distinct observers (idea-groups.ts),
   * at most LIST_CAP per heading. Should grouping fail (a statement timeout on a huge window), the first ideas
   * as written, without counts, as rollups listed them before grouping: the rollup is still built.
   */
  private async ideaList(m: EntityManager, programId: string, from: Date, to: Date): Promise<RollupReport['ideas']> {
    const red = (text: string, marked: string[]) => redact(text, { marked }).text;
    try {
      const g = await this.ideaRepo.exactGroups(m, programId, from, to, IDEA_CANDIDATES);
      return capPerGroup(groupIdeas(g.exact, g.formsOf), LIST_CAP).map((x) => ({
        category: x.category,
        group: x.group,
        text: red(x.text, x.marked),
        authorId: x.authorId,
        observers: x.observers,
        count: x.count,
        weight: x.weight,
        variants: x.variants.map((v) => ({ text: red(v.text, v.marked), authorId: v.authorId })),
      }));
    } catch (err) {
      this.logger.warn({ err, programId }, 'grouping the ideas failed; the rollup lists them as written');
      const rows = await this.ideaRepo.asWritten(m, programId, from, to, LIST_CAP * 4);
      return rows.map((i) => ({ category: i.category, group: ideaGroup(i.category), text: red(i.text, i.marked), authorId: i.authorId }));
    }
  }

  /** Everything the rollup says about one program over [from, to), aggregated in SQL. */
  async report(m: EntityManager, program: Program, period: Period | null, from: Date, to: Date): Promise<RollupReport> {
    const now = this.clock.now();
    const prevFrom = new Date(from.getTime() - (to.getTime() - from.getTime()));
    // Phrases no theme covers yet, read alongside the rest (awaited below; it never rejects: a failure leaves the section out).
    const suggested = this.suggestions.forRollup(m, program.id, from, to);
    // Likewise the compact empathy maps of the top segments (segments.service.ts; a failure leaves them out).
    const empathy = this.segments.summary(m, program.id, from, to, this.statementTimeoutMs);
    const [stats, previous, texts, coverage, marketers, loop, ideas] = await Promise.all([
      this.repo.themeStats(m, program.id, from, to),
      this.repo.themeStats(m, program.id, prevFrom, from),
      this.repo.texts(m, program.id, from, to, LIST_CAP),
      this.repo.coverage(m, program.id, from, to, now),
      period ? this.repo.marketers(m, period.id) : Promise.resolve([]),
      this.loopSections(m, program, from, to, now),
      this.ideaList(m, program.id, from, to),
    ]);
    const { ranked, emerging } = splitRanking(stats);
    const quoted = ranked.slice(0, TOP_QUOTED).map((s) => s.theme_id);
    const quotes = quoted.length ? await this.repo.quotes(m, program.id, from, to, quoted, QUOTES_PER_THEME) : [];
    const red = (text: string | null | undefined, marked: string[] = []) => (text ? redact(text, { marked }).text : '');
    const themed = (s: ThemeStat): RankedTheme => ({
      themeId: s.theme_id,
      name: s.name,
      weight: round(Number(s.weight)),
      mentions: s.mentions,
      observers: s.observers,
      reps: s.reps,
      accounts: s.accounts,
      formsWithoutAccount: s.without_account,
      quotes: quotes
        .filter((q) => q.theme_id === s.theme_id)
        .map((q) => ({ text: red(q.text, q.marked_names), speaker: red(q.speaker, q.marked_names), authorId: q.author_id, account: q.account ? red(q.account, q.marked_names) : null })),
    });
    const elapsed = period ? elapsedShare(period.startsOn, period.endsOn, program.timeZone, to) : 1;
    const held = stats.length > 0 || coverage.booked > 0 || coverage.on_time + coverage.late > 0;
    return {
      program: { id: program.id, name: program.name, timeZone: program.timeZone },
      window: { from: from.toISOString(), to: to.toISOString() },
      period: period ? { id: period.id, focus: period.focus } : null,
      generatedAt: now.toISOString(),
      empty: !held,
      coverage: {
        booked: coverage.booked,
        held: coverage.held,
        cancelled: coverage.cancelled,
        lateCancelled: coverage.late_cancelled,
        noShows: { rep: coverage.ns_rep, marketer: coverage.ns_marketer, customer: coverage.ns_customer },
        forms: { onTime: coverage.on_time, late: coverage.late, missing: coverage.missing, open: coverage.open },
        marketers: marketers.map((mk) => ({ ...mk, atRisk: behindPace({ quota: mk.quota, completed: mk.sessions, booked: mk.booked }, elapsed).behind })),
        reps: coverage.reps,
      },
      themes: ranked.map(themed),
      emerging: emerging.map(themed),
      changes: changes(stats.map((s) => ({ ...s, weight: Number(s.weight) })), previous.map((s) => ({ ...s, weight: Number(s.weight) }))),
      ideas,
      leads: { marketingSourced: texts.marketing_sourced, followUps: texts.follow_ups.map((x) => red(x.text, x.marked)), lacked: texts.lacked.map((x) => red(x.text, x.marked)) },
      byMode: { behavior: texts.behavior, feedback: texts.feedback },
      moments: {
        peaks: texts.peaks.map((x) => ({ text: red(x.text, x.marked), valence: x.valence })),
        ends: texts.ends.map((x) => ({ text: red(x.text, x.marked), valence: x.valence })),
        peakAverage: texts.peak_avg === null ? null : round(texts.peak_avg),
        endAverage: texts.end_avg === null ? null : round(texts.end_avg),
      },
      negativeFeedback: texts.negative.map((x) => red(x.text, x.marked)),
      focusFindings: texts.focus.map((x) => red(x.text, x.marked)),
      intros: texts.intros.map((x) => red(x.text, x.marked)),
      suggestedThemes: await suggested,
      ...loop,
      empathy: await empathy,
    };
  }

  /**
   * What became of earlier actions, the notices of the window and what the reps' notes say. Statuses are as
   * they stand when the rollup is built; "done since the last rollup" counts from that rollup's generation.
   */
  private async loopSections(m: EntityManager, program: Program, from: Date, to: Date, now: Date): Promise<Pick<RollupReport, 'earlierActions' | 'notices' | 'fromReps'>> {
    const length = to.getTime() - from.getTime();
    const prevFrom = new Date(from.getTime() - length);
    const [previousAt, actions, done, notices, noticeReps, notes, previousNotes] = await Promise.all([
      this.loop.previousRollupAt(m, program.id, to),
      this.loop.actions(m, program.id, now),
      this.loop.doneActionThemes(m, program.id, prevFrom, to, TREND_PAIRS),
      this.loop.notices(m, program.id, from, to),
      this.loop.noticeReps(m, program.id, from, to),
      this.loop.repNotes(m, program.id, from, to),
      this.loop.repNotes(m, program.id, prevFrom, from),
    ]);
    const since = previousAt ?? from;
    const stretches = done.flatMap((d) => {
      const w = trendWindows(d.doneAt, from, to);
      return [
        { themeId: d.themeId, ...w.before },
        { themeId: d.themeId, ...w.after },
      ];
    });
    const times = stretches.length
      ? await this.loop.formTimes(m, program.id, new Date(Math.min(...stretches.map((x) => +x.from))), to, [...new Set(done.map((d) => d.themeId))])
      : { all: [], tagged: [] };
    const weights = stretchWeights(stretches, times.all, times.tagged);
    const themes: EarlierActions['themes'] = done.map((d, i) => {
      const before = round(weights[2 * i]);
      const after = round(weights[2 * i + 1]);
      const trend = trendOf(before, after);
      return { themeId: d.themeId, name: d.name, actionId: d.actionId, actionTitle: d.actionTitle, doneAt: d.doneAt.toISOString(), before, after, trend, flagged: trend === 'rose' };
    });
    const red = (n: { wish: string | null; markedNames: string[] }) => (n.wish ? redact(n.wish, { marked: n.markedNames }).text : null);
    return {
      earlierActions: { since: since.toISOString(), ...splitActions(actions, since, todayIn(program.timeZone, now)), themes },
      notices: noticesSummary(notices, noticeReps),
      fromReps: fromReps(
        notes.map((n) => ({ ...n, wish: red(n) })),
        previousNotes.map((n) => ({ ...n, wish: null })),
      ),
    };
  }

  // ------------------------------------------------------------ running once

  /** On demand: the existing rollup of the same window, or a new one built now (and emailed through the queue). */
  async runNow(actor: User, dto: { programId: string; from: string; to: string }): Promise<{ rollup: Rollup; created: boolean }> {
    const found = await this.programs.findProgram(this.db.manager, dto.programId);
    if (!found) throw new DomainError('not_found', `Program ${dto.programId} was not found`, { field: 'programId' });
    const from = windowBound(dto.from, found.timeZone, 'from');
    const to = windowBound(dto.to, found.timeZone, 'to');
    if (to <= from) throw validationError([{ field: 'to', problems: ['to must be after from'] }]);
    if (to.getTime() - from.getTime() > 400 * 86_400_000) throw validationError([{ field: 'to', problems: ['a rollup covers at most 400 days'] }]);
    const id = await this.db.transaction(async (m) => {
      const claimed = await this.repo.claim(m, { programId: found.id, periodId: null, from, to, kind: 'custom', createdBy: actor.id });
      if (claimed) {
        await this.audit.record(m, { actorId: actor.id, action: 'rollup.request', entity: 'rollup', entityId: claimed, details: { from: from.toISOString(), to: to.toISOString() } });
        // Built below while the caller waits; the job builds it if this process dies first (else finds it ready).
        await this.queueBuild(m, claimed);
      }
      return claimed;
    });
    if (id) {
      await this.buildWhileWaiting(id);
      return { rollup: (await this.repo.find(this.db.manager, id))!, created: true };
    }
    const existing = (await this.repo.findByWindow(this.db.manager, found.id, from, to))!;
    if (existing.status === 'pending') await this.buildWhileWaiting(existing.id);
    return { rollup: (await this.repo.find(this.db.manager, existing.id))!, created: false };
  }

  /**
   * Builds, stores and emails one rollup in one transaction, at most once: the row is locked, a ready
   * rollup is left alone, and the emails' outbox keys make a retried job harmless. Every statement, the
   * wait for the row lock included, is bounded by the statement timeout.
   */
  async build(rollupId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      await this.repo.limitStatements(m, this.statementTimeoutMs);
      const row = await this.repo.findForUpdate(m, rollupId);
      if (!row || row.status === 'ready') return;
      const program = (await this.programs.findProgram(m, row.programId))!;
      const period = row.periodId ? await this.programs.findPeriod(m, row.periodId) : await this.programs.periodOverlapping(m, program.id, row.windowFrom, row.windowTo);
      // The reads run on pooled connections in parallel while this transaction holds the row.
      const report = await this.report(this.repo.timedReads(this.statementTimeoutMs), program, period, row.windowFrom, row.windowTo);
      await this.repo.markReady(m, rollupId, { report, generatedAt: this.clock.now(), periodId: period?.id ?? null });
      for (const r of await this.repo.recipients(m, program.settings.rollupRecipients)) {
        const zone = r.time_zone ?? program.timeZone;
        const mail = rollupEmail(report, zone, `${this.config.publicUrl}/rollups/${rollupId}`);
        await this.mail.enqueue(m, `rollup:${rollupId}:${r.email.toLowerCase()}`, {
          to: { name: r.name, email: r.email },
          subject: mail.subject,
          html: mail.html,
          text: mail.text,
          attachments: [{ filename: 'themes.csv', contentType: 'text/csv; charset=utf-8', content: mail.csv }],
        });
      }
      // The period is rolled_up once it has ended by its dates, whether or not the hourly tick has closed it yet.
      if (row.kind === 'period' && period) await this.periods.advanceStatuses(m, this.clock.now(), period.id);
      await this.audit.record(m, { actorId: null, action: 'rollup.build', entity: 'rollup', entityId: rollupId, details: { themes: report.themes.length, empty: report.empty } });
      // Once per rollup: a build finds a ready row and returns before this, so a retried job emits nothing twice.
      await this.webhookEvents.emit(m, 'rollup.sent', {
        rollupId,
        programId: program.id,
        periodId: period?.id ?? null,
        kind: row.kind,
        windowFrom: row.windowFrom.toISOString(),
        windowTo: row.windowTo.toISOString(),
        themes: report.themes.length,
        empty: report.empty,
      });
    });
  }

  // ------------------------------------------------------------ schedule

  @Cron(CronExpression.EVERY_HOUR, { name: 'rollups' })
  async tick(): Promise<void> {
    try {
      await this.enqueueDue(this.clock.now());
    } catch (e) {
      this.logger.error({ err: e }, 'rollup tick failed');
    }
  }

  /**
   * Claims the rollups the schedule owes (one row per program and window: the unique key makes this
   * happen once however many instances tick) and enqueues their builds in the same transaction. A rollup
   * still pending REQUEUE_PENDING_AFTER_MS after its claim (its build job gave up, or it was claimed before
   * claims queued a job) is queued again, once per hour however many instances tick. Returns the claims.
   */
  async enqueueDue(now: Date): Promise<string[]> {
    return this.db.transaction(async (m) => {
      const claimed: string[] = [];
      for (const p of await this.repo.programsForSchedule(m)) {
        const today = todayIn(p.time_zone, now);
        const windows: { from: Date; to: Date; periodId: string | null; kind: 'period' | 'weekly' }[] = [];
        if (p.cadence === 'weekly') {
          const monday = DateTime.fromISO(today, { zone: p.time_zone }).startOf('week');
          windows.push({ from: monday.minus({ weeks: 1 }).toJSDate(), to: monday.toJSDate(), periodId: null, kind: 'weekly' });
        }
        for (const pe of await this.repo.closedPeriodsWithoutRollup(m, p.id, today)) {
          if (p.cadence !== 'period') continue;
          windows.push({
            from: DateTime.fromISO(pe.starts_on, { zone: p.time_zone }).toJSDate(),
            to: DateTime.fromISO(pe.ends_on, { zone: p.time_zone }).plus({ days: 1 }).toJSDate(),
            periodId: pe.id,
            kind: 'period',
          });
        }
        for (const w of windows) {
          const id = await this.repo.claim(m, { programId: p.id, periodId: w.periodId, from: w.from, to: w.to, kind: w.kind, createdBy: null });
          if (!id) continue;
          await this.queueBuild(m, id);
          claimed.push(id);
        }
      }
      const hour = now.toISOString().slice(0, 13);
      const requeued: string[] = [];
      for (const id of await this.repo.pendingSince(m, new Date(now.getTime() - REQUEUE_PENDING_AFTER_MS))) {
        if (await this.queueBuild(m, id, `rollup:${id}:requeue:${hour}`)) requeued.push(id);
      }
      if (requeued.length) this.logger.warn({ rollupIds: requeued }, 'rollups still pending were queued again');
      return claimed;
    });
  }

  // ------------------------------------------------------------ read

  async get(id: string): Promise<Rollup> {
    const r = await this.repo.find(this.db.manager, id);
    if (!r) throw notFound('Rollup', id);
    return r;
  }

  list(programId?: string): Promise<Rollup[]> {
    return this.repo.list(this.db.manager, programId);
  }
}
