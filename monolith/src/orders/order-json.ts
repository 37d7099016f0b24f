import { formatMinorUnits } from '@strangler/kit';
import type { Order } from './order';

/** The public representation: money as decimal strings with exactly the currency's digits. */
export const orderJson = (order: Order) => ({
  id: order.id,
  status: order.status,
  currency: order.currency,
  total: formatMinorUnits(order.total, order.currency),
  items: order.items.map((item) => ({
    sku: item.sku,
    quantity: item.quantity,
    unitPrice: formatMinorUnits(item.unitPrice, order.currency),
  })),
  paymentId: order.paymentId,
  createdAt: order.createdAt.toISOString(),
  updatedAt: order.updatedAt.toISOString(),
});

export type OrderJson = ReturnType<typeof orderJson>;
