import type { NamedMigration } from '../migration-set';

export const createOrders: NamedMigration = {
  name: '006-create-orders',
  up: (knex) =>
    knex.schema.createTable('orders', (t) => {
      t.string('id', 36).primary();
      // No foreign key to users: once auth is extracted, users are owned by the auth service and a
      // payment may reference a user whose row reaches this database only through sync.
      t.string('user_id', 36).notNullable();
      t.string('status', 20).notNullable();
      t.string('currency', 3).notNullable();
      t.decimal('total', 15, 3).notNullable();
      t.string('payment_id', 36).nullable();
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.datetime('updated_at', { precision: 3 }).notNullable();
      t.index(['user_id', 'created_at', 'id'], 'orders_user_created_index');
    }),
  down: (knex) => knex.schema.dropTable('orders'),
};
