import type { NamedMigration } from '../migration-set';

/**
 * How `password_hash` is to be read: 'legacy-sha256' (the monolith's own, hex SHA-256 of salt +
 * password) or 'scrypt' (written back by the data sync from the auth service, which re-hashes legacy
 * passwords; see docs/decisions/0007-change-capture.md). Existing rows are legacy.
 */
export const addUsersPasswordScheme: NamedMigration = {
  name: '008-add-users-password-scheme',
  up: (knex) =>
    knex.schema.alterTable('users', (t) => {
      t.string('password_scheme', 32).notNullable().defaultTo('legacy-sha256');
    }),
  // Native DROP COLUMN on both dialects: knex's SQLite dropColumn rebuilds the table, which would
  // silently drop any change-capture triggers on it.
  down: (knex) => knex.raw('alter table ?? drop column ??', ['users', 'password_scheme']).then(() => undefined),
};
