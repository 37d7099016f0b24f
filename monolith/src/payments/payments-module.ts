import type { Knex } from 'knex';
import type { RequestHandler, Router } from 'express';
import type { Clock } from '@strangler/kit';
import { inProcessPaymentsPort } from './charge-order';
import { paymentRoutes } from './payment-routes';
import { createPaymentUseCases } from './payment-use-cases';
import type { PaymentsPort } from './payments-port';

export interface PaymentsModule {
  router: Router;
  port: PaymentsPort;
}

export function createPaymentsModule(deps: { knex: Knex; clock: Clock; authenticate: RequestHandler }): PaymentsModule {
  const payments = createPaymentUseCases({ knex: deps.knex, clock: deps.clock });
  return { router: paymentRoutes(payments, deps.authenticate), port: inProcessPaymentsPort(payments) };
}
