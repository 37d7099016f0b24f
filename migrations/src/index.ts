export { migrateLatest, rollbackAll, migratorConfig, type MigrationSet, type NamedMigration } from './migration-set';
export { monolithMigrations } from './monolith';
export { authMigrations } from './auth';
export { monolithUserToAuthRows, copyMonolithUsersToAuth, AuthEmailConflictError, SHARED_PASSWORD_SCHEMES, type MonolithUserRow, type AuthUserRows, type CopyUsersResult } from './mappings/auth-users';
export { paymentsMigrations } from './payments';
export { DATABASES, type DatabaseEntry } from './databases';
export * as data from './data';
