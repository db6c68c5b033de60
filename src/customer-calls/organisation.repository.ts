import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OrganisationSettings } from '../calendar-sync/calendar.entity.js';

/** The organisation's one row of settings. */
@Injectable()
export class OrganisationRepository {
  find(m: EntityManager): Promise<OrganisationSettings | null> {
    return m.findOneBy(OrganisationSettings, { id: 1 });
  }

  /** Sets the company's domains (null: back to the configured default). */
  async setCompanyDomains(m: EntityManager, domains: string[] | null, by: string): Promise<OrganisationSettings> {
    await m.query(
      `INSERT INTO organisation_settings (id, company_domains, updated_by, updated_at) VALUES (1, $1, $2, now())
       ON CONFLICT (id) DO UPDATE SET company_domains = $1, updated_by = $2, updated_at = now()`,
      [domains, by],
    );
    return (await this.find(m))!;
  }
}
