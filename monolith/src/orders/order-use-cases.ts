import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { encodeCursor, writeTransaction, type Clock, type Currency, type Logger, type PagePosition } from '@strangler/kit';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import type { ChargedPayment, PaymentsPort } from '../payments/payments-port';
import { markPaid, placeOrder, type OrderItem } from './order';
import { orderErrors } from './order-errors';
import { orderJson, type OrderJson } from './order-json';
import { OrderRepository } from './order-repository';

export interface OrderUseCaseDeps {
  knex: Knex;
  clock: Clock;
  payments: PaymentsPort;
  logger: Logger;
}

export function createOrderUseCases({ knex, clock, payments, logger }: OrderUseCaseDeps) {
  return {
    async place(userId: string, input: { currency: Currency; items: OrderItem[] }): Promise<OrderJson> {
      const order = placeOrder(randomUUID(), userId, input.currency, input.items, clock.now());
      await writeTransaction(knex, (trx) => new OrderRepository(trx).insert(order));
      return orderJson(order);
    },

    async get(userId: string, orderId: string): Promise<OrderJson> {
      const order = await new OrderRepository(knex).findOwned(userId, orderId);
      if (!order) throw orderErrors.notFound();
      return orderJson(order);
    },

    async list(userId: string, limit: number, after?: PagePosition): Promise<{ orders: OrderJson[]; nextCursor: string | null }> {
      const found = await new OrderRepository(knex).listOwned(userId, limit + 1, after);
      const page = found.slice(0, limit);
      const last = page[page.length - 1];
      return { orders: page.map(orderJson), nextCursor: found.length > limit && last ? encodeCursor(last) : null };
    },

    /**
     * Charges outside any orders transaction (the port may be a remote service), then marks the order
     * paid. The idempotency key is stable per order: a checkout retried after a failure anywhere
     * gets the same payment back instead of a second charge.
     */
    async checkout(user: AuthenticatedUser, orderId: string, bearerToken: string): Promise<{ order: OrderJson; payment: ChargedPayment }> {
      const order = await new OrderRepository(knex).findOwned(user.id, orderId);
      if (!order) throw orderErrors.notFound();
      if (order.status === 'paid') throw orderErrors.alreadyPaid();
      const payment = await payments.chargeOrder({
        userId: user.id,
        bearerToken,
        orderId: order.id,
        amountMinor: order.total,
        currency: order.currency,
        description: `Order ${order.id}`,
        idempotencyKey: `order-${order.id}-checkout`,
      });
      const paid = await writeTransaction(knex, async (trx) => {
        const orders = new OrderRepository(trx);
        const current = await orders.lockOwned(user.id, orderId);
        if (!current) throw orderErrors.notFound();
        // Throws ORDER_ALREADY_PAID if a concurrent checkout of this order got here first.
        const updated = markPaid(current, payment.id, clock.now());
        await orders.updatePayment(updated);
        return updated;
      });
      logger.info({ orderId: paid.id, paymentId: payment.id }, 'order paid');
      return { order: orderJson(paid), payment };
    },
  };
}

export type OrderUseCases = ReturnType<typeof createOrderUseCases>;
