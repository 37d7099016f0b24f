import type { Knex } from 'knex';
import { decimalColumnToMinor, isCurrency, minorToDecimalColumn, toDate, type Currency, type PagePosition } from '@strangler/kit';
import type { Order, OrderItem, OrderStatus } from './order';

interface OrderRow {
  id: string;
  user_id: string;
  status: string;
  currency: string;
  total: unknown;
  payment_id: string | null;
  created_at: unknown;
  updated_at: unknown;
}

interface OrderItemRow {
  order_id: string;
  sku: string;
  quantity: unknown;
  unit_price: unknown;
}

/** The legacy schema stores statuses in uppercase; the domain speaks the API's lowercase. */
function statusOf(row: OrderRow): OrderStatus {
  if (row.status === 'PENDING') return 'pending';
  if (row.status === 'PAID') return 'paid';
  throw new Error(`order ${row.id} has unknown status ${row.status}`);
}

function currencyOf(row: OrderRow): Currency {
  if (!isCurrency(row.currency)) throw new Error(`order ${row.id} has unsupported currency ${row.currency}`);
  return row.currency;
}

function toOrder(row: OrderRow, itemRows: OrderItemRow[]): Order {
  const currency = currencyOf(row);
  return {
    id: row.id,
    userId: row.user_id,
    status: statusOf(row),
    currency,
    total: decimalColumnToMinor(row.total, currency),
    items: itemRows.map(
      (item): OrderItem => ({
        sku: item.sku,
        quantity: Number(item.quantity),
        unitPrice: decimalColumnToMinor(item.unit_price, currency),
      }),
    ),
    paymentId: row.payment_id,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

/** Orders with their items. Construct it with a transaction to take part in one. */
export class OrderRepository {
  constructor(private readonly db: Knex) {}

  /** Writes two tables: call it inside a transaction. */
  async insert(order: Order): Promise<void> {
    await this.db('orders').insert({
      id: order.id,
      user_id: order.userId,
      status: order.status.toUpperCase(),
      currency: order.currency,
      total: minorToDecimalColumn(order.total, order.currency),
      payment_id: order.paymentId,
      created_at: order.createdAt,
      updated_at: order.updatedAt,
    });
    await this.db('order_items').insert(
      order.items.map((item) => ({
        order_id: order.id,
        sku: item.sku,
        quantity: item.quantity,
        unit_price: minorToDecimalColumn(item.unitPrice, order.currency),
      })),
    );
  }

  async findOwned(userId: string, id: string): Promise<Order | undefined> {
    const row = await this.db<OrderRow>('orders').where({ id, user_id: userId }).first();
    return row ? (await this.withItems([row]))[0] : undefined;
  }

  /** Reads the order and locks its row until the transaction ends (MySQL; SQLite serialises writers). */
  async lockOwned(userId: string, id: string): Promise<Order | undefined> {
    const row = await this.db<OrderRow>('orders').where({ id, user_id: userId }).forUpdate().first();
    return row ? (await this.withItems([row]))[0] : undefined;
  }

  /** Newest first, by (created_at, id) descending, starting after `after`. */
  async listOwned(userId: string, limit: number, after?: PagePosition): Promise<Order[]> {
    const query = this.db<OrderRow>('orders').where({ user_id: userId });
    if (after) {
      query.andWhere((older) => {
        older
          .where('created_at', '<', after.createdAt)
          .orWhere((sameInstant) => {
            sameInstant.where('created_at', '=', after.createdAt).andWhere('id', '<', after.id);
          });
      });
    }
    const rows = await query.orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]).limit(limit);
    return this.withItems(rows);
  }

  async updatePayment(order: Order): Promise<void> {
    await this.db('orders')
      .where({ id: order.id })
      .update({ status: order.status.toUpperCase(), payment_id: order.paymentId, updated_at: order.updatedAt });
  }

  private async withItems(rows: OrderRow[]): Promise<Order[]> {
    if (rows.length === 0) return [];
    const itemRows = await this.db<OrderItemRow>('order_items')
      .whereIn(
        'order_id',
        rows.map((row) => row.id),
      )
      .orderBy('id', 'asc');
    return rows.map((row) =>
      toOrder(
        row,
        itemRows.filter((item) => item.order_id === row.id),
      ),
    );
  }
}
