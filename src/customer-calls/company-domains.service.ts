import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { validationError } from '../common/validation.js';
import { User } from '../people/user.entity.js';
import { normaliseDomain } from './company-domains.js';
import { OrganisationRepository } from './organisation.repository.js';

export interface OrganisationView {
  /** The domains in force: the organisation's setting, else the configured default. */
  companyDomains: string[];
  /** Where they come from: `organisation` (the lifecycle team set them) or `default` (COMPANY_DOMAINS, else ADMIN_EMAIL's domain). */
  source: 'organisation' | 'default';
  defaultCompanyDomains: string[];
  updatedAt: string | null;
  updatedBy: string | null;
}

/** The company's email domains: an event with an attendee outside them is a customer call. */
@Injectable()
export class CompanyDomains {
  constructor(
    private readonly db: DataSource,
    private readonly repo: OrganisationRepository,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The domains in force (lower-case): the organisation's setting, else the configured default. */
  async current(m: EntityManager = this.db.manager): Promise<string[]> {
    return (await this.repo.find(m))?.companyDomains ?? this.config.companyDomains;
  }

  async view(m: EntityManager = this.db.manager): Promise<OrganisationView> {
    const row = await this.repo.find(m);
    const set = row?.companyDomains ?? null;
    return {
      companyDomains: set ?? this.config.companyDomains,
      source: set ? 'organisation' : 'default',
      defaultCompanyDomains: this.config.companyDomains,
      updatedAt: row ? row.updatedAt.toISOString() : null,
      updatedBy: row?.updatedBy ?? null,
    };
  }

  /** Sets the company's domains (normalised, lower-case, each once); null goes back to the default. A bad one is a 400 naming it. */
  async set(actor: User, raw: string[] | null): Promise<OrganisationView> {
    let domains: string[] | null = null;
    if (raw !== null) {
      const problems: { field: string; problems: string[] }[] = [];
      const clean = raw.map((d, i) => {
        const n = normaliseDomain(d);
        if (!n) problems.push({ field: `companyDomains[${i}]`, problems: [`companyDomains[${i}] must be a domain like example.com`] });
        return n;
      });
      if (problems.length) throw validationError(problems);
      domains = [...new Set(clean as string[])];
    }
    return this.db.transaction(async (m) => {
      await this.repo.setCompanyDomains(m, domains, actor.id);
      await this.audit.record(m, { actorId: actor.id, action: 'organisation.company_domains', entity: 'organisation', details: { companyDomains: domains } });
      return this.view(m);
    });
  }
}
