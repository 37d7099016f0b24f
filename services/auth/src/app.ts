import type { Express } from 'express';
import { createHttpApp, PeerSessionsClient, systemClock, type Clock, type Database, type Logger } from '@strangler/kit';
import { createAuthModule } from './auth/auth-module';
import { PasswordHasher } from './passwords/password-hasher';
import { CURRENT_SCRYPT_PARAMS, type ScryptParams } from './passwords/scrypt-params';
import { LoginThrottle } from './throttling/login-throttle';

export interface AuthServiceDeps {
  db: Database;
  logger: Logger;
  clock?: Clock;
  sessionTtlMs: number;
  /** Cross-side sessions: the other sides to ask about unknown tokens, and the shared secret. */
  authPeers?: string[];
  internalToken?: string;
  peerTimeoutMs?: number;
  /** Replaces the client built from `authPeers` (tests use one whose peer list is resolved late). */
  peers?: PeerSessionsClient;
  /** Defaults to an in-memory throttle with the default limits (one instance only). */
  loginThrottle?: LoginThrottle;
  /** Defaults to the current scrypt policy. */
  passwordParams?: ScryptParams;
}

export function buildAuthServiceApp(deps: AuthServiceDeps): Express {
  const peers =
    deps.peers ??
    new PeerSessionsClient({
      peers: deps.authPeers ?? [],
      internalToken: deps.internalToken,
      timeoutMs: deps.peerTimeoutMs ?? 1_000,
      logger: deps.logger.child({ component: 'peer-sessions' }),
    });
  const auth = createAuthModule({
    knex: deps.db.knex,
    clock: deps.clock ?? systemClock,
    logger: deps.logger.child({ component: 'auth' }),
    sessionTtlMs: deps.sessionTtlMs,
    passwords: new PasswordHasher(deps.passwordParams ?? CURRENT_SCRYPT_PARAMS),
    throttle: deps.loginThrottle ?? LoginThrottle.inMemory(),
    peers,
    internalToken: deps.internalToken,
  });
  const { app } = createHttpApp({
    service: 'auth-service',
    logger: deps.logger,
    readiness: [deps.db.readiness],
    routes: auth.routers,
  });
  return app;
}
