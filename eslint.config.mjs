import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import walls from './scripts/lint/workspace-walls.cjs';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '.data/**', 'pacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Left out of the type-checked preset for now (docs/decisions/0030-type-checked-lint.md): `any`
      // from knex rows, JSON bodies and supertest is narrowed at the boundaries by zod, not by lint;
      // async methods without `await` implement promise-returning interfaces; assertions that only
      // restate a type are style, not defects.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // A promise nobody awaits or handles: its failure is an unhandled rejection (the process dies)
      // or silently lost. Say `void` where fire-and-forget is the intent and the failure is handled.
      // A knex query builder is a thenable that does nothing until awaited: building one (e.g. inside a
      // nested where callback) is not a promise left floating.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafePromises: [{ from: 'package', name: 'QueryBuilder', package: 'knex' }] }],
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration once through the config schema (loadConfig).' },
      ],
    },
  },
  // The package walls (docs/decisions/0047-package-walls.md): another workspace only through the
  // public entries of its `exports` map, never by a relative path into it. Tests and scripts too.
  walls.wallsConfig(),
  {
    // Root tooling, not workspaces: Jest's global setup runs before any module mapping, so it reads
    // kit's test support by path; the drill and the edge's bench share the root's process launcher
    // (bench/stack-processes.mjs).
    files: ['jest.global-setup.ts', 'cli/drill/**', 'edge/bench/**'],
    rules: { 'import-x/no-relative-packages': 'off' },
  },
  {
    // Configuration readers, CLIs, test support and tests may read the environment directly.
    files: ['**/config.ts', '**/config/**', '**/cli/**', '**/*-cli.ts', '**/testing/**', '**/test/**', '*.ts', '*.js', '*.mjs', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/testing/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Plain JavaScript (CLIs' bin stubs, bench and drill scripts, configs) has no types to check.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
