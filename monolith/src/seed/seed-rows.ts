import { minorToDecimalColumn } from '@strangler/kit';
import type { SeedOrder } from './generate-orders';
import type { SeedPayment, SeedRefund } from './generate-payments';
import type { SeedUser } from './generate-users';

/** Tables in foreign-key order: a row's parent is always written before it. */
export const SEED_TABLES = {
  users: ['id', 'email', 'name', 'password_hash', 'password_salt', 'created_at', 'updated_at'],
  orders: ['id', 'user_id', 'status', 'currency', 'total', 'payment_id', 'created_at', 'updated_at'],
  order_items: ['order_id', 'sku', 'quantity', 'unit_price'],
  payments: ['id', 'user_id', 'order_id', 'amount', 'currency', 'status', 'description', 'captured_amount', 'refunded_amount', 'created_at', 'updated_at'],
  refunds: ['id', 'payment_id', 'amount', 'created_at'],
} as const;

export type SeedTable = keyof typeof SEED_TABLES;

/** A row's values in the order of its table's columns above. */
export type RowValues = unknown[];

export function userRow(user: SeedUser): RowValues {
  return [user.id, user.email, user.name, user.password.hash, user.password.salt, user.createdAt, user.createdAt];
}

export function paymentRow(p: SeedPayment): RowValues {
  return [
    p.id,
    p.userId,
    p.orderId,
    minorToDecimalColumn(p.amountMinor, p.currency),
    p.currency,
    p.status,
    p.description,
    minorToDecimalColumn(p.capturedMinor, p.currency),
    minorToDecimalColumn(p.refundedMinor, p.currency),
    p.createdAt,
    p.updatedAt,
  ];
}

export function refundRow(refund: SeedRefund, payment: SeedPayment): RowValues {
  return [refund.id, refund.paymentId, minorToDecimalColumn(refund.amountMinor, payment.currency), refund.createdAt];
}

export function orderRow(order: SeedOrder): RowValues {
  return [
    order.id,
    order.userId,
    order.status,
    order.currency,
    minorToDecimalColumn(order.totalMinor, order.currency),
    order.payment?.id ?? null,
    order.createdAt,
    order.updatedAt,
  ];
}

export function orderItemRows(order: SeedOrder): RowValues[] {
  return order.items.map((item) => [order.id, item.sku, item.quantity, minorToDecimalColumn(item.unitPriceMinor, order.currency)]);
}
