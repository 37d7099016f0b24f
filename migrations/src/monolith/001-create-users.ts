import type { NamedMigration } from '../migration-set';

export const createUsers: NamedMigration = {
  name: '001-create-users',
  up: (knex) =>
    knex.schema.createTable('users', (t) => {
      t.string('id', 36).primary();
      t.string('email', 254).notNullable().unique('users_email_unique');
      t.string('name', 100).notNullable();
      // Legacy scheme: hex SHA-256 of (salt + password). The auth extraction upgrades these.
      t.string('password_hash', 64).notNullable();
      t.string('password_salt', 32).notNullable();
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.datetime('updated_at', { precision: 3 }).notNullable();
    }),
  down: (knex) => knex.schema.dropTable('users'),
};
