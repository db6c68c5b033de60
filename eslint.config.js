import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// ---------------------------------------------------------------------------------------------------------
// Import rules for src/, as `no-restricted-imports` options. ESLint gives a file the options of the LAST
// config object that sets a rule, so each folder gets ONE object below with every restriction that applies
// to it (the class-validator rule and its layer rules together). The rule matches the import as written, so
// a folder under src/ is matched by its relative spellings ('./web/…', '../web/…', '../../web/…').

/** Optional means absent, not null: class-validator's IsOptional lets null through to NOT NULL columns. */
const NO_IS_OPTIONAL = {
  name: 'class-validator',
  importNames: ['IsOptional'],
  message: 'Use Optional() from src/common/validation.ts (or OptionalOrNull() where null means something).',
};

/** An import of the folder src/<name> from anywhere under src/. */
const folder = (name) => `^(\\.{1,2}/)+${name}(/|$)`;

/** (a, b) Only the web layer and the app's top-level files (main, app, app.module, startup-banner) import web. */
const NO_WEB = {
  regex: folder('web'),
  caseSensitive: true,
  message: 'Layers: only src/web (and the top-level files that compose the app) may import src/web; features, the scheduling core and engines never do.',
};
/** (c) calendar and mail know plain data: common, config and the job queue, never a feature; the queue itself neither. */
const PLAIN_DATA_ONLY = {
  regex: '^(\\.\\./)+(?![.]|(common|config|jobs)(/|$))',
  caseSensitive: true,
  message: 'Layers: src/calendar, src/mail and src/jobs know plain data; they import only src/common, src/config, src/jobs and libraries, never a feature.',
};
/** (d) Engines and the other pure files: no framework, no database, no services or repositories. */
const PURE = [
  {
    group: ['@nestjs/*', 'typeorm', 'typeorm/*', 'pg', 'pg/*', 'pg-boss', 'pg-boss/*'],
    message: 'Layers: engines and pure files import neither Nest, TypeORM nor pg: they get plain data and an injected clock.',
  },
  {
    regex: '\\.(service|repository|controller|module|entity)(\\.js)?$',
    caseSensitive: true,
    message: 'Layers: engines and pure files do not import services, repositories, controllers, modules or entities: they get plain data.',
  },
];
/** (e) Availability reads programs; programs never imports availability. */
const NO_AVAILABILITY = {
  regex: folder('availability'),
  caseSensitive: true,
  message: 'Layers: programs does not import availability (availability -> programs is the one arrow; the slot engine declares the settings it reads).',
};

const ENGINES = ['src/*/engine/**/*.ts', 'src/observations/redact.ts', 'src/rollups/ranking.ts'];
const SPECS = ['src/**/*.spec.ts'];

const restrict = (files, patterns, ignores = [], paths = [NO_IS_OPTIONAL]) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
});

const layers = [
  // Everything under src/ (web itself, and the top-level files that compose the app, only keep IsOptional out).
  restrict(['src/**/*.ts'], []),
  // Every feature, the scheduling core (availability, bookings, rotations), common, jobs, …: no web.
  restrict(['src/*/**/*.ts'], [NO_WEB], ['src/web/**']),
  restrict(['src/calendar/**/*.ts', 'src/mail/**/*.ts', 'src/jobs/**/*.ts'], [NO_WEB, PLAIN_DATA_ONLY]),
  restrict(['src/programs/**/*.ts'], [NO_WEB, NO_AVAILABILITY]),
  // Engines last: they match src/*/** too. Their specs may use what tests use.
  restrict(ENGINES, [NO_WEB, ...PURE], SPECS),
  // Environment variables are strings or absent, never null: config.ts may use IsOptional.
  restrict(['src/config/config.ts'], [NO_WEB], [], []),
];

/**
 * Services decide, repositories query: a call of TypeORM's query and write methods on an EntityManager or a
 * DataSource is allowed only in repositories, the database folder and the job queue's pg-boss adapter.
 * Services may still open transactions (`db.transaction(...)`) and pass the manager to a repository.
 */
const QUERY_METHODS =
  '/^(query|save|insert|update|delete|remove|upsert|increment|decrement|count|find|findBy|findOne|findOneBy|findOneOrFail|findOneByOrFail|findAndCount|createQueryBuilder|getRepository|createEntityManager)$/';
const ONLY_REPOSITORIES_QUERY = "Services decide, repositories query: move this query into the feature's *.repository.ts and pass the EntityManager through.";
const repositoriesQuery = {
  files: ['src/**/*.ts'],
  ignores: ['src/**/*.repository.ts', 'src/database/**', 'src/**/*.spec.ts', 'src/jobs/jobs.service.ts'],
  rules: {
    'no-restricted-syntax': [
      'error',
      {
        selector: `CallExpression[callee.property.name=${QUERY_METHODS}][callee.object.type='Identifier'][callee.object.name=/^(m|manager|em|tx|t|qr|runner)$/]`,
        message: ONLY_REPOSITORIES_QUERY,
      },
      {
        selector: `CallExpression[callee.property.name=${QUERY_METHODS}][callee.object.type='MemberExpression'][callee.object.property.name=/^(db|manager|dataSource)$/]`,
        message: ONLY_REPOSITORIES_QUERY,
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'var/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  ...layers,
  repositoriesQuery,
  {
    files: ['bench/**', 'scripts/**', 'test/support/**', 'src/main.ts', 'src/database/embedded.ts'],
    rules: { 'no-console': 'off' },
  },
);
