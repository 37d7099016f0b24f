import type { Knex } from 'knex';
import type { RequestHandler, Router } from 'express';
import type { Clock } from '@strangler/kit';
import { createPaymentUseCases, knexPaymentsStorage, paymentRoutes } from '@strangler/payments-api';
import { inProcessPaymentsPort } from './charge-order';
import { idempotencyRepository } from './idempotency-repository';
import { paymentRepository } from './payment-repository';
import type { PaymentsPort } from './payments-port';

export interface PaymentsModule {
  router: Router;
  port: PaymentsPort;
}

/** The shared payments capability on the monolith's legacy tables. */
export function createPaymentsModule(deps: { knex: Knex; clock: Clock; authenticate: RequestHandler }): PaymentsModule {
  const storage = knexPaymentsStorage(deps.knex, { payments: paymentRepository, idempotency: idempotencyRepository });
  const payments = createPaymentUseCases({ storage, clock: deps.clock });
  return { router: paymentRoutes(payments, deps.authenticate), port: inProcessPaymentsPort(payments) };
}
