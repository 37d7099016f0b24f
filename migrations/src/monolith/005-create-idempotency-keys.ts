import type { NamedMigration } from '../migration-set';

export const createIdempotencyKeys: NamedMigration = {
  name: '005-create-idempotency-keys',
  up: (knex) =>
    knex.schema.createTable('idempotency_keys', (t) => {
      t.string('user_id', 36).notNullable();
      t.string('idempotency_key', 255).notNullable();
      // SHA-256 of method, path and canonical body: same key + other request → 422.
      t.string('request_hash', 64).notNullable();
      t.integer('response_status').notNullable();
      t.text('response_body').notNullable();
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.primary(['user_id', 'idempotency_key']);
    }),
  down: (knex) => knex.schema.dropTable('idempotency_keys'),
};
