import type { NamedMigration } from '../migration-set';

export const createAuthUsers: NamedMigration = {
  name: '001-create-users',
  up: (knex) =>
    knex.schema.createTable('users', (t) => {
      t.uuid('id').primary();
      // Stored lowercased (the API normalises), so the unique index is case-proof on every collation.
      t.string('email', 254).notNullable().unique('users_email_unique');
      t.string('name', 100).notNullable();
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.datetime('updated_at', { precision: 3 }).notNullable();
    }),
  down: (knex) => knex.schema.dropTable('users'),
};
