import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

// The layer rules of eslint.config.js, proven to bite: each forbidden arrow, written into a file where it is
// forbidden, is an error of no-restricted-imports; the same import where it is allowed is not.
const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfigFile: `${root}/eslint.config.js` });

/** The no-restricted-imports messages for `code` linted as if it were the file at `filePath`. */
async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath: `${root}/${filePath}` });
  expect(result.messages.filter((m) => m.fatal)).toEqual([]);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const WEB = 'Layers: only src/web (and the top-level files that compose the app) may import src/web; features, the scheduling core and engines never do.';
const PLAIN = 'Layers: src/calendar, src/mail and src/jobs know plain data; they import only src/common, src/config, src/jobs and libraries, never a feature.';
const FRAMEWORK = 'Layers: engines and pure files import neither Nest, TypeORM nor pg: they get plain data and an injected clock.';
const SERVICES = 'Layers: engines and pure files do not import services, repositories, controllers, modules or entities: they get plain data.';
const PROGRAMS = 'Layers: programs does not import availability (availability -> programs is the one arrow; the slot engine declares the settings it reads).';

describe('lint: the layers (eslint.config.js)', () => {
  it.each([
    ['src/rollups/rollups.controller.ts', "import { x } from '../web/kit/layout.js';"],
    ['src/bookings/bookings.service.ts', "import { x } from '../web/kit/html.js';"],
    ['src/availability/slots.service.ts', "import type { x } from '../web/marketer/marketer-week.js';"],
    ['src/rotations/rotations.service.ts', "export { x } from '../web/web.module.js';"],
    ['src/common/errors.ts', "import { x } from '../web/kit/web-request.js';"],
    ['src/config/config.ts', "import { x } from '../web/kit/headers.js';"],
    ['src/availability/engine/slot-engine.ts', "import { x } from '../../web/kit/format.js';"],
  ])('nothing outside src/web imports web: %s', async (file, code) => {
    expect(await restricted(file, code)).toContain(`'${code.match(/'(.*)'/)![1]}' import is restricted from being used by a pattern. ${WEB}`);
  });

  it('web imports web, and the app module composes it', async () => {
    expect(await restricted('src/web/marketer/marketer.controller.ts', "import { x } from '../kit/html.js';")).toEqual([]);
    expect(await restricted('src/app.module.ts', "import { x } from './web/web.module.js';")).toEqual([]);
  });

  it.each([
    ['src/mail/mail.service.ts', "import { x } from '../bookings/bookings.repository.js';"],
    ['src/mail/message.ts', "import type { x } from '../people/user.entity.js';"],
    ['src/calendar/ics.ts', "import { x } from '../rotations/shift-messages.js';"],
    ['src/calendar/ics.ts', "import { x } from '../database/data-source.js';"],
    ['src/jobs/jobs.service.ts', "import { x } from '../rollups/rollups.service.js';"],
  ])('calendar, mail and the job queue import no feature: %s', async (file, code) => {
    expect(await restricted(file, code)).toEqual([`'${code.match(/'(.*)'/)![1]}' import is restricted from being used by a pattern. ${PLAIN}`]);
  });

  it('calendar and mail may import common, config, jobs and libraries', async () => {
    const code = [
      "import { a } from '../common/escape-html.js';",
      "import { b } from '../config/config.js';",
      "import { c } from '../jobs/jobs.service.js';",
      "import { d } from './html.js';",
      "import e from 'nodemailer';",
      'export const x = [a, b, c, d, e];',
    ].join('\n');
    expect(await restricted('src/mail/mail.service.ts', code)).toEqual([]);
  });

  it.each([
    ['src/availability/engine/slot-engine.ts', "import { Injectable as x } from '@nestjs/common';", FRAMEWORK],
    ['src/rotations/engine/assign.ts', "import { EntityManager as x } from 'typeorm';", FRAMEWORK],
    ['src/rotations/engine/shifts.ts', "import x from 'pg';", FRAMEWORK],
    ['src/observations/redact.ts', "import type { DataSource as x } from 'typeorm';", FRAMEWORK],
    ['src/rollups/ranking.ts', "import { Logger as x } from '@nestjs/common';", FRAMEWORK],
    ['src/rotations/engine/period-run.ts', "import { x } from '../rotations.repository.js';", SERVICES],
    ['src/rollups/ranking.ts', "import { x } from './rollups.service.js';", SERVICES],
  ])('engines and pure files import no framework, database or service: %s', async (file, code, message) => {
    expect(await restricted(file, code)).toEqual([`'${code.match(/'(.*)'/)![1]}' import is restricted from being used by a pattern. ${message}`]);
  });

  it('engines may import common and each other; their specs are not engines', async () => {
    expect(await restricted('src/rotations/engine/assign.ts', "import { x } from '../../common/time/intervals.js';\nexport { y } from './shifts.js';")).toEqual([]);
    expect(await restricted('src/availability/engine/slot-engine.spec.ts', "import { x } from '@jest/globals';")).toEqual([]);
  });

  it('programs does not import availability; availability imports programs', async () => {
    const code = "import type { x } from '../availability/engine/slot-engine.js';";
    expect(await restricted('src/programs/program-settings.ts', code)).toEqual([`'../availability/engine/slot-engine.js' import is restricted from being used by a pattern. ${PROGRAMS}`]);
    expect(await restricted('src/availability/slots.service.ts', "import { x } from '../programs/programs.repository.js';")).toEqual([]);
  });

  it('keeps the IsOptional rule everywhere under src, the layered folders included', async () => {
    for (const file of ['src/bookings/bookings.dto.ts', 'src/programs/program-settings.ts', 'src/web/kit/forms.ts', 'src/mail/mail.types.ts']) {
      expect(await restricted(file, "import { IsOptional as x } from 'class-validator';")).toEqual([
        "'IsOptional' import from 'class-validator' is restricted. Use Optional() from src/common/validation.ts (or OptionalOrNull() where null means something).",
      ]);
    }
  });
});

/** The no-restricted-syntax messages (services decide, repositories query) for `code` linted as the file at `filePath`. */
async function queries(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${filePath}` });
  expect(result.messages.filter((m) => m.fatal)).toEqual([]);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

const QUERY = "Services decide, repositories query: move this query into the feature's *.repository.ts and pass the EntityManager through.";

describe('lint: only repositories query (eslint.config.js)', () => {
  it.each([
    ['src/bookings/bookings.service.ts', 'export const f = (m: any) => m.query(\'SELECT 1\');'],
    ['src/programs/programs.service.ts', 'export class S { db: any; f() { return this.db.manager.save({}); } }'],
    ['src/themes/themes.service.ts', 'export class S { db: any; f() { return this.db.query(\'SELECT 1\'); } }'],
    ['src/web/lifecycle/people.controller.ts', 'export const f = (manager: any) => manager.createQueryBuilder();'],
    ['src/rollups/rollups.service.ts', 'export const f = (tx: any) => tx.getRepository(Object).find();'],
  ])('a query outside a repository is an error: %s', async (file, code) => {
    expect(await queries(file, code)).toContain(QUERY);
  });

  it('repositories, the database folder and transactions in services are allowed', async () => {
    expect(await queries('src/bookings/bookings.repository.ts', 'export const f = (m: any) => m.query(\'SELECT 1\');')).toEqual([]);
    expect(await queries('src/database/data-source.ts', 'export const f = (m: any) => m.query(\'SELECT 1\');')).toEqual([]);
    expect(await queries('src/bookings/bookings.service.ts', 'export class S { db: any; repo: any; f() { return this.db.transaction((m: any) => this.repo.insert(m, {})); } }')).toEqual([]);
  });
});
