export { migrateLatest, rollbackAll, migratorConfig, type MigrationSet, type NamedMigration } from './migration-set';
export { monolithMigrations } from './monolith';
export { paymentsMigrations } from './payments';
export { DATABASES, type DatabaseEntry } from './databases';
