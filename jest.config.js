/** One Jest run for every workspace. Workspace packages resolve to their TypeScript sources so a
 * test never runs against a stale build; type checking is `tsc -b`'s job (see `npm run build`). */
const workspaces = {
  'cutover-model': 'cutover-model',
  kit: 'kit',
  migrations: 'migrations',
  'data-engine': 'data-engine',
  'payments-api': 'api/payments',
  'auth-api': 'api/auth',
  monolith: 'monolith',
  'auth-service': 'services/auth',
  'payments-service': 'services/payments',
  edge: 'edge',
  contracts: 'contracts',
  cli: 'cli',
};

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // scripts: the repository's own tooling (the lint walls' test).
  roots: [...Object.values(workspaces).map((dir) => `<rootDir>/${dir}`), '<rootDir>/scripts'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  moduleNameMapper: Object.fromEntries(
    Object.entries(workspaces).flatMap(([name, dir]) => [
      // `@strangler/<pkg>/testing` is `src/testing`. Which subpaths may be imported at all is the
      // lint rule's business (the exports maps, docs/decisions/0047-package-walls.md), not the mapper's.
      // A deep import of compiled output (`@strangler/edge/dist/flags/stage`) is that file's source.
      [`^@strangler/${name}/dist/(.*)$`, `<rootDir>/${dir}/src/$1`],
      [`^@strangler/${name}$`, `<rootDir>/${dir}/src`],
      [`^@strangler/${name}/(.*)$`, `<rootDir>/${dir}/src/$1`],
    ]),
  ),
  globalSetup: '<rootDir>/jest.global-setup.ts',
  testTimeout: 30000,
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};
