import type { Knex } from 'knex';
import type { Router } from 'express';
import { bearerAuthentication, internalSessionRoutes, SessionAuthenticator, type Clock, type Logger, type PeerSessionsClient } from '@strangler/kit';
import type { PasswordHasher } from '../passwords/password-hasher';
import type { LoginThrottle } from '../throttling/login-throttle';
import { authRoutes } from '@strangler/auth-capability';
import { createAuthStore } from './auth-store';
import { createAuthUseCases } from './auth-use-cases';

export interface AuthModuleDeps {
  knex: Knex;
  clock: Clock;
  logger: Logger;
  sessionTtlMs: number;
  passwords: PasswordHasher;
  throttle: LoginThrottle;
  /** The other sides that issue sessions (the monolith during the migration). */
  peers: PeerSessionsClient;
  /** Enables the internal session endpoints peers call. */
  internalToken: string | undefined;
}

export function createAuthModule(deps: AuthModuleDeps): { routers: Router[] } {
  const store = createAuthStore(deps.knex, deps.clock);
  const auth = createAuthUseCases({
    store,
    passwords: deps.passwords,
    throttle: deps.throttle,
    clock: deps.clock,
    sessionTtlMs: deps.sessionTtlMs,
    logger: deps.logger,
  });
  const sessions = new SessionAuthenticator(store.sessions, deps.peers);
  const authenticate = bearerAuthentication(sessions);
  return { routers: [authRoutes(auth, sessions, authenticate), internalSessionRoutes(store.sessions, deps.internalToken)] };
}
