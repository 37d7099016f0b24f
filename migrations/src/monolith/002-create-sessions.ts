import type { NamedMigration } from '../migration-set';

export const createSessions: NamedMigration = {
  name: '002-create-sessions',
  up: (knex) =>
    knex.schema.createTable('sessions', (t) => {
      // SHA-256 of the opaque bearer token: a leaked table does not leak usable tokens.
      t.string('token_hash', 64).primary();
      t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.datetime('expires_at', { precision: 3 }).notNullable();
      t.datetime('revoked_at', { precision: 3 }).nullable();
      t.index(['user_id'], 'sessions_user_id_index');
    }),
  down: (knex) => knex.schema.dropTable('sessions'),
};
