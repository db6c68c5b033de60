import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

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
  {
    // Optional means absent, not null: class-validator's IsOptional lets null through to NOT NULL columns.
    files: ['src/**/*.ts'],
    ignores: ['src/config/config.ts'], // environment variables are strings or absent, never null
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'class-validator',
              importNames: ['IsOptional'],
              message: 'Use Optional() from src/common/validation.ts (or OptionalOrNull() where null means something).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bench/**', 'scripts/**', 'test/support/**', 'src/main.ts', 'src/database/embedded.ts'],
    rules: { 'no-console': 'off' },
  },
);
