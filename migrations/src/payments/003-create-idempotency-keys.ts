import type { NamedMigration } from '../migration-set';

export const createIdempotencyKeys: NamedMigration = {
  name: '003-create-idempotency-keys',
  up: (knex) =>
    knex.schema.createTable('idempotency_keys', (t) => {
      t.uuid('user_id').notNullable();
      // SHA-256 of the Idempotency-Key header: exact comparison whatever the collation.
      t.specificType('key_hash', 'char(64)').notNullable();
      // SHA-256 of method, path and canonical body: same key + other request → 422.
      t.specificType('request_fingerprint', 'char(64)').notNullable();
      // 0 only inside the transaction that claimed the key; committed rows hold the response sent.
      t.integer('response_status').notNullable();
      t.text('response_body').notNullable();
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.primary(['user_id', 'key_hash']);
    }),
  down: (knex) => knex.schema.dropTable('idempotency_keys'),
};
