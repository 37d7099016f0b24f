import type { Express } from 'express';
import { createHttpApp, PeerSessionsClient, systemClock, type Clock, type Database, type Logger, type SessionValidityCache } from '@strangler/kit';
import { LoginThrottle, PasswordHasher, PeerEmailClaims, type PasswordHashing } from '@strangler/auth-api';
import { createAuthModule } from './auth/auth-module';
import { createPaymentsModule } from './payments/payments-module';
import { createOrdersModule } from './orders/orders-module';
import { monolithApiDocument } from './api-document';
import type { PaymentsPort } from './payments/payments-port';

export interface MonolithDeps {
  db: Database;
  logger: Logger;
  clock?: Clock;
  sessionTtlMs: number;
  /** Cross-side auth: the other sides to ask about unknown tokens and emails, and the shared secret. */
  authPeers?: string[] | (() => string[]);
  internalToken?: string | undefined;
  peerTimeoutMs?: number;
  /** Replaces the client built from `authPeers`. */
  peers?: PeerSessionsClient;
  /** Remembers peers' session answers (server.ts builds one from the config); none = ask every time. */
  sessionCache?: SessionValidityCache | undefined;
  /** Defaults to an in-memory throttle with the default limits (one instance, not shared with peers). */
  loginThrottle?: LoginThrottle;
  /** Defaults to the argon2id policy with a default gate. */
  passwords?: PasswordHashing;
  /** Overrides how checkout pays; defaults to the in-process payments module. */
  paymentsPort?: PaymentsPort;
}

export function buildMonolithApp(deps: MonolithDeps): Express {
  const clock = deps.clock ?? systemClock;
  const knex = deps.db.knex;
  const peerOptions = { peers: deps.authPeers ?? [], internalToken: deps.internalToken, timeoutMs: deps.peerTimeoutMs ?? 1_000 };
  const auth = createAuthModule({
    knex,
    clock,
    logger: deps.logger.child({ component: 'auth' }),
    sessionTtlMs: deps.sessionTtlMs,
    passwords: deps.passwords ?? new PasswordHasher(),
    throttle: deps.loginThrottle ?? LoginThrottle.inMemory(),
    peers: deps.peers ?? new PeerSessionsClient({ ...peerOptions, logger: deps.logger.child({ component: 'peer-sessions' }) }),
    sessionCache: deps.sessionCache,
    emailPeers: new PeerEmailClaims({ ...peerOptions, logger: deps.logger.child({ component: 'email-claims' }) }),
    internalToken: deps.internalToken,
  });
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
    openApi: monolithApiDocument(),
  });
  return app;
}
