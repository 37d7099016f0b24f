import type { Currency } from '@strangler/kit';
import { buildPayment, type SeedOwners, type SeedPayment } from './generate-payments';
import { CURRENCY_MIX, randomAmountMinor } from './random-amounts';
import { DAY_MS, PAYMENT_HISTORY_DAYS, type SeedPlan } from './seed-plan';
import type { SeededRandom } from './seeded-random';

/** Uppercase like the rest of the legacy schema; exactly the statuses the orders module reads. */
export type SeedOrderStatus = 'PENDING' | 'PAID';

export const ORDER_STATUS_MIX: readonly (readonly [SeedOrderStatus, number])[] = [
  ['PAID', 85],
  ['PENDING', 15],
];

export interface SeedOrderItem {
  sku: string;
  quantity: number;
  unitPriceMinor: bigint;
}

export interface SeedOrder {
  id: string;
  userId: string;
  status: SeedOrderStatus;
  currency: Currency;
  totalMinor: bigint;
  items: SeedOrderItem[];
  createdAt: Date;
  updatedAt: Date;
  /** A PAID order's captured payment (an extra payments row, on top of --payments). */
  payment: SeedPayment | null;
}

const SKUS = ['BOOK', 'MUG', 'TSHIRT', 'HOODIE', 'POSTER', 'STICKERS', 'NOTEBOOK', 'PEN', 'BAG', 'CAP', 'SOCKS', 'PUZZLE'] as const;

export function* generateOrders(plan: SeedPlan, owners: SeedOwners, data: SeededRandom, ids: SeededRandom): Generator<SeedOrder> {
  if (plan.orders > 0 && owners.ids.length === 0) throw new RangeError('orders need at least one user');
  const nowMs = plan.now.getTime();
  for (let n = 0; n < plan.orders; n++) {
    const owner = data.int(0, owners.ids.length - 1);
    const userId = owners.ids[owner] as string;
    const status = data.weighted(ORDER_STATUS_MIX);
    const currency = data.weighted(CURRENCY_MIX);
    const items = Array.from({ length: data.weighted([[1, 55], [2, 25], [3, 12], [4, 8]]) }, () => ({
      sku: `${data.pick(SKUS)}-${String(data.int(1, 400)).padStart(3, '0')}`,
      quantity: data.weighted([[1, 75], [2, 17], [3, 8]]),
      unitPriceMinor: randomAmountMinor(data, currency, 0.5),
    }));
    const totalMinor = items.reduce((sum, item) => sum + item.unitPriceMinor * BigInt(item.quantity), 0n);
    const createdAt = data.dateBetween(Math.max(owners.createdAtMs[owner] as number, nowMs - PAYMENT_HISTORY_DAYS * DAY_MS), nowMs - 60_000);
    const id = ids.uuid();
    const order: SeedOrder = { id, userId, status, currency, totalMinor, items, createdAt, updatedAt: createdAt, payment: null };
    if (status === 'PAID') {
      // Checkout authorizes and captures at once: the payment is CAPTURED seconds after the order.
      const payment = buildPayment(
        {
          userId,
          orderId: id,
          amountMinor: totalMinor,
          currency,
          status: 'CAPTURED',
          description: `Order ${id}`,
          createdAt: new Date(createdAt.getTime() + data.int(200, 5_000)),
        },
        Math.min(nowMs, createdAt.getTime() + 10_000),
        data,
        ids,
      );
      order.payment = payment;
      order.updatedAt = payment.updatedAt;
    }
    yield order;
  }
}
