import type { Knex } from 'knex';
import type { RequestHandler, Router } from 'express';
import type { Clock, Logger } from '@strangler/kit';
import type { PaymentsPort } from '../payments/payments-port';
import { orderRoutes } from './order-routes';
import { createOrderUseCases } from './order-use-cases';

export interface OrdersModule {
  router: Router;
}

/** Orders stay in the monolith; they reach payments only through the PaymentsPort. */
export function createOrdersModule(deps: {
  knex: Knex;
  clock: Clock;
  authenticate: RequestHandler;
  payments: PaymentsPort;
  logger: Logger;
}): OrdersModule {
  const orders = createOrderUseCases({
    knex: deps.knex,
    clock: deps.clock,
    payments: deps.payments,
    logger: deps.logger.child({ component: 'orders' }),
  });
  return { router: orderRoutes(orders, deps.authenticate) };
}
