import type { NamedMigration } from '../migration-set';

export const createPayments: NamedMigration = {
  name: '003-create-payments',
  up: (knex) =>
    knex.schema.createTable('payments', (t) => {
      t.string('id', 36).primary();
      // No foreign key to users: once auth is extracted, users are owned by the auth service and a
      // payment may reference a user whose row reaches this database only through sync.
      t.string('user_id', 36).notNullable();
      t.string('order_id', 64).nullable();
      // Legacy habits: money as DECIMAL in major units, statuses as uppercase strings.
      t.decimal('amount', 15, 3).notNullable();
      t.string('currency', 3).notNullable();
      t.string('status', 20).notNullable();
      t.string('description', 500).nullable();
      t.decimal('captured_amount', 15, 3).notNullable().defaultTo(0);
      t.decimal('refunded_amount', 15, 3).notNullable().defaultTo(0);
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.datetime('updated_at', { precision: 3 }).notNullable();
      t.index(['user_id', 'created_at', 'id'], 'payments_user_created_index');
    }),
  down: (knex) => knex.schema.dropTable('payments'),
};
