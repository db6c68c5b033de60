import { Inject, Injectable, Optional } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainError } from '../common/errors.js';
import { validationError } from '../common/validation.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MailService } from '../mail/mail.service.js';
import { CredentialCache } from '../people/credential-cache.js';
import type { User } from '../people/user.entity.js';
import { planImport, type ImportPlan, type RowResult, type Totals } from './import-plan.js';
import { ImportsRepository } from './imports.repository.js';
import { CsvFileError, parsePeopleCsv } from './people-csv.js';
import { WelcomeLinks } from './welcome-links.js';
import { welcomeMessage } from './welcome-message.js';

export interface ImportResult {
  dryRun: boolean;
  /** True when the import was written (never for a dry run). */
  applied: boolean;
  totals: Totals;
  /** Welcome emails queued (only with welcome=true, only for people created). */
  welcomeEmails: number;
  rows: RowResult[];
}

/**
 * People from a CSV: each row creates or updates a person and may invite them to a roster or enrol them.
 * The whole file is checked in memory against what is stored (read in bulk); applying writes it in one
 * transaction in a few statements, or nothing at all when any row has an error (422 with every row's answer).
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly db: DataSource,
    private readonly repo: ImportsRepository,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly credentials: CredentialCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly welcomeLinks?: WelcomeLinks,
  ) {}

  async importPeople(actor: User, csv: string, opts: { dryRun: boolean; welcome: boolean }): Promise<ImportResult> {
    let parsed;
    try {
      parsed = parsePeopleCsv(csv);
    } catch (e) {
      if (e instanceof CsvFileError) throw new DomainError('validation_failed', e.message, { fields: [{ field: e.field, problems: [e.message] }], ...e.details });
      throw e;
    }
    if (!parsed.length) throw validationError([{ field: 'body', problems: ['the CSV has a header but no rows'] }]);

    const imported = await this.db.transaction(async (m) => {
      if (!opts.dryRun) await this.repo.lock(m);
      const plan = await this.plan(m, parsed, !opts.dryRun);
      const result: ImportResult = { dryRun: opts.dryRun, applied: false, totals: plan.totals, welcomeEmails: 0, rows: plan.rows };
      if (opts.dryRun) return result;
      if (plan.totals.error > 0) {
        throw new DomainError('unprocessable', `${plan.totals.error} of ${plan.totals.rows} rows have errors; nothing was imported`, { ...result });
      }
      const created = await this.repo.apply(m, plan.writes);
      if (opts.welcome && created.size) result.welcomeEmails = await this.welcome(m, plan, created);
      await this.audit.record(m, {
        actorId: actor.id,
        action: 'people.import',
        entity: 'user',
        details: {
          totals: plan.totals,
          welcomeEmails: result.welcomeEmails,
          created: plan.writes.createPeople.map((p) => p.email),
          updated: plan.rows.filter((r) => r.outcome === 'update').map((r) => r.email),
        },
      });
      result.applied = true;
      return result;
    });
    // Names, time zones and roles of many people may have changed: this instance forgets every cached credential.
    if (imported.applied) this.credentials.forgetAll();
    return imported;
  }

  private async plan(m: EntityManager, rows: ReturnType<typeof parsePeopleCsv>, applying: boolean): Promise<ImportPlan> {
    const emails = rows.filter((r) => r.email).map((r) => r.email);
    const validPeriodIds = [...new Set(rows.flatMap((r) => [r.rosterPeriodId, r.enrolPeriodId]))].filter((x): x is string => !!x && isUUID(x));
    const people = await this.repo.peopleByEmails(m, emails);
    const ids = [...people.values()].map((p) => p.id);
    const [periods, roster, enrolments, activeLifecycleIds] = [
      await this.repo.periods(m, validPeriodIds),
      await this.repo.rosterEntries(m, validPeriodIds, ids),
      await this.repo.enrolments(m, validPeriodIds, ids),
      await this.repo.activeLifecycleIds(m, applying),
    ];
    return planImport({ rows, people, periods, roster, enrolments, activeLifecycleIds });
  }

  private async welcome(m: EntityManager, plan: ImportPlan, created: Map<string, string>): Promise<number> {
    if (!this.welcomeLinks) return 0;
    const links = await this.welcomeLinks.issue(m, [...created.values()]);
    let sent = 0;
    for (const p of plan.writes.createPeople) {
      const id = created.get(p.email.toLowerCase())!;
      const link = links.get(id);
      if (!link) continue;
      if (await this.mail.enqueue(m, `welcome:${id}`, welcomeMessage(p, link.url, link.expiresAt, `${this.config.publicUrl}/sign-in`))) sent++;
    }
    return sent;
  }
}
