import type { NamedMigration } from '../migration-set';

export const createAuthSessions: NamedMigration = {
  name: '003-create-sessions',
  up: (knex) =>
    knex.schema.createTable('sessions', (t) => {
      // SHA-256 hex of the opaque bearer token, exactly as the monolith stores it: the internal
      // session endpoints of both sides are keyed by it.
      t.specificType('token_hash', 'char(64)').primary();
      t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.datetime('expires_at', { precision: 3 }).notNullable();
      t.datetime('revoked_at', { precision: 3 }).nullable();
      t.index(['user_id'], 'sessions_user_id_index');
    }),
  down: (knex) => knex.schema.dropTable('sessions'),
};
