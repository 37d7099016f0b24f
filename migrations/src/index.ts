export { migrateLatest, rollbackAll, migratorConfig, type MigrationSet, type NamedMigration } from './migration-set';
export { monolithMigrations } from './monolith';
export { DATABASES, type DatabaseEntry } from './databases';
