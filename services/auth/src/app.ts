import { authServiceApiDocument } from './api-document';
import type { Express } from 'express';
import { createHttpApp, PeerSessionsClient, systemClock, type Clock, type Database, type Logger, type SessionValidityCache } from '@strangler/kit';
import { LoginThrottle, PasswordHasher, PeerEmailClaims, type PasswordHashing } from '@strangler/auth-api';
import { createAuthModule } from './auth/auth-module';

export interface AuthServiceDeps {
  db: Database;
  logger: Logger;
  clock?: Clock;
  sessionTtlMs: number;
  /** The other sides (the monolith): asked about tokens and emails this side does not know. A
   * function when they are known only after this side started (tests on port 0). */
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
}

export function buildAuthServiceApp(deps: AuthServiceDeps): Express {
  const peerOptions = { peers: deps.authPeers ?? [], internalToken: deps.internalToken, timeoutMs: deps.peerTimeoutMs ?? 1_000 };
  const auth = createAuthModule({
    knex: deps.db.knex,
    clock: deps.clock ?? systemClock,
    logger: deps.logger.child({ component: 'auth' }),
    sessionTtlMs: deps.sessionTtlMs,
    passwords: deps.passwords ?? new PasswordHasher(),
    throttle: deps.loginThrottle ?? LoginThrottle.inMemory(),
    peers: deps.peers ?? new PeerSessionsClient({ ...peerOptions, logger: deps.logger.child({ component: 'peer-sessions' }) }),
    sessionCache: deps.sessionCache,
    emailPeers: new PeerEmailClaims({ ...peerOptions, logger: deps.logger.child({ component: 'email-claims' }) }),
    internalToken: deps.internalToken,
  });
  const { app } = createHttpApp({
    service: 'auth-service',
    logger: deps.logger,
    readiness: [deps.db.readiness],
    routes: auth.routers,
    openApi: authServiceApiDocument(),
  });
  return app;
}
