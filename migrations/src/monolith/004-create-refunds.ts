import type { NamedMigration } from '../migration-set';

export const createRefunds: NamedMigration = {
  name: '004-create-refunds',
  up: (knex) =>
    knex.schema.createTable('refunds', (t) => {
      t.string('id', 36).primary();
      t.string('payment_id', 36).notNullable().references('id').inTable('payments');
      t.decimal('amount', 15, 3).notNullable();
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.index(['payment_id'], 'refunds_payment_id_index');
    }),
  down: (knex) => knex.schema.dropTable('refunds'),
};
