import type { NamedMigration } from '../migration-set';

export const createOrderItems: NamedMigration = {
  name: '007-create-order-items',
  up: (knex) =>
    knex.schema.createTable('order_items', (t) => {
      t.increments('id');
      t.string('order_id', 36).notNullable().references('id').inTable('orders').onDelete('CASCADE');
      t.string('sku', 64).notNullable();
      t.integer('quantity').notNullable();
      t.decimal('unit_price', 15, 3).notNullable();
      t.index(['order_id'], 'order_items_order_id_index');
    }),
  down: (knex) => knex.schema.dropTable('order_items'),
};
