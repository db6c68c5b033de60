import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

export interface BootstrapResult {
  email: string;
  /** Set only when this start generated the token: it is shown once. */
  generatedToken?: string;
  created: boolean;
}

/**
 * When no active lifecycle user exists, creates one from ADMIN_EMAIL with ADMIN_TOKEN (or a generated
 * token). Under an advisory lock, so instances starting together create one admin.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');
  result: BootstrapResult | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DataSource,
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.result = await this.db.transaction(async (m) => {
      await this.users.lockBootstrap(m);
      if (await this.users.anyActiveLifecycle(m)) return { email: this.config.adminEmail, created: false };
      let admin = await this.users.findByEmail(m, this.config.adminEmail);
      if (admin) {
        // A deactivated admin comes back with no credential but the one issued below (as any reactivation).
        if (!admin.active) await this.users.revokeCredentials(m, admin.id);
        admin.active = true;
        if (!admin.roles.includes('lifecycle')) admin.roles = [...admin.roles, 'lifecycle'];
        admin = await this.users.save(m, admin);
      } else {
        admin = await this.users.insert(m, { email: this.config.adminEmail, name: 'Lifecycle admin', timeZone: 'UTC', roles: ['lifecycle'] });
      }
      await this.audit.record(m, { actorId: null, action: 'user.bootstrap', entity: 'user', entityId: admin.id, details: { email: admin.email } });
      const issued = await this.usersService.insertToken(m, null, admin.id, 'bootstrap', this.config.adminToken);
      return { email: admin.email, created: true, generatedToken: this.config.adminToken ? undefined : issued.token };
    });
    if (this.result.created) this.logger.log({ email: this.result.email }, 'created the bootstrap lifecycle user');
  }
}
