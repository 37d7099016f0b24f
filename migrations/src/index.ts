/** Schema migrations per deployable's database: every deployable imports only this. */
export { migrateLatest, rollbackAll, migratorConfig, type MigrationSet, type NamedMigration } from './migration-set';
export { monolithMigrations } from './monolith';
export { authMigrations } from './auth';
export { paymentsMigrations } from './payments';
export { DATABASES, type DatabaseEntry } from './databases';
