import type { NamedMigration } from '../migration-set';

export const createPayments: NamedMigration = {
  name: '001-create-payments',
  up: (knex) =>
    knex.schema.createTable('payments', (t) => {
      t.uuid('id').primary();
      // No users table here: users live with auth; the id is the same on every side.
      t.uuid('user_id').notNullable();
      t.string('order_id', 64).nullable();
      // Money as integer minor units of `currency` (1999 = 19.99 USD): exact, no DECIMAL, no float.
      t.bigInteger('amount_minor').notNullable();
      // Binary collation on MySQL (SQLite compares binary anyway): 'usd' is not 'USD', nor
      // 'CAPTURED' a status, for the checks below or for any query.
      t.specificType('currency', 'char(3)').notNullable().collate('utf8mb4_bin');
      t.string('status', 20).notNullable().collate('utf8mb4_bin');
      t.string('description', 500).nullable();
      t.bigInteger('captured_minor').notNullable().defaultTo(0);
      t.bigInteger('refunded_minor').notNullable().defaultTo(0);
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.datetime('updated_at', { precision: 3 }).notNullable();
      t.index(['user_id', 'created_at', 'id'], 'payments_user_created_index');
      // The invariants the code keeps, kept by the database too: a bug or a bad data copy fails loudly.
      t.check(
        "status in ('authorized', 'captured', 'partially_refunded', 'refunded', 'voided')",
        {},
        'payments_status_check',
      );
      t.check(
        'amount_minor > 0 and captured_minor >= 0 and captured_minor <= amount_minor and refunded_minor >= 0 and refunded_minor <= captured_minor',
        {},
        'payments_amounts_check',
      );
    }),
  down: (knex) => knex.schema.dropTable('payments'),
};
