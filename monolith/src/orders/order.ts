import type { Currency } from '@strangler/kit';
import { orderErrors } from './order-errors';

export type OrderStatus = 'pending' | 'paid';

/** Money is always integer minor units of the order's currency. */
export interface OrderItem {
  sku: string;
  quantity: number;
  unitPrice: bigint;
}

export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  currency: Currency;
  total: bigint;
  items: OrderItem[];
  paymentId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function orderTotal(items: readonly OrderItem[]): bigint {
  return items.reduce((sum, item) => sum + BigInt(item.quantity) * item.unitPrice, 0n);
}

export function placeOrder(id: string, userId: string, currency: Currency, items: OrderItem[], now: Date): Order {
  return {
    id,
    userId,
    status: 'pending',
    currency,
    total: orderTotal(items),
    items,
    paymentId: null,
    createdAt: now,
    updatedAt: now,
  };
}

export function markPaid(order: Order, paymentId: string, now: Date): Order {
  if (order.status === 'paid') throw orderErrors.alreadyPaid();
  return { ...order, status: 'paid', paymentId, updatedAt: now };
}
