import type { Knex } from 'knex';

export interface NamedMigration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** A database's migrations, listed in code rather than discovered on disk, so the same set runs
 * from TypeScript sources (tests) and compiled output (production) alike. */
export interface MigrationSet {
  database: string;
  tableName: string;
  migrations: NamedMigration[];
}

function sourceFor(set: MigrationSet): Knex.MigrationSource<NamedMigration> {
  return {
    getMigrations: async () => set.migrations,
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => migration,
  };
}

export function migratorConfig(set: MigrationSet): Knex.MigratorConfig {
  return { migrationSource: sourceFor(set), tableName: set.tableName};
}

export async function migrateLatest(knex: Knex, set: MigrationSet): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(migratorConfig(set))) as [number, string[]];
  return applied;
}

export async function rollbackAll(knex: Knex, set: MigrationSet): Promise<string[]> {
  const [, reverted] = (await knex.migrate.rollback(migratorConfig(set), true)) as [number, string[]];
  return reverted;
}
