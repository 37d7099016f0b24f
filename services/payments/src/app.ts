import { paymentsServiceApiDocument } from './api-document';
import type { Express } from 'express';
import { bearerAuthentication, createHttpApp, SessionAuthenticator, systemClock, type Clock, type Database, type Logger, type PeerSessionsClient, type SessionValidityCache } from '@strangler/kit';
import { createPaymentUseCases, knexPaymentsStorage, paymentRoutes } from '@strangler/payments-api';

import { idempotencyRepository } from './payments/idempotency-repository';
import { paymentRepository } from './payments/payment-repository';

export interface PaymentsServiceDeps {
  /** The service's own database, migrated with `paymentsMigrations`. */
  db: Database;
  logger: Logger;
  clock?: Clock;
  /** Where bearer tokens are checked: the auth service and the monolith (this side has no sessions). */
  peers: PeerSessionsClient;
  /** Remembers the peers' answers so a request does not cost a hop (decision 0027); none = ask every time. */
  sessionCache?: SessionValidityCache | undefined;
}

/** The payments API, served by the same capability code as the monolith's, on the service's own storage. */
export function buildPaymentsServiceApp(deps: PaymentsServiceDeps): Express {
  const clock = deps.clock ?? systemClock;
  const authenticate = bearerAuthentication(new SessionAuthenticator(undefined, deps.peers, deps.sessionCache));
  const storage = knexPaymentsStorage(deps.db.knex, { payments: paymentRepository, idempotency: idempotencyRepository });
  const payments = createPaymentUseCases({ storage, clock });
  const { app } = createHttpApp({
    service: 'payments-service',
    logger: deps.logger,
    readiness: [deps.db.readiness],
    routes: [paymentRoutes(payments, authenticate)],
    openApi: paymentsServiceApiDocument(),
  });
  return app;
}
