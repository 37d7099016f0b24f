import type { NamedMigration } from '../migration-set';

export const createRefunds: NamedMigration = {
  name: '002-create-refunds',
  up: (knex) =>
    knex.schema.createTable('refunds', (t) => {
      t.uuid('id').primary();
      t.uuid('payment_id').notNullable().references('id').inTable('payments');
      // Minor units of the payment's currency.
      t.bigInteger('amount_minor').notNullable();
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.index(['payment_id'], 'refunds_payment_id_index');
      t.check('amount_minor > 0', {}, 'refunds_amount_check');
    }),
  down: (knex) => knex.schema.dropTable('refunds'),
};
