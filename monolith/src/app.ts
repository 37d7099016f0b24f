import type { Express } from 'express';
import { createHttpApp, PeerSessionsClient, systemClock, type Clock, type Database, type Logger } from '@strangler/kit';
import { createAuthModule } from './auth/auth-module';
import { createPaymentsModule } from './payments/payments-module';
import { createOrdersModule } from './orders/orders-module';
import type { PaymentsPort } from './payments/payments-port';

export interface MonolithDeps {
  db: Database;
  logger: Logger;
  clock?: Clock;
  sessionTtlMs: number;
  /** Cross-side sessions: the other sides to ask about unknown tokens, and the shared secret. */
  authPeers?: string[] | (() => string[]);
  internalToken?: string;
  peerTimeoutMs?: number;
  /** Overrides how checkout pays; defaults to the in-process payments module. */
  paymentsPort?: PaymentsPort;
}

export function buildMonolithApp(deps: MonolithDeps): Express {
  const clock = deps.clock ?? systemClock;
  const knex = deps.db.knex;
  const peers = new PeerSessionsClient({
    peers: deps.authPeers ?? [],
    internalToken: deps.internalToken,
    timeoutMs: deps.peerTimeoutMs ?? 1_000,
    logger: deps.logger.child({ component: 'peer-sessions' }),
  });
  const auth = createAuthModule({ knex, clock, sessionTtlMs: deps.sessionTtlMs, peers, internalToken: deps.internalToken });
  const payments = createPaymentsModule({ knex, clock, authenticate: auth.authenticate });
  const orders = createOrdersModule({
    knex,
    clock,
    authenticate: auth.authenticate,
    payments: deps.paymentsPort ?? payments.port,
    logger: deps.logger,
  });
  const { app } = createHttpApp({
    service: 'monolith',
    logger: deps.logger,
    readiness: [deps.db.readiness],
    routes: [...auth.routers, payments.router, orders.router],
  });
  return app;
}
