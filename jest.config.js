/** One Jest run for every workspace. Workspace packages resolve to their TypeScript sources so a
 * test never runs against a stale build; type checking is `tsc -b`'s job (see `npm run build`). */
const workspaces = {
  'cutover-model': 'cutover-model',
  kit: 'kit',
  migrations: 'migrations',
  'data-engine': 'data-engine',
  'payments-capability': 'capabilities/payments',
  'auth-capability': 'capabilities/auth',
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
  roots: Object.values(workspaces).map((dir) => `<rootDir>/${dir}`),
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  moduleNameMapper: Object.fromEntries(
    Object.entries(workspaces).flatMap(([name, dir]) => [
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
