import type { NamedMigration } from '../migration-set';

/**
 * Room for any hash the auth service stores (its column is VARCHAR(255)), not just a SHA-256.
 * MySQL only: SQLite does not enforce VARCHAR lengths, and rebuilding the table there (knex's way of
 * altering a column) would drop change-capture triggers. Down refuses (strict mode) while a longer
 * hash is stored, rather than truncating it.
 */
export const widenUsersPasswordHash: NamedMigration = {
  name: '010-widen-users-password-hash',
  up: async (knex) => {
    if (knex.client.config.client === 'mysql2') await knex.raw('alter table `users` modify `password_hash` varchar(255) not null');
  },
  down: async (knex) => {
    if (knex.client.config.client === 'mysql2') await knex.raw('alter table `users` modify `password_hash` varchar(64) not null');
  },
};
