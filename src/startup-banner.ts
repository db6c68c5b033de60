import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from './config/config.js';
import { BootstrapService } from './people/bootstrap.service.js';
import { UsersRepository } from './people/users.repository.js';
import { LINK_MINUTES, SignInService } from './web/sign-in/sign-in.service.js';

/**
 * What the service prints once it listens: where, the bootstrap admin's generated token (shown once), and,
 * in the embedded default (no DATABASE_URL: someone trying it on their machine), a sign-in link for the
 * admin, so the pages are one click away.
 */
export async function startupBanner(app: INestApplication, config: AppConfig, dbLabel: string, workers?: number): Promise<string[]> {
  const url = `http://localhost:${config.port}`;
  const boot = app.get(BootstrapService).result;
  const lines = [
    '',
    `ridealong is listening on ${url} (database: ${dbLabel}${workers ? `; ${workers} workers` : ''})`,
    `  health: ${url}/health   API docs: ${url}/docs`,
  ];
  if (boot?.generatedToken) {
    lines.push(
      `  created the lifecycle admin ${boot.email}; its API token is shown only now:`,
      `    ${boot.generatedToken}`,
      `  try: curl -H "Authorization: Bearer ${boot.generatedToken}" ${url}/api/v1/me`,
    );
  } else if (boot?.created) {
    lines.push(`  created the lifecycle admin ${boot.email} with the token from ADMIN_TOKEN`);
  }
  if (!config.databaseUrl) {
    const admin = await app.get(UsersRepository).findByEmail(app.get(DataSource).manager, config.adminEmail);
    if (admin?.active && admin.roles.includes('lifecycle')) {
      const link = await app.get(SignInService).issueLink(admin.id);
      lines.push(`  sign in to the web app as ${admin.email} (the link works once, for ${LINK_MINUTES} minutes):`, `    ${link}`);
    }
  }
  return lines;
}
