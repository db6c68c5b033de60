import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { User } from './user.entity.js';
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
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.result = await this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['ridealong:bootstrap']);
      if (await this.users.anyActiveLifecycle(m)) return { email: this.config.adminEmail, created: false };
      let admin = await this.users.findByEmail(m, this.config.adminEmail);
      if (admin) {
        // A deactivated admin comes back with no credential but the one issued below (as any reactivation).
        if (!admin.active) await this.users.revokeCredentials(m, admin.id);
        admin.active = true;
        if (!admin.roles.includes('lifecycle')) admin.roles = [...admin.roles, 'lifecycle'];
        admin = await m.save(User, admin);
      } else {
        admin = await m.save(User, m.create(User, { email: this.config.adminEmail, name: 'Lifecycle admin', timeZone: 'UTC', roles: ['lifecycle'] }));
      }
      await m.query(`INSERT INTO audit_log (actor_id, action, entity, entity_id, details) VALUES (NULL, 'user.bootstrap', 'user', $1, $2)`, [
        admin.id,
        { email: admin.email },
      ]);
      const issued = await this.usersService.insertToken(m, null, admin.id, 'bootstrap', this.config.adminToken);
      return { email: admin.email, created: true, generatedToken: this.config.adminToken ? undefined : issued.token };
    });
    if (this.result.created) this.logger.log({ email: this.result.email }, 'created the bootstrap lifecycle user');
  }
}
