import type { Express } from 'express';
import { createHttpApp, SessionAuthenticator, systemClock, type Clock, type Database, type Logger, type PeerSessionsClient } from '@strangler/kit';
import { authenticateMiddleware } from './auth/authenticate';
import { paymentRoutes } from './payments/payment-routes';
import { createPaymentUseCases } from './payments/payment-use-cases';

export interface PaymentsServiceDeps {
  /** The service's own database, migrated with `paymentsMigrations`. */
  db: Database;
  logger: Logger;
  clock?: Clock;
  /** Where bearer tokens are checked: the auth service and the monolith (this side has no sessions). */
  peers: PeerSessionsClient;
}

/** The payments API, served exactly as the monolith serves it, on the service's own storage. */
export function buildPaymentsServiceApp(deps: PaymentsServiceDeps): Express {
  const clock = deps.clock ?? systemClock;
  const authenticate = authenticateMiddleware(new SessionAuthenticator(undefined, deps.peers));
  const payments = createPaymentUseCases({ knex: deps.db.knex, clock });
  const { app } = createHttpApp({
    service: 'payments-service',
    logger: deps.logger,
    readiness: [deps.db.readiness],
    routes: [paymentRoutes(payments, authenticate)],
  });
  return app;
}
